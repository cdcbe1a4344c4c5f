"""Render a monorepo's Tiltfile, load it in the real Tilt, and compare what Tilt reports with
what the manifest implies (tests/integration/expected.py)."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import yaml

from devenv.errors import ManifestError
from devenv.manifest.load import load_manifest
from devenv.render import render
from devenv.util.fsutil import write_atomic
from tests.fixtures.tilt import Tilt
from tests.integration import tiltjson
from tests.integration.expected import Expected, expected_resources

HEALTH_CMD = ["devenv", "doctor", "--only", "registries"]


def render_tiltfile(root: Path, target: Path | None = None) -> Path:
    """`devenv render` for ``root/services.yaml`` into ``target`` (default ``root/Tiltfile``),
    in process (the CLI costs a second a call)."""
    target = target or root / "Tiltfile"
    write_atomic(target, render(load_manifest(root / "services.yaml"), target).text)
    return target


def load(tilt: Tilt, tiltfile: Path, **kwargs) -> tiltjson.Result:
    run = tilt.tiltfile_result(tiltfile, **kwargs)
    assert run.code == 0, f"Tilt refused the Tiltfile (exit {run.code}):\n{run.stderr}\n--- Tiltfile ---\n{tiltfile.read_text()}"
    return tiltjson.parse(run.stdout, run.stderr)


def _companions(result: tiltjson.Result, expected: dict[str, Expected]) -> tuple[dict[str, str], list[str]]:
    """Tilt resources the manifest names no resource for, each matched to the service whose
    k8s files hold all its objects (a second workload: a migration Job, a sidecar Deployment).
    Returns ({resource: service}, problems)."""
    owners, problems = {}, []
    for name in result.names:
        if name in expected:
            continue
        objects = set(result.resources[name].objects)
        services = [s for s, e in expected.items() if e.kind == "k8s" and e.objects and objects and objects <= set(e.objects)]
        if len(services) == 1:
            owners[name] = services[0]
        else:
            problems.append(f"Tilt has a resource {name!r} ({sorted(objects)}) that no service of the manifest accounts for")
    return owners, problems


def differences(result: tiltjson.Result, expected: dict[str, Expected], root: Path) -> list[str]:
    companions, problems = _companions(result, expected)
    if set(expected) - set(result.names):
        problems.append(f"resources: Tilt has {sorted(result.names)}, the manifest implies {sorted(expected)}")
    if set(result.enabled) != set(result.names):
        problems.append(f"enabled resources {sorted(result.enabled)} != {sorted(result.names)}")
    # A service's other workloads wait for what it waits for and carry its labels; together
    # with the service's own resource they hold exactly the objects of its files.
    for companion, service in companions.items():
        got, want = result.resources[companion], expected[service]
        for attr in ("resource_deps", "labels"):
            if getattr(got, attr) != getattr(want, attr):
                problems.append(
                    f"{companion} (a workload of {service}).{attr}: Tilt reports {getattr(got, attr)!r}, the manifest implies {getattr(want, attr)!r}"
                )
    for name in sorted(set(result.names) & set(expected)):
        got, want = result.resources[name], expected[name]
        for f in fields(Expected):
            if f.name == "name":
                continue
            have, need = getattr(got, f.name), getattr(want, f.name)
            if f.name == "objects" and need:
                have = sorted(have + [o for c, s in companions.items() if s == name for o in result.resources[c].objects])
            if f.name == "cmd" and name == "packages:health":
                problems += _health_cmd(have, Path(got.dir or "."), root)
                continue
            if f.name in ("objects", "dir", "env") and need is None:
                continue
            if have != need:
                problems.append(f"{name}.{f.name}: Tilt reports {have!r}, the manifest implies {need!r}")
    warnings = result.warnings_about_resource_deps()
    if warnings:
        problems.append("Tilt warned about resource_deps: " + "; ".join(warnings))
    return problems


def _health_cmd(cmd: list[str] | None, workdir: Path, root: Path) -> list[str]:
    """`devenv doctor --only registries`, naming this manifest (or run where it is found)."""
    cmd = cmd or []
    if cmd[:4] != HEALTH_CMD:
        return [f"packages:health runs {cmd!r}, not `devenv doctor --only registries`"]
    rest = cmd[4:]
    manifest = (root / "services.yaml").resolve()
    if not rest and (workdir / "services.yaml").resolve() != manifest:
        return [f"packages:health runs in {workdir} without naming the manifest {manifest}"]
    if rest and not (rest[0] in ("-f", "--manifest") and len(rest) == 2 and (workdir / rest[1]).resolve() == manifest):
        return [f"packages:health passes {rest!r}; expected the manifest {root / 'services.yaml'}"]
    return []


def judge(tilt: Tilt, root: Path, *, env: dict[str, str] | None = None, helm_objects=None, tiltfile: Path | None = None) -> tiltjson.Result:
    """Render ``root`` (into ``tiltfile``, default ``root/Tiltfile``), load it in Tilt with ``env``,
    and assert Tilt reports exactly what the manifest implies."""
    tiltfile = render_tiltfile(root, tiltfile)
    statements = [line for line in tiltfile.read_text(encoding="utf-8").splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert statements[0].startswith("version_settings(constraint='>="), statements[0]
    # Self-contained: no load() of extensions, which would fetch from the network as Tilt loads.
    assert not any(s.startswith("load(") for s in statements), "the Tiltfile loads an extension"
    result = load(tilt, tiltfile, env=env)
    problems = differences(result, expected_resources(root, env, helm_objects), root)
    assert not problems, "\n".join(problems) + f"\n--- Tiltfile ---\n{tiltfile.read_text()}"
    return result


_MISGROUPED = re.compile(r"Tilt groups Service (\S+) from .* \(namespace (\S+)\) with the workload (\S+) (\S+)(?: \(Namespace: (\S+)\))? of service")


def confirm_misgrouped(result: tiltjson.Result, messages: list[str]) -> None:
    """Each Service devenv says Tilt groups with another namespace's workload sits, in Tilt's
    own result, in the resource that holds that workload."""
    for message in messages:
        service, namespace, kind, workload, workload_ns = _MISGROUPED.search(message).groups()  # type: ignore[union-attr]
        spellings = {namespace, ""} if namespace == "default" else {namespace}
        holders = [r for r in result.resources.values() if any(o.kind == kind and o.name == workload and o.namespace == (workload_ns or "") for o in r.objects)]
        assert holders, f"devenv said {message}; Tilt has no resource with that workload: {result.names}"
        held = [o for o in holders[0].objects if o.kind == "Service" and o.name == service and o.namespace in spellings]
        assert held, f"devenv said {message}; Tilt's resource {holders[0].name!r} holds {holders[0].objects}"


def deploy_only_tiltfile(root: Path) -> Path:
    """``root/Tiltfile.deploy``: only the manifest's `docker_build` and `k8s_yaml` (`helm()`)
    calls, in its order, written here from services.yaml rather than by devenv. What Tilt names
    or refuses in it is Tilt's own verdict on the manifest's Kubernetes objects."""
    import json

    m = yaml.safe_load((root / "services.yaml").read_text(encoding="utf-8"))
    lines = []
    for name, svc in (m.get("services") or {}).items():
        if svc.get("image"):
            context = svc.get("context") or "."
            lines.append(
                f"docker_build({json.dumps(svc['image'])}, {json.dumps(context)}, dockerfile={json.dumps(svc.get('dockerfile') or context + '/Dockerfile')})"
            )
        helm = svc.get("helm")
        if helm:
            args = [json.dumps(helm["chart"]), f"name={json.dumps(helm.get('release') or name)}"]
            if helm.get("namespace"):
                args.append(f"namespace={json.dumps(helm['namespace'])}")
            if helm.get("values"):
                args.append(f"values={json.dumps(helm['values'])}")
            if helm.get("set"):
                args.append(f"set={json.dumps([f'{k}={v}' for k, v in helm['set'].items()])}")
            lines.append(f"k8s_yaml(helm({', '.join(args)}))")
        else:
            lines.append(f"k8s_yaml({json.dumps(svc['k8s'])})")
    # A service that names its workload: the rename devenv would write, as is.
    lines += [
        f"k8s_resource({json.dumps(svc['workload'])}, new_name={json.dumps(name)})" for name, svc in (m.get("services") or {}).items() if svc.get("workload")
    ]
    target = root / "Tiltfile.deploy"
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def confirm_refusal(tilt: Tilt, root: Path, refusal: ManifestError) -> None:
    """devenv refused the manifest's Kubernetes objects: the real Tilt must agree. Duplicate
    objects: Tilt stops loading ("Duplicate YAML"). A `workload:` Tilt has no resource of: its
    k8s_resource stops loading. A second workload grouped by name into another service's
    resource: Tilt's resource of that name holds both. Workloads only a position tells apart:
    Tilt loads them, but names one of them ``name:kind:namespace:group:N``. A Service without a
    namespace that another service's workload in another namespace matches: Tilt's resource of
    that workload holds it (tilt-dev/tilt internal/k8s/entity.go, FilterByMatchesPodTemplateSpec)."""
    errors = [p.message for p in refusal.problems if p.severity == "error"]
    duplicate = [e for e in errors if "Tilt stops at duplicate YAML" in e]
    indistinct = [e for e in errors if "is the same object as" in e]
    unknown = [e for e in errors if "Tilt has no workload resource named" in e]
    grouped = [e for e in errors if "of this service's YAML in the resource of service" in e]
    misgrouped = [e for e in errors if e.startswith("Tilt groups Service ")]
    assert len(duplicate) + len(indistinct) + len(unknown) + len(grouped) + len(misgrouped) == len(errors), f"devenv refused for another reason: {errors}"
    run = tilt.tiltfile_result(deploy_only_tiltfile(root))
    if misgrouped and not (duplicate or unknown):
        assert run.code == 0, run.stderr
        confirm_misgrouped(tiltjson.parse(run.stdout, run.stderr), misgrouped)
    if grouped and not (duplicate or unknown):
        assert run.code == 0, run.stderr
        resources = tiltjson.parse(run.stdout, run.stderr).resources
        for message in grouped:
            name = re.search(r"workload '(.+?)' of this service", message)[1]  # type: ignore[index]
            held = [o for o in resources[name].objects if o.name == name]
            assert len(held) >= 2, f"devenv said {message}; Tilt's resource {name!r} holds {resources[name].objects}"
    if duplicate:
        assert run.code != 0 and "Duplicate YAML" in run.stderr, f"devenv said {duplicate}, Tilt: exit {run.code}\n{run.stderr}"
    elif unknown:
        assert run.code != 0 and "k8s_resource specified unknown resource" in run.stderr, f"devenv said {unknown}, Tilt: {run.stderr}"
    elif indistinct:
        assert run.code == 0, run.stderr
        names = tiltjson.parse(run.stdout, run.stderr).names
        assert any(re.search(r":\d+$", n) for n in names), f"devenv said {indistinct}; Tilt named {names}"
