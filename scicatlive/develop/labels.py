"""Which services of a running stack are in dev mode: the label their compose entry carries.

Light on purpose: `scicatlive status` reads it, and must not import the dev-mode machinery.
"""

from __future__ import annotations

import yaml

from scicatlive.stack.record import StackPaths

DEV_LABEL = "io.scicatlive.dev"
# libyaml's loader when the wheel has it: a stack's compose file parses ~10× faster.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def dev_services(name: str) -> dict[str, str]:
    """Service → checkout for a stack's services in dev mode, read from the compose file it runs."""
    path = StackPaths.for_stack(name).compose_file
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}
    except (OSError, yaml.YAMLError):
        return {}
    return {
        service: labels[DEV_LABEL]
        for service, body in (document.get("services") or {}).items()
        if DEV_LABEL in (labels := (body or {}).get("labels") or {})
    }
