"""Handlebars templates of the job actions, with the backend's helper set.

The backend renders action fields (log lines, URLs, headers, bodies, e-mail fields)
with Handlebars.js and registers its own helpers (``src/common/handlebars-helpers.ts``
at v5.2.1). pybars3 implements the Handlebars language; the helpers below are written
from the backend's behaviour. Values render the way JavaScript prints them: ``true``,
arrays as ``a,b``, objects as ``[object Object]``, ``null``/missing as nothing.
"""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import quote

Template = Callable[[Any], str]


class TemplateError(ValueError):
    """A template that does not compile (a configuration error)."""


class _JsArray(list):  # type: ignore[type-arg]
    def __str__(self) -> str:
        return ",".join("" if item is None else js_string(item) for item in self)


class _JsObject(dict):  # type: ignore[type-arg]
    def __str__(self) -> str:
        return "[object Object]"


def js_string(value: Any) -> str:
    """``String(value)`` in JavaScript."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def js_value(value: Any) -> Any:
    """Wrap JSON data so that pybars prints it as JavaScript would."""
    if isinstance(value, dict):
        return _JsObject({k: js_value(v) for k, v in value.items()})
    if isinstance(value, list):
        return _JsArray(js_value(v) for v in value)
    return value


def _truthy(value: Any) -> bool:
    """JavaScript truthiness."""
    if isinstance(value, float) and math.isnan(value):
        return False
    if isinstance(value, (dict, list)):
        return True
    return bool(value) if not isinstance(value, str) else value != ""


def _boolean(value: Any) -> bool:
    """The backend's ``parseBoolean``: only true, "true", 1, "1", "on", "yes" are true."""
    return (
        value is True
        or value in ("true", "1", "on", "yes")
        or (not isinstance(value, bool) and value == 1)
    )


def unwrap_json(value: Any) -> Any:
    """JSON as HTML: lists as ``<ul>``, objects as ``Key: value`` lines."""
    if value is None:
        return "Not specified"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float, str)):
        return value
    if isinstance(value, list):
        items = "".join(
            f"<li style='margin-bottom: 1em'>{js_string(unwrap_json(v))}</li>" for v in value
        )
        return f"<ul style='padding-left: 1em'>{items}</ul>"
    if isinstance(value, dict):
        return "<br/>".join(
            f"{key_to_word(k)}: {js_string(unwrap_json(v))}" for k, v in value.items()
        )
    return "Not specified"


def key_to_word(camel_case: str) -> str:
    spaced = re.sub(r"([A-Z])", r" \1", str(camel_case))
    return spaced[:1].upper() + spaced[1:]


def job_v3(job: dict[str, Any]) -> dict[str, Any]:
    """A job in the v3 shape, for archive systems that still expect it."""
    params = dict(job.get("jobParams") or {})
    return {
        "id": job.get("id") or job.get("_id"),
        "emailJobInitiator": job.get("contactEmail"),
        "type": job.get("type"),
        "creationTime": job.get("createdAt"),
        "jobParams": {**params, "username": job.get("createdBy")},
        "jobStatusMessage": job.get("statusCode"),
        "datasetList": params.get("datasetList", []),
    }


_SI_PREFIXES = {
    "p": 1e-12,
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "": 1,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
}
_BINARY_PREFIXES = {
    "": 1,
    "k": 1e3,
    "Ki": 2**10,
    "M": 1e6,
    "Mi": 2**20,
    "G": 1e9,
    "Gi": 2**30,
    "T": 1e12,
    "Ti": 2**40,
    "P": 1e15,
    "Pi": 2**50,
}


def format_unit(value: Any, base_unit: str, precision: int = 2) -> str:
    """mathjs ``unit(value, base).format({precision})``: the best prefix, ``precision`` digits."""
    number = float(value)
    prefixes = _BINARY_PREFIXES if base_unit in ("B", "b") else _SI_PREFIXES
    best, best_diff = "", math.inf
    if number != 0:
        for prefix, factor in prefixes.items():
            diff = abs(math.log10(abs(number) / factor) - 1.2)
            if diff < best_diff - 1e-12:
                best, best_diff = prefix, diff
    scaled = number / prefixes[best]
    rounded = float(f"{scaled:.{max(1, int(precision))}g}")
    text = f"{rounded:.15g}"
    return f"{text} {best}{base_unit}"


def _matches(query: Any, regex: Any, flags: Any = "") -> bool:
    options = re.IGNORECASE if "i" in str(flags) else 0
    options |= re.MULTILINE if "m" in str(flags) else 0
    options |= re.DOTALL if "s" in str(flags) else 0
    return re.search(str(regex), js_string(query), options) is not None


def _base64dec(text: Any) -> str:
    return base64.b64decode(str(text)).decode("latin-1")


def _jsonify(value: Any) -> str:
    return json.dumps(value, indent=3, ensure_ascii=False)


HELPERS: dict[str, Callable[..., Any]] = {
    "unwrapJSON": lambda this, value: unwrap_json(value),
    "keyToWord": lambda this, value: key_to_word(value),
    "eq": lambda this, a, b: a == b and type(a) is type(b),
    "or": lambda this, *args: any(_boolean(a) for a in args),
    "and": lambda this, *args: all(_boolean(a) for a in args),
    "not": lambda this, a: not _boolean(a),
    "concat": lambda this, *args: "".join(js_string(a) for a in args),
    "matches": lambda this, query, regex, flags="": _matches(query, regex, flags),
    "default": lambda this, query, fallback: query if _truthy(query) else fallback,
    "jsonify": lambda this, value: _jsonify(value),
    "job_v3": lambda this, job: js_value(job_v3(job)),
    "urlencode": lambda this, text: quote(js_string(text), safe="-_.!~*'()"),
    "base64enc": lambda this, text: base64.b64encode(js_string(text).encode("latin-1")).decode(),
    "base64dec": lambda this, text: _base64dec(text),
    "formatUnit": lambda this, value, unit, precision=2, **_: format_unit(value, unit, precision),
}


@cache
def _compiler() -> Any:
    # pybars builds its grammar when imported (0.75 s of a start here): only a backend whose
    # job configuration has templates pays for it, and then at start, where templates compile.
    import pybars

    return pybars.Compiler()


def compile_template(source: Any, where: str) -> Template:
    """Compile ``source``; ``where`` names the configuration field in errors."""
    if not isinstance(source, str):
        raise TemplateError(f"{where}: a template must be a string, got {json.dumps(source)}")
    try:
        compiled = _compiler().compile(source)
    except Exception as error:  # pybars raises several parser error types
        raise TemplateError(f"{where}: invalid Handlebars template: {error}") from error

    def render(context: Any) -> str:
        return str(compiled(js_value(context), helpers=HELPERS))

    return render
