"""The packages side of an import: the registry health gate, SDK step chains, and ops tasks."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from devenv.adopt.compare import unguarded
from devenv.adopt.discovery import enclosing_package
from devenv.tilt import HEALTH

_URL = re.compile(r"https?://[^\s'\"]+")
LANGUAGE_REGISTRY = {"typescript": "npm", "python": "pypi", "go": "goproxy"}
_NAME_LANGUAGE = {
    "ts": "typescript",
    "js": "typescript",
    "node": "typescript",
    "typescript": "typescript",
    "go": "go",
    "golang": "go",
    "py": "python",
    "python": "python",
}


def shell_text(cmd: list[str] | None) -> str | list[str] | None:
    """A Tilt command as the manifest writes it: `sh -c TEXT` -> TEXT, else the argv list."""
    if not cmd:
        return None
    if len(cmd) == 3 and cmd[:2] == ["sh", "-c"]:
        return cmd[2]
    return list(cmd)


def _registry_kind(url: str) -> str:
    text = url.lower()
    for word, kind in (
        ("npm", "npm"),
        ("verdaccio", "npm"),
        ("pypi", "pypi"),
        ("/simple", "pypi"),
        ("goproxy", "goproxy"),
        ("go.", "goproxy"),
        ("proxy.golang", "goproxy"),
    ):
        if word in text:
            return kind
    return "oci"


def _devenv_gate(imp, health) -> dict | None:
    """A gate devenv rendered (`devenv doctor --only registries [--manifest F]`): the registries
    of the manifest it names, read as they are written there."""
    cmd = health.cmd or []
    if cmd[:4] != ["devenv", "doctor", "--only", "registries"]:
        return None
    rest = cmd[4:]
    folder = Path(health.dir or imp.sources.main.parent)
    manifest = folder / rest[1] if len(rest) == 2 and rest[0] in ("-f", "--manifest") else folder / "services.yaml"
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    found = (data or {}).get("registries") if isinstance(data, dict) else None
    if isinstance(found, dict) and found:
        imp.notes.add("changed", imp.where(HEALTH, call="local_resource"), f"{HEALTH} is devenv's: its registries are read from {manifest.name}")
        return found
    return None


def registries(imp, health) -> dict:
    """The health gate's URLs -> registries; the gate itself becomes `devenv doctor`."""
    own = _devenv_gate(imp, health)
    if own:
        return own
    text = " ".join(health.cmd or []) + " " + " ".join(health.serve_cmd or [])
    found: dict = {}
    where = imp.where(HEALTH, call="local_resource")
    for url in dict.fromkeys(u.rstrip(".,;)") for u in _URL.findall(text)):
        parts = urlsplit(url)
        kind = _registry_kind(url)
        name = {"goproxy": "go", "oci": "images"}.get(kind, kind)
        while name in found:
            name += "2"
        entry = {"kind": kind, "url": f"{parts.scheme}://{parts.netloc}"}
        if parts.path not in ("", "/"):
            entry["probe"] = parts.path + (f"?{parts.query}" if parts.query else "")
        found[name] = entry
        imp.notes.guess(("registries", name, "kind"), f"read from the URL {url}", where)
    if found:
        imp.notes.add(
            "changed", where, f"{HEALTH} ran {' '.join(health.cmd or [])!r}; it now runs `devenv doctor --only registries` against {', '.join(found)}"
        )
    else:
        imp.notes.add("lost", where, f"{HEALTH} names no registry URL, so the manifest has no health gate; declare `registries:` to get one")
    return found


def _chain(steps: list) -> list:
    """Steps of one SDK in run order: each after the one it waits for."""
    names = {s.name for s in steps}
    ordered: list = []
    left = list(steps)
    while left:
        ready = [s for s in left if not (set(s.resource_deps) & names - {o.name for o in ordered})]
        step = ready[0] if ready else left[0]
        ordered.append(step)
        left.remove(step)
    return ordered


def chains_services_wait_for(imp, tasks: list, services: list) -> dict[str, list[tuple[str, object]]]:
    """Local resources not named `packages:*` that form a chain a service waits for, whose steps
    watch one package: an SDK by another name. Its steps get devenv's names (remembered as
    renames for the round trip)."""
    by_name = {t.name: t for t in tasks}
    found: dict[str, list] = {}
    taken: set[str] = set()
    for service in services:
        for dep in service.resource_deps:
            if dep not in by_name or dep in taken:
                continue
            chain = [by_name[dep]]
            while True:
                before = [d for d in chain[0].resource_deps if d != HEALTH]
                if len(before) != 1 or before[0] not in by_name or by_name[before[0]] in chain:
                    break
                chain.insert(0, by_name[before[0]])
            if any(d != HEALTH for d in chain[0].resource_deps):
                continue
            package = next((p for r in chain for d in r.deps for p in [enclosing_package(Path(d), imp.root)] if p), None)
            if package is None:
                continue
            name = {"typescript": "ts"}.get(package.language, package.language)
            while name in found:
                name += "2"
            steps = [(re.sub(r"[^A-Za-z0-9_.-]", "-", r.name), r) for r in chain]
            for step, resource in steps:
                imp.renames[resource.name] = f"packages:{name}-sdk-{step}"
                taken.add(resource.name)
            imp.notes.add(
                "changed",
                imp.where(chain[-1].name, call="local_resource"),
                f"{' -> '.join(r.name for r in chain)} build {package.name or package.path.name}, which "
                f"{service.name} waits for: SDK '{name}', its steps named packages:{name}-sdk-<step>",
            )
            found[name] = steps
    return found


def _step_part(pattern: re.Pattern[str], name: str, part: str) -> str:
    """``part`` of a step resource's name; the importer sorts a resource into steps only when it matches."""
    match = pattern.match(name)
    assert match is not None, f"{name} is not an SDK step resource"
    return match.group(part)


def build(imp, health: list, steps: list, chains: dict | None = None) -> tuple[dict, dict]:
    from devenv.adopt.importer import STEP

    regs = registries(imp, health[0]) if health else {}
    groups: dict[str, list] = {}
    for step in steps:
        groups.setdefault(_step_part(STEP, step.name, "sdk"), []).append(step)
    sdks = {}
    for sdk_name, members in groups.items():
        sdks[sdk_name] = _sdk(imp, sdk_name, [(_step_part(STEP, r.name, "step"), r) for r in _chain(members)], regs)
    for sdk_name, members in (chains or {}).items():
        sdks[sdk_name] = _sdk(imp, sdk_name, members, regs)
    return sdks, regs


def _sdk(imp, name: str, named: list, regs: dict) -> dict:
    steps, dep_paths = {}, []
    chain = [resource for _, resource in named]
    for index, (step_name, resource) in enumerate(named):
        where = imp.where(resource.name, call="local_resource")
        cmd = shell_text(resource.cmd)
        if isinstance(cmd, list):
            cmd = shlex.join(cmd)
        if cmd is None:
            imp.notes.add("lost", where, f"{resource.name} has no cmd (serve_cmd only): an SDK step needs one")
            cmd = "true"
        if cmd.startswith("devenv sdk guard ") and " && devenv sdk stamp " in cmd:
            imp.stamped.add(name)
        cmd = imp.value(unguarded(cmd), where, f"{resource.name} cmd")
        step: dict = {"cmd": cmd}
        deps = [imp.rel(d) for d in resource.deps]
        dep_paths += deps
        if deps:
            step["deps"] = deps
        env = {k: imp.value(v, where, f"{resource.name} env {k}") for k, v in resource.env.items()}
        if env:
            step["env"] = env
        steps[step_name] = step
        expected = ([HEALTH] if regs else []) if index == 0 else [chain[index - 1].name]
        for dep in resource.resource_deps:
            if dep not in expected and dep != HEALTH and imp.renames.get(dep) not in expected:
                imp.notes.add("lost", where, f"{resource.name} waits for {dep}: an SDK step waits only for the step before it")
        if resource.dir and imp.rel(resource.dir) != ".":
            imp.notes.add(
                "lost", where, f"{resource.name} runs in {imp.rel(resource.dir)}: SDK steps run in the manifest's folder (prefix the command with `cd`)"
            )
        if (resource.trigger, resource.auto_init) != ("auto", True) or resource.links or resource.serve_cmd:
            imp.notes.add("lost", where, f"{resource.name}: trigger mode, auto_init, links and serve_cmd of SDK steps are not in the manifest")
    sdk: dict = _identity(imp, name, dep_paths, chain)
    sdk["steps"] = steps
    registry = [r for r, e in regs.items() if e["kind"] == LANGUAGE_REGISTRY.get(sdk["language"])]
    if len(registry) == 1:
        sdk["registry"] = registry[0]
        imp.notes.guess(("sdks", name, "registry"), "the only registry of this language")
    labels = chain[0].labels
    if labels != ["packages"]:
        sdk["labels"] = labels
    if not all(r.allow_parallel for r in chain):
        sdk["parallel"] = False
    if name in imp.stamped:  # devenv's own stamp: it writes one only for an SDK with `generated`
        sdk["generated"] = f"{sdk['path']}/generated"
        imp.notes.guess(("sdks", name, "generated"), "the first step stamps freshness, so the SDK has generated code; where?")
    return sdk


def proto_workspace(imp, sdks: dict) -> dict | None:
    """The proto workspace an SDK's steps watch (a folder with buf.yaml or .proto files): with it
    in the manifest, render guards each SDK's first step (`devenv sdk guard`)."""
    for sdk in sdks.values():
        for step in sdk["steps"].values():
            for dep in step.get("deps", []):
                folder = imp.root / dep
                if folder.is_dir() and ((folder / "buf.yaml").is_file() or next(folder.rglob("*.proto"), None)):
                    imp.notes.guess(("proto", "names"), "the names code imports the workspace by: add each language's")
                    return {"path": dep, "names": [folder.name], "allowed": [s["path"] for s in sdks.values()]}
    return None


def _identity(imp, name: str, dep_paths: list[str], chain: list) -> dict:
    """language, path and package of an SDK: from the package its steps watch, else guessed."""
    for dep in dep_paths:
        found = enclosing_package(imp.root / dep, imp.root)
        if found:
            path = imp.rel(str(found.path))
            entry = {"language": found.language, "path": path, "package": found.name or name}
            if not found.name:
                imp.notes.guess(("sdks", name, "package"), f"{path} names no package")
            return entry
    where = imp.where(chain[0].name, call="local_resource")
    language = _NAME_LANGUAGE.get(name.lower(), "typescript")
    path = dep_paths[0] if dep_paths else "."
    imp.notes.guess(("sdks", name, "language"), "no dependency file among the steps' deps; read from the SDK's name", where)
    imp.notes.guess(("sdks", name, "path"), "the first file the steps watch")
    imp.notes.guess(("sdks", name, "package"), "the SDK's name")
    return {"language": language, "path": path, "package": name}


def tasks(imp, resources: list, service_names: set[str]) -> dict:
    out = {}
    for resource in resources:
        where = imp.where(resource.name, call="local_resource")
        task: dict = {}
        cmd, serve = shell_text(resource.cmd), shell_text(resource.serve_cmd)
        if cmd is not None:
            task["cmd"] = _scrub(imp, cmd, where, resource.name)
        if serve is not None:
            task["serve_cmd"] = _scrub(imp, serve, where, resource.name)
        if resource.dir and imp.rel(resource.dir) != ".":
            task["dir"] = imp.rel(resource.dir)
        if resource.deps:
            task["deps"] = [imp.rel(d) for d in resource.deps]
        env = {k: imp.value(v, where, f"{resource.name} env {k}") for k, v in resource.env.items()}
        for key in [k for k, v in env.items() if v == "${%s}" % k]:  # the variable is inherited anyway
            env.pop(key)
            imp.notes.add(
                "changed",
                where,
                f"{resource.name} env {key}: inherited from the environment, not written (a default the Tiltfile gives it when unset is not kept)",
            )
        if env:
            task["env"] = env
        after = [imp.renames.get(d, d) for d in resource.resource_deps]
        if after:
            task["after"] = after
        if resource.labels:
            task["labels"] = resource.labels
        if resource.trigger != "auto":
            task["trigger"] = resource.trigger
        if not resource.auto_init:
            task["auto_init"] = False
        if resource.allow_parallel:
            task["allow_parallel"] = True
        if resource.links or resource.readiness_probe:
            imp.notes.add("lost", where, f"{resource.name}: links and readiness probes of local resources are not in the manifest")
        out[resource.name] = task
    return out


def _scrub(imp, cmd, where: str, name: str):
    if isinstance(cmd, list):
        return [imp.value(c, where, f"{name} cmd") for c in cmd]
    return imp.value(cmd, where, f"{name} cmd")
