"""``scicatlive.Stack``: one handle on a stack, resolved once, for the whole pipeline.

    from scicatlive import Stack

    with Stack("lite", name="demo") as stack:      # up on enter; torn down on exit if started here
        stack.seed("tiny")
        report = stack.check()
        print(stack.urls["scicat-lite"], report.ok)

    remote = Stack.attach("https://scicat.example.org", credentials="accounts.yaml")
    remote.check(read_only=True)

The CLI and the pytest plugin are thin callers of this class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Self

from scicatlive.engine import Engine, default_engine
from scicatlive.errors import StackError
from scicatlive.names import check_stack_name
from scicatlive.progress import Reporter, SilentReporter
from scicatlive.stack.files import write_private
from scicatlive.stack.record import (
    StackPaths,
    StackRecord,
    note_recipe,
    read_record,
    write_record,
)

if TYPE_CHECKING:
    from scicatlive.clients.target import FeatureOptions, Target
    from scicatlive.runtime.status import ServiceStatus
    from scicatlive.seeding.recipe import Recipe
    from scicatlive.seeding.run import SeedReport
    from scicatlive.stack.load import Credentials
    from scicatlive.stack.resolve import ResolvedStack

# Heavy modules (pydantic models, python-on-whales) are imported where they are used,
# so that `scicatlive status` and `import scicatlive` stay fast.

from scicatlive.handle.data import DataMixin
from scicatlive.handle.dev import DevMixin

PortOffset = int | Literal["auto"]


@dataclass
class StackUp:
    """What ``Stack.up`` did: the services, how long it took, and what it seeded."""

    stack: str
    project: str
    fresh: bool  # nothing of the stack existed before: its data volumes are new
    seconds: float
    services: list[ServiceStatus] = field(default_factory=list)
    seeded: SeedReport | None = None


class Stack(DataMixin, DevMixin):
    """A SciCat + ISPyB stack from a profile, or a remote one reached by URL (:meth:`attach`).

    ``port_offset="auto"`` (the default for library callers) picks a free block of host
    ports below the ephemeral range, so stacks started from code never collide with a
    developer's own; the choice is kept in the stack's state and reused on the next ``up``.
    An ``int`` shifts every port by that much; ``None`` keeps the profile's ports.
    """

    def __init__(
        self,
        profile: str | Path | None = None,
        *,
        name: str | None = None,
        port_offset: PortOffset | None = "auto",
        offline: bool = False,
        engine: Engine | None = None,
        reporter: Reporter | None = None,
        dev: list[str] | None = None,
    ) -> None:
        from scicatlive.develop.stack import with_dev_mode
        from scicatlive.stack.load import load_stack

        self._engine = engine
        self.reporter = reporter or SilentReporter()
        self._target: Target | None = None
        self._started = False
        self._remote = False
        reference = str(profile) if profile is not None else None
        if name is not None:
            check_stack_name(name, "name")
        fixed = port_offset if isinstance(port_offset, int) else None
        resolved = load_stack(reference, stack=name, port_offset=fixed, offline=offline, where="name")
        if port_offset == "auto":
            from scicatlive.runtime.ports import with_auto_ports

            resolved = with_auto_ports(reference, resolved, offline)
        # Services that run from a checkout: `dev` (NAME=PATH) and the profile's `source:` keys.
        resolved, self._dev = with_dev_mode(resolved, dev)
        self._resolved: ResolvedStack | None = resolved
        self._resolve: Callable[[], ResolvedStack] | None = None
        self.name = resolved.name

    @classmethod
    def attach(
        cls,
        url: str,
        *,
        credentials: Path | str | None = None,
        ispyb_url: str | None = None,
        frontend_url: str | None = None,
        username: str | None = None,
        password: str | None = None,
        site: str | None = None,
        pid_prefix: str | None = None,
        features: FeatureOptions | None = None,
    ) -> Stack:
        """A stack started elsewhere, reached by URL; ``credentials`` is an accounts file.

        ``features`` names its features and their services (RabbitMQ, OIDC issuer, search
        URLs) for the feature checks; without it they come from ``SCICATLIVE_*`` variables.
        """
        from scicatlive.clients.target import target_from_options

        target = target_from_options(
            backend_url=url, ispyb_url=ispyb_url, frontend_url=frontend_url,
            credentials_file=Path(credentials) if credentials is not None else None,
            username=username, password=password, site=site, pid_prefix=pid_prefix, features=features,
        )  # fmt: skip
        return cls.from_target(target)

    @classmethod
    def from_target(cls, target: Target) -> Stack:
        """A remote stack from a target made elsewhere (e.g. from command-line options)."""
        stack = cls._blank(target.stack or target.backend_url, None, None)
        stack._remote, stack._target = True, target
        return stack

    @classmethod
    def existing(
        cls, name: str, *, where: str = "--stack", engine: Engine | None = None, reporter: Reporter | None = None
    ) -> Stack:
        """A stack set up here before; its profile is resolved again, as it was started, on first need."""
        record = read_record(check_stack_name(name, where))

        def resolve() -> ResolvedStack:
            from scicatlive.develop.stack import with_dev_mode
            from scicatlive.stack.load import load_stack

            loaded = load_stack(record.profile, stack=name, port_offset=record.port_offset, offline=record.offline)
            return with_dev_mode(loaded, None)[0]

        stack = cls._blank(name, engine, reporter)
        stack._resolve = resolve
        return stack

    @classmethod
    def _blank(cls, name: str, engine: Engine | None, reporter: Reporter | None) -> Stack:
        stack = cls.__new__(cls)
        stack._engine, stack.reporter, stack._started, stack._remote = engine, reporter or SilentReporter(), False, False
        stack._resolved, stack._resolve, stack._target, stack.name, stack._dev = None, None, None, name, {}
        return stack

    # -- what the stack is ----------------------------------------------------------------------

    @property
    def started(self) -> bool:
        """True when this handle's ``up`` created the stack (``with`` then removes it on exit)."""
        return self._started

    @property
    def attached(self) -> bool:
        """True for a remote stack: it can be seeded and checked, not started or stopped."""
        return self._remote

    @property
    def resolved(self) -> ResolvedStack:
        """The profile resolved against the catalogue (once per handle)."""
        if self._resolved is None:
            if self._resolve is None:
                raise StackError(f"{self.name} is a remote stack: it has no profile here")
            self._resolved = self._resolve()
        return self._resolved

    @property
    def project(self) -> str:
        from scicatlive.names import project_name

        return project_name(self.name)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = default_engine()
        return self._engine

    @property
    def urls(self) -> dict[str, str]:
        """Service → its URL from this machine (HTTP services only)."""
        if self.attached:
            target = self.target
            found = {"backend": target.backend_url, "ispyb": target.ispyb_url, "frontend": target.frontend_url}
            return {role: url for role, url in found.items() if url}
        resolved = self.resolved
        return {s: url for s in resolved.services if (url := resolved.public_url(s))}

    @property
    def target(self) -> Target:
        """Where the services are and who may log in: what seeding, sync and checks use."""
        if self._target is None:
            from scicatlive.stack.target import target_of

            self._target = target_of(self.resolved, self.credentials())
        return self._target

    def credentials(self) -> Credentials:
        """Accounts with their generated passwords, other secrets, and URLs."""
        from scicatlive.stack.load import credentials_of

        self._refuse_remote("read the credentials of")
        return credentials_of(self.resolved)

    # -- lifecycle ------------------------------------------------------------------------------

    def config(self) -> str:
        """The compose YAML ``up`` runs (secrets live in env files beside it)."""
        return self._write_files().compose_file.read_text(encoding="utf-8")

    def up(
        self,
        *,
        keep: bool = False,
        rebuild: bool = False,
        timeout: float | None = None,
        seed: str | Path | Recipe | Literal[False] | None = None,
        sample_layout: Literal["hierarchical", "flat"] | None = None,
    ) -> StackUp:
        """Build or pull images, start every service and wait until all are healthy.

        ``seed``: ``None`` seeds the profile's recipe (``seed:``) when the stack's data
        volumes are new; a recipe seeds it in any case; ``False`` seeds nothing.
        """
        from scicatlive.runtime import lifecycle

        recipe = self._recipe_for_up(seed)  # a bad recipe fails before anything starts
        self._warn_about_short_passwords()
        paths = self._write_files()
        if self._dev:
            from scicatlive.develop.stack import build_dev

            build_dev(self.resolved, self._dev, paths.compose_file, self.reporter, self.engine)
        started = lifecycle.up(
            self.resolved, paths.compose_file, engine=self.engine, reporter=self.reporter,
            keep=keep, rebuild=rebuild, timeout=timeout,
        )  # fmt: skip
        result = StackUp(started.stack, started.project, started.fresh, started.seconds)
        if result.fresh:
            self._started = True
            note_recipe(self.name, None)
        from scicatlive.runtime.status import statuses

        result.services = statuses(self.record(), started.containers)
        if recipe is not None and (seed is not None or result.fresh):
            result.seeded = self.seed(recipe, sample_layout=sample_layout)
        return result

    def _recipe_for_up(self, seed: str | Path | Recipe | Literal[False] | None) -> str | Recipe | None:
        """The recipe ``up`` may seed, loaded now so that a bad one fails before anything starts.

        The profile's own bundled recipe stays a name: the profile checked it when it loaded,
        and it is read only when the stack turns out to be new (most `up`s do not seed).
        """
        if seed is False:
            return None
        reference = seed if seed is not None else self.resolved.profile.seed
        if reference is None or (seed is None and isinstance(reference, str)):
            return reference
        from scicatlive.seeding.recipe import Recipe, load_recipe

        return reference if isinstance(reference, Recipe) else load_recipe(reference)

    def _warn_about_short_passwords(self) -> None:
        short = [a.username for a in self.resolved.accounts if a.password is not None and len(a.password) < 8]
        if short:
            self.reporter.step(
                f"warning: the profile gives {', '.join(short)} a password shorter than 8 characters; "
                "fine for reproducing a client's CI accounts, never for a stack others can reach"
            )

    def down(self, *, volumes: bool = False) -> None:
        """Stop and remove the containers; ``volumes`` also wipes the data and the secrets."""
        self._refuse_remote("stop")
        from scicatlive.runtime import lifecycle

        lifecycle.down(self.name, engine=self.engine, volumes=volumes)
        self._started = False

    def status(self) -> list[ServiceStatus]:
        """Each service's container: state, health, host ports and URLs."""
        self._refuse_remote("inspect")
        from scicatlive.runtime.status import status

        return status(self.record(), engine=self.engine)

    def record(self) -> StackRecord:
        return read_record(self.name)

    def logs(self, service: str | None = None, *, tail: int | None = None) -> str:
        self._refuse_remote("read the logs of")
        from scicatlive.runtime import lifecycle

        return lifecycle.service_logs(self.name, service, engine=self.engine, tail=tail)

    def follow_logs(self, service: str | None = None) -> Iterator[str]:
        self._refuse_remote("read the logs of")
        from scicatlive.runtime import lifecycle

        return lifecycle.follow_logs(self.name, service, engine=self.engine)

    def running(self) -> bool:
        """Every service of the profile runs and is healthy."""
        try:
            states = {s.name: s for s in self.status()}
        except StackError:
            return False
        return bool(states) and all(name in states and states[name].ready for name in self.resolved.services)

    def __enter__(self) -> Self:
        if not self.attached and not self.running():
            self.up()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._started:
            self.down(volumes=True)

    # -- data -----------------------------------------------------------------------------------

    def _write_files(self) -> StackPaths:
        from scicatlive.rendering.compose import render_compose
        from scicatlive.stack.state import prepare_stack

        prepared = prepare_stack(self.resolved)
        write_private(prepared.paths.compose_file, render_compose(prepared).to_yaml())
        write_record(self.resolved, prepared.paths)
        self._target = None
        return prepared.paths

    def _refuse_remote(self, action: str) -> None:
        if self.attached:
            raise StackError(f"cannot {action} {self.name}: it is a remote stack (attached by URL)")

    def __repr__(self) -> str:
        return f"<Stack {self.name!r}{' (remote)' if self.attached else ''}>"
