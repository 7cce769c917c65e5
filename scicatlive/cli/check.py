"""`scicatlive check`: verify a running stack end to end (a local one, or any by URL)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scicatlive.cli.context import (
    JsonOption,
    ProfileOption,
    StackOption,
    console,
    err_console,
    existing_stack,
    print_json,
    remote_stack,
)
from scicatlive.defaults import (
    ENV_BACKEND,
    ENV_CREDENTIALS,
    ENV_FEATURES,
    ENV_FRONTEND,
    ENV_ISPYB,
    ENV_LANDING_URL,
    ENV_OAI_URL,
    ENV_OIDC_ISSUER,
    ENV_PASSWORD,
    ENV_RABBITMQ_PASSWORD,
    ENV_RABBITMQ_URL,
    ENV_RABBITMQ_USERNAME,
    ENV_SEARCHAPI_URL,
    ENV_USERNAME,
)

if TYPE_CHECKING:
    from scicatlive.checks.model import CheckResult
    from scicatlive.clients.target import FeatureOptions
    from scicatlive.handle import Stack

REMOTE = "With --backend-url"
FeatureOption = Annotated[list[str] | None, typer.Option("--feature", metavar="NAME", help=f"{REMOTE}: a feature the stack has on (jobs, ldap, oidc, search; repeatable, comma-separated; env {ENV_FEATURES}). A service URL below switches its feature on too.")]
RabbitmqUrlOption = Annotated[str | None, typer.Option("--rabbitmq-url", envvar=ENV_RABBITMQ_URL, metavar="URL", help=f"{REMOTE}: RabbitMQ's management API (feature jobs).")]
RabbitmqUserOption = Annotated[str | None, typer.Option("--rabbitmq-username", envvar=ENV_RABBITMQ_USERNAME, help=f"{REMOTE}: a management user (default admin).")]
RabbitmqPasswordOption = Annotated[str | None, typer.Option("--rabbitmq-password", envvar=ENV_RABBITMQ_PASSWORD, help=f"{REMOTE}: that user's password.")]
OidcIssuerOption = Annotated[str | None, typer.Option("--oidc-issuer", envvar=ENV_OIDC_ISSUER, metavar="URL", help=f"{REMOTE}: the OpenID Connect provider the backend logs people in with (feature oidc).")]
SearchapiUrlOption = Annotated[str | None, typer.Option("--searchapi-url", envvar=ENV_SEARCHAPI_URL, metavar="URL", help=f"{REMOTE}: the PaNOSC search API (feature search).")]
OaiUrlOption = Annotated[str | None, typer.Option("--oai-url", envvar=ENV_OAI_URL, metavar="URL", help=f"{REMOTE}: the OAI-PMH base URL, e.g. https://host/scicat/oai (feature search).")]
LandingUrlOption = Annotated[str | None, typer.Option("--landing-url", envvar=ENV_LANDING_URL, metavar="URL", help=f"{REMOTE}: the DOI landing pages (feature search).")]


def check_command(
    stack: StackOption = None,
    profile: ProfileOption = None,
    backend_url: Annotated[str | None, typer.Option("--backend-url", envvar=ENV_BACKEND, metavar="URL", help="Check this SciCat backend instead of a local stack.")] = None,
    ispyb_url: Annotated[str | None, typer.Option("--ispyb-url", envvar=ENV_ISPYB, metavar="URL", help="With --backend-url: its ISPyB.")] = None,
    frontend_url: Annotated[str | None, typer.Option("--frontend-url", envvar=ENV_FRONTEND, metavar="URL", help="With --backend-url: its frontend.")] = None,
    credentials: Annotated[Path | None, typer.Option("--credentials", envvar=ENV_CREDENTIALS, metavar="FILE", help="With --backend-url: accounts as JSON/YAML ({accounts: [{username, password, groups}]}).")] = None,
    username: Annotated[str | None, typer.Option("--username", envvar=ENV_USERNAME, help="With --backend-url: one account's name.")] = None,
    password: Annotated[str | None, typer.Option("--password", envvar=ENV_PASSWORD, help="With --backend-url: that account's password.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="With --backend-url: the facility site the data was seeded with [default: SCICATLIVE].")] = None,
    pid_prefix: Annotated[str | None, typer.Option("--pid-prefix", help="With --backend-url: the backend's PID_PREFIX, to compare pids too.")] = None,
    feature: FeatureOption = None,
    rabbitmq_url: RabbitmqUrlOption = None,
    rabbitmq_username: RabbitmqUserOption = None,
    rabbitmq_password: RabbitmqPasswordOption = None,
    oidc_issuer: OidcIssuerOption = None,
    searchapi_url: SearchapiUrlOption = None,
    oai_url: OaiUrlOption = None,
    landing_url: LandingUrlOption = None,
    read_only: Annotated[bool, typer.Option("--read-only", help="Only checks that write nothing (shared or production-like stacks).")] = False,
    only: Annotated[list[str] | None, typer.Option("--only", metavar="ID", help="Run only these checks or families (repeatable, comma-separated).")] = None,
    skip: Annotated[list[str] | None, typer.Option("--skip", metavar="ID", help="Leave out these checks or families (repeatable, comma-separated).")] = None,
    list_checks: Annotated[bool, typer.Option("--list", help="List the checks and exit.")] = False,
    junit: Annotated[Path | None, typer.Option("--junit", metavar="FILE", help="Also write JUnit XML (for CI).")] = None,
    json_output: JsonOption = False,
) -> None:
    """Verify a running stack end to end: services, accounts, access rules, the dataset
    lifecycle, search, ISPyB ↔ SciCat consistency, the ISPyB mock and the frontend; and,
    where the stack has them, its features: jobs, LDAP and OIDC logins, the search services.

    Exit status: 0 when every check passed or was skipped, 1 when one failed, 2 on bad usage.
    """
    from scicatlive.checks.report import table, to_json, write_junit
    from scicatlive.checks.runner import Selection

    Selection.parse(only or (), skip or (), read_only)  # bad ids fail before anything is reached
    if list_checks:
        _list(json_output)
        return
    from scicatlive.clients.target import FeatureOptions, split_features

    features = FeatureOptions(
        features=split_features(feature or ()), rabbitmq_url=rabbitmq_url, rabbitmq_username=rabbitmq_username,
        rabbitmq_password=rabbitmq_password, oidc_issuer=oidc_issuer, searchapi_url=searchapi_url,
        oai_url=oai_url, landing_url=landing_url,
    )  # fmt: skip
    handle = _stack(stack, profile, backend_url, ispyb_url, frontend_url, credentials, username, password, site, pid_prefix, features)
    report = handle.check(
        only=only or (), skip=skip or (), read_only=read_only, on_result=None if json_output else show_check_progress
    )
    if junit is not None:
        write_junit(report, junit)
    if json_output:
        print_json(to_json(report))
    else:
        console.print(table(report))
        if junit is not None:
            err_console.print(f"JUnit XML: {junit}")
    if not report.ok:
        raise typer.Exit(1)


def _stack(
    stack: str | None, profile: str | None, backend_url: str | None, ispyb_url: str | None, frontend_url: str | None,
    credentials: Path | None, username: str | None, password: str | None, site: str | None, pid_prefix: str | None,
    features: FeatureOptions,
) -> Stack:  # fmt: skip
    if backend_url is None:
        return existing_stack(profile, stack)
    from scicatlive.clients.target import target_from_options

    return remote_stack(target_from_options(
        backend_url=backend_url, ispyb_url=ispyb_url, frontend_url=frontend_url, credentials_file=credentials,
        username=username, password=password, site=site, pid_prefix=pid_prefix, features=features,
    ))  # fmt: skip


def show_check_progress(result: CheckResult) -> None:
    from scicatlive.checks.model import Status
    from scicatlive.checks.report import COLOURS

    colour = COLOURS[result.status]
    line = f"  [{colour}]{result.status.value:<7}[/] {result.id:<22} [dim]{result.seconds:5.2f}s[/]"
    if result.status is Status.FAILED:
        line += f"  {result.message[:160]}"
    err_console.print(line, highlight=False)


def _list(json_output: bool) -> None:
    from scicatlive.checks.report import list_table
    from scicatlive.checks.runner import ALL_CHECKS

    if json_output:
        print_json([{"id": c.id, "description": c.description, "writes": c.writes, "needs": sorted(c.needs)} for c in ALL_CHECKS])
    else:
        console.print(list_table(list(ALL_CHECKS)))


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
