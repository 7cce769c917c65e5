"""The seed cache: a snapshot of a stack right after seeding a recipe, restored to seed the next one.

A cached snapshot fits when everything that decides the seeded data is the same: the
recipe (its full content), the mapping options (pid prefix, sample layout), the facility
site, the code that generates and maps the data, and the images of the data services and
of the services that own their schema. The key is a digest of all of these, so a change to
any of them simply misses the cache.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scicatlive.clients import ispyb as ispyb_api
from scicatlive.clients import scicat as scicat_api
from scicatlive.clients.http import NO_RETRY, Session
from scicatlive.clients.target import Target
from scicatlive.defaults import DEFAULT_ACCOUNT

if TYPE_CHECKING:
    from scicatlive.engine import Engine
    from scicatlive.mapping import MappingOptions
    from scicatlive.progress import Reporter
    from scicatlive.seeding.recipe import Recipe
    from scicatlive.seeding.run import SeedReport
    from scicatlive.stack.resolve import ResolvedStack

CACHE_VERSION = "2"  # 2: dumps leave the accounts out
_PACKAGE = Path(__file__).resolve().parent.parent
# The code whose output the cache holds: generation, the facility model, the mapping, the loaders.
_GENERATING_CODE = ("domain", "seeding", "mapping")


@cache
def code_digest() -> str:
    digest = hashlib.sha256()
    for folder in _GENERATING_CODE:
        for path in sorted((_PACKAGE / folder).rglob("*.py")):
            digest.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def seed_cache_key(recipe: Recipe, options: MappingOptions, site: str, images: dict[str, str]) -> str:
    material = {
        "version": CACHE_VERSION,
        "recipe": recipe.model_dump(mode="json"),
        "mapping": options.model_dump(mode="json"),
        "site": site,
        "code": code_digest(),
        "images": images,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:24]


def is_empty(target: Target, account: str = DEFAULT_ACCOUNT) -> bool:
    """True when neither SciCat nor ISPyB holds a proposal, sample or dataset yet."""
    password = target.password(account)
    with Session(target.backend_url, service=scicat_api.SERVICE, retry=NO_RETRY) as scicat:
        scicat.login(scicat_api.login(account, password))
        datasets = scicat.expect("count SciCat datasets", "GET", f"{scicat_api.V3}/datasets/count", status=(200,))
        if int((datasets or {}).get("count", 0)):
            return False
        for what in ("proposals", "samples"):
            found = scicat.expect(f"list SciCat {what}", "GET", f"{scicat_api.V3}/{what}",
                                  params=scicat_api.filter_param(limits={"limit": 1}), status=(200,))  # fmt: skip
            if found:
                return False
    if target.ispyb_url is None:
        return True
    with Session(target.ispyb_url, service=ispyb_api.SERVICE, retry=NO_RETRY) as ispyb:
        ispyb.login(ispyb_api.login(account, password))
        page = ispyb.run(ispyb_api.page("proposals", "proposals", limit=1))
        return page.total == 0


def seed_through_cache(
    stack: ResolvedStack, engine: Engine, target: Target, recipe: Recipe, options: dict[str, Any], reporter: Reporter
) -> SeedReport:
    """Seed an empty stack from the cache when it has this seed; else through the APIs, then cache it.

    A stack that already holds data is seeded through the APIs (idempotent), never restored.
    """
    import time

    from scicatlive.paths import seed_cache_dir
    from scicatlive.seeding.run import SeedReport, seed
    from scicatlive.snapshots import operations
    from scicatlive.snapshots.store import MANIFEST

    if not is_empty(target, options.get("account", DEFAULT_ACCOUNT)):
        return seed(target, recipe, **options)
    mapping = recipe.mapping_options(pid_prefix=target.seeding_pid_prefix, sample_layout=options.get("sample_layout"))
    images = operations.schema_images(stack, engine)
    key = seed_cache_key(recipe, mapping, target.site, images)
    cached = seed_cache_dir() / key
    if (cached / MANIFEST).is_file():
        started = time.monotonic()
        reporter.step(f"restore the {recipe.name!r} seed from the seed cache")
        manifest = operations.restore(stack, engine, cached, reporter=reporter, images=images)
        report = SeedReport.from_dict(manifest.seed_report or {"recipe": recipe.name or "recipe"})
        report.source, report.seconds = "seed cache", time.monotonic() - started
        return report
    report = seed(target, recipe, **options)
    reporter.step(f"keep the {recipe.name!r} seed in the seed cache")
    operations.save(stack, engine, key, seed_cache_dir(), recipe=report.recipe,
                    seed_report=report.as_dict(), replace=True, reporter=reporter, images=images)  # fmt: skip
    return report
