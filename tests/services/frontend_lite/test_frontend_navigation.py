"""A navigation Chromium aborts because the machine's network changed is made again."""

from __future__ import annotations

from typing import Any

import pytest
from frontend_harness import navigating_again

pytest.importorskip("playwright")
from playwright.sync_api import Error


class _Navigations:
    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        self.calls: list[str] = []

    def __call__(self, url: str, **_: Any) -> str:
        self.calls.append(url)
        if self.failures:
            raise Error(self.failures.pop(0))
        return f"arrived at {url}"


def test_a_navigation_aborted_by_a_network_change_is_made_again() -> None:
    navigations = _Navigations(["Page.goto: net::ERR_NETWORK_CHANGED at http://127.0.0.1:1/a"])
    assert navigating_again(navigations)("/a") == "arrived at /a"
    assert navigations.calls == ["/a", "/a"]


def test_other_failures_and_a_network_that_keeps_changing_are_not_hidden() -> None:
    refused = _Navigations(["Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:1/a"])
    with pytest.raises(Error, match="ERR_CONNECTION_REFUSED"):
        navigating_again(refused)("/a")
    assert refused.calls == ["/a"]

    changing = _Navigations(["net::ERR_NETWORK_CHANGED"] * 5)
    with pytest.raises(Error, match="ERR_NETWORK_CHANGED"):
        navigating_again(changing, attempts=3)("/a")
    assert len(changing.calls) == 3


def test_the_pages_of_the_tests_browser_navigate_again(page: Any) -> None:
    assert page.goto.__name__ == "goto_again"
