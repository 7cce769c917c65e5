"""The training profile: lite plus Jupyter, one account per person of the training recipe."""

from __future__ import annotations

from scicatlive.mapping import MappingOptions, map_graph
from scicatlive.seeding import generate, load_recipe
from scicatlive.stack.load import load_stack


def test_accounts_are_the_recipes_people_in_their_groups() -> None:
    memberships = map_graph(generate(load_recipe("training")), MappingOptions()).memberships
    stack = load_stack("training")
    accounts = {a.username: a for a in stack.accounts}
    for person in memberships:
        account = accounts[person.login]
        assert (account.email, list(account.groups)) == (person.email, person.groups), person.login
    assert len(memberships) == 23


def test_it_runs_lite_with_jupyter_under_its_own_stack_name() -> None:
    lite = load_stack("lite")
    stack = load_stack("training")
    assert stack.name == "training"
    assert set(stack.services) == set(lite.services) | {"jupyter"}
    assert stack.services["jupyter"].is_local
    assert stack.services["jupyter"].depends_on == ("scicat-lite",)
