""" "1 – 25 of N" and the page links, for every paged table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_item(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_item(self) -> int:
        return min(self.total, self.page * self.per_page)

    @property
    def label(self) -> str:
        if self.total == 0:
            return "0 of 0"
        if self.first_item > self.total:
            return f"page {self.page} is past the end of {self.total}"
        return f"{self.first_item} – {self.last_item} of {self.total}"

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def skip(self) -> int:
        return (self.page - 1) * self.per_page


def page_number(raw: str | None, default: int = 1) -> int:
    """A page number from the query string; nonsense means the first page."""
    try:
        value = int(raw or default)
    except ValueError:
        return default
    return value if 1 <= value <= 100_000 else default
