"""HTTP clients of the services a stack runs: SciCat and ISPyB."""
