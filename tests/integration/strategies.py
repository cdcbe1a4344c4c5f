"""Hypothesis strategies for whole monorepos: a valid `services.yaml` and every file it names.

A drawn :class:`Monorepo` has registries, SDKs with step chains (some `parallel: false`),
optionally a proto workspace (guarded first steps), services in any of the deploy shapes (k8s
YAML Deployment or StatefulSet with or without a built image, optionally a Service, a ConfigMap
and a migration Job beside it, in one of a few namespaces, or a Helm chart), `after` edges that
never form a cycle (each service only runs after services before it in the draw, declared in a
shuffled order), labels, port forwards in every spelling Tilt reads, `only`/`ignore`/
.dockerignore, live_update steps, and build args whose
values are awkward on purpose: quotes, backslashes, newlines, `${}` and `%s`, non-BMP Unicode,
combining marks, line separators. It also draws the environment Tilt loads with, so
`os.getenv` build args and the extra-hosts override are exercised both set and unset.

Workload names are drawn from a small pool, so the same Deployment name recurs across
namespaces, kinds and services, Helm charts' Deployments included: Tilt then names its resource
`name:kind:namespace`, which the render must predict. Some draws collide on purpose: a service
names another's k8s file, or repeats another's object (Tilt stops at "Duplicate YAML"), or two
workloads differ only by an unset and a `default` namespace (Tilt tells them apart only by
position). devenv must refuse those, and the test has the real Tilt confirm it
(``Monorepo.collisions`` counts them). Two Helm services may share a release name in different
namespaces, one of them none: Tilt then groups the namespace-less Service with the first
matching workload in any namespace, which devenv refuses and Tilt confirms too.

Example counts come from Hypothesis profiles: ``tilt-ci`` (60 examples; used when CI=true or
DEVENV_REQUIRE_ALL=1) and ``tilt-dev`` (15), or ``DEVENV_TILT_EXAMPLES=<n>``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.support.components import strict

_COMMON = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
# CI draws the same examples every run (a red CI is a regression, not a new draw), stated here
# rather than inherited: a profile copies settings.default when registered, so tilt-ci derived
# conftest's "devenv-ci" only because conftest happened to load it before this import.
settings.register_profile("tilt-ci", max_examples=60, derandomize=True, database=None, **_COMMON)
settings.register_profile("tilt-dev", max_examples=15, **_COMMON)


def tilt_settings() -> settings:
    profile = settings.get_profile("tilt-ci" if strict() else "tilt-dev")
    count = os.environ.get("DEVENV_TILT_EXAMPLES")
    return settings(profile, max_examples=int(count)) if count else profile


AWKWARD = [
    "it's",
    'say "hi"',
    "back\\slash",
    "trailing\\",
    "new\nline",
    "tab\there",
    "cr\rlf",
    "${HOME}",
    "$(id)",
    "%s %d %%",
    "'''",
    '"""',
    "');fail('x",
    "\\n literal",
    "ü日本語",
    "🙂 emoji",
    "e\u0301 combining",
    "line\u2028sep",
    "para\u2029sep",
    "nel\x85x",
    "bom\ufeff",
    "#hash",
    "a=b=c",
    "",
    " lead and trail ",
    "\x7f del",
    "esc\x1b[31m",
    "nul-ish \\0",
]
_TEXT_CHARS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
awkward_text = st.one_of(st.sampled_from(AWKWARD), st.text(_TEXT_CHARS, max_size=16), st.lists(st.sampled_from(AWKWARD), min_size=2, max_size=3).map("".join))

# Names Tilt's base environment does not define (PATH, HOME, ...), so os.getenv sees only what we set.
env_names = st.one_of(st.sampled_from(["NPM_REGISTRY", "GOPROXY", "PIP_INDEX_URL", "A", "_X1", "Build_Arg"]), st.from_regex(r"\AG_[A-Z0-9_]{1,8}\Z"))
names = st.one_of(st.sampled_from(["web", "api", "worker", "graph", "Web_App.v2", "a", "x-1", "db"]), st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.-]{0,12}\Z"))
labels = st.one_of(st.sampled_from(["apps", "backend", "Team_A", "x.y-z", "0"]), st.from_regex(r"\A[A-Za-z0-9]([A-Za-z0-9_.-]{0,8}[A-Za-z0-9])?\Z"))
hostnames = st.sampled_from(
    ["host.docker.internal", "npm.packages.dev.example.io", "go.packages.dev.example.io", "pypi.packages.dev.example.io", "a-b.c", "registry"]
)
# A step's marker: the digest then the version it completed with; an older devenv's had the
# digest alone; an empty file reads as no result.
markers = st.one_of(
    st.just(""),
    st.sampled_from(["0" * 64, "ab" * 32]).map(lambda d: d + "\n"),
    st.tuples(st.sampled_from(["0" * 64, "cd" * 32]), st.sampled_from(["9.9.9", "v2.0.0-rc.1", "1.4.0"])).map(lambda p: f"{p[0]}\n{p[1]}\n"),
)
ipv4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
WORKLOAD_NAMES = ["frontend", "backend"]
NAMESPACES = [None, "apps", "tools"]  # with `collide`, also "default" (the same as none to Kubernetes)
DIRS = ["svc", "my app", "ünï", "a.b"]
PUBLIC_IMAGES = ["redis:7", "docker.io/library/postgres:16", "ghcr.io/example/tool@sha256:" + "a" * 64]
LANGUAGES = ["typescript", "go", "python"]


@dataclass
class Monorepo:
    manifest: dict
    files: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    helm_docs: dict[str, list[dict]] = field(default_factory=dict)  # service -> objects its chart renders
    collisions: int = 0  # objects drawn on purpose as duplicates of another's

    @property
    def uses_helm(self) -> bool:
        return bool(self.helm_docs)

    def write(self, root) -> None:
        text = yaml.safe_dump(self.manifest, allow_unicode=True, sort_keys=False, width=1 << 20)
        if yaml.safe_load(text) != self.manifest:  # PyYAML folds U+0085 in single-quoted scalars
            text = yaml.safe_dump(self.manifest, allow_unicode=True, sort_keys=False, width=1 << 20, default_style='"')
        assert yaml.safe_load(text) == self.manifest, "the generator's YAML does not round-trip"
        for relative, content in {"services.yaml": text, **self.files}.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")

    def helm_objects(self, service: str, _spec: dict) -> list[dict]:
        return self.helm_docs[service]


def _dns(name: str) -> str:
    text = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "x"
    # Go's YAML 1.1 parser (Tilt, kubectl) reads a bare y/n/on/off/... as a boolean.
    return f"{text}-0" if text in {"y", "n", "yes", "no", "on", "off", "true", "false"} else text


def _build_arg_value(draw):
    if draw(st.booleans()):
        return draw(awkward_text)
    value = {"env": draw(env_names)}
    if draw(st.booleans()):
        value["default"] = draw(awkward_text)
    return value


def _build_args(draw, max_size=3) -> dict:
    keys = draw(st.lists(env_names, max_size=max_size, unique=True))
    return {k: _build_arg_value(draw) for k in keys}


def _port_forward(draw, local: int):
    shape = draw(st.sampled_from(["int", "local", "local:container", "host:local:container"]))
    container = draw(st.integers(1, 65535))
    if shape == "int":
        return local
    if shape == "local":
        return str(local)
    if shape == "local:container":
        return f"{local}:{container}"
    host = draw(st.one_of(st.sampled_from(["localhost", "0.0.0.0", "my-host.local"]), ipv4))
    return f"{host}:{local}:{container}"


def _workload(kind: str, name: str, namespace: str | None, image: str, app: str) -> dict:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    spec = {
        "selector": {"matchLabels": {"app": app}},
        "template": {"metadata": {"labels": {"app": app}}, "spec": {"containers": [{"name": "main", "image": image}]}},
    }
    if kind == "StatefulSet":
        spec["serviceName"] = name
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec}


def _job(name: str, namespace: str | None, image: str) -> dict:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta,
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "migrate", "image": image, "command": ["migrate"]}]}}},
    }


def _k8s_service(name: str, namespace: str | None, app: str) -> dict:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": {"selector": {"app": app}, "ports": [{"port": 80}]}}


def _config_map(name: str, namespace: str | None, draw) -> dict:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    # Kubernetes YAML is read by Go's YAML parser, which refuses control characters even escaped.
    value = draw(st.sampled_from(["it's", 'say "hi"', "back\\slash", "ü日本語 🙂", "${HOME}", "a: b", "- x"]))
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"value": value}}


CHART_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name | quote }}
spec:
  selector: {matchLabels: {app: {{ .Release.Name }}-chart}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}-chart}}
    spec:
      containers: [{name: main, image: {{ .Values.image | quote }}}]
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name | quote }}
spec:
  selector: {app: {{ .Release.Name }}-chart}
  ports: [{port: 80}]
"""


@st.composite
def monorepos(draw, *, helm: bool = True, max_services: int = 6, collide: bool = False) -> Monorepo:
    """``collide``: also draw the collisions devenv must refuse (duplicate objects, an unset
    and a `default` namespace)."""
    namespaces = [*NAMESPACES, "default"] if collide else NAMESPACES
    repo = Monorepo(manifest={"version": 1, "project": "gen"})
    m = repo.manifest

    # -- build: extra hosts and shared build args ---------------------------------------------
    build: dict = {}
    if draw(st.booleans()):
        hosts: dict = {"hosts": draw(st.lists(hostnames, max_size=4, unique=True))}
        if draw(st.booleans()):
            hosts["target"] = draw(st.one_of(st.just("host-gateway"), ipv4))
        if draw(st.booleans()):
            hosts["fallback"] = draw(ipv4)
        if draw(st.booleans()):
            hosts["override_env"] = draw(env_names)
        build["extra_hosts"] = hosts
        override = hosts.get("override_env", "DEVENV_HOST_IP")
        choice = draw(st.sampled_from(["unset", "fallback", "ip"]))
        if choice != "unset":
            repo.env[override] = "fallback" if choice == "fallback" else draw(ipv4)
    args = _build_args(draw)
    if args:
        build["build_args"] = args
    if build:
        m["build"] = build

    # -- registries and SDKs ------------------------------------------------------------------
    registries = draw(st.lists(st.sampled_from(["npm", "go", "pypi", "images"]), max_size=3, unique=True))
    if registries:
        m["registries"] = {
            r: {"kind": {"npm": "npm", "go": "goproxy", "pypi": "pypi", "images": "oci"}[r], "url": f"http://{r}.packages.dev.example.io"} for r in registries
        }
    # With a proto workspace, each SDK's first step is guarded (and stamped when `generated:`).
    has_proto = draw(st.booleans())
    if has_proto:
        m["proto"] = {"path": "proto/core", "names": ["@gen/core-proto"]}
        repo.files["proto/core/core.proto"] = 'syntax = "proto3";\n'
    sdk_names = draw(st.lists(names, max_size=3, unique_by=str.lower))
    sdks: dict = {}
    for sdk_name in sdk_names:
        language = draw(st.sampled_from(LANGUAGES))
        sdk: dict = {"language": language, "path": f"packages/{sdk_name}", "package": f"@gen/{sdk_name.lower()}"}
        if registries and draw(st.booleans()):
            sdk["registry"] = draw(st.sampled_from(registries))
        if draw(st.booleans()):
            sdk["version"] = draw(st.sampled_from(["1.4.0", "0.0.1-rc.1+build.5", "2024.1"]))
        steps = draw(st.lists(st.sampled_from(["build", "publish", "smoke", "gen.v2", "test_1"]), max_size=3, unique=True))
        if steps:
            sdk["steps"] = {}
            for step in steps:
                spec: dict = {"cmd": draw(st.one_of(st.just(f"make {step}"), awkward_text.filter(bool)))}
                if draw(st.booleans()):
                    spec["deps"] = [sdk["path"]]
                if draw(st.booleans()):
                    spec["env"] = {draw(env_names): draw(awkward_text)}
                sdk["steps"][step] = spec
        if draw(st.integers(0, 3)) == 0:
            sdk["parallel"] = False
        if draw(st.booleans()):
            sdk["labels"] = draw(st.lists(labels, min_size=1, max_size=2, unique=True))
        if draw(st.integers(0, 3)) == 0:
            # an SDK's build arg may not be another SDK's or a shared one (devenv refuses the clash)
            taken = set((m.get("build") or {}).get("build_args") or {}) | {s.get("build_arg") for s in sdks.values()}
            sdk["build_arg"] = draw(env_names.filter(lambda n: n not in taken))  # noqa: B023 - drawn at once
        if has_proto and draw(st.booleans()):
            sdk["generated"] = f"{sdk['path']}/generated"
        sdks[sdk_name] = sdk
        # Chain results on disk from an earlier session (`devenv sdk mark`), for any step: a
        # chain's consumers take the version and digest from its last step's marker only.
        for step in [*sdk.get("steps", {}), "smoke"]:
            if draw(st.integers(0, 2)) == 0:
                repo.files[f".devenv/sdk/{sdk_name}/{step}.sha256"] = draw(markers)
    if sdks:
        m["sdks"] = sdks

    # -- services -----------------------------------------------------------------------------
    service_names = draw(st.lists(names, min_size=1, max_size=max_services, unique=True))
    used_ports: set[int] = set()
    used_objects: set[tuple[str, str, str | None]] = set()
    # Tilt names a resource after its workload, then renames it to the service in call order.
    # Manifests Tilt cannot load that way are refused by devenv (tests/integration/
    # test_tilt_fixtures.py), so here: no workload takes another service's name. Every drawn
    # workload has a container image (built or public), so Tilt qualifies any name that recurs
    # (`qualified`); ``plain_names`` is for a name that must stay unique.
    plain_names: set[str] = set()

    def workload_name(candidate: str, index: int, name: str, qualified: bool) -> str:
        def conflicts(c: str) -> bool:
            taken = plain_names if qualified else plain_names | {w for (_, w, _) in used_objects}
            return c in taken or c in set(service_names) - {name}

        base, suffix = candidate[:40], 0
        while conflicts(candidate):
            suffix += 1
            candidate = f"{base}-w{index}-{suffix}"
        if not qualified:
            plain_names.add(candidate)
        return candidate

    services: dict = {}
    for index, name in enumerate(service_names):
        svc: dict = {}
        languages = {s["language"] for s in sdks.values()}
        how = draw(st.sampled_from(["language", "sdks", "none"]))
        if how == "language" and languages:
            svc["language"] = draw(st.sampled_from(sorted(languages)))
        elif how == "sdks" or not languages:
            svc["sdks"] = draw(st.lists(st.sampled_from(sdk_names), unique=True)) if sdk_names else []
        else:
            svc["sdks"] = []
        slug = f"{index}-{_dns(name)}"
        builds = draw(st.booleans())
        if builds:
            folder = f"services/{draw(st.sampled_from(DIRS))}-{index}"
            svc["context"] = folder
            svc["image"] = draw(st.sampled_from([f"gen/{slug}", f"localhost:5000/gen/{slug}"]))
            if draw(st.booleans()):
                svc["dockerfile"] = f"{folder}/build/Dockerfile.dev"
            repo.files[svc.get("dockerfile", f"{folder}/Dockerfile")] = f"FROM scratch\n# {name}\n"
            if draw(st.integers(0, 3)) == 0:
                svc["target"] = draw(st.sampled_from(["dev", "build-stage"]))
            if draw(st.integers(0, 3)) == 0:
                svc["only"] = draw(st.lists(st.sampled_from(["src", "package.json", "go.mod", "ü dir/x"]), min_size=1, max_size=3, unique=True))
            if draw(st.integers(0, 3)) == 0:
                svc["ignore"] = draw(st.lists(st.sampled_from(["*.md", "tmp/", "**/__pycache__", "!keep.md", "a b"]), min_size=1, max_size=3, unique=True))
            if draw(st.integers(0, 4)) == 0:
                repo.files[f"{folder}/.dockerignore"] = "# comment\nnode_modules\n\n*.log\n"
            if draw(st.integers(0, 3)) == 0:
                svc["live_update"] = [{"sync": {"from": f"{folder}/src", "to": "/app/src"}}]
                if draw(st.booleans()):
                    svc["live_update"].insert(0, {"fall_back_on": [f"{folder}/package.json"]})
                if draw(st.booleans()):
                    svc["live_update"].append({"run": {"cmd": draw(awkward_text.filter(bool)), "trigger": [f"{folder}/package.json"]}})
            args = _build_args(draw, max_size=2)
            if args:
                svc["build_args"] = args

        if helm and draw(st.integers(0, 5)) == 0:
            release = _dns(name)[:40] if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name) else None
            namespace = draw(st.sampled_from(namespaces))
            chart = f"charts/{slug}"
            svc["helm"] = {"chart": chart}
            if release:
                svc["helm"]["release"] = release
            if namespace:
                svc["helm"]["namespace"] = namespace
            image = svc.get("image") or PUBLIC_IMAGES[0]
            svc["helm"]["set"] = {"image": image}
            repo.files[f"{chart}/Chart.yaml"] = f"apiVersion: v2\nname: c{index}\nversion: 0.1.0\n"
            repo.files[f"{chart}/values.yaml"] = "image: none\n"
            repo.files[f"{chart}/templates/all.yaml"] = CHART_TEMPLATE
            # A chart's Deployment has an image (built or public), so Tilt names it like any
            # other workload: it may share a name from the pool with plain ones.
            rel = workload_name(draw(st.sampled_from([*WORKLOAD_NAMES, "cache", release or name])), index, name, qualified=True)
            if ("Deployment", rel, namespace) in used_objects or ("Service", rel, namespace) in used_objects:
                rel = workload_name(f"{rel[:40]}-h{index}", index, name, qualified=True)
            if rel != (release or name):
                svc["helm"]["release"] = rel
            used_objects.update({("Deployment", rel, namespace), ("Service", rel, namespace)})
            repo.helm_docs[name] = [
                {
                    "kind": "Deployment",
                    "metadata": {"name": rel, **({"namespace": namespace} if namespace else {})},
                    "spec": {"template": {"metadata": {"labels": {"app": f"{rel}-chart"}}}},
                },
                {
                    "kind": "Service",
                    "metadata": {"name": rel, **({"namespace": namespace} if namespace else {})},
                    "spec": {"selector": {"app": f"{rel}-chart"}},
                },
            ]
        else:
            namespace = draw(st.sampled_from(namespaces))
            kind = draw(st.sampled_from(["Deployment", "Deployment", "StatefulSet"]))
            # Workloads (of built and public images alike) share a few names, so Tilt must qualify them.
            workload = workload_name(draw(st.sampled_from([*WORKLOAD_NAMES, "cache", _dns(name)])), index, name, qualified=True)
            if (kind, workload, namespace) in used_objects:
                workload = f"{workload}-{index}"
            used_objects.add((kind, workload, namespace))
            app = f"app-{slug}"
            image = svc.get("image") or draw(st.sampled_from(PUBLIC_IMAGES))
            docs = [_workload(kind, workload, namespace, image, app)]
            if draw(st.booleans()) and ("Service", workload, namespace) not in used_objects:
                used_objects.add(("Service", workload, namespace))
                docs.append(_k8s_service(workload, namespace, app))
            if draw(st.integers(0, 3)) == 0:
                docs.append(_config_map(f"{workload}-config-{index}", namespace, draw))
            if ("image" in svc or workload == name) and draw(st.integers(0, 4)) == 0:
                # A second workload in the service's files: a migration Job. The render picks the
                # service's workload by the image it builds, else by name (else it asks for
                # `workload:`), so the Job only takes the service's image beside a namesake.
                job = workload_name(f"{workload[:40]}-migrate", index, name, qualified=True)
                used_objects.add(("Job", job, namespace))
                own = "image" in svc and workload == name and draw(st.booleans())
                docs.append(_job(job, namespace, svc["image"] if own else "busybox:1.36"))
            draw(st.randoms()).shuffle(docs)
            path = f"infra/{slug}.yaml"
            svc["k8s"] = [path]
            earlier_files = [f for s in services.values() for f in s.get("k8s", [])]
            if collide and earlier_files and draw(st.integers(0, 9)) == 0:
                repo.collisions += 1  # Duplicate YAML: another service's file again, or one of its objects
                other = draw(st.sampled_from(earlier_files))
                if draw(st.booleans()):
                    svc["k8s"].append(other)
                else:
                    docs.append(next(iter(yaml.safe_load_all(repo.files[other]))))
            repo.files[path] = yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False)

        earlier = service_names[:index]
        if earlier and draw(st.booleans()):
            svc["after"] = draw(st.lists(st.sampled_from(earlier), min_size=1, max_size=2, unique=True))
        forwards = []
        for _ in range(draw(st.integers(0, 2))):
            local = draw(st.integers(1, 65535).filter(lambda p: p not in used_ports))
            used_ports.add(local)
            forwards.append(_port_forward(draw, local))
        if forwards:
            svc["port_forwards"] = forwards
        if draw(st.booleans()):
            svc["labels"] = draw(st.lists(labels, min_size=1, max_size=2, unique=True))
        services[name] = svc

    # Declare services in a shuffled order: `after` may point forward in the file, never in a cycle.
    order = draw(st.permutations(list(services)))
    m["services"] = {n: services[n] for n in order}

    # -- buttons of the team's own: awkward texts and commands, on a service or the top bar -------
    buttons = {}
    for _ in range(draw(st.integers(0, 2))):
        button: dict = {"text": draw(awkward_text.filter(bool)), "cmd": draw(awkward_text.filter(bool))}
        if draw(st.booleans()):
            button["resource"] = draw(st.sampled_from(service_names))
        if draw(st.booleans()):
            button["confirm"] = draw(st.booleans())
        buttons[draw(names.filter(lambda n: n not in buttons))] = button
    if buttons:
        m["buttons"] = buttons
    return repo
