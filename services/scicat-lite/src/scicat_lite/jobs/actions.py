"""Job actions: what the job configuration runs when a job is created or updated.

Each action may ``validate`` (before the job is written; all validations of an
operation run, the first HTTP error wins) and ``perform`` (after the write, in order).
Errors that are not HTTP errors become a 400 in perform and are only logged in
validate, as in the backend (``src/config/job-config/jobconfig.interface.ts``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import quote

import httpx
import jsonschema
from jsonpath_ng.exceptions import JsonPathLexerError, JsonPathParserError
from jsonpath_ng.ext import parse as parse_jsonpath

from ..errors import ApiError
from .templates import Template, TemplateError, compile_template

log = logging.getLogger("scicat_lite.jobs")

Context = dict[str, Any]
Options = Mapping[str, Any]


class ActionConfigError(ValueError):
    """An action's options are invalid (reported at start-up, with the file name)."""


def action_error(message: str, status: int = 400) -> ApiError:
    """The backend's ``makeHttpException``: body ``{status, message}``."""
    return ApiError(status, {"status": status, "message": message})


class JobAction(Protocol):
    action_type: str

    def validate(self, context: Context) -> None: ...

    def perform(self, context: Context) -> None: ...


def validate_actions(actions: Sequence[JobAction], context: Context) -> None:
    first: ApiError | None = None
    for action in actions:
        try:
            action.validate(context)
        except ApiError as error:
            first = first or error
        except Exception as error:  # noqa: BLE001 - upstream builds this error but never throws it
            log.warning("validate of %s action failed: %s", action.action_type, error)
    if first is not None:
        raise first


def perform_actions(actions: Sequence[JobAction], context: Context) -> None:
    for action in actions:
        try:
            action.perform(context)
        except ApiError:
            raise
        except Exception as error:
            job_type = (context.get("job") or {}).get("type")
            raise action_error(
                f"Invalid job input. Job '{job_type}' unable to perform action "
                f"'{action.action_type}' due to Error: {error}"
            ) from error


def check_keys(options: Options, allowed: set[str], action_type: str) -> None:
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ActionConfigError(
            f"Invalid options for {action_type} action: unknown key(s) {', '.join(unknown)}"
        )


def require(
    options: Options, key: str, kind: type, action_type: str, *, optional: bool = False
) -> Any:
    value = options.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        expected = {
            str: "a string",
            bool: "true or false",
            int: "a number",
            dict: "an object",
            list: "a list",
        }[kind]
        raise ActionConfigError(
            f"Invalid options for {action_type} action: {key} must be {expected}"
        )
    return value


def template(options: Options, key: str, action_type: str, default: str | None = None) -> Template:
    source = options.get(key, default)
    try:
        return compile_template(source if source is not None else "", f"{action_type}.{key}")
    except TemplateError as error:
        raise ActionConfigError(str(error)) from error


def compile_path(path: str, where: str) -> Any:
    try:
        return parse_jsonpath(path)
    except (JsonPathLexerError, JsonPathParserError, Exception) as error:
        raise ActionConfigError(f"{where}: invalid JSONPath {path!r}: {error}") from error


def compile_schema(schema: Any, where: str) -> jsonschema.protocols.Validator:
    if not isinstance(schema, dict):
        raise ActionConfigError(f"{where}: Schema must be a valid object.")
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        raise ActionConfigError(f"{where}: invalid JSON schema: {error.message}") from error
    return jsonschema.Draft7Validator(schema)


# -- log ------------------------------------------------------------------------------


class LogAction:
    action_type = "log"

    def __init__(self, options: Options) -> None:
        check_keys(options, {"actionType", "init", "validate", "perform"}, "log")
        for key in ("init", "validate", "perform"):
            require(options, key, str, "log", optional=True)
        init = template(options, "init", "log", "")
        self._validate = template(options, "validate", "log", "")
        self._perform = template(options, "perform", "log", "Performing job for {{{ job.type }}}")
        message = init(dict(options))
        if message:
            log.info(message)

    def validate(self, context: Context) -> None:
        message = self._validate(context)
        if message:
            log.info(message)

    def perform(self, context: Context) -> None:
        log.info(self._perform(context))


# -- error ----------------------------------------------------------------------------


class ErrorAction:
    action_type = "error"

    def __init__(self, options: Options) -> None:
        require(options, "message", str, "error")
        self._status = require(options, "status", int, "error", optional=True) or 400
        self._message = template(options, "message", "error")

    def validate(self, context: Context) -> None:
        message = self._message(context)
        log.error("Executing error action [%s]: %s", self._status, message)
        raise action_error(message, self._status)

    def perform(self, context: Context) -> None:
        return None


# -- url ------------------------------------------------------------------------------

# The characters JavaScript's encodeURI leaves alone.
_URI_SAFE = ";,/?:@&=+$-_.!~*'()#"


class UrlAction:
    action_type = "url"

    def __init__(self, options: Options) -> None:
        require(options, "url", str, "url")
        method = options.get("method", "GET")
        if method not in ("GET", "POST", "PUT", "DELETE"):
            raise ActionConfigError(
                "Invalid options for url action: method must be GET, POST, PUT or DELETE"
            )
        headers = require(options, "headers", dict, "url", optional=True) or {}
        if not all(isinstance(v, str) for v in headers.values()):
            raise ActionConfigError(
                "Invalid options for url action: headers must map names to strings"
            )
        self._ignore_errors = bool(require(options, "ignoreErrors", bool, "url", optional=True))
        self._method = method
        self._url = template(options, "url", "url")
        self._headers = {k: template(headers, k, "url.headers") for k in headers}
        self._body = template(options, "body", "url") if options.get("body") else None

    def validate(self, context: Context) -> None:
        return None

    def perform(self, context: Context) -> None:
        job_id = (context.get("job") or {}).get("id")
        url = quote(self._url(context), safe=_URI_SAFE + "%")
        log.info("(Job %s) Requesting %s", job_id, url)
        try:
            headers = {k: t(context) for k, t in self._headers.items()}
            body = self._body(context) if self._body else None
            response = httpx.request(self._method, url, headers=headers, content=body, timeout=30)
        except Exception as error:
            log.error("(Job %s) Request for %s failed: %s", job_id, url, error)
            if self._ignore_errors:
                return
            raise
        if response.is_success:
            log.info(
                "(Job %s) %s returned %s: %s", job_id, url, response.status_code, response.text
            )
            return
        log.error("(Job %s) %s returned %s: %s", job_id, url, response.status_code, response.text)
        if not self._ignore_errors:
            raise ApiError(
                response.status_code,
                {
                    "status": response.status_code,
                    "message": f"A remote URL call failed with response: {response.text}",
                },
            )


# -- validate -------------------------------------------------------------------------


class ValidateAction:
    """JSON schemas for JSONPath selections of the request (and, on create, the datasets)."""

    action_type = "validate"

    def __init__(self, options: Options, *, on_create: bool) -> None:
        request = options.get("request")
        datasets = options.get("datasets") if on_create else None
        if request is not None and not isinstance(request, dict):
            raise ActionConfigError(
                "Invalid options for validate action: request must be an object"
            )
        if datasets is not None and not isinstance(datasets, dict):
            raise ActionConfigError(
                "Invalid options for validate action: datasets must be an object"
            )
        self._request = self._compile(request, "validate.request")
        self._datasets = self._compile(datasets, "validate.datasets") if on_create else None
        if on_create and "datasets" not in options:
            self._datasets = None

    @staticmethod
    def _compile(schemas: Mapping[str, Any] | None, where: str) -> list[tuple[str, Any, Any]]:
        return [
            (path, compile_path(path, where), compile_schema(schema, f"{where}.{path}"))
            for path, schema in (schemas or {}).items()
        ]

    @staticmethod
    def _check(data: Any, schemas: list[tuple[str, Any, Any]]) -> None:
        for path, expression, validator in schemas:
            found = [match.value for match in expression.find(data)]
            if not found:
                raise action_error(f"Invalid request. Requires '{path}'")
            if any(not validator.is_valid(value) for value in found):
                raise action_error(f"Invalid request. Invalid value for '{path}'")

    def validate(self, context: Context) -> None:
        self._check(json.loads(json.dumps(context.get("request") or {})), self._request)
        if self._datasets is None:
            return
        if not context.get("datasets"):
            raise action_error("'jobParams.datasetList' is required.")
        for dataset in context["datasets"]:
            self._check(dataset, self._datasets)

    def perform(self, context: Context) -> None:
        return None
