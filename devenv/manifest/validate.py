"""Rules that relate several keys or look at the disk; each yields problems, all run every time."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from pathlib import Path as FsPath

from devenv.errors import Problem
from devenv.manifest import sources
from devenv.manifest.images import image_problem
from devenv.manifest.model import Manifest, sdk_build_arg
from devenv.manifest.pathrules import PathRules, within
from devenv.manifest.positions import LoadedYaml
from devenv.manifest.relations import consumed_sdks, find_cycle
from devenv.manifest.tasks import task_references
from devenv.tilt import HEALTH, sdk_digest_arg, step_resource

# Kubernetes label values and Tilt label names: a qualified name.
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
# helm's own rule for release names (pkg/chartutil): DNS-1123 subdomain, at most 53 characters.
_HELM_RELEASE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


class Checker(PathRules):
    """Runs every rule over a (possibly partial) manifest; ``names`` holds all declared names."""

    def __init__(self, manifest: Manifest, loaded: LoadedYaml, root: FsPath, broken: frozenset[tuple] = frozenset()):
        self.m = manifest
        self.broken = broken
        self.loaded = loaded
        self.root = root.resolve()
        self._root_text = str(self.root)
        self._real_folders: dict[str, str] = {}
        self._resolved: dict[str, str] = {}
        raw = loaded.data if isinstance(loaded.data, dict) else {}
        # Only string names: a key YAML read as a boolean or number (`no:`, `1:`) is a schema error already.
        self.names = {
            s: {k for k in raw[s] if isinstance(k, str)} if isinstance(raw.get(s), dict) else set() for s in ("services", "sdks", "registries", "tasks")
        }

    def refused(self, *paths: tuple) -> bool:
        """Whether the schema refused any of ``paths`` or something under it. The partial manifest
        lacks what it refused: a rule judging that missing must not add a second problem
        (`k8s: web.yaml` is not a list; the service does not also "deploy nothing")."""
        return any(b[: len(p)] == p for b in self.broken for p in paths)

    def section_refused(self, section: str) -> bool:
        """The whole section is not a mapping: its names are unknown, not absent."""
        return (section,) in self.broken

    def unsure_of(self, resource: str) -> bool:
        """Whether a Tilt resource name may be missing only because the schema refused what
        declares it: a `packages:` resource of a refused SDK or registry, a refused section."""
        if resource.startswith("packages:"):
            return self.refused(("sdks",), ("registries",))
        return self.section_refused("services") or self.section_refused("tasks")

    def problem(self, path: tuple, message: str, hint: str = "", *, key: bool = False, severity: str = "error") -> Problem:
        dotted = ".".join(str(p) for p in path)
        return Problem(self.loaded.where(path, key=key), dotted, message, hint, severity)

    def run(self) -> list[Problem]:
        rules = (
            self.references,
            self.cycles,
            self.sdk_coverage,
            self.deployments,
            self.paths,
            self.images,
            self.ports,
            self.proto_boundary,
            self.labels,
            self.live_update,
            self.cluster,
            self.helm_releases,
            self.go_versions,
            self.step_names,
            self.sdk_build_args,
            self.proto_exists,
            self.buttons,
            self.sdk_sources,
        )
        return [p for rule in rules for p in rule()]

    # -- references -------------------------------------------------------------------------
    def _unknown(self, path: tuple, value: str, section: str, what: str) -> Iterator[Problem]:
        if self.section_refused(section):
            return
        close = difflib.get_close_matches(value, sorted(self.names[section]), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"declared {section}: {', '.join(sorted(self.names[section])) or 'none'}"
        yield self.problem(path, f"unknown {what} '{value}'", hint)

    def references(self) -> Iterator[Problem]:
        for name, svc in self.m.services.items():
            for i, dep in enumerate(svc.after):
                if dep not in self.names["services"] and dep not in self.m.tasks:
                    yield from self._unknown(("services", name, "after", i), dep, "services", "service")
            for i, sdk_name in enumerate(svc.sdks or []):
                if sdk_name not in self.names["sdks"]:
                    yield from self._unknown(("services", name, "sdks", i), sdk_name, "sdks", "SDK")
        yield from task_references(self)
        for name, sdk in self.m.sdks.items():
            if sdk.registry and sdk.registry not in self.names["registries"]:
                yield from self._unknown(("sdks", name, "registry"), sdk.registry, "registries", "registry")

    def buttons(self) -> Iterator[Problem]:
        """A button sits on a resource the Tiltfile declares: a service, an SDK step or the gate."""
        resources = sorted(self.names["services"])
        resources += [step_resource(n, step) for n, sdk in self.m.sdks.items() for step in sdk.steps]
        resources += [HEALTH] if self.m.registries else []
        for name, button in self.m.buttons.items():
            if button.resource is not None and button.resource not in resources and not self.unsure_of(button.resource):
                close = difflib.get_close_matches(button.resource, resources, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else "leave `resource` out to put the button in Tilt's top bar"
                yield self.problem(("buttons", name, "resource"), f"no resource '{button.resource}' in the Tiltfile", hint)

    def cycles(self) -> Iterator[Problem]:
        edges = {name: list(svc.after) for name, svc in self.m.services.items()}
        edges.update({name: list(task.after) for name, task in self.m.tasks.items()})
        cycle = find_cycle(edges)
        if cycle:
            yield self.problem(("services", cycle[0], "after"), f"dependency cycle: {' -> '.join(cycle)}", "remove one of these `after` entries")

    def step_names(self) -> Iterator[Problem]:
        """`packages:<sdk>-sdk-<step>` must name one step: sdk `a-sdk-b` step `c` and sdk `a`
        step `b-sdk-c` would share a Tilt resource, and one chain would silently vanish."""
        owners: dict[str, tuple[str, str]] = {}
        for name, sdk in self.m.sdks.items():
            for step in sdk.steps:
                resource = step_resource(name, step)
                if resource in owners:
                    other = owners[resource]
                    yield self.problem(
                        ("sdks", name, "steps", step),
                        f"step resource '{resource}' is also that of sdk '{other[0]}' step '{other[1]}'",
                        "rename the SDK or the step",
                        key=True,
                    )
                owners.setdefault(resource, (name, step))

    def sdk_build_args(self) -> Iterator[Problem]:
        """Two SDKs whose versions would travel in the same build arg: one would silently win."""
        owners: dict[str, str] = {}
        shared = set(self.m.build.build_args)
        for name, sdk in self.m.sdks.items():
            arg = sdk_build_arg(name, sdk)
            if arg in shared:
                path = ("sdks", name, "build_arg") if sdk.build_arg else ("sdks", name)
                yield self.problem(
                    path,
                    f"build arg '{arg}' is also one of `build.build_args`: the SDK version would replace it",
                    "give the SDK another `build_arg:`",
                    key=not sdk.build_arg,
                )
            elif arg in owners:
                path = ("sdks", name, "build_arg") if sdk.build_arg else ("sdks", name)
                yield self.problem(
                    path, f"build arg '{arg}' also carries the version of sdk '{owners[arg]}'", "give one of them its own `build_arg:`", key=not sdk.build_arg
                )
            owners.setdefault(arg, name)
        for name, sdk in self.m.sdks.items():
            arg = sdk_digest_arg(name)
            if sdk.steps and (arg in shared or arg in owners):
                yield self.problem(
                    ("sdks", name),
                    f"build arg '{arg}' (the SDK's result digest) is also "
                    + ("one of `build.build_args`" if arg in shared else f"the version arg of sdk '{owners[arg]}'"),
                    "rename that build arg",
                    key=True,
                )

    def sdk_sources(self) -> Iterator[Problem]:
        raw = self.loaded.data.get("sdks") if isinstance(self.loaded.data, dict) else None
        yield from sources.check(self.m, raw if isinstance(raw, dict) else {}, self.root, self.problem, self.refused)

    def sdk_coverage(self) -> Iterator[Problem]:
        for name, svc in self.m.services.items():
            if svc.sdks is None and svc.language and not consumed_sdks(self.m, svc) and not self.refused(("sdks",), ("services", name, "sdks")):
                yield self.problem(
                    ("services", name, "language"),
                    f"no SDK is declared for language '{svc.language}'",
                    "declare one under `sdks:`, or write `sdks: []` if this service consumes none",
                )

    def deployments(self) -> Iterator[Problem]:
        for name, svc in self.m.services.items():
            if svc.k8s and svc.helm:
                yield self.problem(("services", name, "helm"), "has both `k8s` and `helm`", "keep one of them", key=True)
            elif not svc.k8s and not svc.helm and not self.refused(("services", name, "k8s"), ("services", name, "helm")):
                yield self.problem(("services", name), "deploys nothing", "add `k8s: [file.yaml]` or `helm: {chart: …}`", key=True)
            if svc.image and not svc.context and not self.refused(("services", name, "context")):
                yield self.problem(("services", name, "image"), "has an image but no `context` to build it from", key=True)

    # -- values -----------------------------------------------------------------------------
    def images(self) -> Iterator[Problem]:
        seen: dict[str, str] = {}
        for name, svc in self.m.services.items():
            if not svc.image:
                continue
            why = image_problem(svc.image)
            if why:
                yield self.problem(("services", name, "image"), why, "e.g. 'ameide/platform' or 'registry:5000/team/app'")
            elif svc.image in seen:
                yield self.problem(
                    ("services", name, "image"), f"image '{svc.image}' is also built by service '{seen[svc.image]}'", "give each service its own image"
                )
            else:
                seen[svc.image] = name

    def ports(self) -> Iterator[Problem]:
        seen: dict[int, str] = {}
        for name, svc in self.m.services.items():
            for i, forward in enumerate(svc.port_forwards):
                local = local_port(forward)
                path = ("services", name, "port_forwards", i)
                container = int(str(forward).split(":")[-1]) if ":" in str(forward) else None
                if not 1 <= local <= 65535:
                    yield self.problem(path, f"port {local} is out of range 1-65535")
                elif container is not None and container > 65535:
                    yield self.problem(path, f"container port {container} is out of range 1-65535")
                elif local in seen:
                    yield self.problem(path, f"local port {local} is already forwarded by '{seen[local]}'", "pick another local port: 'LOCAL:CONTAINER'")
                else:
                    seen[local] = name

    def proto_boundary(self) -> Iterator[Problem]:
        if not self.m.proto:
            return
        proto = self._inside_root(self.m.proto.path)
        if proto is None:
            return
        for name, svc in self.m.services.items():
            candidates = []
            if svc.context:
                candidates.append(("context", svc.context))
                if svc.image:
                    candidates.append(("dockerfile", svc.dockerfile or f"{svc.context}/Dockerfile"))
            for key, relative in candidates:
                full = self._inside_root(relative)
                if full is not None and within(full, proto):
                    yield self.problem(
                        ("services", name, key),
                        f"'{relative}' lies inside the proto workspace '{self.m.proto.path}'",
                        "only SDKs consume the proto workspace: build the service from its own folder and depend on the published SDK",
                    )

    def labels(self) -> Iterator[Problem]:
        owners = [("services", n, s.labels) for n, s in self.m.services.items()]
        owners += [("sdks", n, s.labels) for n, s in self.m.sdks.items()]
        for section, name, labels in owners:
            for i, label in enumerate(labels):
                if not _LABEL.match(label):
                    yield self.problem(
                        (section, name, "labels", i),
                        f"label '{label}' is not a Kubernetes qualified name",
                        "at most 63 characters: letters, digits, '-', '_', '.', starting and ending with a letter or digit",
                    )

    def live_update(self) -> Iterator[Problem]:
        for name, svc in self.m.services.items():
            if svc.live_update and not svc.image and not self.refused(("services", name, "image")):
                yield self.problem(("services", name, "live_update"), "live_update needs an `image` to update", key=True)
            context = self._inside_root(svc.context) if svc.context else None
            for i, step in enumerate(svc.live_update):
                sync = getattr(step, "sync", None)
                if not sync or context is None:
                    continue
                source = self._inside_root(sync.from_)
                if source is not None and not within(source, context):
                    yield self.problem(
                        ("services", name, "live_update", i, "sync", "from"),
                        f"'{sync.from_}' is outside the build context '{svc.context}'",
                        "Tilt can only sync files inside the docker_build context",
                    )
                if not sync.to.startswith("/"):
                    yield self.problem(("services", name, "live_update", i, "sync", "to"), f"'{sync.to}' must be an absolute path in the container")

    def cluster(self) -> Iterator[Problem]:
        namespace = self.m.cluster.namespace
        if namespace and not _DNS_LABEL.match(namespace):
            yield self.problem(("cluster", "namespace"), f"'{namespace}' is not a valid namespace name", "lowercase letters, digits and '-', at most 63")
        for name, svc in self.m.services.items():
            ns = svc.helm.namespace if svc.helm else None
            if ns and not _DNS_LABEL.match(ns):
                yield self.problem(("services", name, "helm", "namespace"), f"'{ns}' is not a valid namespace name")

    def helm_releases(self) -> Iterator[Problem]:
        for name, svc in self.m.services.items():
            if not svc.helm:
                continue
            release = svc.helm.release or name
            if len(release) > 53 or not _HELM_RELEASE.match(release):
                path = ("services", name, "helm", "release") if svc.helm.release else ("services", name)
                yield self.problem(
                    path,
                    f"'{release}' is not a valid Helm release name (lowercase letters, digits, '-', '.', at most 53)",
                    "set `helm.release` to a valid name, e.g. " + repr(re.sub(r"[^a-z0-9.-]", "-", release.lower())[:53].strip("-.") or "app"),
                    key=not svc.helm.release,
                )

    def go_versions(self) -> Iterator[Problem]:
        for name, sdk in self.m.sdks.items():
            registry = self.m.registries.get(sdk.registry or "")
            if sdk.version and registry and registry.kind == "goproxy" and not sdk.version.startswith("v"):
                yield self.problem(
                    ("sdks", name, "version"),
                    f"Go module versions start with 'v': '{sdk.version}' is never served by a module proxy",
                    f"write 'v{sdk.version}'",
                    severity="warning",
                )


def local_port(forward: str | int) -> int:
    """The host-side port of a Tilt port forward: '3000', '8000:80', 'localhost:8000:80'."""
    if isinstance(forward, int):
        return forward
    parts = forward.split(":")
    return int(parts[1] if len(parts) == 3 else parts[0])


def check(manifest: Manifest, loaded: LoadedYaml, root: FsPath, broken: frozenset[tuple] = frozenset()) -> list[Problem]:
    """Every cross-key problem; ``broken``: the paths the schema refused (see Checker.refused)."""
    return Checker(manifest, loaded, root, broken).run()
