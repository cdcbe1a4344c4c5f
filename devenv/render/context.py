"""Every decision of the render: order, dependencies, names, paths and quoting.

The templates only print what this module hands them: Starlark fragments that were
encoded here by :mod:`devenv.render.starlark`, never raw manifest text.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from devenv import __version__
from devenv.errors import ManifestError, Problem
from devenv.graph import build_graph, chain_steps
from devenv.manifest.load import LoadedManifest
from devenv.manifest.model import BuildArgValue, EnvValue, Manifest, Service
from devenv.render import buttons, slices, workloads
from devenv.render.ergonomics import links, trigger_kwargs
from devenv.render.naming import WorkloadNaming
from devenv.render.sdkargs import sdk_args
from devenv.render.starlark import Expr, call, comment, literal
from devenv.render.tasks import task_call
from devenv.sdk.chain import STATE_DIR, marker
from devenv.tilt import GENERATED_BY, HEALTH, MANIFEST_SHA256, MIN_TILT

HELPER_EXTRA_HOSTS = "_DEVENV_EXTRA_HOSTS"
HELPER_BUILD_ARGS = "_devenv_build_args"


@dataclass
class Call:
    """One builtin call: the function and its already-encoded arguments."""

    function: str
    args: list[str] = field(default_factory=list)
    kwargs: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ServiceBlock:
    name: str
    calls: list[Call]
    guard: str = "None"  # encoded service name: the block runs only when the slice loads it
    function: str = ""  # the Starlark function that declares the block


@dataclass
class RenderContext:
    header: list[str]
    min_tilt: str
    version_constraint: str
    host: dict[str, str]
    build_args: list[tuple[str, str]]
    allow_k8s_contexts: str | None
    packages: list[Call]
    services: list[ServiceBlock]
    slice_arg: str
    slices: list[tuple[str, str]]
    workload_names: list[tuple[str, str]]
    buttons: list[ServiceBlock]
    warnings: list[Problem]
    tasks: list[Call]
    inputs: list[str]


def _kwargs(**values: object) -> list[tuple[str, str]]:
    """Encoded keyword arguments, leaving out the ones that are None or empty."""
    return [(k, literal(v)) for k, v in values.items() if v is not None and not (isinstance(v, (list, dict)) and not v)]


@functools.cache
def _state_ignore(state: str, root: str, context: str) -> list[str]:
    """The state folder as an ignore of a context that holds it (an SDK result digest there is no
    change of the image's sources); os.path.join then normpath spells normpath(root / x)."""
    folder = os.path.normpath(os.path.join(root, context))
    if not state.startswith(folder.rstrip("/")) and not state.startswith("//"):
        return []  # not a prefix as text, so not as path components either (commonpath drops a leading //)
    if os.path.commonpath([state, folder]) == folder:
        return [os.path.relpath(state, folder).replace(os.sep, "/")]
    return []


def _build_arg_value(value: BuildArgValue) -> object:
    if isinstance(value, EnvValue):
        return call("os.getenv", value.env, value.default)
    return value


class ContextBuilder(WorkloadNaming):
    def __init__(self, loaded: LoadedManifest, output_dir: Path):
        self.loaded = loaded
        self.m: Manifest = loaded.manifest
        self.root = loaded.root
        self.out = output_dir
        self.graph = build_graph(self.m)
        self.warnings: list[Problem] = []
        self.problems: list[Problem] = []
        self.inputs: dict[str, None] = {}  # every file or folder the render read (manifest paths), for --watch
        self._root_text, self._out_text = str(self.root), str(self.out)
        self._state_text = os.path.normpath(self.root / STATE_DIR)
        self._rel: dict[str, str] = {}  # manifest path -> Tiltfile spelling (contexts and Dockerfiles repeat)
        self._parsed: dict[str, list[workloads.K8sObject]] = {}  # k8s file -> its objects
        self._sdk_pairs: dict[str, tuple] = {}  # SDK -> its consumers' build args (_sdk_args)

    def rel(self, relative: str) -> str:
        """A manifest path as the Tiltfile must spell it: relative to the Tiltfile's folder."""
        spelled = self._rel.get(relative)
        if spelled is None:
            path = os.path.normpath(relative)
            if self._root_text != self._out_text or os.path.isabs(path) or path == ".." or path.startswith("../"):
                # relpath is lexical: with the Tiltfile beside the manifest it is normpath, except upwards
                path = os.path.relpath(os.path.normpath(os.path.join(self._root_text, relative)), self._out_text)
            spelled = self._rel[relative] = path.replace(os.sep, "/")
        return spelled

    def problem(self, path: tuple, message: str, hint: str = "", severity: str = "error") -> None:
        dotted = ".".join(str(p) for p in path)
        item = Problem(self.loaded.positions.where(path), dotted, message, hint, severity)
        (self.problems if severity == "error" else self.warnings).append(item)

    # -- sections ---------------------------------------------------------------------------
    def header(self) -> list[str]:
        return [
            GENERATED_BY.format(version=__version__) + f"{comment(self.loaded.path.name)} (project {comment(self.m.project)}).",
            "Do not edit: change the manifest and run `devenv render` (hand edits are refused without --force).",
            MANIFEST_SHA256.format(sha256=self.loaded.sha256),
            f"requires: tilt >= {MIN_TILT}",
        ]

    def host(self) -> dict[str, str]:
        hosts = self.m.build.extra_hosts
        return {
            "override_env": literal(hosts.override_env),
            "fallback": literal(hosts.fallback),
            "target": literal(hosts.target),
            "hosts": literal(list(hosts.hosts)),
        }

    def packages(self) -> list[Call]:
        calls = []
        for resource in self.graph.resources.values():
            if resource.kind == "health":
                manifest = self.rel(self.loaded.path.name)
                calls.append(
                    Call(
                        "local_resource",
                        [literal(HEALTH)],
                        _kwargs(
                            cmd=["devenv", "doctor", "--only", "registries", "--manifest", manifest],
                            # Tells doctor it is the gate before the publish steps: an SDK version those
                            # steps will publish is then a warning, or a fresh registry could never fill.
                            env={"DEVENV_HEALTH_GATE": "1"},
                            labels=["packages"],
                            allow_parallel=True,
                        ),
                    )
                )
            elif resource.kind == "sdk-step":
                assert resource.sdk and resource.step  # the graph gives every sdk-step both
                calls.append(self._step(resource.name, resource.sdk, resource.step, list(resource.deps)))
        return calls

    def _step(self, name: str, sdk_name: str, step_name: str, deps: list[str]) -> Call:
        from devenv.sdk.steps import step_cmd  # guard the proto workspace, stamp freshness, mark the result

        sdk = self.m.sdks[sdk_name]
        if step_name not in sdk.steps:  # the implicit smoke step (devenv.graph.chain_steps)
            from devenv.sdk.steps import verify_step

            step = verify_step(sdk_name, self.loaded.path.name)
        else:
            step = sdk.steps[step_name]
        workdir = self.rel(".")
        names = chain_steps(sdk)
        first = step_name == names[0]
        guarded = self.m.proto is not None and first
        cmd = step_cmd(sdk_name, step_name, step.cmd, self.loaded.path.name, guard=guarded, stamp=guarded and sdk.generated is not None)
        files = [self.rel(d) for d in step.deps]
        if not first:
            # The step before writes its result digest here only when it changed: Tilt then runs
            # this step again (resource_deps alone gate only the first run).
            files.append(self.rel(marker(sdk_name, names[names.index(step_name) - 1])))
        return Call(
            "local_resource",
            [literal(name)],
            _kwargs(
                cmd=cmd,
                deps=files,
                resource_deps=deps,
                env=dict(step.env),
                dir=None if workdir == "." else workdir,
                labels=list(sdk.labels),
                allow_parallel=sdk.parallel,
            )
            + trigger_kwargs(step),
        )

    def services(self) -> list[ServiceBlock]:
        names = self._workload_names()
        blocks: list[ServiceBlock] = []
        for name, svc in self.m.services.items():
            calls: list[Call] = []
            if svc.image:
                calls.append(self._docker_build(name, svc))
            calls.append(self._deploy(svc, name))
            calls.append(self._k8s_resource(name, svc, names.get(name)))
            for companion in self.companions[name]:
                calls.append(
                    Call(
                        "k8s_resource",
                        [literal(companion)],
                        _kwargs(resource_deps=list(self.graph.resources[name].deps), labels=list(svc.labels) or ["services"]),
                    )
                )
            blocks.append(ServiceBlock(comment(name), calls, literal(name), slices.function_name("service", name, len(blocks))))
        return blocks

    def _docker_build(self, name: str, svc: Service) -> Call:
        context = svc.context or "."
        dockerfile = svc.dockerfile or f"{context}/Dockerfile"
        consumed = self.graph.service_sdks[name]  # consumed_sdks(self.m, svc), as the graph has it
        # Versions first, then the chains' result digests (read while the Tiltfile loads: a new
        # result reloads it and rebuilds this image); an SDK's pair is the same for every consumer.
        args: dict[str, object] = dict(pair for sdk_name in consumed if (pair := self._sdk_args(sdk_name)[0]))
        args.update(pair for sdk_name in consumed if (pair := self._sdk_args(sdk_name)[1]))
        for key, value in svc.build_args.items():
            args[key] = _build_arg_value(value)
        if any(self.m.sdks[sdk_name].source == "workspace" for sdk_name in consumed):
            from devenv.render.workspace import unseen_sdks

            for path, message, hint in unseen_sdks(self.m, name, svc):
                self.problem(path, message, hint, "warning")
        return Call(
            "docker_build",
            [literal(svc.image), literal(self.rel(context))],
            [
                ("dockerfile", literal(self.rel(dockerfile))),
                ("build_args", call(HELPER_BUILD_ARGS, args).source),
                ("extra_hosts", HELPER_EXTRA_HOSTS),
                *_kwargs(
                    target=svc.target,
                    only=list(svc.only),
                    ignore=list(svc.ignore) + _state_ignore(self._state_text, self._root_text, context),
                    live_update=[self._live_update_step(step) for step in svc.live_update] or None,
                ),
            ],
        )

    def _sdk_args(self, sdk_name: str) -> tuple[tuple[str, object] | None, tuple[str, object] | None]:
        """(build arg, version) and (digest build arg, its value): devenv.render.sdkargs, once per SDK."""
        pairs = self._sdk_pairs.get(sdk_name)
        if pairs is None:
            pairs = self._sdk_pairs[sdk_name] = sdk_args(sdk_name, self.m.sdks[sdk_name], self.rel)
        return pairs

    def _live_update_step(self, step) -> Expr:
        if hasattr(step, "sync"):
            return call("sync", self.rel(step.sync.from_), step.sync.to)
        if hasattr(step, "run"):
            return call("run", step.run.cmd, trigger=[self.rel(t) for t in step.run.trigger] or None)
        return call("fall_back_on", [self.rel(f) for f in step.fall_back_on])

    def _deploy(self, svc: Service, name: str) -> Call:
        if svc.helm:
            helm = svc.helm
            rendered = call(
                "helm",
                self.rel(helm.chart),
                name=helm.release or name,
                namespace=helm.namespace,
                values=[self.rel(v) for v in helm.values] or None,
                set=[f"{k}={v}" for k, v in helm.set.items()] or None,
            )
            return Call("k8s_yaml", [rendered.source])
        return Call("k8s_yaml", [literal([self.rel(p) for p in svc.k8s])])

    def _k8s_resource(self, name: str, svc: Service, workload: str | None) -> Call:
        resource = self.graph.resources[name]
        workload = workload or name
        return Call(
            "k8s_resource",
            [literal(workload)],
            _kwargs(
                new_name=name if name != workload else None,
                resource_deps=list(resource.deps),
                labels=list(svc.labels) or ["services"],
                port_forwards=[str(p) for p in svc.port_forwards],
                links=links(svc),
            )
            + trigger_kwargs(svc),
        )

    def buttons(self) -> list[ServiceBlock]:
        workdir = self.rel(".")
        blocks: list[ServiceBlock] = []
        for button in buttons.buttons(self.m, "packages:health" in self.graph.resources, self.rel(self.loaded.path.name), None if workdir == "." else workdir):
            calls = [Call(f, a, k) for f, a, k in buttons.button_calls(button)]
            blocks.append(ServiceBlock(comment(button.name), calls, literal(button.service), slices.function_name("button", button.name, len(blocks))))
        return blocks

    def build(self) -> RenderContext:
        services = self.services()
        if self.problems:
            raise ManifestError(self.problems)
        build_args = [(literal(k), literal(_build_arg_value(v))) for k, v in self.m.build.build_args.items()]
        contexts = list(self.m.cluster.contexts)
        return RenderContext(
            header=self.header(),
            min_tilt=MIN_TILT,
            version_constraint=literal(f">={MIN_TILT}"),
            host=self.host(),
            build_args=build_args,
            allow_k8s_contexts=literal(contexts) if contexts else None,
            packages=self.packages(),
            services=services,
            slice_arg=literal(slices.ARG),
            slices=slices.slice_table(self.m, self.graph, self.companions),
            workload_names=slices.workload_table(self.tilt_names),
            buttons=self.buttons(),
            warnings=self.warnings,
            tasks=[task_call(self, name, task) for name, task in self.m.tasks.items()],
            inputs=sorted({str(self.root / p) for p in self.inputs}),
        )
