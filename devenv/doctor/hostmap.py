"""The `extra_hosts` every docker_build gets: the ONE place doctor decides it, mirroring the
rendered Tiltfile's ``_devenv_host_ip()`` helper (templates/helpers.star.j2), so doctor
probes exactly what Tilt builds with.

``$<override_env>`` = ``fallback`` -> ``build.extra_hosts.fallback``; any other non-empty
value -> that value; unset/empty -> ``target`` (default ``host-gateway``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

if TYPE_CHECKING:
    from devenv.manifest.model import ExtraHosts

HOST_GATEWAY = "host-gateway"


@dataclass(frozen=True)
class HostMap:
    hosts: tuple[str, ...]
    address: str  # what every host maps to: an IP, or the literal `host-gateway`
    source: str  # how `address` was chosen, for messages
    override_env: str
    fallback: str

    @property
    def uses_host_gateway(self) -> bool:
        return self.address == HOST_GATEWAY

    @property
    def entries(self) -> list[str]:
        """As the Tiltfile passes them: ``["<host>:<address>", ...]``."""
        return [f"{host}:{self.address}" for host in self.hosts]

    def as_dict(self) -> dict[str, str]:
        """As the Docker SDK takes them (``extra_hosts={host: address}``)."""
        return {host: self.address for host in self.hosts}

    @property
    def fallback_switch(self) -> str:
        """The one-variable switch for engines without host-gateway."""
        return f"export {self.override_env}=fallback"


def resolve(extra_hosts: "ExtraHosts", env: Mapping[str, str]) -> HostMap:
    override = env.get(extra_hosts.override_env, "")
    if override == "fallback":
        address, source = extra_hosts.fallback, f"${extra_hosts.override_env}=fallback"
    elif override:
        address, source = override, f"${extra_hosts.override_env}"
    else:
        address, source = extra_hosts.target, "build.extra_hosts.target"
    return HostMap(tuple(extra_hosts.hosts), address, source, extra_hosts.override_env, extra_hosts.fallback)
