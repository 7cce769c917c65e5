"""A profile's `features:` switched on: the services each feature runs, wired into the backend.

A profile lists the features it wants (`features: [jobs, ldap, oidc]`) and says, in
`feature_services`, which catalogue services realize each feature and how (`lite`
builds them here, `full` pulls SciCatLive's images). Switching a feature on adds
those services to the stack, with any service they depend on, and gives every SciCat
backend of the stack the environment each of them declares (`backend_environment`,
upstream's variable names) under whatever the profile itself sets.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import TYPE_CHECKING

from scicatlive.catalogue.loader import Catalogue
from scicatlive.catalogue.model import Role
from scicatlive.errors import ConfigError
from scicatlive.paths import display
from scicatlive.profiles.model import ProfileLayer, ServiceOptions

if TYPE_CHECKING:
    from scicatlive.profiles.loader import Profile

_ACCOUNT_SECRET = re.compile(r"\$\{secrets\.account\.([A-Za-z0-9_.-]+)\}")


@dataclasses.dataclass(frozen=True)
class FeatureService:
    options: ServiceOptions
    origin: str


def expand_features(
    profile: Profile, layers: list[tuple[Path, ProfileLayer]], catalogue: Catalogue
) -> Profile:
    """The profile with its features' services added and wired; every error names file and key."""
    features, where = _requested(layers)
    offered = _offered(layers)
    for feature, chosen in offered.items():
        for name, choice in chosen.items():
            _check_feature_service(catalogue, feature, name, choice.origin)
    if not features:
        return dataclasses.replace(profile, features=())
    services = dict(profile.services)
    origins = dict(profile.service_origins)
    disabled = set(profile.service_origins) - set(profile.services)
    for feature in features:
        provided = offered.get(feature)
        if not provided:
            raise ConfigError(
                where,
                f"the profile provides no service for feature {feature!r}",
                hint=f"say which services run it under feature_services.{feature}, "
                "or extend a profile that does (lite, full)",
            )
        for name, choice in provided.items():
            _add(name, choice, services, origins, disabled, feature)
    _add_dependencies(catalogue, offered, services, origins, disabled)
    _wire_backends(catalogue, features, offered, services, where)
    profile = dataclasses.replace(
        profile, services=services, service_origins=origins, features=tuple(features)
    )
    _check_account_references(profile, catalogue)
    return profile


def _requested(layers: list[tuple[Path, ProfileLayer]]) -> tuple[list[str], str]:
    """The nearest layer's `features` list wins whole: a child can also switch one off."""
    for source, layer in reversed(layers):
        if layer.features is not None:
            return list(layer.features), f"{display(source)}: features"
    return [], ""


def _offered(layers: list[tuple[Path, ProfileLayer]]) -> dict[str, dict[str, FeatureService]]:
    offered: dict[str, dict[str, FeatureService]] = {}
    for source, layer in layers:
        for feature, services in layer.feature_services.items():
            entries = offered.setdefault(feature, {})
            for name, options in services.items():
                options = options or ServiceOptions()
                base = entries.get(name)
                merged = base.options.merged_with(options) if base else options
                origin = f"{display(source)}: feature_services.{feature}.{name}"
                entries[name] = FeatureService(merged, origin)
    return offered


def _check_feature_service(catalogue: Catalogue, feature: str, name: str, origin: str) -> None:
    definition = catalogue.get(name, where=origin).definition
    if definition.feature != feature:
        serves = f"serves feature {definition.feature!r}" if definition.feature else "serves no feature"
        raise ConfigError(origin, f"{name} {serves}, not {feature!r}")


def _add(
    name: str,
    choice: FeatureService,
    services: dict[str, ServiceOptions],
    origins: dict[str, str],
    disabled: set[str],
    feature: str,
) -> None:
    if name in disabled:
        raise ConfigError(
            f"{origins[name]}.enabled",
            f"{name} is switched off here, but feature {feature!r} runs it",
            hint=f"drop `enabled: false`, or take {feature!r} out of features",
        )
    if name in services:
        # The profile's own `services.<name>` options refine the feature's.
        services[name] = choice.options.merged_with(services[name])
    else:
        services[name] = choice.options
        origins[name] = choice.origin


def _add_dependencies(
    catalogue: Catalogue,
    offered: dict[str, dict[str, FeatureService]],
    services: dict[str, ServiceOptions],
    origins: dict[str, str],
    disabled: set[str],
) -> None:
    """A feature's service brings the feature services it needs (LemonLDAP::NG its LDAP),
    configured as the profile configures them for their own feature."""
    pending = [name for name in services if name in catalogue]
    while pending:
        definition = catalogue.get(pending.pop()).definition
        for dependency in definition.depends_on:
            if dependency in services or dependency.startswith("role:") or dependency not in catalogue:
                continue
            needed = catalogue.get(dependency).definition
            choice = offered.get(needed.feature or "", {}).get(dependency)
            if choice is None:
                continue  # reported by the catalogue check: "needs X, which the profile does not enable"
            _add(dependency, choice, services, origins, disabled, needed.feature or "")
            pending.append(dependency)


def _wire_backends(
    catalogue: Catalogue,
    features: list[str],
    offered: dict[str, dict[str, FeatureService]],
    services: dict[str, ServiceOptions],
    where: str,
) -> None:
    backends = [
        name for name in services if name in catalogue and catalogue.get(name).definition.role == Role.BACKEND
    ]
    if not backends:
        raise ConfigError(where, "features are wired into the SciCat backend, and the profile has none")
    wiring: dict[str, str] = {}
    for feature in features:
        for name in offered[feature]:
            wiring.update(catalogue.get(name).definition.backend_wiring(services[name].variant))
    for backend in backends:
        options = services[backend]
        services[backend] = options.model_copy(
            update={"environment": {**wiring, **options.environment}}
        )


def _check_account_references(profile: Profile, catalogue: Catalogue) -> None:
    """A service that logs in with a profile account (the archive worker) needs that account."""
    usable = {a.username for a in profile.accounts if not a.ldap_only}
    for name, options in profile.services.items():
        if name not in catalogue:
            continue  # reported with its origin by the catalogue check
        definition = catalogue.get(name).definition
        variant = definition.variants.get(options.variant or definition.default_variant)
        environment = {
            **definition.environment,
            **(variant.environment if variant else {}),
            **options.environment,
        }
        for key, value in environment.items():
            for username in _ACCOUNT_SECRET.findall(value):
                if username not in usable:
                    raise ConfigError(
                        f"{profile.service_origins[name]}",
                        f"{name} logs in as {username!r} ({key}), "
                        "which is not a functional account of the profile",
                        hint=f"add an account {username!r} under accounts",
                    )
