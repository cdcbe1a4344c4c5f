"""Property: for arbitrary valid manifests, the rendered Tiltfile parses in starlark-go and its
builtin calls carry exactly the manifest's values and graph.

The expectation is computed here straight from the manifest dict, not by devenv's graph code.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devenv.manifest.load import load_manifest
from devenv.render import render
from tests.fixtures.manifests import build_tree, deployment
from tests.render.standins import evaluate
from tests.support.components import strict

TRICKY = ["{{ x }}", "{% if %}", "%}", '")', "')", "#", "\\", "'", '"', "\n", "\\n", "'''", "\t", "é", "😀", "\u2028", "\x7f", "\x01"]
LANGUAGES = ["typescript", "go", "python"]
LABELS = ["apps", "data", "edge", "core.v1", "team_a"]

text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=24),
    st.lists(st.sampled_from(TRICKY), min_size=1, max_size=5).map("".join),
)
nonempty = text.filter(bool)
# A version is one word (manifest.model.VERSION_PATTERN): the same tricky text, its whitespace dropped.
version = text.map(lambda s: "".join(c for c in s if not c.isspace())).filter(bool)
name = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True)
env_name = st.from_regex(r"[A-Z_][A-Z0-9_]{0,10}", fullmatch=True)
build_arg_value = st.one_of(text, st.fixed_dictionaries({"env": env_name, "default": text}))
host = st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9](\.[a-z][a-z0-9]{0,5}){0,2}", fullmatch=True)

# Strategies that depend on no drawn value are built once, here: built inside `manifests` they
# were validated afresh for every draw (half of hypothesis' time in this test). Same definitions,
# so the same choices draw the same manifests.
registry_sets = st.sampled_from([{}, {"npm": {"kind": "npm", "url": "http://npm.example.io"}}])
names_upto_3 = st.lists(name, max_size=3, unique=True)
languages = st.sampled_from(LANGUAGES)
ports_10 = st.lists(st.integers(1024, 65535), min_size=10, max_size=10, unique=True)
forward_counts = st.integers(0, 2)
label_lists = st.lists(st.sampled_from(LABELS), unique=True, max_size=2)
build_arg_dicts_2 = st.dictionaries(env_name, build_arg_value, max_size=2)
build_arg_dicts_3 = st.dictionaries(env_name, build_arg_value, max_size=3)
host_lists = st.lists(host, max_size=3, unique=True)
proto_sections = st.sampled_from([{}, {"proto": {"path": "proto"}}])
contexts = st.lists(nonempty.filter(lambda s: "\n" not in s), max_size=2)
env_bases = st.sampled_from([{}, {"HOST_IP": "fallback"}, {"HOST_IP": "10.1.2.3"}])
env_extras = st.dictionaries(env_name, text, max_size=2)


@st.composite
def manifests(draw):
    registries = draw(registry_sets)
    sdk_names = draw(names_upto_3)
    sdks = {}
    for sdk in sdk_names:
        steps = draw(names_upto_3)
        sdks[sdk] = {
            "language": draw(languages),
            "path": f"sdk/{sdk}",
            "package": draw(nonempty),
            "steps": {s: {"cmd": draw(nonempty)} for s in steps},
            "parallel": draw(st.booleans()),
        }
        if draw(st.booleans()):
            sdks[sdk]["version"] = draw(version)
        if draw(st.booleans()):
            sdks[sdk]["generated"] = f"sdk/{sdk}/generated"
    service_names = draw(st.lists(name.filter(lambda n: n not in sdk_names), min_size=1, max_size=5, unique=True))
    ports = iter(draw(ports_10))
    services = {}
    for index, svc in enumerate(service_names):
        entry = {"context": f"svc/{svc}", "image": f"demo/{svc}", "k8s": [f"k8s/{svc}.yaml"]}
        if sdk_names and draw(st.booleans()):
            entry["sdks"] = draw(st.lists(st.sampled_from(sdk_names), unique=True))
        else:
            entry["sdks"] = []
        entry["language"] = draw(languages)
        if index:
            entry["after"] = draw(st.lists(st.sampled_from(service_names[:index]), unique=True, max_size=2))
        entry["labels"] = draw(label_lists)
        entry["port_forwards"] = [str(next(ports)) for _ in range(draw(forward_counts))]
        entry["build_args"] = draw(build_arg_dicts_2)
        if draw(st.booleans()):
            entry["live_update"] = [{"sync": {"from": f"svc/{svc}", "to": "/app/" + draw(text).replace("\n", "")}}, {"run": {"cmd": draw(nonempty)}}]
        services[svc] = entry
    manifest = {
        "version": 1,
        "project": "demo",
        "build": {"extra_hosts": {"hosts": draw(host_lists), "override_env": "HOST_IP"}, "build_args": draw(build_arg_dicts_3)},
        "registries": registries,
        **draw(proto_sections),
        "sdks": sdks,
        "services": services,
        "cluster": {"contexts": draw(contexts)},
    }
    env = dict(draw(env_bases))
    env.update(draw(env_extras))
    return manifest, env


class StepCmd:
    """An SDK step's cmd. The first step (with a proto workspace): `devenv sdk guard <sdk> -f
    services.yaml && <cmd>`, then `&& devenv sdk stamp …` when the SDK names `generated:`. Every
    step ends with `&& devenv sdk mark <sdk> <step> -f services.yaml`. The step's own cmd appears
    verbatim, bare or in a subshell `(\n<cmd>\n)` (tests/sdk/test_steps.py runs the shell
    semantics of both); any other text is wrong."""

    def __init__(self, sdk: str, step: str, cmd: str, guard: bool, stamp: bool):
        self.sdk, self.step, self.cmd, self.guard, self.stamp = sdk, step, cmd, guard, stamp

    def __eq__(self, actual) -> bool:
        head = f"devenv sdk guard {self.sdk} -f services.yaml && " if self.guard else ""
        tail = f" && devenv sdk stamp {self.sdk} -f services.yaml" if self.stamp else ""
        tail += f" && devenv sdk mark {self.sdk} {self.step} -f services.yaml"
        if not (isinstance(actual, str) and actual.startswith(head) and actual.endswith(tail)):
            return False
        body = actual[len(head) : len(actual) - len(tail)]
        return body in (self.cmd, f"(\n{self.cmd}\n)")

    def __repr__(self) -> str:
        return f"StepCmd({self.sdk!r}, {self.step!r}, {self.cmd!r}, guard={self.guard}, stamp={self.stamp})"


def expected_calls(m: dict, env: dict) -> list[dict]:
    """What the manifest implies, written out independently of devenv.graph / devenv.render."""
    calls = []
    if m["cluster"]["contexts"]:
        calls.append({"fn": "allow_k8s_contexts", "contexts": m["cluster"]["contexts"]})
    ready = {}
    results = {}  # sdk -> its last step's result digest file, read into consumers' build args
    if m["registries"]:
        calls.append({"fn": "local_resource", "name": "packages:health", "resource_deps": [], "allow_parallel": True})
    for sdk, spec in m["sdks"].items():
        previous = ["packages:health"] if m["registries"] else []
        last_marker = None
        for index, (step, step_spec) in enumerate(spec["steps"].items()):
            resource = f"packages:{sdk}-sdk-{step}"
            # The first step guards the proto workspace, then stamps; every step marks its result.
            guard = "proto" in m and index == 0
            cmd = StepCmd(sdk, step, step_spec["cmd"], guard, guard and "generated" in spec)
            deps = [last_marker] if last_marker else []  # the step before's result digest
            calls.append({"fn": "local_resource", "name": resource, "cmd": cmd, "deps": deps, "resource_deps": previous, "allow_parallel": spec["parallel"]})
            previous = [resource]
            last_marker = f".devenv/sdk/{sdk}/{step}.sha256"
        ready[sdk] = previous
        results[sdk] = last_marker
    override = env.get("HOST_IP", "")
    ip = "172.17.0.1" if override == "fallback" else (override or "host-gateway")

    def value(v):
        return env.get(v["env"], v["default"]) if isinstance(v, dict) else v

    for svc, spec in m["services"].items():
        args = {k: value(v) for k, v in m["build"]["build_args"].items()}
        for sdk in spec["sdks"]:
            if "version" in m["sdks"][sdk]:
                args[sdk.upper() + "_SDK_VERSION"] = m["sdks"][sdk]["version"]
        for sdk in spec["sdks"]:
            if results[sdk]:
                args[sdk.upper() + "_SDK_DIGEST"] = ""  # no chain has completed in this test
        args.update({k: value(v) for k, v in spec["build_args"].items()})
        live = []
        for step in spec.get("live_update", []):
            if "sync" in step:
                live.append({"sync": [step["sync"]["from"], step["sync"]["to"]]})
            else:
                live.append({"run": step["run"]["cmd"], "trigger": []})
        calls.append(
            {
                "fn": "docker_build",
                "ref": spec["image"],
                "context": spec["context"],
                "build_args": args,
                "extra_hosts": [f"{h}:{ip}" for h in m["build"]["extra_hosts"]["hosts"]],
                "live_update": live,
            }
        )
        calls.append({"fn": "k8s_yaml", "yaml": spec["k8s"]})
        deps = []
        for sdk in spec["sdks"]:
            for dep in ready[sdk]:
                if dep not in deps:
                    deps.append(dep)
        deps += [a for a in spec.get("after", []) if a not in deps]
        calls.append(
            {"fn": "k8s_resource", "workload": svc, "resource_deps": deps, "labels": spec["labels"] or ["services"], "port_forwards": spec["port_forwards"]}
        )
    return calls


def _project(actual: list[dict], expected: list[dict]) -> list[dict]:
    """Keep, from each actual call, only the keys the expectation states."""
    keys = [set(e) for e in expected]
    return [{k: a.get(k) for k in ks} for a, ks in zip(actual, keys)] + actual[len(expected) :]


def _write(root: Path, m: dict) -> dict:
    """Write the monorepo; return the manifest as PyYAML reads it back (YAML folds some
    characters such as U+0085 in raw UTF-8, and that is what the manifest then says)."""
    text = yaml.safe_dump(m, allow_unicode=True, sort_keys=False)
    files = {"services.yaml": text}
    for svc, spec in m["services"].items():
        files[f"svc/{svc}/Dockerfile"] = "FROM scratch\n"
        files[f"k8s/{svc}.yaml"] = deployment(svc, spec["image"])
    build_tree(root, files)
    return yaml.safe_load(text)


EXAMPLES = 2000 if strict() else 200


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(manifests())
def test_rendered_tiltfile_carries_exactly_the_manifest(case):
    m, env = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        m = _write(root, m)
        loaded = load_manifest(root / "services.yaml")
        text = render(loaded, root / "Tiltfile").text
    actual = evaluate(text, env)
    assert actual[0] == {"fn": "version_settings", "constraint": ">=0.33.4"}
    # The slice plumbing and the UI buttons are judged by tests/integration/test_tilt_slices.py.
    plumbing = ("config.define_string_list", "ui_button", "cmd")
    assert {"fn": "config.define_string_list", "name": "only", "args": True} in actual
    resources = [c for c in actual[1:] if c["fn"] not in plumbing]
    expected = expected_calls(m, env)
    assert _project(resources, expected) == expected
