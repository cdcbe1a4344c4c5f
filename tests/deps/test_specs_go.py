"""Go module versions: devenv's port of x/mod against x/mod itself (a tiny program run with
`go run`, x/mod fetched through the Go module proxy) and against `go list -m` on a local
GOPROXY directory (file:// URL, offline)."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from devenv.deps import gosemver, specs
from devenv.deps.specs import Verdict
from tests.support.components import missing

HERE = Path(__file__).resolve().parent
PSEUDO = [
    "v1.4.1-0.20240102150405-abcdefabcdef",
    "v0.0.0-20240102150405-abcdefabcdef",
    "v1.5.0-rc.1.0.20240102150405-abcdefabcdef",
    "v2.0.1-0.20240102150405-abcdefabcdef+incompatible",
    "v1.4.0-0.20240102150405-abcdefabcdef",
    "v1.4.1-0.2024010215040-abc",
    "v1.4.1-pre.0.20240102150405-abcdefabcdef",
    "v3.0.0-20240102150405-abcdefabcdef",
]
VERSIONS = [
    "v1.4.0",
    "v1.3.9",
    "v1.4.1",
    "v1.10.0",
    "v1.9.99",
    "v2.0.0",
    "v2.0.0+incompatible",
    "v1.4.0+meta",
    "v1",
    "v1.4",
    "v1.4.0-rc.1",
    "v1.4.0-rc.2",
    "v1.4.0-rc.10",
    "v1.4.0-alpha",
    "v1.4.0-alpha.1",
    "v1.4.0-alpha.beta",
    "v1.4.0-0",
    "v1.4.0-1",
    "v1.4.0-01",
    "v01.4.0",
    "v1.04.0",
    "1.4.0",
    "v1.4.0-",
    "v1.4.0+",
    "v1.4.0-rc..1",
    "v1.4-rc.1",
    "v0.0.0",
    "v1.4.0-x-y-z.--",
    "v1.4.0+build.1-a",
    "",
    "v",
    "v1.4.0.0",
    "v1.4.0-ÿ",
    *PSEUDO,
]


@pytest.fixture(scope="module")
def xmod(go_binary, tmp_path_factory):
    """Run the x/mod program on pairs; its module cache is Go's default (the proxy fills it once)."""
    work = tmp_path_factory.mktemp("gosemver")
    shutil.copy(HERE / "gosemver" / "main.go", work / "main.go")
    shutil.copy(HERE / "gosemver" / "go.mod.txt", work / "go.mod")
    env = {**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOWORK": "off"}
    build = subprocess.run([go_binary, "build", "-o", str(work / "gosemver"), "."], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    if build.returncode != 0:
        missing(f"cannot build the x/mod program (golang.org/x/mod through the Go module proxy): {build.stderr.strip()[-300:]}")

    def run(pairs: list[tuple[str, str]]) -> list[dict]:
        proc = subprocess.run([str(work / "gosemver")], input=json.dumps(pairs), capture_output=True, text=True, timeout=120, check=True)
        return json.loads(proc.stdout)

    return run


def test_port_agrees_with_x_mod_on_every_pair(xmod):
    pairs = [(a, b) for a in VERSIONS for b in VERSIONS]
    assert len(pairs) > 1000
    answers = xmod(pairs)
    bad = []
    for (a, b), want in zip(pairs, answers):
        got = {
            "valid_a": gosemver.is_valid(a),
            "valid_b": gosemver.is_valid(b),
            "cmp": gosemver.compare(a, b),
            "canonical": gosemver.canonical(a),
            "pseudo": gosemver.is_pseudo(a),
        }
        if got != {k: want[k] for k in got}:
            bad.append((a, b, want, got))
        if want["pseudo"] and not want["base_err"]:
            if gosemver.pseudo_base(a) != want["base"]:
                bad.append((a, "base", want["base"], gosemver.pseudo_base(a)))
    assert not bad, bad[:10]


def _go_list(go: str, proxy: Path, cache: Path, *args: str) -> dict | list:
    env = {
        **os.environ,
        "GOPROXY": proxy.as_uri(),
        "GOSUMDB": "off",
        "GONOSUMDB": "*",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
        "GOMODCACHE": str(cache),
        "GO111MODULE": "on",
    }
    proc = subprocess.run([go, "list", "-m", "-json", *args], cwd=proxy.parent, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    decoder, text, out = json.JSONDecoder(), proc.stdout.strip(), []
    while text:
        item, end = decoder.raw_decode(text)
        out.append(item)
        text = text[end:].strip()
    return out


@pytest.fixture
def goproxy(tmp_path) -> Path:
    """A GOPROXY directory serving example.com/sdk at tags, a prerelease, +incompatible and a pseudo-version."""
    proxy = tmp_path / "proxy"
    folder = proxy / "example.com" / "sdk" / "@v"
    folder.mkdir(parents=True)
    tags = ["v0.9.0", "v1.3.9", "v1.4.0", "v1.4.1-rc.1", "v1.10.0", "v1.9.0", "v2.0.0+incompatible"]
    pseudo = "v1.4.1-0.20240102150405-abcdefabcdef"
    (folder / "list").write_text("\n".join([*tags, pseudo]) + "\n")
    for version in [*tags, pseudo]:
        (folder / f"{version}.info").write_text(json.dumps({"Version": version, "Time": "2024-01-02T15:04:05Z"}))
        (folder / f"{version}.mod").write_text("module example.com/sdk\n")
    return proxy


def test_go_list_orders_versions_as_the_port_does(go_binary, goproxy, tmp_path):
    listed = _go_list(go_binary, goproxy, tmp_path / "cache", "-versions", "example.com/sdk")[0]["Versions"]
    served = (goproxy / "example.com/sdk/@v/list").read_text().split()
    tagged = [v for v in served if not gosemver.is_pseudo(v)]
    assert listed == sorted(tagged, key=functools.cmp_to_key(gosemver.compare))


def test_go_resolves_queries_as_the_port_orders_them(go_binary, goproxy, tmp_path):
    pseudo = "v1.4.1-0.20240102150405-abcdefabcdef"
    found = _go_list(go_binary, goproxy, tmp_path / "cache", f"example.com/sdk@{pseudo}", "example.com/sdk@<v1.4.0", "example.com/sdk@latest")
    assert [f["Version"] for f in found] == [pseudo, "v1.3.9", "v2.0.0+incompatible"]
    served = (goproxy / "example.com/sdk/@v/list").read_text().split()
    releases = [v for v in served if not gosemver.prerelease(v)]
    below = max((v for v in releases if gosemver.compare(v, "v1.4.0") < 0), key=functools.cmp_to_key(gosemver.compare))
    latest = max(releases, key=functools.cmp_to_key(gosemver.compare))
    assert (below, latest) == ("v1.3.9", "v2.0.0+incompatible")
    judgement = specs.go(pseudo, "v1.4.0")
    assert judgement.verdict is Verdict.MISMATCH and "pseudo-version" in judgement.reason and "v1.4.0" in judgement.reason


@pytest.mark.parametrize(
    "found, verdict",
    [
        ("v1.4.0", Verdict.EXACT),
        ("v1.3.9", Verdict.MISMATCH),
        ("v1.4.1", Verdict.MISMATCH),
        ("v1.4.0+incompatible", Verdict.MISMATCH),
        ("v1.4.1-0.20240102150405-abcdefabcdef", Verdict.MISMATCH),
        ("1.4.0", Verdict.MISMATCH),
        ("v1.4", Verdict.MISMATCH),
    ],
)
def test_go_requirements_must_be_the_published_version(found, verdict):
    assert specs.go(found, "1.4.0").verdict is verdict
    assert specs.go(found, "v1.4.0").verdict is verdict


def test_split_path_version():
    assert gosemver.split_path_version("go.acme.test/sdk-go/v2") == ("go.acme.test/sdk-go", "/v2")
    assert gosemver.split_path_version("go.acme.test/sdk-go") == ("go.acme.test/sdk-go", "")
    assert gosemver.split_path_version("gopkg.in/yaml.v3") == ("gopkg.in/yaml", ".v3")
