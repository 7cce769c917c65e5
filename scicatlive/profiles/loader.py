"""Find profiles, follow ``extends``, and merge the layers into one profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scicatlive.catalogue.loader import Catalogue
from scicatlive.errors import ConfigError
from scicatlive.paths import display, profiles_dir, seeds_dir, user_profiles_dir
from scicatlive.profiles.features import expand_features
from scicatlive.profiles.model import Account, ProfileLayer, ServiceOptions, StackSettings
from scicatlive.validation import load_yaml_mapping, validate

DEFAULT_PROFILE = "lite"
_MAX_EXTENDS_DEPTH = 16


@dataclass(frozen=True)
class Profile:
    """A profile with its ``extends`` chain merged in, checked against the catalogue."""

    name: str
    source: Path
    description: str
    stack: StackSettings
    services: dict[str, ServiceOptions]
    accounts: tuple[Account, ...]
    service_origins: dict[str, str] = field(default_factory=dict)
    seed: Path | str | None = field(default=None, metadata={"doc": "recipe for a new stack: a bundled name or a file"})
    features: tuple[str, ...] = ()

    @property
    def stack_name(self) -> str:
        return self.stack.name or self.name


def bundled_profiles() -> dict[str, Path]:
    """Profile name → file, user profiles shadowing bundled ones."""
    found: dict[str, Path] = {}
    for folder in (profiles_dir(), user_profiles_dir()):
        if folder.is_dir():
            found.update({p.stem: p for p in sorted(folder.glob("*.yaml"))})
    return found


def locate_profile(reference: str, *, relative_to: Path | None = None, where: str = "") -> Path:
    """A profile name (bundled or in the user's config dir) or a path to a YAML file."""
    looks_like_path = "/" in reference or reference.endswith((".yaml", ".yml"))
    if looks_like_path:
        path = Path(reference).expanduser()
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        if not path.is_file():
            raise ConfigError(where or reference, f"profile file {display(path)} does not exist")
        return path
    known = bundled_profiles()
    if reference in known:
        return known[reference]
    names = ", ".join(sorted(n for n in known if not n.startswith("_"))) or "none"
    raise ConfigError(
        where or "profile",
        f"no profile named {reference!r}; known profiles: {names}",
        hint="pass a file with --profile path/to/profile.yaml",
    )


def load_profile(reference: str | None, catalogue: Catalogue) -> Profile:
    """Load, merge and check a profile; every error names file and key."""
    path = locate_profile(reference or DEFAULT_PROFILE)
    layers = _read_chain(path)
    profile = expand_features(_merge(path, layers), layers, catalogue)
    _check_against_catalogue(profile, catalogue)
    return profile


def _read_chain(path: Path) -> list[tuple[Path, ProfileLayer]]:
    """The layers from the root ancestor down to ``path``."""
    chain: list[tuple[Path, ProfileLayer]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in seen:
            cycle = " -> ".join(display(p) for p in [*seen, resolved])
            raise ConfigError(f"{display(seen[-1])}: extends", f"extends cycle: {cycle}")
        if len(seen) >= _MAX_EXTENDS_DEPTH:
            raise ConfigError(f"{display(current)}: extends", "extends chain is deeper than 16 profiles")
        seen.append(resolved)
        source = display(current)
        layer = validate(ProfileLayer, load_yaml_mapping(current), source)
        chain.append((current, layer))
        current = (
            locate_profile(layer.extends, relative_to=current.parent, where=f"{source}: extends")
            if layer.extends
            else None
        )
    chain.reverse()
    return chain


def _merge(path: Path, layers: list[tuple[Path, ProfileLayer]]) -> Profile:
    stack = StackSettings()
    services: dict[str, ServiceOptions] = {}
    origins: dict[str, str] = {}
    accounts: dict[str, Account] = {}
    description = ""
    seed: Path | str | None = None
    for source, layer in layers:
        if layer.description:
            description = layer.description
        if "seed" in layer.model_fields_set:
            seed = _recipe(layer.seed, source)
        if layer.stack is not None:
            stack = _overlay(stack, layer.stack)
        for name, options in layer.services.items():
            options = options or ServiceOptions()
            services[name] = _merge_service(services.get(name), options)
            origins[name] = f"{display(source)}: services.{name}"
        for account in layer.accounts:
            accounts[account.username] = account
    enabled = {name: opts for name, opts in services.items() if opts.enabled}
    return Profile(
        name=path.stem,
        source=path,
        description=description,
        stack=stack,
        services=enabled,
        accounts=tuple(accounts.values()),
        service_origins=origins,
        seed=seed,
    )


def _recipe(reference: str | bool | None, source: Path) -> Path | str | None:
    """A bundled recipe's name, or a recipe file relative to the profile that names it."""
    if not reference:
        return None
    assert isinstance(reference, str)
    if "/" in reference or reference.endswith((".yaml", ".yml")):
        path = Path(reference).expanduser()
        path = path if path.is_absolute() else source.parent / path
        if not path.is_file():
            raise ConfigError(f"{display(source)}: seed", f"recipe file {display(path)} does not exist")
        return path
    known = sorted(p.stem for p in seeds_dir().glob("*.yaml"))
    if reference not in known:
        raise ConfigError(f"{display(source)}: seed", f"no recipe named {reference!r}; known recipes: {', '.join(known)}")
    return reference


def _overlay(base: StackSettings, top: StackSettings) -> StackSettings:
    return base.model_copy(update={key: getattr(top, key) for key in top.model_fields_set})


def _merge_service(base: ServiceOptions | None, top: ServiceOptions) -> ServiceOptions:
    return top if base is None else base.merged_with(top)


def _check_against_catalogue(profile: Profile, catalogue: Catalogue) -> None:
    if not profile.services:
        raise ConfigError(f"{display(profile.source)}: services", "the profile enables no service")
    for name, options in profile.services.items():
        where = profile.service_origins[name]
        entry = catalogue.get(name, where=where)
        definition = entry.definition
        if options.variant is not None and options.variant not in definition.variants:
            known = ", ".join(sorted(definition.variants))
            raise ConfigError(f"{where}.variant", f"unknown variant {options.variant!r}; {name} has: {known}")
        if options.port is not None and not definition.ports:
            raise ConfigError(f"{where}.port", f"{name} has no port to publish")
        for dependency in definition.depends_on:
            if dependency.startswith("role:"):
                role = dependency.removeprefix("role:")
                if not any(catalogue.get(other).definition.role.value == role for other in profile.services):
                    raise ConfigError(where, f"{name} needs a service with role {role!r}; the profile has none")
            elif dependency not in profile.services:
                raise ConfigError(
                    where,
                    f"{name} needs {dependency!r}, which the profile does not enable",
                    hint=f"add `{dependency}: {{}}` under services",
                )
