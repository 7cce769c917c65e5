"""Public landing pages for SciCat's registered DOIs."""
