"""The double of the backend is imported by name, like the other services' harnesses."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
