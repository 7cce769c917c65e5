"""Profiles: YAML files that say which services a stack runs and how."""

from scicatlive.profiles.loader import (
    DEFAULT_PROFILE,
    Profile,
    bundled_profiles,
    load_profile,
    locate_profile,
)
from scicatlive.profiles.model import Account, ServiceOptions, StackSettings

__all__ = [
    "DEFAULT_PROFILE",
    "Account",
    "Profile",
    "ServiceOptions",
    "StackSettings",
    "bundled_profiles",
    "load_profile",
    "locate_profile",
]
