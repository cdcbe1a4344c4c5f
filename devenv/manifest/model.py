"""The `services.yaml` model: every key, its default and its meaning (docs/manifest.md is generated
from it by scripts/gen-docs.py), and the source of the JSON Schema (`devenv schema`).

Only shape and single-value rules live here; rules that relate several keys (references,
cycles, files on disk) live in :mod:`devenv.manifest.validate` so they can all be reported
together.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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

    env: EnvName = Field(description="The environment variable to read.")
    default: str = Field("", description="The value when the variable is unset.")


BuildArgValue = str | EnvValue


class ExtraHosts(Strict):
    """Host names every docker_build maps to the Docker host (the registries builds reach)."""

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


class Build(Strict):
    """What every service's docker_build gets."""

    extra_hosts: ExtraHosts = Field(
        default_factory=ExtraHosts, description="Registry host names mapped to the Docker host inside builds."
    )
    build_args: dict[EnvName, BuildArgValue] = Field(
        default_factory=dict, description="Build args given to every docker_build."
    )


class Registry(Strict):
    """An internal package registry SDKs are published to (Verdaccio, pypiserver, a Go proxy, an OCI registry)."""

    kind: RegistryKind = Field(description="Which protocol doctor speaks to it.")
    url: str = Field(pattern=r"^https?://[^\s/]+(/\S*)?$", description="Base URL; `user:password@` is sent as Basic auth.")
    probe: str | None = Field(None, description="Path doctor requests to prove the registry answers.")
    ca_file: RelPath | None = Field(None, description="CA bundle for an https registry.")

    @property
    def host(self) -> str:
        netloc = self.url.split("://", 1)[1].split("/", 1)[0]
        return netloc.rsplit("@", 1)[-1].split(":", 1)[0]


class Proto(Strict):
    """The proto workspace: only the SDKs (and `allowed`) may build from it."""

    path: RelPath = Field(description="Its folder, relative to the manifest.")
    names: list[str] = Field(
        default_factory=list, description="Package names it publishes (`@acme/core-proto`): lint reports them too."
    )
    allowed: list[RelPath] = Field(
        default_factory=list, description="Paths besides the SDKs that may reference it (the proto pipeline)."
    )


class Step(Strict):
    """One Tilt local_resource of an SDK's chain: `packages:<sdk>-sdk-<step>`."""

    cmd: str = Field(min_length=1, description="Shell command, run from the manifest's folder.")
    deps: list[RelPath] = Field(default_factory=list, description="Files whose change reruns the step.")
    env: dict[EnvName, str] = Field(default_factory=dict, description="Environment of the step's command.")


class Sdk(Strict):
    """An SDK generated from the proto workspace and published to a registry."""

    language: Language = Field(description="Services of this language consume it unless they list `sdks`.")
    path: RelPath = Field(description="Its folder, relative to the manifest.")
    package: str = Field(min_length=1, description="The published package (npm name, PyPI project, Go module path).")
    registry: str | None = Field(None, description="The key of `registries` it is published to.")
    version: str | None = Field(None, description="The version doctor asserts the registry serves.")
    steps: dict[Name, Step] = Field(default_factory=dict, description="Tilt local_resources, chained in order.")
    parallel: bool = Field(True, description="Run this SDK's chain beside the other SDKs' chains.")
    generated: RelPath | None = Field(None, description="Where the step writes generated code.")
    build_arg: EnvName | None = Field(
        None, description="Build arg carrying `version` to consumers (default <NAME>_SDK_VERSION)."
    )
    labels: list[str] = Field(default_factory=lambda: ["packages"], description="Tilt labels of its resources.")
    exact_pins: bool = Field(
        False, description="Lint: a consumer's range that admits `version` and others is an error, not a warning."
    )


def sdk_build_arg(name: str, sdk: Sdk) -> str:
    """The build arg carrying an SDK's version into its consumers' docker_build."""
    return sdk.build_arg or re.sub(r"[^A-Za-z0-9]", "_", name).upper() + "_SDK_VERSION"


class Helm(Strict):
    """A service deployed by a Helm chart instead of `k8s` YAML."""

    chart: RelPath = Field(description="The chart's folder.")
    values: list[RelPath] = Field(default_factory=list, description="Values files, in order.")
    namespace: str | None = Field(None, description="The release's namespace.")
    release: str | None = Field(None, description="Release name (default: the service name).")
    set: dict[str, str] = Field(default_factory=dict, description="`--set` values.")


class Sync(Strict):
    """live_update `sync`: copy changed files into the running container."""

    from_: RelPath = Field(alias="from", description="Local path (inside the build context).")
    to: str = Field(min_length=1, description="Path in the container.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Run(Strict):
    """live_update `run`: a command in the container after the syncs."""

    cmd: str = Field(min_length=1, description="Shell command run in the container.")
    trigger: list[RelPath] = Field(default_factory=list, description="Run only when one of these changed.")


class LiveUpdateSync(Strict):
    """A live_update step `{sync: {from, to}}`."""

    sync: Sync


class LiveUpdateRun(Strict):
    """A live_update step `{run: {cmd, trigger}}`."""

    run: Run


class LiveUpdateFallBack(Strict):
    """A live_update step `{fall_back_on: [...]}`: these files force a full rebuild."""

    fall_back_on: list[RelPath] = Field(description="Files whose change rebuilds the image.")


LiveUpdateStep = LiveUpdateFallBack | LiveUpdateSync | LiveUpdateRun

# Tilt's spellings (internal/tiltfile/k8s.go stringToPortForward): LOCAL, LOCAL:CONTAINER or
# HOST:LOCAL:CONTAINER, HOST a hostname or IPv4 address; a HOST:LOCAL pair is not one of them.
_PF_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
PORT_FORWARD_PATTERN = rf"^(?:{_PF_HOST}:\d{{1,5}}:\d{{1,5}}|\d{{1,5}}(?::\d{{1,5}})?)$"
PortForward = Annotated[str, Field(pattern=PORT_FORWARD_PATTERN)] | Annotated[
    int, Field(ge=1, le=65535)
]


class Service(Strict):
    """A service Tilt builds and deploys; it waits for the SDKs it consumes."""

    language: Language | None = Field(None, description="Picks the SDKs it consumes when `sdks` is not given.")
    sdks: list[str] | None = Field(None, description="SDKs consumed; default: those of `language`.")
    context: RelPath | None = Field(None, description="Docker build context.")
    dockerfile: RelPath | None = Field(None, description="Default: <context>/Dockerfile.")
    image: str | None = Field(None, description="Image name docker_build builds (no tag or digest).")
    target: str | None = Field(None, description="Dockerfile stage to build.")
    build_args: dict[EnvName, BuildArgValue] = Field(default_factory=dict, description="Build args of this service.")
    only: list[RelPath] = Field(default_factory=list, description="docker_build `only`: the part of the context sent.")
    ignore: list[str] = Field(default_factory=list, description="docker_build `ignore` patterns.")
    k8s: list[RelPath] = Field(default_factory=list, description="Kubernetes YAML files to deploy.")
    helm: Helm | None = Field(None, description="A Helm chart to deploy instead of `k8s`.")
    workload: str | None = Field(None, description="Workload to attach; default: discovered from k8s YAML.")
    after: list[str] = Field(default_factory=list, description="Services that must be up first.")
    port_forwards: list[PortForward] = Field(
        default_factory=list, description="Tilt port forwards: `LOCAL`, `LOCAL:CONTAINER` or `HOST:LOCAL:CONTAINER`."
    )
    live_update: list[LiveUpdateStep] = Field(default_factory=list, description="Tilt live_update steps, in order.")
    labels: list[str] = Field(default_factory=list, description="Tilt labels (default: `services`).")


class Cluster(Strict):
    """The Kubernetes cluster Tilt deploys to, as doctor checks it."""

    contexts: list[str] = Field(
        default_factory=list, description="Kube contexts Tilt may deploy to (allow_k8s_contexts); doctor talks to no other."
    )
    namespace: str | None = Field(None, description="Namespace that must exist and be Active.")
    coredns_rewrites: Literal["auto", "off"] | list[str] = Field(
        "auto", description="Hosts CoreDNS must rewrite: `auto` (every registry host), `off`, or a list."
    )
    daemonsets: list[Annotated[str, Field(pattern=r"^[a-z0-9.-]+/[a-z0-9.-]+$")]] = Field(
        default_factory=list, description="`namespace/name` DaemonSets that must be fully ready."
    )


class Lint(Strict):
    """Settings of `devenv lint`."""

    exclude: list[str] = Field(
        default_factory=list,
        description="Paths lint never reads, in .gitignore syntax relative to the manifest "
        "(vendored code, fixtures that contain violations on purpose).",
    )


class Manifest(Strict):
    """The whole file."""

    version: Literal[1] = Field(description="The manifest format version.")
    project: Name = Field(description="The project's name (in the Tiltfile header).")
    build: Build = Field(default_factory=Build, description="Settings shared by every docker_build.")
    registries: dict[Name, Registry] = Field(default_factory=dict, description="Package registries, by name.")
    proto: Proto | None = Field(None, description="The proto workspace the SDKs are generated from.")
    sdks: dict[Name, Sdk] = Field(default_factory=dict, description="SDKs, by name, built in this order.")
    services: dict[Name, Service] = Field(default_factory=dict, description="Services, by name.")
    cluster: Cluster = Field(default_factory=Cluster, description="The cluster doctor checks.")
    lint: Lint = Field(default_factory=Lint, description="Settings of `devenv lint`.")


SECTIONS = ("registries", "sdks", "services")
