"""Images without a registry: bootstrapped bases, wheelhouses, local builds, save/load."""
