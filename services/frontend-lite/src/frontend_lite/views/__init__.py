"""Dataset views chosen by a YAML configuration (see docs/dataset-views.md)."""
