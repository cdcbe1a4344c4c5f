"""The `services.yaml` model: every key, its default and its meaning (docs/manifest.md is generated
from it by scripts/gen-docs.py), and the source of the JSON Schema (`devenv schema`).

Only shape and single-value rules live here; rules that relate several keys (references,
cycles, files on disk) live in :mod:`devenv.manifest.validate` so they can all be reported
together.
"""

# long: this is the manifest's whole schema, one class per section in the order docs/manifest.md
# presents it, each key with its description; split across modules it would be read in pieces
# and the generated reference would follow the split, not the file.

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from devenv.manifest import buf
from devenv.manifest.addresses import RESERVED_ENV, is_ip, url_problem
from devenv.manifest.buf import REF_PATTERN

# Resource and SDK names end up in Tilt resource names (`packages:<sdk>-sdk-<step>`),
# image build-arg names and file names, so they stay a conservative ASCII shape.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"
Name = Annotated[str, Field(pattern=NAME_PATTERN)]
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
EnvName = Annotated[str, Field(pattern=ENV_NAME_PATTERN)]
RelPath = Annotated[str, Field(min_length=1)]
# NAMESPACE/NAME of a Kubernetes object (DNS-1123 names).
K8S_REF_PATTERN = r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?/[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"
Trigger = Literal["auto", "manual"]
URL_PATTERN = r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s]+$"
# A version travels in build args, marker files (one per line) and registry URLs: whitespace in
# it ("1.2.3 ", a line break) would be a different version everywhere it lands.
VERSION_PATTERN = r"^[^\s]+$"
Version = Annotated[str, Field(pattern=VERSION_PATTERN)]

Language = Literal["typescript", "go", "python"]
RegistryKind = Literal["npm", "pypi", "goproxy", "oci"]


class Strict(BaseModel):
    # defer_build: pydantic builds a model's validators when it first validates one, which a
    # valid manifest never does (devenv.manifest.construct builds its objects).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class EnvValue(Strict):
    """A value read from the developer's environment when Tilt loads the Tiltfile."""

    env: EnvName = Field(description="The environment variable to read.")
    default: str = Field("", description="The value when the variable is unset.")


BuildArgValue = str | EnvValue


class ExtraHosts(Strict):
    """Host names every docker_build maps to the Docker host (the registries builds reach)."""

    hosts: list[str] = Field(default_factory=list, description="Host names mapped in every docker_build.")
    target: str = Field("host-gateway", description="Preferred address: Docker's host-gateway alias.")
    fallback: str = Field("172.17.0.1", description="Address used when the override variable is set to `fallback` (Docker engines without host-gateway).")
    override_env: EnvName = Field("DEVENV_HOST_IP", description="Environment variable that overrides the target: an IP, or `fallback`.")

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
    """What every service's docker_build gets."""

    extra_hosts: ExtraHosts = Field(default_factory=ExtraHosts, description="Registry host names mapped to the Docker host inside builds.")
    build_args: dict[EnvName, BuildArgValue] = Field(default_factory=dict, description="Build args given to every docker_build.")


class Registry(Strict):
    """An internal package registry SDKs are published to (Verdaccio, pypiserver, a Go proxy, an OCI registry)."""

    kind: RegistryKind = Field(description="Which protocol doctor speaks to it.")
    url: str = Field(pattern=r"^https?://[^\s/]+(/\S*)?$", description="Base URL; `user:password@` is sent as Basic auth.")
    probe: str | None = Field(None, description="Path doctor requests to prove the registry answers.")
    ca_file: RelPath | None = Field(None, description="CA bundle for an https registry.")
    deployment: Annotated[str, Field(pattern=K8S_REF_PATTERN)] | None = Field(
        None,
        description="NAMESPACE/NAME of the Deployment serving it: doctor's restart hint names it exactly, and packages:health gets a button that restarts it.",
    )

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
    """The proto workspace: only the SDKs (and `allowed`) may build from it."""

    path: RelPath = Field(description="Its folder, relative to the manifest.")
    names: list[str] = Field(default_factory=list, description="Package names it publishes (`@acme/core-proto`): lint reports them too.")
    allowed: list[RelPath] = Field(default_factory=list, description="Paths besides the SDKs that may reference it (the proto pipeline).")


class Step(Strict):
    """One Tilt local_resource of an SDK's chain: `packages:<sdk>-sdk-<step>`."""

    cmd: str = Field(min_length=1, description="Shell command, run from the manifest's folder.")
    deps: list[RelPath] = Field(default_factory=list, description="Files whose change reruns the step.")
    env: dict[EnvName, str] = Field(default_factory=dict, description="Environment of the step's command.")
    trigger: Trigger = Field("auto", description="`manual`: Tilt runs the step only when you click it (file changes wait).")
    auto_init: bool = Field(True, description="Run the step when Tilt starts; false: only on a trigger.")


class SdkVerify(Strict):
    """What `devenv sdk verify` expects inside the published artifact (docs/verify.md).

    Every key is optional: the defaults are the language's usual generator layout."""

    root: str | None = Field(None, description="Folder of generated code inside the artifact (default per language).")
    generated: list[Annotated[str, Field(min_length=1)]] | None = Field(
        None,
        description="Files each .proto yields, relative to `root`; {path} is the proto's path without "
        ".proto under the proto root, {dir} its folder, {stem} its name (default per language).",
    )
    raw_protos: str | None = Field(None, description="Where the artifact carries the raw .proto snapshot ('' = it promises none).")
    proto_root: RelPath | None = Field(None, description="Folder the proto paths are relative to (default: buf.yaml's modules).")
    smoke: bool = Field(True, description="Render `devenv sdk verify` as the chain's smoke step when it has none.")


SdkSource = Literal["registry", "buf", "workspace"]


class BufSdk(Strict):
    module: str = Field(pattern=REF_PATTERN, description="The BSR module: <host>/<owner>/<module>.")
    plugin: str = Field(pattern=REF_PATTERN, description="The BSR plugin: <host>/<owner>/<plugin>.")


class Sdk(Strict):
    """An SDK generated from the proto workspace: published to a registry, generated by the Buf Schema
    Registry, or linked from the workspace (docs/sdk-sources.md)."""

    language: Language = Field(description="Services of this language consume it unless they list `sdks`.")
    source: SdkSource = Field(
        "registry",
        description="registry: the SDK's steps publish it to `registry`; buf: the Buf Schema Registry generates "
        "it from `buf.module` with `buf.plugin`; workspace: services link it from `path`.",
    )
    buf: BufSdk | None = Field(None, description="Module and plugin of a `source: buf` SDK.")
    path: RelPath | None = Field(None, description="The SDK's folder (required unless `source: buf`).")
    package: str | None = Field(None, min_length=1, description="The package name (required for `source: registry`; derived for buf).")
    registry: str | None = Field(None, description="The key of `registries` it is published to (default for buf: the BSR).")
    version: Version | None = Field(None, description="The version doctor asserts the registry serves (no whitespace).")
    steps: dict[Name, Step] = Field(default_factory=dict, description="Tilt local_resources, chained in order.")
    parallel: bool = Field(True, description="Run this SDK's chain beside the other SDKs' chains.")
    generated: RelPath | None = Field(None, description="Where the step writes generated code.")
    build_arg: EnvName | None = Field(None, description="Build arg carrying `version` to consumers (default <NAME>_SDK_VERSION).")
    labels: list[str] = Field(default_factory=lambda: ["packages"], description="Tilt labels of its resources.")
    exact_pins: bool = Field(False, description="Lint: a consumer's range that admits `version` and others is an error, not a warning.")
    verify: SdkVerify = Field(default_factory=SdkVerify, description="What `devenv sdk verify` checks in the artifact.")

    @property
    def package_name(self) -> str:
        """``package`` of a validated SDK: required unless `source: buf` (manifest/sources.py), and
        derived for buf from ``buf.module`` and ``buf.plugin``, which validation requires and whose
        pattern always parses."""
        assert self.package is not None, "validation guarantees every SDK a package"
        return self.package

    @model_validator(mode="before")
    @classmethod
    def _derive_buf_package(cls, data):
        """A Buf SDK's package is the BSR's name for it; validation reports a `package` that differs."""
        if isinstance(data, dict) and data.get("source") == "buf" and not data.get("package"):
            derived = derived_package(data)
            if derived:
                data = {**data, "package": derived}
        return data


def derived_package(data: dict) -> str | None:
    """The BSR's package name for a (raw) Buf SDK entry, or None when it cannot be derived."""
    spec = data.get("buf")
    language = data.get("language")
    if not isinstance(spec, dict) or not isinstance(language, str) or language not in buf.ECOSYSTEM_OF_LANGUAGE:
        return None
    module, plugin = buf.Ref.parse(str(spec.get("module", ""))), buf.Ref.parse(str(spec.get("plugin", "")))
    if module is None or plugin is None:
        return None
    return buf.package_name(buf.ECOSYSTEM_OF_LANGUAGE[language], module, plugin)


def sdk_build_arg(name: str, sdk: Sdk) -> str:
    """The build arg carrying an SDK's version into its consumers' docker_build."""
    return sdk.build_arg or default_build_arg(name)


def default_build_arg(name: str) -> str:
    """The build arg of an SDK that sets no `build_arg`: <NAME>_SDK_VERSION."""
    return re.sub(r"[^A-Za-z0-9]", "_", name).upper() + "_SDK_VERSION"


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

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


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
PortForward = Annotated[str, Field(pattern=PORT_FORWARD_PATTERN)] | Annotated[int, Field(ge=1, le=65535)]


class LinkSpec(Strict):
    url: Annotated[str, Field(pattern=URL_PATTERN)]
    name: str | None = Field(None, description="Text shown instead of the URL.")


Link = Annotated[str, Field(pattern=URL_PATTERN)] | LinkSpec


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
    port_forwards: list[PortForward] = Field(default_factory=list, description="Tilt port forwards: `LOCAL`, `LOCAL:CONTAINER` or `HOST:LOCAL:CONTAINER`.")
    live_update: list[LiveUpdateStep] = Field(default_factory=list, description="Tilt live_update steps, in order.")
    labels: list[str] = Field(default_factory=list, description="Tilt labels (default: `services`).")
    links: list[Link] = Field(default_factory=list, description="URLs shown on the service's resource in Tilt's UI.")
    trigger: Trigger = Field("auto", description="`manual`: Tilt updates the service only when you click it.")
    auto_init: bool = Field(True, description="Deploy the service when Tilt starts; false: only on a trigger.")


class Button(Strict):
    """A button in Tilt's UI that runs a shell command from the manifest's folder."""

    text: str = Field(min_length=1, description="The button's label.")
    cmd: str = Field(min_length=1, description="Shell command (sh -c), run from the manifest's folder.")
    resource: str | None = Field(None, description="Resource the button sits on (a service, an SDK step or packages:health); default: Tilt's top bar.")
    confirm: bool = Field(False, description="Ask for a second click before running (for anything that restarts or deletes).")


class Cluster(Strict):
    """The Kubernetes cluster Tilt deploys to, as doctor checks it."""

    contexts: list[str] = Field(default_factory=list, description="Kube contexts Tilt may deploy to (allow_k8s_contexts); doctor talks to no other.")
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
        description="Paths lint never reads, in .gitignore syntax relative to the manifest (vendored code, fixtures that contain violations on purpose).",
    )


# Task names become Tilt resource names as written; teams spell ops tasks `db:migrate` or
# `test/unit`, so ':' and '/' are allowed here (but not the `packages:` prefix, see validate).
TASK_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,62}$"
TaskName = Annotated[str, Field(pattern=TASK_NAME_PATTERN)]


class Task(Strict):
    """An ops local_resource that is neither an SDK step nor a service: a migration, a test
    runner, an infra layer. Rendered as one `local_resource` under its own name."""

    cmd: str | list[str] | None = Field(None, description="Shell command (a string), or an argv list run without a shell.")
    serve_cmd: str | list[str] | None = Field(None, description="A long-running process Tilt keeps up after `cmd`.")
    dir: RelPath | None = Field(None, description="Working folder (default: the manifest's folder).")
    deps: list[RelPath] = Field(default_factory=list, description="Files whose change reruns the task.")
    env: dict[EnvName, str] = Field(default_factory=dict)
    after: list[str] = Field(default_factory=list, description="Services, tasks or SDK step resources to wait for.")
    labels: list[str] = Field(default_factory=list)
    trigger: Literal["auto", "manual"] = Field("auto", description="manual: runs only when clicked in Tilt's UI.")
    auto_init: bool = Field(True, description="Run once when Tilt starts (false: only when triggered).")
    allow_parallel: bool = False


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
    tasks: dict[TaskName, Task] = Field(default_factory=dict, description="Ops local resources (migrations, test runners).")
    buttons: dict[Name, Button] = Field(default_factory=dict, description="Buttons of your own in Tilt's UI.")


SECTIONS = ("registries", "sdks", "services")
