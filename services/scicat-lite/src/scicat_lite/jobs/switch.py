"""The ``switch`` action: run the actions of the first case that matches a property."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .actions import (
    ActionConfigError,
    Context,
    JobAction,
    Options,
    action_error,
    check_keys,
    compile_path,
    compile_schema,
    perform_actions,
    validate_actions,
)
from .templates import js_string

PHASES = ("validate", "perform", "all")
ActionFactory = Callable[[Options, str], JobAction]

_MISSING = object()


def js_loose_equals(a: Any, b: Any) -> bool:
    """JavaScript ``a == b`` for JSON values (``b`` may be missing, i.e. undefined)."""
    if a is _MISSING or a is None:
        return b is _MISSING or b is None
    if b is _MISSING or b is None:
        return False
    if isinstance(a, bool):
        a = int(a)
    if isinstance(b, bool):
        b = int(b)
    if isinstance(a, str) and isinstance(b, (int, float)):
        a, b = b, a
    if isinstance(a, (int, float)) and isinstance(b, str):
        try:
            return float(b.strip() or 0) == a
        except ValueError:
            return False
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a is b
    return bool(a == b)


def parse_js_regex(text: Any, where: str) -> re.Pattern[str]:
    match = re.fullmatch(r"/(.*)/([a-z]*)", text, re.DOTALL) if isinstance(text, str) else None
    if match is None:
        raise ActionConfigError(f"{where}: Expected slash-delimited regex. Got '{text}'")
    flags = 0
    for flag in match.group(2):
        flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}.get(flag, 0)
    try:
        return re.compile(match.group(1), flags)
    except re.error as error:
        raise ActionConfigError(f"{where}: invalid regular expression: {error}") from error


class _Case:
    def __init__(self, options: Options, where: str, make: ActionFactory, prop: str) -> None:
        if not isinstance(options, Mapping) or not isinstance(options.get("actions"), list):
            raise ActionConfigError(f"{where}: every case needs a list of actions")
        self.actions: list[JobAction] = [
            make(action, f"{where}.actions[{i}]") for i, action in enumerate(options["actions"])
        ]
        self._property = prop
        self._test: Callable[[Any], bool] = lambda _: True
        if "schema" in options:
            validator = compile_schema(options["schema"], f"{where}.schema")
            self._test = lambda target: target is not _MISSING and validator.is_valid(target)
        elif "regex" in options:
            self._test = self._regex_test(parse_js_regex(options["regex"], f"{where}.regex"))
        elif "match" in options:
            expected = options["match"]
            self._test = lambda target: js_loose_equals(expected, target)

    def _regex_test(self, pattern: re.Pattern[str]) -> Callable[[Any], bool]:
        def test(target: Any) -> bool:
            if not isinstance(target, str):
                shown = "undefined" if target is _MISSING else js_string(target)
                raise action_error(
                    f"Property {self._property} was expected to be a string. Got {shown}"
                )
            return pattern.search(target) is not None

        return test

    def matches(self, target: Any) -> bool:
        return self._test(target)


class SwitchAction:
    action_type = "switch"

    def __init__(self, options: Options, make: ActionFactory) -> None:
        check_keys(options, {"actionType", "phase", "property", "cases"}, "switch")
        phase, prop, cases = options.get("phase"), options.get("property"), options.get("cases")
        if phase not in PHASES:
            raise ActionConfigError(
                "Invalid options for switch action: phase must be validate, perform or all"
            )
        if not isinstance(prop, str) or not isinstance(cases, list):
            raise ActionConfigError(
                "Invalid options for switch action: property (a JSONPath) and cases (a list) "
                "are required"
            )
        self._phase = phase
        self._property = prop
        self._path = compile_path(prop, "switch.property")
        self._cases = [
            _Case(case, f"switch.cases[{i}]", make, prop) for i, case in enumerate(cases)
        ]

    def _actions(self, context: Context) -> Sequence[JobAction]:
        data = json.loads(json.dumps(context, default=str))
        results = [match.value for match in self._path.find(data)]
        distinct: list[Any] = []
        for value in results:
            if isinstance(value, (dict, list)) or value not in distinct:
                distinct.append(value)
        if len(distinct) > 1:
            raise action_error(
                f"Ambiguous value for '{self._property}' ({len(distinct)} distinct results).'"
            )
        target = distinct[0] if distinct else _MISSING
        for case in self._cases:
            if case.matches(target):
                return case.actions
        return []

    def validate(self, context: Context) -> None:
        if self._phase in ("validate", "all"):
            validate_actions(self._actions(context), context)

    def perform(self, context: Context) -> None:
        if self._phase in ("perform", "all"):
            perform_actions(self._actions(context), context)
