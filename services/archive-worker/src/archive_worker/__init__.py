"""An archive system for SciCat: archive and retrieve jobs from RabbitMQ, carried out through the API."""
