"""Fixtures of the SDK integrity tests: the planted monorepo, and npm's real `semver` run by node."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.fixtures.sdk_monorepo import sdk_repo  # noqa: F401  (a fixture)
from tests.support.components import CACHE, missing

NODE_SEMVER = CACHE / "node-semver" / "node_modules" / "semver"

_NODE_PROGRAM = """
const s = require(process.argv[1]);
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = cases.map(([r, v, loose]) => {
  try { return new s.Range(r, {loose}).test(v); } catch (e) { return null; }
});
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="session")
def node_semver():
    """``test(cases)``: npm's own answer for each (range, version, loose); None = npm rejects the range."""
    node = shutil.which("node")
    if node is None:
        missing("`node` not found (Debian's nodejs): npm range semantics are checked against it")
    if not (NODE_SEMVER / "package.json").is_file():
        missing(f"npm's semver package is not in {NODE_SEMVER}: run scripts/tools/build-node-semver.sh")

    def test(cases: list[tuple[str, str, bool]]) -> list[bool | None]:
        proc = subprocess.run([node, "-e", _NODE_PROGRAM, str(NODE_SEMVER)], input=json.dumps(cases),
                              capture_output=True, text=True, timeout=120, check=True)
        return json.loads(proc.stdout)

    return test


@pytest.fixture(scope="session")
def go_binary():
    go = shutil.which("go") or ("/usr/local/go/bin/go" if os.path.exists("/usr/local/go/bin/go") else None)
    if go is None:
        missing("`go` not found: Go module versions are checked against golang.org/x/mod and `go list -m`")
    return go
