"""Handouts: one page per account of a stack, as Markdown and as printable HTML.

A page holds what one trainee needs: the stack's addresses, their username and password,
JupyterLab's link with its token, and the exercises. Passwords appear only in these pages
(written with mode 0600) and in `scicatlive credentials`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from scicatlive.errors import ConfigError
from scicatlive.paths import display
from scicatlive.stack.files import ensure_private_dir, write_private
from scicatlive.stack.load import AccountCredentials
from scicatlive.training.exercises import Exercise, exercises
from scicatlive.training.links import JUPYTER_SERVICE, Link, stack_links


@dataclass(frozen=True)
class HandoutPage:
    stack: str
    account: AccountCredentials
    links: tuple[Link, ...]
    exercises: tuple[Exercise, ...]

    @property
    def has_jupyter(self) -> bool:
        return any(link.service == JUPYTER_SERVICE for link in self.links)


@dataclass(frozen=True)
class WrittenHandouts:
    folder: Path
    files: tuple[Path, ...]


def default_output(stack: str) -> Path:
    return Path.cwd() / f"handouts-{stack}"


def build_pages(stack: str, accounts: list[str] | None = None) -> list[HandoutPage]:
    """The pages of a stack set up here; ``accounts`` picks some (default: every account)."""
    from scicatlive.handle import Stack

    handle = Stack.existing(stack)
    resolved, found = handle.resolved, handle.credentials()
    by_name = {a.username: a for a in found.accounts}
    if accounts:
        unknown = [name for name in accounts if name not in by_name]
        if unknown:
            raise ConfigError(
                "--account", f"stack {stack!r} has no account {', '.join(map(repr, unknown))}",
                hint=f"its accounts: {', '.join(by_name)}",
            )
        chosen = [by_name[name] for name in dict.fromkeys(accounts)]
    else:
        chosen = list(found.accounts)
    links = tuple(stack_links(resolved, found.secrets))
    tasks = tuple(exercises()) if JUPYTER_SERVICE in resolved.services else ()
    return [HandoutPage(stack, account, links, tasks) for account in chosen]


def write_handouts(stack: str, output: Path | None = None, accounts: list[str] | None = None) -> WrittenHandouts:
    """Write ``<username>.md`` and ``<username>.html`` per account, and an index without passwords."""
    folder = output or default_output(stack)
    if folder.exists() and not folder.is_dir():
        raise ConfigError("--output", f"{display(folder)} is a file, not a folder")
    pages = build_pages(stack, accounts)
    # Everything is rendered before anything is written, so a failure leaves no partial set.
    rendered = {f"{p.account.username}.md": markdown(p) for p in pages}
    rendered |= {f"{p.account.username}.html": page_html(p) for p in pages}
    rendered["index.md"] = index_markdown(stack, pages)
    try:
        ensure_private_dir(folder)
        for name, text in rendered.items():
            write_private(folder / name, text)
    except OSError as error:
        raise ConfigError("--output", f"cannot write handouts to {display(folder)}: {error.strerror}") from None
    return WrittenHandouts(folder, tuple(folder / name for name in rendered))


def _exercise_line(exercise: Exercise) -> str:
    needs = f" (needs {', '.join(exercise.needs)} on the stack)" if exercise.needs else ""
    return f"{exercise.title}{needs}: {exercise.summary} — `{exercise.file}`"


def markdown(page: HandoutPage) -> str:
    account = page.account
    lines = [
        f"# SciCat training — stack `{page.stack}`",
        "",
        "## Your account",
        "",
        f"- username: `{account.username}`",
        f"- password: `{account.password}`",
        f"- e-mail: {account.email}",
        f"- groups: {', '.join(f'`{g}`' for g in account.groups) or 'none (you see published data only)'}",
        "",
        "## Where",
        "",
        *[f"- {link.label}: <{link.url}>" for link in page.links],
        "",
    ]
    if page.has_jupyter:
        lines += [
            "## Exercises",
            "",
            "Open the JupyterLab link above. Each notebook explains itself: run its cells in order",
            "(Shift+Enter) and give your username and password when it asks for them.",
            "",
            *[f"- {_exercise_line(e)}" for e in page.exercises],  # titles carry their numbers
            "",
        ]
    return "\n".join(lines)


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; line-height: 1.45; }
h1 { font-size: 1.4rem; border-bottom: 2px solid #1e5a8a; padding-bottom: .3rem; }
h2 { font-size: 1.1rem; color: #1e5a8a; margin-top: 1.6rem; }
code, .secret { font-family: ui-monospace, monospace; background: #eef3f7; padding: 0 .25rem; }
.secret { font-size: 1.05rem; }
td { padding: .15rem .8rem .15rem 0; vertical-align: top; }
a { word-break: break-all; }
ul.exercises { list-style: none; padding-left: 0; } ul.exercises li { margin-bottom: .4rem; }
@media print { body { margin: 0; } a { color: black; } }
"""


def page_html(page: HandoutPage) -> str:
    e = html.escape
    account = page.account
    groups = ", ".join(f"<code>{e(g)}</code>" for g in account.groups) or "none (you see published data only)"
    rows = "\n".join(
        f"<tr><td>{e(link.label)}</td><td><a href=\"{e(link.url)}\">{e(link.url)}</a></td></tr>" for link in page.links
    )
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>SciCat training — {e(account.username)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>SciCat training — stack <code>{e(page.stack)}</code></h1>",
        "<h2>Your account</h2><table>",
        f"<tr><td>username</td><td class=\"secret\">{e(account.username)}</td></tr>",
        f"<tr><td>password</td><td class=\"secret\">{e(account.password)}</td></tr>",
        f"<tr><td>e-mail</td><td>{e(account.email)}</td></tr>",
        f"<tr><td>groups</td><td>{groups}</td></tr></table>",
        f"<h2>Where</h2><table>{rows}</table>",
    ]
    if page.has_jupyter:
        items = "\n".join(
            f"<li><strong>{e(x.title)}</strong>"
            + (f" <em>(needs {e(', '.join(x.needs))} on the stack)</em>" if x.needs else "")
            + f": {_inline_code(e(x.summary))} <code>{e(x.file)}</code></li>"
            for x in page.exercises
        )
        parts += [
            "<h2>Exercises</h2>",
            (
                "<p>Open the JupyterLab link above. Each notebook explains itself: run its cells in order "
                "(Shift+Enter) and give your username and password when it asks for them.</p>"
            ),
            f"<ul class=\"exercises\">{items}</ul>",
        ]
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _inline_code(text: str) -> str:
    """Markdown's `code` spans of a summary, as HTML."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def index_markdown(stack: str, pages: list[HandoutPage]) -> str:
    """The trainer's list of pages; it holds no password."""
    lines = [f"# Handouts of stack `{stack}`", "", "| account | groups | page |", "|---|---|---|"]
    lines += [
        f"| `{p.account.username}` | {', '.join(p.account.groups) or '-'} "
        f"| [{p.account.username}.html]({p.account.username}.html) |"
        for p in pages
    ]
    return "\n".join(lines) + "\n"
