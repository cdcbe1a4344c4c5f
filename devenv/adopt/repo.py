"""The repository facts `devenv init` reads: proto workspace, SDK evidence, release scripts,
Kubernetes workloads and charts, registry URLs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from devenv.adopt.discovery import holds_generated_code, language_of, uses_proto_runtime

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"}
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d+)?")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _files(folder: Path):
    try:
        return sorted(p for p in folder.iterdir() if p.is_file())
    except OSError:
        return []


def find_proto(folders: list[Path]) -> Path | None:
    with_buf = [f for f in folders if (f / "buf.yaml").is_file() or (f / "buf.work.yaml").is_file()]
    if with_buf:
        return min(with_buf, key=lambda f: len(f.parts))
    with_proto = [f for f in folders if any(p.suffix == ".proto" for p in _files(f))]
    if not with_proto:
        return None
    common = Path(*[parts[0] for parts in zip(*(f.parts for f in with_proto)) if len(set(parts)) == 1])
    return common


def sdk_reason(folder: Path, proto: Path | None) -> str | None:
    if uses_proto_runtime(folder):
        return "depends on a protobuf runtime"
    if holds_generated_code(folder):
        return "holds generated code"
    if proto is not None:
        for script in list(folder.rglob("*.sh"))[:50] + [folder / "package.json", folder / "Makefile"]:
            if proto.name in _read(script):
                return f"{script.name} names the proto workspace"
    return None


def package_version(folder: Path, language: str) -> str | None:
    if language == "typescript":
        try:
            return json.loads(_read(folder / "package.json")).get("version")
        except ValueError:
            return None
    if language == "python":
        match = re.search(r'^version\s*=\s*"([^"]+)"', _read(folder / "pyproject.toml"), re.M)
        return match.group(1) if match else None
    for path in sorted(folder.rglob("*.go"))[:50]:
        match = re.search(r'\bVersion\s*=\s*"(v\d+\.\d+\.\d+[^"]*)"', _read(path))
        if match:
            return match.group(1)
    return None


def release_steps(d, folder: Path, proto: Path | None) -> dict:
    """A script named after the package (`tilt_<folder>.sh`, `release-<folder>.sh`) whose usage
    line lists its steps (`build|publish|smoke`): one step per word, in that order."""
    for script in sorted(d.root.rglob(f"*{folder.name}*.sh")):
        if folder in script.parents:
            continue
        match = re.search(r"\b(\w+(?:\|\w+)+)\b", _read(script))
        if not match:
            continue
        steps = {}
        for index, step in enumerate(match.group(1).split("|")):
            entry: dict = {"cmd": f"{d.rel(script)} {step}"}
            if index == 0:
                entry["deps"] = ([d.rel(proto)] if proto else []) + [d.rel(folder)]
            steps[step] = entry
        return steps
    return {}


def workflow_folders(folders: list[Path], proto: Path) -> list[Path]:
    """CI workflow folders that name the proto workspace (they may reference it)."""
    return [f for f in folders if f.name == "workflows" and f.parent.name == ".github" and any(proto.name in _read(p) for p in _files(f))]


def _docs(path: Path) -> list[dict]:
    try:
        return [d for d in yaml.load_all(_read(path), Loader=_LOADER) if isinstance(d, dict)]
    except yaml.YAMLError:
        return []


def _map(value) -> dict:
    """A part of a hand-written k8s file taken as a mapping: anything else (a string, a list,
    null where a mapping belongs) holds nothing, as it declares nothing to Tilt."""
    return value if isinstance(value, dict) else {}


def _maps(value) -> list[dict]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _containers(doc: dict) -> list[dict]:
    spec = _map(doc.get("spec"))
    if doc.get("kind") == "CronJob":
        spec = _map(_map(spec.get("jobTemplate")).get("spec"))
    pod = spec if doc.get("kind") == "Pod" else _map(_map(spec.get("template")).get("spec"))
    return _maps(pod.get("containers"))


def _images(doc: dict) -> list[str]:
    return [c["image"] for c in _containers(doc) if isinstance(c.get("image"), str)]


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _workloads(folders: list[Path]) -> list[tuple[Path, dict]]:
    out = []
    for folder in folders:
        if any((p / "Chart.yaml").is_file() for p in [folder, *folder.parents]):
            continue
        for path in _files(folder):
            if path.suffix in (".yaml", ".yml") and ".github" not in path.parts:
                out += [(path, doc) for doc in _docs(path) if doc.get("kind") in _WORKLOADS]
    return out


def find_services(d, folders: list[Path]) -> dict:
    workloads = _workloads(folders)
    charts = [f for f in folders if (f / "Chart.yaml").is_file()]
    services: dict = {}
    for folder in folders:
        if not (folder / "Dockerfile").is_file() or folder == d.root:
            continue
        name = re.sub(r"[^A-Za-z0-9_.-]", "-", folder.name)
        svc: dict = {}
        language = language_of(folder)
        if language:
            svc["language"] = language
        svc["context"] = d.rel(folder)
        matched = [(p, doc) for p, doc in workloads for image in _images(doc) if _key(image.rsplit("/", 1)[-1].split(":")[0]) == _key(folder.name)]
        chart = next((c for c in charts if _key(c.name) == _key(folder.name)), None)
        _live_update(d, name, svc, folder)
        if matched:
            path, doc = matched[0]
            svc["image"] = next(i for i in _images(doc) if _key(i.rsplit("/", 1)[-1].split(":")[0]) == _key(folder.name)).split(":")[0]
            svc["k8s"] = list(dict.fromkeys(d.rel(p) for p, _ in matched))
            _from_workload(d, name, svc, doc, services_keys={_key(f.name) for f in folders if (f / "Dockerfile").is_file()})
        elif chart is not None:
            _from_chart(d, name, svc, chart, folders)
        else:
            continue
        services[name] = svc
    _resolve_after(services)
    _unique_ports(services)
    return services


def _unique_ports(services: dict) -> None:
    """Two services cannot forward one local port: later ones move to the next free one."""
    taken: set[int] = set()
    for svc in services.values():
        forwards = []
        for forward in svc.get("port_forwards", []):
            container = int(forward)
            local = container
            while local in taken:
                local += 1
            taken.add(local)
            forwards.append(str(local) if local == container else f"{local}:{container}")
        if forwards:
            svc["port_forwards"] = forwards


_RELOADS = re.compile(r"--watch|--reload|nodemon|air\b|watchexec|reflex")


def _live_update(d, name: str, svc: dict, folder: Path) -> None:
    """A process that reloads on file changes (`node --watch`, `uvicorn --reload`, nodemon) gets
    a sync of every source folder its Dockerfile copies into the working directory."""
    text = _read(folder / "Dockerfile")
    if not _RELOADS.search("\n".join(line for line in text.splitlines() if line.lstrip().upper().startswith(("CMD", "ENTRYPOINT")))):
        return
    workdir = "/"
    syncs = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].upper() == "WORKDIR":
            workdir = parts[1]
        elif len(parts) == 3 and parts[0].upper() == "COPY" and (folder / parts[1]).is_dir():
            dest = parts[2] if parts[2].startswith("/") else f"{workdir.rstrip('/')}/{parts[2].removeprefix('./')}"
            syncs.append({"sync": {"from": d.rel(folder / parts[1]), "to": dest.rstrip("/")}})
    if syncs:
        svc["live_update"] = syncs
        d.guess(("services", name, "live_update"), "the source folders the Dockerfile copies; its command reloads on change")


def registry_build_args(d, folders: list[Path]) -> dict:
    """Dockerfile `ARG <X>_REGISTRY=<url>`: passed from the environment, so a developer can point
    builds at a mirror without editing a file (the default stays the Dockerfile's)."""
    args: dict = {}
    for folder in folders:
        for line in _read(folder / "Dockerfile").splitlines():
            match = re.match(r"\s*ARG\s+([A-Z][A-Z0-9_]*_REGISTRY)=(\S+)", line)
            if match:
                args.setdefault(match.group(1), {"env": match.group(1), "default": match.group(2)})
    if args:
        d.guess(("build", "build_args"), "registry ARGs of the Dockerfiles, overridable from the environment")
    return args


def _from_workload(d, name: str, svc: dict, doc: dict, services_keys: set[str]) -> None:
    meta = _map(doc.get("metadata"))
    containers = _containers(doc)
    ports = [p["containerPort"] for c in containers for p in _maps(c.get("ports")) if isinstance(p.get("containerPort"), int)]
    if ports:
        svc["port_forwards"] = [str(ports[0])]
        d.guess(("services", name, "port_forwards"), "the first container port, forwarded to the same local port")
    hosts = [re.match(r"https?://([A-Za-z0-9-]+)", str(e.get("value", ""))) for c in containers for e in _maps(c.get("env"))]
    after = [m.group(1) for m in hosts if m and _key(m.group(1)) in services_keys]
    if after:
        svc["after"] = after
        d.guess(("services", name, "after"), "services this one calls by URL in its env")
    label = _map(meta.get("labels")).get("app.kubernetes.io/component")
    label = label if isinstance(label, str) else None
    svc["labels"] = [label] if label else ["services"]
    d.guess(("services", name, "labels"), "its app.kubernetes.io/component label" if label else "no component label: Tilt's default group")
    svc["_namespace"] = meta.get("namespace") if isinstance(meta.get("namespace"), str) else None


def _from_chart(d, name: str, svc: dict, chart: Path, folders: list[Path]) -> None:
    values = (_docs(chart / "values.yaml") or [{}])[0]
    image = (values.get("image") or {}).get("repository") if isinstance(values.get("image"), dict) else None
    if image:
        svc["image"] = image
    helm: dict = {"chart": d.rel(chart)}
    overrides = [
        p for f in folders if f != chart and chart not in f.parents for p in _files(f) if p.suffix in (".yaml", ".yml") and p.name.startswith(chart.name + ".")
    ]
    if overrides:
        helm["values"] = [d.rel(p) for p in overrides]
        d.guess(("services", name, "helm", "values"), f"YAML files named {chart.name}.*")
    svc["helm"] = helm
    svc["labels"] = ["services"]
    d.guess(("services", name, "labels"), "a chart service: Tilt's default group")
    port = ((values.get("service") or {}).get("port")) if isinstance(values.get("service"), dict) else None
    if port:
        svc["port_forwards"] = [str(port)]
        d.guess(("services", name, "port_forwards"), "the chart's service.port, forwarded to the same local port")


def _resolve_after(services: dict) -> None:
    by_key = {_key(n): n for n in services}
    for name, svc in services.items():
        if "after" in svc:
            svc["after"] = [by_key[_key(a)] for a in svc["after"] if _key(a) in by_key and by_key[_key(a)] != name]
            if not svc["after"]:
                svc.pop("after")


def namespaces(d, services: dict) -> list[str]:
    found = {svc.pop("_namespace", None) for svc in services.values()}
    for name, svc in services.items():
        if "helm" in svc and len(found - {None}) == 1:
            svc["helm"]["namespace"] = next(iter(found - {None}))
            d.guess(("services", name, "helm", "namespace"), "the namespace of the other services")
    return sorted(found - {None})


def find_registries(d, folders: list[Path]) -> dict:
    """Registry URLs the build files point at: .npmrc, publishConfig, pip index and GOPROXY args."""
    urls: dict[str, str] = {}
    for folder in folders:
        for path in _files(folder):
            text = _read(path) if path.name in (".npmrc", "package.json", "Dockerfile", "pip.conf", "pyproject.toml") else ""
            for line in text.splitlines():
                lowered = line.lower()
                kind = (
                    "npm"
                    if "registry" in lowered and path.name in (".npmrc", "package.json")
                    else "pypi"
                    if "index_url" in lowered or "index-url" in lowered
                    else "goproxy"
                    if "goproxy" in lowered
                    else None
                )
                if kind is None:
                    continue
                for url in _URL.findall(line):
                    if not any(public in url for public in ("registry.npmjs.org", "pypi.org", "proxy.golang.org")):
                        urls.setdefault(kind, url)
    registries = {}
    for kind, url in urls.items():
        name = {"goproxy": "go"}.get(kind, kind)
        registries[name] = {"kind": kind, "url": url}
        d.guess(("registries", name), f"the {kind} registry the build files name")
    return registries
