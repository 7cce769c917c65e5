"""One router per PaNOSC resource."""
