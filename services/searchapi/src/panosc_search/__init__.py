"""The PaNOSC search API over a SciCat backend's public data."""
