"""What Tilt must report for a manifest, derived from the manifest alone.

Deliberately independent of devenv: this reads `services.yaml` and the files it names with
PyYAML and applies the contract's rules directly (docs/tiltfile.md, listed below), so a bug in
devenv.graph or devenv.render cannot hide by being computed the same way twice.

The rules, in brief:
- `packages:health` exists when registries do; it runs `devenv doctor --only registries`.
- a published SDK (registry, or `source: buf`, and version) whose steps include no `smoke` gets one that runs
  `devenv sdk verify <sdk> -f services.yaml` (unless `verify: {smoke: false}`).
- every SDK step is a local resource `packages:<sdk>-sdk-<step>` running `sh -c <cmd>` in the
  manifest's folder; a chain's first step waits for the health gate, each next one for the
  step before; `allow_parallel` unless the SDK says `parallel: false`. With a proto workspace,
  a chain's first step is gated by `devenv sdk guard`, every step ends by marking its result
  (`devenv sdk mark`, see StepCmd), and each step after the first watches the result file of
  the step before (`.devenv/sdk/<sdk>/<step>.sha256`, docs/tiltfile-sdk-rebuilds.md).
- a service waits for the last step of every SDK it consumes (its `sdks`, else those of its
  language; an SDK without steps is ready once the health gate is) and for its `after`; it
  builds its image with every registry host mapped to the build host and build args
  = manifest-wide ones, then each consumed SDK's version and result digest (`<SDK>_SDK_DIGEST`),
  then its own (later ones win). For an SDK with steps both come from its last step's result
  file (`devenv sdk mark`: the digest, then the version the chain completed with): the digest
  empty before any run, the version the manifest's until a run recorded one. An SDK without
  steps passes the manifest's version;
  from its context, keeping out what .dockerignore, `ignore` and `only` say (and `.devenv`
  when the context holds it).
- its resource holds its workload and the Services selecting it; other objects (ConfigMaps, …)
  go to Tilt's `uncategorized` resource.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tests.integration.tiltjson import UNCATEGORIZED, Image, K8sObject, PortForward


@dataclass
class Expected:
    name: str
    kind: str  # local | k8s
    resource_deps: list[str]
    labels: list[str]
    images: list[Image] = field(default_factory=list)
    cmd: list[str] | None = None
    dir: str | None = None  # None for a local resource: not compared
    env: dict[str, str] | None = field(default_factory=dict)  # None: not compared
    deps: list[str] = field(default_factory=list)
    allow_parallel: bool | None = None
    objects: list[K8sObject] | None = field(default_factory=list)  # None: not compared
    port_forwards: list[PortForward] = field(default_factory=list)


def _abs(root: Path, relative: str) -> str:
    return os.path.normpath(os.path.join(root, relative))


# Go's unicode.IsSpace: Tilt runs a string command as `sh -c strings.TrimSpace(cmd)`.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def shell(cmd: str) -> list[str]:
    return ["sh", "-c", cmd.strip(_GO_SPACE)]


_PLAIN_WORDS = re.compile(r"[A-Za-z0-9_./:=,+@%-]+(?: [A-Za-z0-9_./:=,+@%-]+)*")


class StepCmd:
    """SPEC "SDK integrity": an SDK's first step (with a proto workspace) fails fast without the
    proto workspace and records its freshness: ``devenv sdk guard <sdk> -f services.yaml && <cmd>``
    then, for an SDK with ``generated:``, ``&& devenv sdk stamp <sdk> -f services.yaml``. Every
    step then marks its result: ``&& devenv sdk mark <sdk> <step> -f services.yaml``. The step's
    own cmd is there verbatim, bare or as a subshell ``(\n<cmd>\n)`` (tests/sdk/test_steps.py)."""

    def __init__(self, sdk: str, step: str, cmd: str, guard: bool, stamp: bool):
        self.sdk, self.step, self.cmd, self.guard, self.stamp = sdk, step, cmd, guard, stamp

    def __eq__(self, actual) -> bool:
        head = f"devenv sdk guard {self.sdk} -f services.yaml && " if self.guard else ""
        tail = f" && devenv sdk stamp {self.sdk} -f services.yaml" if self.stamp else ""
        tail += f" && devenv sdk mark {self.sdk} {self.step} -f services.yaml"
        # Bare only when it is a plain word list: with `;`, `||`, `#`, a newline … in it the
        # step could run after a failed guard, or comment the stamp or the mark out.
        bodies = [f"(\n{self.cmd}\n)"] + ([self.cmd] if _PLAIN_WORDS.fullmatch(self.cmd) else [])
        return isinstance(actual, str) and actual in {(head + body + tail).strip(_GO_SPACE) for body in bodies}

    def __repr__(self) -> str:
        return f"StepCmd({self.sdk!r}, {self.step!r}, {self.cmd!r}, guard={self.guard}, stamp={self.stamp})"


def _env_value(value, env: dict[str, str]) -> str:
    if isinstance(value, dict):
        return env.get(value["env"], value.get("default", ""))
    return str(value)


def _port_forward(spec) -> PortForward:
    if isinstance(spec, int):
        return PortForward("localhost", spec, 0)
    parts = str(spec).split(":")
    if len(parts) == 3:
        return PortForward(parts[0], int(parts[1]), int(parts[2]))
    if len(parts) == 2:
        return PortForward("localhost", int(parts[0]), int(parts[1]))
    return PortForward("localhost", int(parts[0]), 0)


def _labels_match(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def _pod_labels(doc: dict) -> dict | None:
    spec = doc.get("spec") or {}
    if doc.get("kind") == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    template = spec.get("template")
    if isinstance(template, dict):
        return (template.get("metadata") or {}).get("labels") or {}
    return None


def split_objects(docs: list[dict], namespace: str = "") -> tuple[list[K8sObject], list[K8sObject]]:
    """(objects Tilt groups with the workload, objects left `uncategorized`).

    One workload per service: it takes every Service whose selector matches its pod labels in
    its namespace; anything else (ConfigMaps, …) is left to Tilt's `uncategorized` resource.
    """

    def obj(doc: dict) -> K8sObject:
        meta = doc.get("metadata") or {}
        return K8sObject(doc["kind"], meta["name"], meta.get("namespace") or namespace)

    workloads = [d for d in docs if _pod_labels(d) is not None]
    claimed, rest = [obj(d) for d in workloads], []
    for doc in docs:
        if doc in workloads:
            continue
        ns = (doc.get("metadata") or {}).get("namespace") or namespace
        matches = doc.get("kind") == "Service" and any(
            _labels_match((doc.get("spec") or {}).get("selector") or {}, _pod_labels(w)) and ((w.get("metadata") or {}).get("namespace") or namespace) == ns
            for w in workloads
        )
        (claimed if matches else rest).append(obj(doc))
    return sorted(claimed), sorted(rest)


class _KubeYaml(yaml.SafeLoader):
    """Kubernetes reads its string fields as written (sigs.k8s.io/yaml keeps the text of a scalar
    bound for a string): `name: on` names "on". Here every plain scalar but null stays text."""


_KubeYaml.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in found if tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:merge")]
    for first, found in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _kube_docs(text: str) -> list[dict]:
    return [d for d in yaml.load_all(text, Loader=_KubeYaml) if isinstance(d, dict)]


def _yaml_docs(path: Path) -> list[dict]:
    return _kube_docs(path.read_text(encoding="utf-8"))


def helm_template(helm: str, root: Path):
    """A ``helm_objects`` callback that asks the real `helm template` what a service's chart renders,
    with the manifest's release, namespace, values files and `--set`s."""
    import subprocess

    def objects(service: str, spec: dict) -> list[dict]:
        cmd = [helm, "template", spec.get("release") or service, str(root / spec["chart"])]
        if spec.get("namespace"):
            cmd += ["--namespace", spec["namespace"]]
        for values in spec.get("values") or []:
            cmd += ["--values", str(root / values)]
        for key, value in (spec.get("set") or {}).items():
            cmd += ["--set", f"{key}={value}"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        return _kube_docs(out)

    return objects


def _recorded(result_file: str | None) -> tuple[str, str] | None:
    """(digest, version) in a chain's last result file: its first two lines, "" when absent."""
    if result_file is None or not os.path.isfile(result_file):
        return None
    lines = [line.strip() for line in Path(result_file).read_text(encoding="utf-8").strip().split("\n")]
    return lines[0], lines[1] if len(lines) > 1 else ""


def expected_resources(root: Path, env: dict[str, str] | None = None, helm_objects=None) -> dict[str, Expected]:
    """Every resource Tilt must report for ``root/services.yaml``, by name.

    ``env`` is the environment Tilt loads the Tiltfile in (what `os.getenv` sees).
    ``helm_objects(service_name, helm_spec)`` returns the documents the chart renders (the test
    that writes the chart knows them); without it, Helm services expect no particular objects.
    """
    env = env or {}
    m = yaml.safe_load((root / "services.yaml").read_text(encoding="utf-8"))
    registries = m.get("registries") or {}
    sdks = m.get("sdks") or {}
    services = m.get("services") or {}
    build = m.get("build") or {}
    out: dict[str, Expected] = {}

    health = "packages:health" if registries else None
    if health:
        # Where and with which environment it runs is the render's business: the command must
        # name the manifest (checked in judge._health_cmd).
        out[health] = Expected(health, "local", [], ["packages"], allow_parallel=True, env=None)

    ready: dict[str, str | None] = {}
    results: dict[str, tuple[str, str] | None] = {}  # SDK with steps -> (digest, version) its last step recorded
    for sdk_name, sdk in sdks.items():
        previous = health
        result_file = None
        for index, (step_name, step) in enumerate((sdk.get("steps") or {}).items()):
            name = f"packages:{sdk_name}-sdk-{step_name}"
            guard = bool(m.get("proto")) and index == 0
            cmd = ["sh", "-c", StepCmd(sdk_name, step_name, step["cmd"], guard, guard and bool(sdk.get("generated")))]
            deps = [_abs(root, d) for d in step.get("deps") or []]
            if result_file:
                deps.append(result_file)
            out[name] = Expected(
                name,
                "local",
                [previous] if previous else [],
                sorted(sdk.get("labels", ["packages"])),
                cmd=cmd,
                dir=str(root),
                env={k: str(v) for k, v in (step.get("env") or {}).items()},
                deps=deps,
                allow_parallel=sdk.get("parallel", True),
            )
            previous = name
            result_file = _abs(root, f".devenv/sdk/{sdk_name}/{step_name}.sha256")
        steps = sdk.get("steps") or {}
        published = sdk.get("registry") or sdk.get("source") == "buf"  # a Buf SDK: its BSR endpoint
        if steps and published and sdk.get("version") and "smoke" not in steps and (sdk.get("verify") or {}).get("smoke", True):
            # issue 21: a published SDK's chain without a smoke step ends with `devenv sdk verify`,
            # marked and watching the step before like every other step (issue 18)
            name = f"packages:{sdk_name}-sdk-smoke"
            verify = f"devenv sdk verify {sdk_name} -f services.yaml"
            out[name] = Expected(
                name,
                "local",
                [previous],
                sorted(sdk.get("labels", ["packages"])),
                cmd=["sh", "-c", StepCmd(sdk_name, "smoke", verify, False, False)],
                dir=str(root),
                env={},
                deps=[result_file],
                allow_parallel=sdk.get("parallel", True),
            )
            previous = name
            result_file = _abs(root, f".devenv/sdk/{sdk_name}/smoke.sha256")
        ready[sdk_name] = previous
        results[sdk_name] = _recorded(result_file)

    hosts = build.get("extra_hosts") or {}
    override = env.get(hosts.get("override_env", "DEVENV_HOST_IP"), "")
    if override == "fallback":
        address = hosts.get("fallback", "172.17.0.1")
    else:
        address = override or hosts.get("target", "host-gateway")
    extra_hosts = tuple(f"{h}:{address}" for h in hosts.get("hosts") or [])
    shared_args = {k: _env_value(v, env) for k, v in (build.get("build_args") or {}).items()}

    unclaimed: list[K8sObject] = []
    for name, svc in services.items():
        consumed = svc["sdks"] if svc.get("sdks") is not None else [s for s, sdk in sdks.items() if svc.get("language") and sdk["language"] == svc["language"]]
        deps: list[str] = []
        for sdk_name in consumed:
            if ready.get(sdk_name) and ready[sdk_name] not in deps:
                deps.append(ready[sdk_name])
        deps += [a for a in svc.get("after") or [] if a not in deps]

        images = []
        if svc.get("image"):
            args = dict(shared_args)
            for sdk_name in consumed:
                sdk = sdks[sdk_name]
                if sdk.get("version"):
                    arg = sdk.get("build_arg") or re.sub(r"[^A-Za-z0-9]", "_", sdk_name).upper() + "_SDK_VERSION"
                    recorded = results.get(sdk_name)
                    args[arg] = recorded[1] if recorded and recorded[1] else str(sdk["version"])
            for sdk_name in consumed:
                if sdks[sdk_name].get("steps"):
                    recorded = results.get(sdk_name)
                    args[re.sub(r"[^A-Za-z0-9]", "_", sdk_name).upper() + "_SDK_DIGEST"] = recorded[0] if recorded else ""
            args.update({k: _env_value(v, env) for k, v in (svc.get("build_args") or {}).items()})
            context = svc.get("context", ".")
            dockerfile = svc.get("dockerfile") or f"{context}/Dockerfile"
            syncs, runs, stops = [], [], []
            for step in svc.get("live_update") or []:
                if "sync" in step:
                    syncs.append((_abs(root, step["sync"]["from"]), step["sync"]["to"]))
                elif "run" in step:
                    runs.append((tuple(shell(step["run"]["cmd"])), tuple(_abs(root, t) for t in step["run"].get("trigger") or [])))
                else:
                    stops.extend(_abs(root, f) for f in step["fall_back_on"])
            ignores = []
            dockerignore = root / context / ".dockerignore"
            if dockerignore.is_file():
                patterns = [line.strip() for line in dockerignore.read_text(encoding="utf-8").splitlines()]
                ignores.append((_abs(root, context), tuple(p for p in patterns if p and not p.startswith("#"))))
            ignore = list(svc.get("ignore") or [])
            if (root / context).resolve() == root.resolve():
                ignore.append(".devenv")  # the SDK result files are not this image's sources
            if ignore:
                ignores.append((_abs(root, context), tuple(ignore)))
            if svc.get("only"):
                ignores.append((_abs(root, context), ("**", *(f"!{p}" for p in svc["only"]))))
            images.append(
                Image(
                    ref=svc["image"],
                    context=_abs(root, context),
                    dockerfile_contents=(root / dockerfile).read_text(encoding="utf-8"),
                    target=svc.get("target") or "",
                    build_args=args,
                    extra_hosts=extra_hosts,
                    syncs=tuple(syncs),
                    runs=tuple(runs),
                    stop_paths=tuple(stops),
                    context_ignores=tuple(sorted(ignores)),
                )
            )

        if svc.get("helm"):
            docs = helm_objects(name, svc["helm"]) if helm_objects else None
            namespace = svc["helm"].get("namespace") or ""
        else:
            docs = [d for f in svc.get("k8s") or [] for d in _yaml_docs(root / f)]
            namespace = ""
        claimed, rest = split_objects(docs, namespace) if docs is not None else (None, [])
        unclaimed += rest
        out[name] = Expected(
            name,
            "k8s",
            deps,
            sorted(svc.get("labels") or ["services"]),
            images=images,
            objects=claimed,
            port_forwards=[_port_forward(p) for p in svc.get("port_forwards") or []],
        )
    if unclaimed:
        out[UNCATEGORIZED] = Expected(UNCATEGORIZED, "k8s", [], [], objects=sorted(unclaimed))
    return out
