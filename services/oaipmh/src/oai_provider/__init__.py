"""An OAI-PMH 2.0 provider over SciCat's registered published data."""
