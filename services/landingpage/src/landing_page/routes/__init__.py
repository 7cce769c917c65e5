"""The pages (dashboard, one per DOI) and the health route."""
