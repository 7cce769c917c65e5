"""The stack's data: seeding (through the seed cache), sync, checks, snapshots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scicatlive.handle.base import StackParts
from scicatlive.stack.record import note_recipe

if TYPE_CHECKING:
    from scicatlive.checks.model import CheckReport, CheckResult
    from scicatlive.seeding.recipe import Recipe
    from scicatlive.seeding.run import SeedReport
    from scicatlive.simulate import SimulationOptions, SimulationReport
    from scicatlive.snapshots.store import Manifest
    from scicatlive.sync.follow import FollowOptions, FollowReport
    from scicatlive.sync.follow_state import FollowState, StateFile


class DataMixin(StackParts):
    def seed(self, recipe: str | Path | Recipe, *, cache: bool = True, **options: Any) -> SeedReport:
        """Load a recipe's facility into ISPyB and SciCat; options of ``seeding.run.seed_async``.

        On an empty stack of this machine, ``cache`` restores the same seed from the seed
        cache when there is one, and saves one after seeding through the APIs when not.
        """
        from scicatlive.seeding.recipe import Recipe, load_recipe
        from scicatlive.seeding.run import seed

        options.setdefault("reporter", self.reporter)
        loaded = recipe if isinstance(recipe, Recipe) else load_recipe(recipe)
        if self.attached or not cache:
            report = seed(self.target, loaded, **options)
        else:
            from scicatlive.snapshots.cache import seed_through_cache

            report = seed_through_cache(self.resolved, self.engine, self.target, loaded, options, self.reporter)
        if not self.attached:
            note_recipe(self.name, report.recipe)
        return report

    def snapshot(self, name: str, *, replace: bool = False) -> Manifest:
        """Save the data of every data service (``scicatlive snapshot save``)."""
        from scicatlive.paths import snapshots_dir
        from scicatlive.snapshots import operations

        self._refuse_remote("snapshot")
        return operations.save(self.resolved, self.engine, name, snapshots_dir(), recipe=self.record().recipe,
                               replace=replace, reporter=self.reporter)  # fmt: skip

    def restore(self, name: str) -> Manifest:
        """Replace the stack's data by a snapshot's, atomically (``scicatlive snapshot restore``)."""
        from scicatlive.paths import snapshots_dir
        from scicatlive.snapshots import check_name, operations

        self._refuse_remote("restore")
        manifest = operations.restore(self.resolved, self.engine, snapshots_dir() / check_name(name), reporter=self.reporter)
        note_recipe(self.name, manifest.recipe)
        return manifest

    def sync(self, **options: Any) -> SeedReport:
        """Map what ISPyB holds into SciCat again; options of ``sync.sync_async``."""
        from scicatlive.sync import sync

        options.setdefault("reporter", self.reporter)
        return sync(self.target, **options)

    def follow(self, options: FollowOptions | None = None, *, state_file: Path | None = None, **extra: Any) -> FollowReport:
        """Map ISPyB's new and changed records into SciCat as they come (``sync --follow``),
        until ``stop`` (a ``threading.Event`` in ``extra``) is set or, ``until_idle``, caught up.

        The position is recorded beside the stack's record (``follow.json``), or in
        ``state_file``; ``extra``: ``facility``, ``stop``, ``on_state`` of ``sync.follow``.
        """
        from scicatlive.sync.follow import follow

        if not self.attached and "follow" in self.resolved.profile.features:
            self.reporter.step(f"note: {self.name}'s own sync service follows ISPyB already (feature follow)")
        return follow(self.target, self.follow_state_file(state_file), options, **extra)

    def follow_state_file(self, path: Path | None = None) -> StateFile:
        from scicatlive.sync.follow_state import StateFile

        if path is not None:
            return StateFile(path)
        if self.attached:
            return StateFile.for_target(self.target.backend_url, self.target.ispyb_url or "")
        return StateFile.for_stack(self.name)

    def follow_state(self) -> FollowState | None:
        """Where the stack's follower is: its sync service's (feature follow), else one run from here."""
        from scicatlive.sync.follow_status import stack_follow_state

        if self.attached:
            return self.follow_state_file().read()
        found = stack_follow_state(self.name, self.status())
        return found[1] if found else None

    def simulate(self, options: SimulationOptions, **extra: Any) -> SimulationReport:
        """Play a beamline's day through mxcubecore's adapter (``scicatlive simulate``);
        ``extra``: ``recipe`` (default: the one the stack was seeded with), ``stop``, ``on_event``."""
        from scicatlive.simulate import simulate_target

        if "recipe" not in extra and not self.attached:
            extra["recipe"] = self._seeded_recipe()
        return simulate_target(self.target, options, **extra)

    def _seeded_recipe(self) -> Recipe | None:
        """The recipe the stack's data was seeded with, when it can still be read."""
        from scicatlive.errors import ScicatliveError
        from scicatlive.seeding.recipe import load_recipe

        name = self.record().recipe
        try:
            return load_recipe(name) if name else None
        except ScicatliveError:
            return None

    def check(
        self,
        *,
        only: tuple[str, ...] | list[str] = (),
        skip: tuple[str, ...] | list[str] = (),
        read_only: bool = False,
        on_result: Callable[[CheckResult], None] | None = None,
        **transports: Any,
    ) -> CheckReport:
        """Run the end-to-end checks (``scicatlive check``) on this stack."""
        from scicatlive.checks import Selection, run_checks

        selection = Selection.parse(only, skip, read_only)
        return run_checks(self.target, selection, on_result=on_result, **transports)

    # -- internals ------------------------------------------------------------------------------
