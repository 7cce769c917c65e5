"""Rendering a stack into a Compose file."""

from scicatlive.rendering.compose import ComposeDocument, render_compose

__all__ = ["ComposeDocument", "render_compose"]
