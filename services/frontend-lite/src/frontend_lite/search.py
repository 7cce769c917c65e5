"""The datasets list's query string ⇄ the backend's ``fullquery``/``fullfacet`` parameters."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.datastructures import QueryParams

from .conditions import MAX_CONDITIONS, Condition, ConditionError, decode

PER_PAGE_CHOICES = (10, 25, 50, 100)
# Facet name in the backend → the query-string key that filters on it.
FACETS: dict[str, str] = {
    "creationLocation": "location",
    "ownerGroup": "group",
    "type": "type",
    "keywords": "keyword",
}
# Sortable columns: query-string value → backend field.
SORTABLE: dict[str, str] = {
    "pid": "pid",
    "name": "datasetName",
    "run": "runNumber",
    "folder": "sourceFolder",
    "size": "size",
    "start": "creationTime",
    "type": "type",
    "proposal": "proposalId",
    "files": "numberOfFiles",
    "owner": "owner",
    "group": "ownerGroup",
    "location": "creationLocation",
}
DEFAULT_SORT = "start"
DEFAULT_PER_PAGE = 25
LIST_KEYS = frozenset(FACETS.values())


class QueryError(ValueError):
    pass


class DatasetQuery(BaseModel):
    """What the visitor asked for on the datasets page; every value is checked."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(default="", max_length=500)
    pid: str = Field(default="", max_length=500)
    location: tuple[str, ...] = ()
    group: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    keyword: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    public: bool = False
    conditions: tuple[Condition, ...] = ()
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = DEFAULT_PER_PAGE
    sort: str = DEFAULT_SORT
    direction: Literal["asc", "desc"] = "desc"

    @field_validator("text", "pid")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @field_validator("per_page")
    @classmethod
    def _per_page(cls, value: int) -> int:
        if value not in PER_PAGE_CHOICES:
            raise ValueError(f"must be one of {', '.join(map(str, PER_PAGE_CHOICES))}")
        return value

    @field_validator("sort")
    @classmethod
    def _sort(cls, value: str) -> str:
        if value not in SORTABLE:
            raise ValueError(f"must be one of {', '.join(SORTABLE)}")
        return value

    @field_validator("start", "end", mode="before")
    @classmethod
    def _empty_date(cls, value: Any) -> Any:
        return value or None

    @classmethod
    def from_params(cls, params: QueryParams) -> DatasetQuery:
        values: dict[str, Any] = {}
        for key in params:
            if key in LIST_KEYS:
                values[key] = tuple(v for v in params.getlist(key) if v)
            elif key == "public":
                values[key] = params[key] in {"1", "true", "on"}
            elif key in cls.model_fields:
                values[key] = params[key]
        try:
            if "cond" in params:
                values["conditions"] = _conditions(params.getlist("cond"))
            query = cls.model_validate(values)
        except ConditionError as error:
            raise QueryError(str(error)) from error
        except ValidationError as error:
            raise QueryError(
                "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            ) from error
        if query.start and query.end and query.start > query.end:
            raise QueryError("start: the start date is after the end date")
        return query

    # -- towards the backend -------------------------------------------------------------

    def fields(self, *, published_only: bool) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if self.text:
            fields["text"] = self.text
        for facet, key in FACETS.items():
            chosen = getattr(self, key)
            if chosen:
                fields[facet] = list(chosen)
        if self.start or self.end:
            span: dict[str, str] = {}
            if self.start:
                span["begin"] = f"{self.start.isoformat()}T00:00:00.000Z"
            if self.end:
                span["end"] = f"{self.end.isoformat()}T23:59:59.999Z"
            fields["creationTime"] = span
        if self.pid:
            # "contains", case-insensitive; `mode` is a raw filter both backends accept.
            fields["mode"] = {"pid": {"$regex": re.escape(self.pid), "$options": "i"}}
        if self.conditions:
            fields["scientific"] = [c.scientific() for c in self.conditions]
        if published_only:
            fields["isPublished"] = True
        return fields

    def limits(self) -> dict[str, Any]:
        return {
            "skip": (self.page - 1) * self.per_page,
            "limit": self.per_page,
            "order": f"{SORTABLE[self.sort]}:{self.direction}",
        }

    @property
    def filtered(self) -> bool:
        return bool(
            self.text
            or self.pid
            or self.start
            or self.end
            or self.conditions
            or any(getattr(self, key) for key in LIST_KEYS)
        )

    # -- back to links ---------------------------------------------------------------------

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query string of this query with ``changes``; defaults are left out."""
        data = self.model_dump() | changes
        pairs: list[tuple[str, str]] = []
        for key in ("text", "pid"):
            if data[key]:
                pairs.append((key, data[key]))
        for key in FACETS.values():
            pairs.extend((key, value) for value in data[key])
        for key in ("start", "end"):
            if data[key]:
                pairs.append((key, data[key].isoformat()))
        pairs.extend(("cond", c.encode()) for c in changes.get("conditions", self.conditions))
        if data["public"]:
            pairs.append(("public", "1"))
        if data["sort"] != DEFAULT_SORT or data["direction"] != "desc":
            pairs += [("sort", data["sort"]), ("direction", data["direction"])]
        if data["per_page"] != DEFAULT_PER_PAGE:
            pairs.append(("per_page", str(data["per_page"])))
        if data["page"] != 1:
            pairs.append(("page", str(data["page"])))
        return pairs

    def url(self, path: str = "/datasets", **changes: Any) -> str:
        """A link to this list with ``changes``. Never the bare path: a bare ``/datasets``
        means "as the user's settings say", a link means exactly what it shows."""
        pairs = self.params(**changes) or [("page", "1")]
        return f"{path}?{urlencode(pairs)}"

    def without(self, condition: Condition) -> str:
        return self.url(conditions=tuple(c for c in self.conditions if c != condition), page=1)

    def with_condition(self, condition: Condition) -> str:
        kept = tuple(c for c in self.conditions if c.lhs != condition.lhs or c != condition)
        return self.url(conditions=(*kept, condition), page=1)

    def sort_url(self, column: str) -> str:
        direction = "asc" if self.sort == column and self.direction == "desc" else "desc"
        if self.sort != column and column in {"name", "pid", "folder", "type", "proposal"}:
            direction = "asc"
        return self.url(sort=column, direction=direction, page=1)

    def sort_column(self) -> str:
        return SORTABLE[self.sort]

    def aria_sort(self, column: str) -> str:
        if self.sort != column:
            return "none"
        return "ascending" if self.direction == "asc" else "descending"


def _conditions(raw: list[str]) -> tuple[Condition, ...]:
    found = [decode(value) for value in raw if value]
    if len(found) > MAX_CONDITIONS:
        raise ConditionError(f"cond: at most {MAX_CONDITIONS} conditions")
    return tuple(dict.fromkeys(found))
