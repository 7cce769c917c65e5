"""The training kit: a notebook's session on a stack, the exercises, and the handouts.

``connect()`` is what a notebook calls; it imports nothing heavier than httpx, so the
package works inside the Jupyter container, where only ``scicatlive`` itself is mounted.
"""

from scicatlive.training.session import TrainingSession, connect

__all__ = ["TrainingSession", "connect"]
