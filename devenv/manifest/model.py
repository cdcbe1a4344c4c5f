"""The `services.yaml` model: every key of SPEC.md, its defaults, and the JSON Schema source.

Only shape and single-value rules live here; rules that relate several keys (references,
cycles, files on disk) live in :mod:`devenv.manifest.validate` so they can all be reported
together.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from devenv.manifest.addresses import RESERVED_ENV, is_ip, url_problem

# Resource and SDK names end up in Tilt resource names (`packages:<sdk>-sdk-<step>`),
# image build-arg names and file names, so they stay a conservative ASCII shape.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"
Name = Annotated[str, Field(pattern=NAME_PATTERN)]
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
EnvName = Annotated[str, Field(pattern=ENV_NAME_PATTERN)]
RelPath = Annotated[str, Field(min_length=1)]

Language = Literal["typescript", "go", "python"]
RegistryKind = Literal["npm", "pypi", "goproxy", "oci"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EnvValue(Strict):
    """A value read from the developer's environment when Tilt loads the Tiltfile."""

    env: EnvName
    default: str = ""


BuildArgValue = str | EnvValue


class ExtraHosts(Strict):
    hosts: list[str] = Field(default_factory=list, description="Host names mapped in every docker_build.")
    target: str = Field("host-gateway", description="Preferred address: Docker's host-gateway alias.")
    fallback: str = Field(
        "172.17.0.1",
        description="Address used when the override variable is set to `fallback` "
        "(Docker engines without host-gateway).",
    )
    override_env: EnvName = Field(
        "DEVENV_HOST_IP",
        description="Environment variable that overrides the target: an IP, or `fallback`.",
    )

    @field_validator("hosts")
    @classmethod
    def _hosts_are_names(cls, hosts: list[str]) -> list[str]:
        for host in hosts:
            if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", host):
                raise ValueError(f"'{host}' is not a host name")
        return hosts

    @field_validator("target")
    @classmethod
    def _target_is_gateway_or_ip(cls, target: str) -> str:
        if target != "host-gateway" and not is_ip(target):
            raise ValueError(f"'{target}' is neither 'host-gateway' nor an IP address")
        return target

    @field_validator("fallback")
    @classmethod
    def _fallback_is_ip(cls, fallback: str) -> str:
        if not is_ip(fallback):
            raise ValueError(f"'{fallback}' is not an IP address (e.g. 172.17.0.1, Docker's default bridge)")
        return fallback

    @field_validator("override_env")
    @classmethod
    def _override_env_is_not_reserved(cls, name: str) -> str:
        if name in RESERVED_ENV:
            raise ValueError(f"'{name}' is a variable the shell, Tilt or Docker rely on; pick a name of your own (e.g. DEVENV_HOST_IP)")
        return name


class Build(Strict):
    extra_hosts: ExtraHosts = Field(default_factory=ExtraHosts)
    build_args: dict[EnvName, BuildArgValue] = Field(
        default_factory=dict, description="Build args given to every docker_build."
    )


class Registry(Strict):
    kind: RegistryKind
    url: str = Field(pattern=r"^https?://[^\s/]+(/\S*)?$")
    probe: str | None = Field(None, description="Path doctor requests to prove the registry answers.")
    ca_file: RelPath | None = Field(None, description="CA bundle for an https registry.")

    @field_validator("url")
    @classmethod
    def _url_is_whole(cls, url: str) -> str:
        why = url_problem(url)
        if why:
            raise ValueError(why)
        return url

    @property
    def host(self) -> str:
        netloc = self.url.split("://", 1)[1].split("/", 1)[0]
        return netloc.rsplit("@", 1)[-1].split(":", 1)[0]


class Proto(Strict):
    path: RelPath
    names: list[str] = Field(default_factory=list)
    allowed: list[RelPath] = Field(default_factory=list)


class Step(Strict):
    cmd: str = Field(min_length=1, description="Shell command, run from the manifest's folder.")
    deps: list[RelPath] = Field(default_factory=list, description="Files whose change reruns the step.")
    env: dict[EnvName, str] = Field(default_factory=dict)


class Sdk(Strict):
    language: Language
    path: RelPath
    package: str = Field(min_length=1)
    registry: str | None = None
    version: str | None = Field(None, description="The version doctor asserts the registry serves.")
    steps: dict[Name, Step] = Field(default_factory=dict, description="Tilt local_resources, chained in order.")
    parallel: bool = Field(True, description="Run this SDK's chain beside the other SDKs' chains.")
    generated: RelPath | None = Field(None, description="Where the step writes generated code.")
    build_arg: EnvName | None = Field(
        None, description="Build arg carrying `version` to consumers (default <NAME>_SDK_VERSION)."
    )
    labels: list[str] = Field(default_factory=lambda: ["packages"])
    exact_pins: bool = Field(
        False, description="Lint: a consumer's range that admits `version` and others is an error, not a warning."
    )


def sdk_build_arg(name: str, sdk: Sdk) -> str:
    """The build arg carrying an SDK's version into its consumers' docker_build."""
    return sdk.build_arg or re.sub(r"[^A-Za-z0-9]", "_", name).upper() + "_SDK_VERSION"


class Helm(Strict):
    chart: RelPath
    values: list[RelPath] = Field(default_factory=list)
    namespace: str | None = None
    release: str | None = Field(None, description="Release name (default: the service name).")
    set: dict[str, str] = Field(default_factory=dict)


class Sync(Strict):
    from_: RelPath = Field(alias="from")
    to: str = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Run(Strict):
    cmd: str = Field(min_length=1)
    trigger: list[RelPath] = Field(default_factory=list)


class LiveUpdateSync(Strict):
    sync: Sync


class LiveUpdateRun(Strict):
    run: Run


class LiveUpdateFallBack(Strict):
    fall_back_on: list[RelPath]


LiveUpdateStep = LiveUpdateFallBack | LiveUpdateSync | LiveUpdateRun

# Tilt's spellings (internal/tiltfile/k8s.go stringToPortForward): LOCAL, LOCAL:CONTAINER or
# HOST:LOCAL:CONTAINER, HOST a hostname or IPv4 address; a HOST:LOCAL pair is not one of them.
_PF_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
PORT_FORWARD_PATTERN = rf"^(?:{_PF_HOST}:\d{{1,5}}:\d{{1,5}}|\d{{1,5}}(?::\d{{1,5}})?)$"
PortForward = Annotated[str, Field(pattern=PORT_FORWARD_PATTERN)] | Annotated[
    int, Field(ge=1, le=65535)
]


class Service(Strict):
    language: Language | None = None
    sdks: list[str] | None = Field(None, description="SDKs consumed; default: those of `language`.")
    context: RelPath | None = None
    dockerfile: RelPath | None = Field(None, description="Default: <context>/Dockerfile.")
    image: str | None = None
    target: str | None = Field(None, description="Dockerfile stage to build.")
    build_args: dict[EnvName, BuildArgValue] = Field(default_factory=dict)
    only: list[RelPath] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    k8s: list[RelPath] = Field(default_factory=list)
    helm: Helm | None = None
    workload: str | None = Field(None, description="Workload to attach; default: discovered from k8s YAML.")
    after: list[str] = Field(default_factory=list, description="Services that must be up first.")
    port_forwards: list[PortForward] = Field(default_factory=list)
    live_update: list[LiveUpdateStep] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)


class Cluster(Strict):
    contexts: list[str] = Field(default_factory=list)
    namespace: str | None = None
    coredns_rewrites: Literal["auto", "off"] | list[str] = "auto"
    daemonsets: list[Annotated[str, Field(pattern=r"^[a-z0-9.-]+/[a-z0-9.-]+$")]] = Field(default_factory=list)


class Lint(Strict):
    exclude: list[str] = Field(
        default_factory=list,
        description="Paths lint never reads, in .gitignore syntax relative to the manifest "
        "(vendored code, fixtures that contain violations on purpose).",
    )


class Manifest(Strict):
    version: Literal[1]
    project: Name
    build: Build = Field(default_factory=Build)
    registries: dict[Name, Registry] = Field(default_factory=dict)
    proto: Proto | None = None
    sdks: dict[Name, Sdk] = Field(default_factory=dict)
    services: dict[Name, Service] = Field(default_factory=dict)
    cluster: Cluster = Field(default_factory=Cluster)
    lint: Lint = Field(default_factory=Lint)


SECTIONS = ("registries", "sdks", "services")
