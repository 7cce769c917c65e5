"""Check, before anything starts, that the host ports a stack publishes are free."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from scicatlive.errors import ConfigError, PortConflict
from scicatlive.stack.resolve import ResolvedStack


@dataclass(frozen=True)
class PortClaim:
    service: str
    port_name: str
    host_port: int


def port_claims(stack: ResolvedStack) -> list[PortClaim]:
    claims = []
    for service in stack.services.values():
        for port in service.ports:
            if port.host is not None:
                claims.append(PortClaim(service.name, port.name, port.host))
    return claims


def check_ports(stack: ResolvedStack, held_by_stack: set[int]) -> None:
    """Raise PortConflict naming the service and port; ports this stack holds are fine."""
    seen: dict[int, PortClaim] = {}
    for claim in port_claims(stack):
        if claim.host_port > 65535:
            raise ConfigError(
                stack.profile.service_origins[claim.service],
                f"host port {claim.host_port} (after port offset {stack.settings.port_offset}) is above 65535",
            )
        if claim.host_port in seen:
            other = seen[claim.host_port]
            raise PortConflict(
                f"{claim.service} and {other.service} both want host port {claim.host_port}",
                hint=f"set `services.{claim.service}.port` in the profile",
            )
        seen[claim.host_port] = claim
        if claim.host_port not in held_by_stack and not port_is_free(stack.settings.bind_address, claim.host_port):
            raise PortConflict(
                f"port {claim.host_port} on {stack.settings.bind_address}, needed by "
                f"{claim.service} ({claim.port_name}), is already in use",
                hint=f"stop what holds it, set `services.{claim.service}.port` in the profile, "
                "or shift every port with --port-offset N",
            )


def port_is_free(address: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR ignores sockets in TIME_WAIT but still fails on a listener.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, port))
        except OSError:
            return False
    return True


# Linux hands out ephemeral ports from 32768 (net.ipv4.ip_local_port_range): a stack that
# stays below never races a client connection for its ports.
EPHEMERAL_START = 32768
AUTO_STEP = 100


def choose_port_offset(stack: ResolvedStack, taken: set[int]) -> int:
    """A port offset that puts every host port of ``stack`` on a free port below 32768.

    ``taken`` holds ports other stacks recorded (they may be stopped, but will want
    them back). The search starts at a point derived from the stack's name, so that
    two sessions choosing at the same moment rarely pick the same block.
    """
    bases = [claim.host_port - stack.settings.port_offset for claim in port_claims(stack)]
    if not bases:
        return 0
    highest = (EPHEMERAL_START - 1 - max(bases)) // AUTO_STEP
    if highest < 1:
        raise PortConflict(f"stack {stack.name!r} has host ports too high to shift below {EPHEMERAL_START}")
    start = sum(stack.name.encode()) % highest
    for step in range(highest):
        offset = ((start + step) % highest + 1) * AUTO_STEP
        ports = [base + offset for base in bases]
        if taken.isdisjoint(ports) and all(port_is_free(stack.settings.bind_address, p) for p in ports):
            return offset
    raise PortConflict(
        f"no free block of {len(bases)} host ports below {EPHEMERAL_START} for stack {stack.name!r}",
        hint="stop stacks you no longer need (`scicatlive status --all`, `scicatlive down`)",
    )


def with_auto_ports(reference: str | None, resolved: ResolvedStack, offline: bool) -> ResolvedStack:
    """The stack on its recorded offset when it exists, else on a free block chosen now."""
    from scicatlive.stack.load import load_stack
    from scicatlive.stack.record import known_records

    records = {r.name: r for r in known_records()}
    if resolved.name in records:
        offset = records[resolved.name].port_offset
    else:
        taken = {port for r in records.values() for port in r.host_ports}
        offset = choose_port_offset(resolved, taken)
    return load_stack(reference, stack=resolved.name, port_offset=offset, offline=offline, where="name")
