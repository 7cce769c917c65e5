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
    from scicatlive.snapshots.store import Manifest


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
