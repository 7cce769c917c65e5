"""The OAI-PMH endpoint and the service's status."""
