"""The services side of an import: each Kubernetes resource of the Tilt result -> a service,
its image, Kubernetes files or Helm chart, dependencies on SDKs and other services."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from devenv.adopt.discovery import language_of
from devenv.manifest.model import default_build_arg
from devenv.tilt import HEALTH

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _docs(text: str) -> list[dict]:
    try:
        return [d for d in yaml.load_all(text, Loader=_LOADER) if isinstance(d, dict)]
    except yaml.YAMLError:
        return []


def _chart_root(path: Path, stop: Path) -> Path | None:
    for folder in [path, *path.parents]:
        if (folder / "Chart.yaml").is_file():
            return folder
        if folder == stop:
            return None
    return None


class Files:
    """The Kubernetes YAML, charts, values files and Dockerfiles the Tiltfile read."""

    def __init__(self, config_files: list[str], root: Path):
        self.objects: dict[tuple[str, str], list[Path]] = {}
        self.charts: dict[str, Path] = {}  # chart name -> folder
        self.values: list[Path] = []
        self.dockerfiles: list[Path] = []
        for name in config_files:
            path = Path(name)
            chart = _chart_root(path, Path(path.anchor))
            if chart:
                meta = _docs(_read(chart / "Chart.yaml"))
                self.charts.setdefault((meta[0] if meta else {}).get("name", chart.name), chart)
            elif "dockerfile" in path.name.lower() and path.is_file():
                self.dockerfiles.append(path)
            elif path.suffix in (".yaml", ".yml") and path.is_file():
                docs = _docs(_read(path))
                k8s = [d for d in docs if "kind" in d and "apiVersion" in d]
                if not k8s:
                    self.values.append(path)
                for doc in k8s:
                    key = (doc["kind"], (doc.get("metadata") or {}).get("name", ""))
                    self.objects.setdefault(key, []).append(path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def build(imp, resources: list, sdks: dict) -> tuple[dict, dict]:
    files = Files(imp.result.config_files, imp.root)
    out, args_of, hosts_of = {}, {}, {}
    for resource in resources:
        name = imp.service_name(resource.name)
        svc, args, hosts = _service(imp, resource, name, files, sdks)
        out[name] = svc
        if resource.images:
            args_of[name], hosts_of[name] = args, hosts
    _sdk_versions(out, args_of, sdks)
    build = _shared(out, args_of, hosts_of, imp)
    return out, build


def _service(imp, resource, name: str, files: Files, sdks: dict) -> tuple[dict, dict, tuple]:
    where = imp.where(resource.name, call="k8s_resource")
    svc: dict = {}
    args: dict = {}
    hosts: tuple = ()
    context = None
    if resource.images:
        image = resource.images[0]
        where = imp.where(resource.name, image.ref, call="docker_build")
        context = Path(image.context) if image.context else imp.root
        svc["context"] = imp.rel(str(context))
        svc["image"] = image.ref
        _dockerfile(imp, svc, image, context, files, where)
        if image.target:
            svc["target"] = image.target
        args = {k: imp.env_args.get((resource.name, image.ref, k)) or _arg(imp, k, v, where, name) for k, v in image.build_args}
        args = {k: {"env": v[0], "default": v[1]} if isinstance(v, tuple) else v for k, v in args.items()}
        hosts = image.extra_hosts
        live: list[dict] = [{"sync": {"from": imp.rel(a), "to": b}} for a, b in image.syncs]
        live += [
            {"run": {"cmd": imp.value(c, where, f"{name} live_update run"), **({"trigger": [imp.rel(t) for t in trig]} if trig else {})}}
            for c, trig in image.runs
        ]
        if image.fall_back_on:
            live.insert(0, {"fall_back_on": [imp.rel(p) for p in image.fall_back_on]})
        if live:
            svc["live_update"] = live
        for feature in image.unsupported:
            imp.notes.add("lost", where, f"{name}: docker_build {feature} is not in the manifest")
        for extra in resource.images[1:]:
            imp.notes.add("lost", imp.where(extra.ref, call="docker_build"), f"{name}: a second image {extra.ref} (only one image per service)")
    language = language_of(context) if context else None
    if language:
        svc = {"language": language, **svc}
    _deploy(imp, resource, name, svc, files, where)
    _deps(imp, resource, name, svc, sdks, language, where)
    if resource.port_forwards:
        svc["port_forwards"] = [_forward(*f) for f in resource.port_forwards]
    if resource.labels:
        svc["labels"] = resource.labels
    if (resource.trigger, resource.auto_init) != ("auto", True) or resource.links:
        imp.notes.add("lost", where, f"{name}: the trigger mode, auto_init and links of a service are not in the manifest")
    return svc, args, hosts


def _arg(imp, key: str, value: str, where: str, service: str):
    variable = imp.guard.variable_in(value)
    if variable:
        imp.notes.add("secret", where, f"{service} build arg {key} comes from ${variable}: written as {{env: {variable}}}")
        return {"env": variable}
    from devenv.adopt.secrets import looks_secret

    if looks_secret(key) and value:
        imp.guard.move_literal(value, key)
        imp.notes.add("secret", where, f"{service} build arg {key} is a secret written in the Tiltfile: not copied; the manifest reads it from ${key}")
        return {"env": key}
    return imp.value(value, where, f"{service} build arg {key}")


def _dockerfile(imp, svc: dict, image, context: Path, files: Files, where: str) -> None:
    default = context / "Dockerfile"
    for candidate in [default, *files.dockerfiles]:
        if candidate.is_file() and _read(candidate) == image.dockerfile_contents:
            if candidate != default:
                svc["dockerfile"] = imp.rel(str(candidate))
            return
    imp.notes.add("lost", where, f"{svc['image']}: the Dockerfile's text matches no Dockerfile file (inline dockerfile_contents?)")


def _deploy(imp, resource, name: str, svc: dict, files: Files, where: str) -> None:
    found: list[Path] = []
    missing = []
    for obj in resource.objects:
        paths = files.objects.get((obj.kind, obj.name))
        if paths:
            found += [p for p in paths if p not in found]
        else:
            missing.append(obj)
    if found and not missing:
        svc["k8s"] = [imp.rel(str(p)) for p in found]
        return
    docs = _docs(resource.yaml)
    chart_labels = {((d.get("metadata") or {}).get("labels") or {}).get("helm.sh/chart", "") for d in docs} - {""}
    charts = [c for label, c in files.charts.items() if any(lbl.rsplit("-", 1)[0] == label for lbl in chart_labels)]
    if len(charts) == 1:
        labels = [(d.get("metadata") or {}).get("labels") or {} for d in docs]
        release = next(
            (lab.get("app.kubernetes.io/instance") or lab.get("release") for lab in labels if lab.get("app.kubernetes.io/instance") or lab.get("release")), name
        )
        namespace = next(((d.get("metadata") or {}).get("namespace") for d in docs if (d.get("metadata") or {}).get("namespace")), None)
        helm: dict = {"chart": imp.rel(str(charts[0]))}
        values = [imp.rel(str(v)) for v in files.values if len(files.charts) == 1 or charts[0].name in v.name]
        if values:
            helm["values"] = values
            imp.notes.guess(("services", name, "helm", "values"), "values files the Tiltfile read")
        if namespace:
            helm["namespace"] = namespace
        if release != name:
            helm["release"] = release
        svc["helm"] = helm
        return
    if found:
        svc["k8s"] = [imp.rel(str(p)) for p in found]
    shown = ", ".join(f"{o.kind}/{o.name}" for o in missing)
    imp.notes.add("lost", where, f"{name}: {shown} come from no YAML file or chart the Tiltfile read (generated in Starlark?)")


def _deps(imp, resource, name: str, svc: dict, sdks: dict, language: str | None, where: str) -> None:
    from devenv.adopt.importer import STEP

    consumed, after = [], []
    last = {f"packages:{s}-sdk-{list(d['steps'])[-1]}": s for s, d in sdks.items() if d.get("steps")}
    for dep in resource.resource_deps:
        dep = imp.renames.get(dep, dep)
        if dep in last:
            consumed.append(last[dep])
        elif dep == HEALTH or STEP.match(dep):
            imp.notes.add("lost", where, f"{name} waits for {dep}: a service waits for an SDK's last step only")
        else:
            after.append(imp.renames.get(dep, dep))
    default = [s for s, d in sdks.items() if language and d.get("language") == language]
    if sorted(consumed) != sorted(default) or (language and not default):
        svc["sdks"] = consumed  # `sdks: []` too: a language with no SDK must say it consumes none
    if after:
        svc["after"] = after


def _forward(host: str, local: int, container: int) -> str:
    """Tilt's (host, local, container) as the manifest spells it; container 0 = not given."""
    text = f"{local}:{container}" if container else str(local)
    return f"{host}:{local}:{container or local}" if host and host != "localhost" else text


def _sdk_versions(services: dict, args_of: dict, sdks: dict) -> None:
    """`<SDK>_SDK_VERSION` build args of consumers -> the SDK's `version`, which render passes."""
    for sdk_name, sdk in sdks.items():
        arg = default_build_arg(sdk_name)
        values = {args[arg] for args in args_of.values() if isinstance(args.get(arg), str)}
        if len(values) == 1:
            sdk["version"] = values.pop()
            for args in args_of.values():
                if isinstance(args.get(arg), str):
                    args.pop(arg)


def _shared(services: dict, args_of: dict, hosts_of: dict, imp) -> dict:
    build: dict = {}
    if len(args_of) >= 2:
        first = next(iter(args_of.values()))
        shared = {k: v for k, v in first.items() if all(k in a and a[k] == v for a in args_of.values())}
        if shared:
            build["build_args"] = shared
            for args in args_of.values():
                for key in shared:
                    args.pop(key)
    for name, args in args_of.items():
        if args:
            services[name]["build_args"] = args
    pairs = [h.split(":", 1) for hosts in hosts_of.values() for h in hosts if ":" in h]
    if pairs:
        names = list(dict.fromkeys(p[0] for p in pairs))
        targets = Counter(p[1] for p in pairs)
        build["extra_hosts"] = {"hosts": names, "target": targets.most_common(1)[0][0]}
        if len(targets) > 1:
            imp.notes.add(
                "lost",
                imp.sources.where("", call="docker_build"),
                f"extra_hosts map to several addresses {sorted(targets)}: the manifest maps every host to one",
            )
    return build
