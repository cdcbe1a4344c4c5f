"""`devenv sdk verify` against real registries holding SDKs built by the real tools
(tests/sdk/verify/artifacts.py): the complete ones pass, each gap is named exactly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from tests.sdk.verify import artifacts
from tests.sdk.verify.artifacts import DROPPED, PROTOS, VARIANTS
from tests.sdk.verify.repo import write_repo
from tests.support.cli import devenv
from tests.support.components import missing


def _verify(repo, *args):
    run = devenv("sdk", "verify", *args, "--json", "-f", str(repo), cwd=repo.parent, timeout=120)
    assert run.code in (0, 1), run.err
    return run.code, json.loads(run.out)


def _gaps(document) -> list[tuple[str, str | None, str | None]]:
    return [(f["kind"], f["proto"], f["path"]) for sdk in document["sdks"] for f in sdk["findings"]]


# -- npm (Verdaccio, npm pack + npm publish) ---------------------------------------------------------


def test_npm_complete_sdk_passes_with_its_integrity_checked(verify_npm, tmp_path):
    repo = write_repo(tmp_path, {"npm": verify_npm.url})
    code, doc = _verify(repo, "ts")
    assert code == 0 and doc["ok"], doc
    sdk = doc["sdks"][0]
    assert sdk["findings"] == []
    assert "tarball matches dist.integrity (sha512)" in sdk["passed"]
    assert sdk["counts"]["protos"] == len(PROTOS) and sdk["counts"]["generated_expected"] == 2 * len(PROTOS)
    assert sdk["artifact"].startswith("npm tarball http://127.0.0.1:") and sdk["artifact"].endswith("-1.5.0.tgz")


def test_npm_missing_generated_file_is_named_by_proto(verify_npm, tmp_path):
    repo = write_repo(tmp_path, {"npm": verify_npm.url})
    code, doc = _verify(repo, "ts", "--version", VARIANTS["no-generated"])
    assert code == 1
    assert _gaps(doc) == [("missing-generated", DROPPED, "dist/gen/ameide/graph/v1/graph_pb.js")]


def test_npm_missing_raw_protos_are_each_named(verify_npm, tmp_path):
    repo = write_repo(tmp_path, {"npm": verify_npm.url})
    code, doc = _verify(repo, "ts", "--version", VARIANTS["no-raw"])
    assert code == 1
    assert _gaps(doc) == [("missing-raw", p, f"dist/proto/raw/{p}") for p in PROTOS]


def test_npm_entry_point_that_points_nowhere(verify_npm, tmp_path):
    repo = write_repo(tmp_path, {"npm": verify_npm.url})
    code, doc = _verify(repo, "ts", "--version", VARIANTS["broken-entry"])
    assert code == 1
    assert _gaps(doc) == [("entry-point", None, "dist/main.js")]
    assert "package.json main points to dist/main.js" in doc["sdks"][0]["findings"][0]["message"]


def test_npm_unpublished_version_is_a_fetch_gap(verify_npm, tmp_path):
    repo = write_repo(tmp_path, {"npm": verify_npm.url})
    code, doc = _verify(repo, "ts", "--version", "9.9.9")
    assert code == 1
    assert [f["kind"] for f in doc["sdks"][0]["findings"]] == ["fetch"]
    assert "9.9.9 is not in the registry's package document" in doc["sdks"][0]["findings"][0]["message"]


def test_text_report_groups_gaps_by_proto_file(verify_npm, tmp_path):
    repo = write_repo(tmp_path, {"npm": verify_npm.url})
    run = devenv("sdk", "verify", "ts", "--version", VARIANTS["no-generated"], "-f", str(repo), cwd=tmp_path)
    assert run.code == 1, run.err
    lines = run.out.splitlines()
    assert lines[0] == f"FAIL  ts: {artifacts.NPM_PACKAGE}@1.5.1 (registry): 1 gap"
    at = lines.index(f"      {DROPPED}:")
    assert lines[at + 1] == f"        missing-generated: dist/gen/ameide/graph/v1/graph_pb.js is missing (generated from {DROPPED})"
    assert any(line.startswith("      hint: regenerate and rebuild the SDK") for line in lines)


# -- PyPI (pypiserver, pip wheel) -------------------------------------------------------------------


def test_pypi_complete_wheel_passes_index_hash_and_record(verify_pypi, tmp_path):
    repo = write_repo(tmp_path, {"pypi": verify_pypi.url})
    code, doc = _verify(repo, "python")
    assert code == 0, doc
    passed = doc["sdks"][0]["passed"]
    wheel = next(p for p in passed if p.endswith(" matches the index's sha256"))
    assert wheel.startswith("ameide_sdk-1.5.0-") and "-none-any.whl" in wheel
    assert "every file matches ameide_sdk-1.5.0.dist-info/RECORD" in passed
    assert doc["sdks"][0]["counts"]["generated_expected"] == len(PROTOS)


def test_pypi_wheel_without_raw_protos(verify_pypi, tmp_path):
    repo = write_repo(tmp_path, {"pypi": verify_pypi.url})
    code, doc = _verify(repo, "python", "--version", VARIANTS["no-raw"])
    assert code == 1
    assert _gaps(doc) == [("missing-raw", p, f"ameide_sdk/proto/raw/{p}") for p in PROTOS]


def test_pypi_console_script_into_a_missing_module(verify_pypi, tmp_path):
    repo = write_repo(tmp_path, {"pypi": verify_pypi.url})
    code, doc = _verify(repo, "python", "--version", VARIANTS["broken-entry"])
    assert code == 1
    assert _gaps(doc) == [("entry-point", None, "ameide_sdk/cli")]
    assert "entry_points.txt [console_scripts] ameide-sdk = ameide_sdk.cli:main" in doc["sdks"][0]["findings"][0]["message"]


# -- Go (a module proxy directory) ------------------------------------------------------------------


def _go_sum(proxy_url: str, version: str, tmp_path) -> str:
    """The real go command's h1 hash of the module zip (the oracle)."""
    go = shutil.which("go") or missing("`go` not found (Go toolchain)")
    env = {
        **os.environ,
        "GOPROXY": proxy_url,
        "GOSUMDB": "off",
        "GOFLAGS": "-modcacherw",
        "GOTOOLCHAIN": "local",
        "GOMODCACHE": str(tmp_path / "modcache"),
        "GOPATH": str(tmp_path / "gopath"),
    }
    proc = subprocess.run(
        [go, "mod", "download", "-json", f"{artifacts.GO_MODULE}@{version}"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout)["Sum"]


def test_go_complete_module_and_its_h1_hash_matches_the_go_command(verify_goproxy, tmp_path):
    repo = write_repo(tmp_path, {"goproxy": verify_goproxy.url})
    code, doc = _verify(repo, "go")
    assert code == 0, doc
    passed = doc["sdks"][0]["passed"]
    assert "the zip's go.mod equals the proxy's .mod" in passed
    assert f"h1 hash {_go_sum(verify_goproxy.url, 'v1.5.0', tmp_path)}" in passed


def test_go_module_missing_a_generated_file(verify_goproxy, tmp_path):
    repo = write_repo(tmp_path, {"goproxy": verify_goproxy.url})
    code, doc = _verify(repo, "go", "--version", "v" + VARIANTS["no-generated"])
    assert code == 1
    assert _gaps(doc) == [("missing-generated", DROPPED, "gen/ameide/graph/v1/graph.pb.go")]


def test_go_module_declaring_another_path(verify_goproxy, tmp_path):
    repo = write_repo(tmp_path, {"goproxy": verify_goproxy.url})
    code, doc = _verify(repo, "go", "--version", "v" + VARIANTS["broken-entry"])
    assert code == 1
    assert _gaps(doc) == [("entry-point", None, "go.mod")]


# -- all at once, and manifest-declared layouts ------------------------------------------------------


def test_all_complete_sdks_pass_together(verify_npm, verify_pypi, verify_goproxy, tmp_path):
    repo = write_repo(tmp_path, {"npm": verify_npm.url, "pypi": verify_pypi.url, "goproxy": verify_goproxy.url})
    code, doc = _verify(repo, "--all")
    assert code == 0, doc
    assert [s["sdk"] for s in doc["sdks"]] == ["ts", "python", "go"]


def test_manifest_declared_layout_overrides_the_default(verify_npm, tmp_path):
    # The same tarball read with a layout that promises .d.ts files under another root: every
    # proto's file is then missing there, and the real ones are not counted as extra.
    repo = write_repo(
        tmp_path, {"npm": verify_npm.url}, sdks={"ts": {"verify": {"root": "dist/types", "generated": ["{dir}{stem}_pb.d.ts"], "raw_protos": ""}}}
    )
    code, doc = _verify(repo, "ts")
    assert code == 1
    assert _gaps(doc) == [("missing-generated", p, f"dist/types/{p[:-6]}_pb.d.ts") for p in PROTOS]


def test_unknown_sdk_is_a_usage_error(verify_npm, tmp_path):
    repo = write_repo(tmp_path, {"npm": verify_npm.url})
    run = devenv("sdk", "verify", "tss", "-f", str(repo), cwd=tmp_path)
    assert run.code == 2 and "unknown SDK 'tss' (did you mean 'ts'?)" in run.err
