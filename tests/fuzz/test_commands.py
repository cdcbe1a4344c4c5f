"""Fuzz harness: whatever the manifest, `render`, `lint`, `graph`, `why --no-doctor` and `schema`
exit 0, 1 or 2, never print a traceback or "internal error", finish within a bound, and change
no file they were not asked to write.

Manifests come two ways: structure-aware (the real sections and keys, with values drawn from
every YAML type, hostile names such as `no`/`1`, paths that loop or leave the repository) and
byte-level mutations of a valid manifest. The commands run in-process through the real CLI app
(typer's runner) so thousands of examples stay cheap; hypothesis derandomizes in CI (see
tests/conftest.py). A failure found here becomes a fixed case in tests/manifest/test_hazards.py.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
import typer.testing
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from devenv.cli import app
from tests.fixtures.manifests import build_tree, deployment

EXAMPLES = int(os.environ.get("DEVENV_FUZZ_EXAMPLES", "2000"))
BOUND = 60.0  # seconds for all five commands on one manifest: a hang guard, not a speed test
COMMANDS = (["render", "--stdout"], ["lint", "-j", "1"], ["graph"], ["why", "web", "--no-doctor"], ["schema"])

VALID = """\
version: 1
project: demo
registries:
  npm: {kind: npm, url: "http://localhost:4873"}
proto:
  path: proto
  names: ["@demo/proto"]
  allowed: [sdk]
sdks:
  ts: {language: typescript, path: sdk, package: "@demo/sdk", registry: npm, steps: {build: {cmd: "true", deps: [proto]}}}
services:
  web:
    language: typescript
    sdks: [ts]
    context: web
    image: demo/web
    k8s: [web.yaml]
    port_forwards: ["8080:80"]
    live_update: [{sync: {from: web/src, to: /app/src}}]
build:
  extra_hosts: {hosts: [npm.local], target: host-gateway, fallback: 172.17.0.1, override_env: DEVENV_HOST_IP}
"""

TREE = {
    "web/Dockerfile": "FROM scratch\nCOPY proto /app/gen\n",
    "web/src/index.ts": 'import x from "@demo/proto";\n',
    "web/package.json": '{"dependencies": {"@demo/sdk": "^1.0.0"}}\n',
    "web.yaml": deployment("web", "demo/web"),
    "sdk/package.json": '{"name": "@demo/sdk", "version": "1.0.0"}\n',
    "proto/demo.proto": 'syntax = "proto3";\n',
}

# Scalars YAML turns into surprising types, and strings that stress paths and names.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "no",
            "yes",
            "1",
            "web",
            "proto",
            "loop",
            "../x",
            "/etc",
            "a/../../b",
            "",
            " ",
            "~",
            "http://[zz]:1",
            "http://x:99999",
            "8080:80",
            "localhost:1:2",
            "{{ 1/0 }}",
            "$(reboot)",
            "host-gateway",
            "172.17.0.1",
            "PATH",
            "web/src",
            "Dockerfile",
            "\u00e9",
            "x" * 300,
        ]
    ),
    st.text(max_size=12),
)
values = st.recursive(
    scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.one_of(scalars, st.text(max_size=6)), inner, max_size=4)), max_leaves=12
)


def _structured() -> st.SearchStrategy[str]:
    """The valid manifest with some values replaced by anything, at any depth."""
    base = yaml.safe_load(VALID)

    def paths(node, prefix=()):
        yield prefix
        if isinstance(node, dict):
            for key, value in node.items():
                yield from paths(value, prefix + (key,))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from paths(value, prefix + (i,))

    every = [p for p in paths(base) if p]

    @st.composite
    def build(draw):
        data = yaml.safe_load(VALID)
        for path in draw(st.lists(st.sampled_from(every), min_size=1, max_size=4)):
            target = data
            try:
                for step in path[:-1]:
                    target = target[step]
                if draw(st.booleans()) and isinstance(target, dict):
                    target.pop(path[-1], None)
                    target[draw(scalars)] = draw(values)
                else:
                    target[path[-1]] = draw(values)
            except (KeyError, IndexError, TypeError):
                continue
        try:
            return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        except (yaml.YAMLError, ValueError):
            return VALID

    return build()


@st.composite
def _mutated(draw) -> str | bytes:
    """Byte-level mutations of the valid manifest: flips, insertions, deletions, splices."""
    data = bytearray(VALID.encode())
    for _ in range(draw(st.integers(1, 8))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["flip", "insert", "delete", "splice"]))
        if kind == "flip" and where < len(data):
            data[where] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[where:where] = draw(
                st.sampled_from([b"&a ", b"*a", b"[", b"{", b"- ", b": ", b"\n  ", b"\t", b"\x00", b"\xff", b"!!python/object ", b"<<: *a\n", b"#", b"'", b'"'])
            )
        elif kind == "delete":
            del data[where : where + draw(st.integers(1, 20))]
        else:
            start = draw(st.integers(0, len(data)))
            data[where:where] = data[start : start + draw(st.integers(1, 40))]
    return bytes(data)


@pytest.fixture(scope="module")
def cli_built_once():
    """typer's CliRunner builds the click command tree from the app on every invoke: half of this
    test's time (5 commands x 2,000 examples). Build it once from the same app and hand it back."""
    cli = get_command(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", lambda typer_app: cli if typer_app is app else get_command(typer_app))
        yield


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = build_tree(tmp_path_factory.mktemp("fuzz"), {"services.yaml": VALID, **TREE})
    (root / "loop").symlink_to("loop")
    (root / "Tiltfile").write_text("# a foreign Tiltfile: no command here may touch it\n")
    return root


def _snapshot(root: Path) -> dict[str, str]:
    seen = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = Path(folder, name)
            if path.name == "services.yaml" and path.parent == root:
                continue
            try:
                seen[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                seen[str(path.relative_to(root))] = "unreadable"
    return seen


def _run_all(root: Path, manifest: str | bytes) -> None:
    (root / "services.yaml").write_bytes(manifest if isinstance(manifest, bytes) else manifest.encode("utf-8", "surrogatepass"))
    before = _snapshot(root)
    started = time.monotonic()
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        for args in COMMANDS:
            result = runner.invoke(app, args, catch_exceptions=True)
            output = result.output
            assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
            assert result.exit_code in (0, 1, 2), (args, result.exit_code, output[-2000:])
            assert "Traceback" not in output and "internal error" not in output, (args, output[-2000:])
    finally:
        os.chdir(cwd)
    assert time.monotonic() - started < BOUND, "the commands took longer than the hang bound"
    assert _snapshot(root) == before, "a command changed a file it was not asked to write"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(manifest=st.one_of(_structured(), _mutated()))
@example(manifest="version: 1\nproject: demo\nservices:\n  no: {context: web}\n")
@example(manifest="version: 1\nproject: demo\nx: &a [*a]\n")
@example(manifest='version: 1\nproject: demo\nregistries: {npm: {kind: npm, url: "http://[zz]:1"}}\n')
@example(manifest="version: 1\nproject: demo\nsdks:\n  false: null\nservices:\n  web: {sdks: [ts], context: web, image: demo/web}\n")
def test_no_manifest_crashes_a_command(cli_built_once, repo, manifest):
    _run_all(repo, manifest)
