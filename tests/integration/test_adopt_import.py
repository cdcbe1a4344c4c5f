"""`devenv import` on hand-written Tiltfiles (tests/adopt/monorepos.py), judged by the real Tilt.

For each Tiltfile: import writes a manifest that validates and the command's own round trip
finds nothing lost. Then, independently of devenv's comparison (devenv/adopt/compare.py), the
manifest is rendered and both Tiltfiles are loaded in Tilt and read with the tests' own parser
(tests/integration/tiltjson.py): every resource, dependency, label, trigger mode, image, build
arg, host, port forward, command and Kubernetes object of the original is in the rendered one.
"""

from __future__ import annotations

import json
import re
import shlex

import pytest
import yaml

from devenv.adopt.importflow import run_import as _run_import
from devenv.commands.adopt import render_text
from tests.adopt.monorepos import LITERAL_TOKEN, MONOREPOS, SECRET_ENV, SECRET_VALUES
from tests.fixtures.manifests import build_tree
from tests.integration import tiltjson
from tests.integration.judge import load, render_tiltfile

HEALTH = "packages:health"


def run_import(*args, **kwargs):
    return _run_import(*args, renderer=render_text, **kwargs)


def _environ(tilt, extra=None) -> dict[str, str]:
    env = tilt.env(extra)
    env["DEVENV_TILT"] = tilt.binary
    return env


def _trigger_modes(run) -> dict[str, int]:
    return {m["Name"]: m.get("TriggerMode", 0) for m in json.loads(run.stdout)["Manifests"]}


# devenv's documented additions around an SDK step: the proto guard before the first, the
# freshness stamp after it, and the result mark after every step (docs/tiltfile-sdk-rebuilds.md).
_GUARD = re.compile(
    r"^(?:devenv sdk guard \S+ -f \S+ && )?(?:\(\n(.*)\n\)|(.*?))"
    r"(?: && devenv sdk stamp \S+ -f \S+)?(?: && devenv sdk mark \S+ \S+ -f \S+)$|"
    r"^devenv sdk guard \S+ -f \S+ && (?:\(\n(.*)\n\)|(.*?))(?: && devenv sdk stamp \S+ -f \S+)?$",
    re.S,
)
_SMOKE = re.compile(r"^packages:.+-sdk-smoke$")  # the verify step devenv adds to a published chain


def _argv(cmd, env=None):
    """The program a command runs; `${NAME}` expanded from ``env`` as `sh -c` would, and
    devenv's proto guard around an SDK's first step (its documented addition) left out."""
    if cmd and len(cmd) == 3 and cmd[:2] == ["sh", "-c"]:
        text = _GUARD.sub(lambda m: next(g for g in m.groups() if g is not None), cmd[2])
        text = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: (env or {}).get(m.group(1), ""), text)
        return shlex.split(text)
    return cmd


def same_graph(original: tiltjson.Result, rendered: tiltjson.Result, env: dict[str, str], renames: dict[str, str]) -> list[str]:
    """What the original Tiltfile does that the rendered one does not (additions allowed), with
    the resources import renamed (an SDK chain under other names) looked up by their new name."""
    problems = []
    for name, old in original.resources.items():
        new = rendered.resources.get(renames.get(name, name))
        if new is None:
            problems.append(f"{name}: missing")
            continue
        old_deps = {renames.get(d, d) for d in old.resource_deps}
        reached = _reached(rendered, new.resource_deps)
        extra = set(new.resource_deps) - old_deps - {HEALTH}
        if not old_deps <= reached or any(not _SMOKE.match(d) for d in extra):
            problems.append(f"{name}: resource_deps {old.resource_deps} -> {new.resource_deps}")
        if not set(old.labels) <= set(new.labels):
            problems.append(f"{name}: labels {old.labels} -> {new.labels}")
        if (old.kind, old.objects, old.port_forwards) != (new.kind, new.objects, new.port_forwards):
            problems.append(f"{name}: kind/objects/port forwards {old.kind, old.objects, old.port_forwards} -> {new.kind, new.objects, new.port_forwards}")
        if name != HEALTH and old.kind == "local":
            marks = [d for d in new.deps if "/.devenv/sdk/" in d]  # the step before's result mark
            if _argv(old.cmd) != _argv(new.cmd, env) or old.deps != [d for d in new.deps if d not in marks] or old.dir != new.dir:
                problems.append(f"{name}: cmd/deps/dir {old.cmd, old.deps, old.dir} -> {new.cmd, new.deps, new.dir}")
            if old.allow_parallel and not new.allow_parallel:
                problems.append(f"{name}: allow_parallel lost")
        problems += _images(name, old.images, new.images)
    return problems


def _reached(result: tiltjson.Result, deps) -> set[str]:
    """``deps`` and everything they wait for in ``result``."""
    seen: set[str] = set()
    todo = list(deps)
    while todo:
        dep = todo.pop()
        if dep not in seen:
            seen.add(dep)
            todo.extend(result.resources[dep].resource_deps if dep in result.resources else ())
    return seen


def _images(name, old_images, new_images) -> list[str]:
    problems = []
    if [i.ref for i in old_images] != [i.ref for i in new_images]:
        return [f"{name}: images {[i.ref for i in old_images]} -> {[i.ref for i in new_images]}"]
    for old, new in zip(old_images, new_images):
        for attr in ("context", "dockerfile_contents", "target", "syncs", "runs", "stop_paths"):
            if getattr(old, attr) != getattr(new, attr):
                problems.append(f"{name} {old.ref}: {attr} {getattr(old, attr)!r} -> {getattr(new, attr)!r}")
        lost = {k: v for k, v in old.build_args.items() if new.build_args.get(k) != v}
        if lost:
            problems.append(f"{name} {old.ref}: build args {lost} -> {new.build_args}")
        if not set(old.extra_hosts) <= set(new.extra_hosts):
            problems.append(f"{name} {old.ref}: extra hosts {old.extra_hosts} -> {new.extra_hosts}")
    return problems


def _tilt_for(name, tilt, tilt_helm):
    return tilt_helm if name == "helpers" else tilt


@pytest.mark.parametrize("name", sorted(MONOREPOS))
def test_import_keeps_what_tilt_reports(name, request, tmp_path):
    tilt = _tilt_for(name, request.getfixturevalue("tilt"), request.getfixturevalue("tilt_helm") if name == "helpers" else None)
    root = build_tree(tmp_path / name, MONOREPOS[name])
    env = SECRET_ENV if name == "secrets" else {}

    outcome = run_import(root / "Tiltfile", root / "services.yaml", force=False, environ=_environ(tilt, env))

    assert not outcome.problems, outcome.problems
    assert not outcome.lost, "\n".join(map(str, outcome.lost)) + "\n" + outcome.text
    # The independent judge: render, load both in Tilt, compare with the tests' own parser.
    oracle_env = dict(env, GH_TOKEN=LITERAL_TOKEN)  # the literal token now comes from the environment
    rendered_path = render_tiltfile(root, root / "rendered.Tiltfile")
    before = tilt.tiltfile_result(root / "Tiltfile", env=oracle_env)
    after = tilt.tiltfile_result(rendered_path, env=oracle_env)
    original = tiltjson.parse(before.stdout, before.stderr)
    rendered = load(tilt, rendered_path, env=oracle_env)
    problems = same_graph(original, rendered, oracle_env, outcome.renames)
    modes_before, modes_after = _trigger_modes(before), _trigger_modes(after)
    problems += [
        f"{n}: trigger mode {m} -> {modes_after.get(outcome.renames.get(n, n))}"
        for n, m in modes_before.items()
        if modes_after.get(outcome.renames.get(n, n)) != m
    ]
    assert not problems, "\n".join(problems) + "\n--- services.yaml ---\n" + outcome.text


def test_dict_loop_manifest_reads_like_the_tiltfile(tilt, tmp_path):
    root = build_tree(tmp_path / "repo", MONOREPOS["dict_loop"])
    outcome = run_import(root / "Tiltfile", root / "services.yaml", force=False, environ=_environ(tilt))
    data = yaml.safe_load(outcome.text)
    assert data["cluster"]["contexts"] == ["kind-acme", "k3d-acme"]
    assert data["registries"] == {"npm": {"kind": "npm", "url": "http://npm.acme.test:4873", "probe": "/-/ping"}}
    assert list(data["sdks"]["ts"]["steps"]) == ["build", "publish"]
    assert data["sdks"]["ts"]["package"] == "@acme/sdk-ts" and data["sdks"]["ts"]["version"] == "1.2.0"
    assert data["services"]["api"]["language"] == "typescript" and "sdks" not in data["services"]["api"]
    assert data["services"]["worker"]["after"] == ["api"]
    assert data["tasks"]["db-migrate"] == {"cmd": "./scripts/migrate.sh", "after": ["api"], "labels": ["ops"], "trigger": "manual", "auto_init": False}
    assert "# GUESS" in outcome.text  # the registry kind read from a URL is marked
    assert any(n.kind == "changed" and n.where == "Tiltfile:12" for n in outcome.notes.items), outcome.notes.items


def test_helpers_chain_becomes_an_sdk(tilt_helm, tmp_path):
    root = build_tree(tmp_path / "repo", MONOREPOS["helpers"])
    outcome = run_import(root / "Tiltfile", root / "services.yaml", force=False, environ=_environ(tilt_helm))
    data = yaml.safe_load(outcome.text)
    assert data["sdks"] == {
        "python": {
            "language": "python",
            "path": "packages/py-sdk",
            "package": "shop-sdk",
            "steps": {
                "gen-py-sdk": {"cmd": "make -C packages/py-sdk gen", "deps": ["proto", "packages/py-sdk/src"]},
                "publish-py-sdk": {"cmd": "make -C packages/py-sdk publish"},
            },
            "labels": [],
            "parallel": False,
        }
    }
    assert outcome.renames == {"gen-py-sdk": "packages:python-sdk-gen-py-sdk", "publish-py-sdk": "packages:python-sdk-publish-py-sdk"}
    orders, billing, web = (data["services"][n] for n in ("orders", "billing", "web"))
    assert "sdks" not in orders and orders["after"] == ["infra:localstack"] and billing["sdks"] == []
    assert web["dockerfile"] == "services/web/Dockerfile.dev" and web["target"] == "dev"
    # os.getenv('PIP_INDEX_URL', default) stays a variable with its default, not the value Tilt saw
    assert orders["build_args"] == {"PIP_INDEX_URL": {"env": "PIP_INDEX_URL", "default": "https://pypi.org/simple/"}}
    assert web["helm"] == {"chart": "charts/web", "values": ["deploy/values/web.dev.yaml"], "namespace": "shop"}
    assert data["tasks"]["test:unit"] == {
        "cmd": ["python3", "-m", "pytest", "-q"],
        "dir": "services/orders",
        "deps": ["services/orders/app"],
        "labels": ["tests"],
        "trigger": "manual",
        "allow_parallel": True,
    }
    # Tilt lets a serve-only resource run in parallel (no update command to serialise)
    assert data["tasks"]["infra:localstack"] == {"serve_cmd": "sleep 3600", "labels": ["infra"], "allow_parallel": True}


def test_secrets_never_reach_the_manifest(tilt, tmp_path, capsys):
    from devenv.commands.adopt import run_import as command

    root = build_tree(tmp_path / "repo", MONOREPOS["secrets"])
    import os

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(_environ(tilt, SECRET_ENV))
    try:
        code = command(root / "Tiltfile", None, force=False)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    out = capsys.readouterr().out
    text = (root / "services.yaml").read_text()
    for value in SECRET_VALUES:
        assert value not in text and value not in out
    assert code == 0, out
    data = yaml.safe_load(text)
    api = data["services"]["api"]
    assert api["build_args"]["NPM_TOKEN"] == {"env": "NPM_TOKEN"} and api["build_args"]["GH_TOKEN"] == {"env": "GH_TOKEN"}
    assert data["tasks"]["publish"]["cmd"] == "npm publish --//npm.acme.test/:_authToken=${NPM_TOKEN}"
    assert "env" not in data["tasks"]["deploy"]
    # Where each secret was seen, by Tiltfile line.
    assert "Tiltfile:5: api build arg NPM_TOKEN comes from $NPM_TOKEN" in out
    assert "api build arg GH_TOKEN is a secret written in the Tiltfile" in out


def test_import_refuses_to_overwrite(tilt, tmp_path):
    from devenv.errors import DevenvError

    root = build_tree(tmp_path / "repo", MONOREPOS["dict_loop"])
    (root / "services.yaml").write_text("keep me\n")
    with pytest.raises(DevenvError, match="never overwrites") as raised:
        run_import(root / "Tiltfile", root / "services.yaml", force=False, environ=_environ(tilt))
    assert "--force" in raised.value.hint and raised.value.exit_code == 2
    assert (root / "services.yaml").read_text() == "keep me\n"


def test_a_lost_feature_fails_the_round_trip(tilt, tmp_path):
    """A link on a task is something the manifest cannot say: reported with its line, exit 1."""
    files = dict(MONOREPOS["dict_loop"])
    files["Tiltfile"] += "local_resource('docs', serve_cmd='sleep 1000', links=['http://localhost:9999'])\n"
    root = build_tree(tmp_path / "repo", files)
    outcome = run_import(root / "Tiltfile", root / "services.yaml", force=False, environ=_environ(tilt))
    assert [str(d) for d in outcome.lost] == ["docs: link http://localhost:9999"]
    assert any(n.kind == "lost" and n.where == "Tiltfile:31" for n in outcome.notes.items), outcome.notes.items


def test_the_command_exits_1_and_names_the_loss(tilt, tmp_path):
    from tests.support.cli import devenv

    files = dict(MONOREPOS["dict_loop"])
    files["Tiltfile"] += "local_resource('docs', serve_cmd='sleep 1000', links=['http://localhost:9999'])\n"
    root = build_tree(tmp_path / "repo", files)
    result = devenv("import", cwd=root, env={"DEVENV_TILT": tilt.binary})
    assert result.code == 1, result.out + result.err
    assert "Tiltfile:31: docs: links and readiness probes of local resources are not in the manifest" in result.out
    assert "LOST: docs: link http://localhost:9999" in result.out
    assert (root / "services.yaml").is_file()


def test_the_examples_generated_tiltfile_round_trips(tilt_helm, tmp_path):
    """devenv's own output, imported: everything comes back, the health gate's registries from
    the manifest it names, the proto workspace from the SDK steps' deps."""
    import shutil

    from tests.integration.test_adopt_init import REPO

    root = tmp_path / "repo"
    shutil.copytree(REPO / "examples", root / "examples", ignore=shutil.ignore_patterns("node_modules", "generated"))
    shutil.copy(REPO / "Tiltfile", root / "Tiltfile")
    shutil.copy(REPO / "services.yaml", root / "services.yaml")
    outcome = run_import(root / "Tiltfile", root / "services.yaml", force=True, environ=_environ(tilt_helm))
    assert not outcome.problems and not outcome.lost, outcome.lost
    data = yaml.safe_load(outcome.text)
    shipped = yaml.safe_load((REPO / "services.yaml").read_text())
    assert data["registries"] == shipped["registries"] and data["proto"]["path"] == shipped["proto"]["path"]
    assert data["build"]["build_args"] == shipped["build"]["build_args"]  # {env: NPM_REGISTRY, default: …}, not the value
    for name in ("sdks", "services"):
        assert list(data[name]) == list(shipped[name])
    assert {k: v.get("version") for k, v in data["sdks"].items()} == {k: v["version"] for k, v in shipped["sdks"].items()}
