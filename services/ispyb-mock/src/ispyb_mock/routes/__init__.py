"""HTTP routes, one module per py-ISPyB area."""
