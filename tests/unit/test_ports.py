"""Port checks name the service and the port that conflict."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from scicatlive.errors import ConfigError, PortConflict
from scicatlive.runtime.ports import check_ports, port_is_free
from scicatlive.stack.load import load_stack


@pytest.fixture()
def busy_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_a_taken_port_names_service_and_port(busy_port: int) -> None:
    stack = load_stack("minimal", port_offset=busy_port - 27017)
    with pytest.raises(PortConflict, match=rf"port {busy_port} on 127.0.0.1, needed by mongo \(mongodb\), is already in use"):
        check_ports(stack, held_by_stack=set())


def test_ports_held_by_the_same_stack_are_fine(busy_port: int) -> None:
    stack = load_stack("minimal", port_offset=busy_port - 27017)
    check_ports(stack, held_by_stack={busy_port})


def test_offset_beyond_the_port_range(busy_port: int) -> None:
    stack = load_stack("minimal", port_offset=60000)
    with pytest.raises(ConfigError, match="above 65535"):
        check_ports(stack, held_by_stack=set())


def test_port_is_free_sees_listeners(busy_port: int) -> None:
    assert not port_is_free("127.0.0.1", busy_port)
