"""`devenv lint --fix` writes Go and Python workspace links where the form is unambiguous, and the
package managers agree: `go list -m` (GOPROXY=off, GOWORK=off) resolves the SDK's folder,
`uv pip compile` / `uv lock --offline` install it editable from there, poetry-core reads a path
dependency on it. Before the fix each of them fails offline (the SDK is not published anywhere).
A re-lint afterwards is clean; only the edited lines differ; the ambiguous cases keep their
printed fix and stay untouched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures import sdk_sources as fx
from tests.fixtures.sdk_monorepo import services
from tests.support.cli import devenv
from tests.support.components import tool

SDK_PY = '[project]\nname = "acme-sdk"\nversion = "0.3.0"\n'
_COMMON = {
    "packages/sdk_ts/package.json": '{"name": "@acme/sdk-ts", "version": "1.4.0"}\n',
    "packages/sdk_go/go.mod": "module go.acme.test/sdk-go\n\ngo 1.22\n",
    "packages/sdk_py/pyproject.toml": SDK_PY,
}
_HEAD = fx.WORKSPACE_MANIFEST.split("services:\n")[0] + "services:\n"

# A repository without go.work or uv workspace: every service gets the path form.
_text, _files = services(
    {
        n: (lang, "")
        for n, lang in (
            ("gosvc", "go"),
            ("reqs", "python"),
            ("uvpath", "python"),
            ("poet", "python"),
            ("twice", "python"),
            ("plain", "python"),
            ("hashed", "python"),
        )
    }
)
PATH_FILES = {
    "services.yaml": _HEAD + _text,
    **_files,
    **_COMMON,
    "services/gosvc/go.mod": "module example.com/gosvc // keep\n\ngo 1.22\n\nrequire go.acme.test/sdk-go v0.0.0 // the SDK\n",
    "services/reqs/requirements.txt": "# pins\r\nacme-sdk==0.3.0  # the SDK\r\n",
    "services/uvpath/pyproject.toml": '[project]\nname = "uvpath"\nversion = "0.1.0"\ndependencies = [\n'
    '    "acme-sdk==0.3.0",  # the SDK\n]\n\n[tool.uv]\npackage = false  # an app\n',
    "services/poet/pyproject.toml": '[tool.poetry]\nname = "poet"\nversion = "0.1.0"\n\n[tool.poetry.dependencies]\n'
    'python = "^3.11"\nacme-sdk = "^0.3"  # the SDK\n',
    # ambiguous: reported with the printed fix, never rewritten
    "services/twice/requirements.txt": "acme-sdk==0.3.0\nacme-sdk>=0.3 ; python_version >= '3.12'\n",  # which line?
    "services/plain/pyproject.toml": '[project]\nname = "plain"\nversion = "0.1.0"\ndependencies = ["acme-sdk"]\n',
    "services/hashed/requirements.txt": "acme-sdk==0.3.0 ; python_version >= '3.8'\n",
}
FIXED = {"services/gosvc/go.mod", "services/reqs/requirements.txt", "services/uvpath/pyproject.toml", "services/poet/pyproject.toml"}

# A uv workspace at the root that includes the SDK and one service (`{ workspace = true }`), and a
# service inside its folder that it leaves out (ambiguous: join the workspace or link the path?).
_text, _files = services({"member": ("python", ""), "outside": ("python", "")})
UV_FILES = {
    "services.yaml": _HEAD + _text,
    **_files,
    **_COMMON,
    "pyproject.toml": '[project]\nname = "ws"\nversion = "0"\n\n[tool.uv.workspace]\nmembers = ["packages/sdk_py", "services/member"]\n',
    "services/member/pyproject.toml": '[project]\nname = "member"\nversion = "0.1.0"\ndependencies = ["acme-sdk>=0.1"]\n',
    "services/outside/pyproject.toml": '[project]\nname = "outside"\nversion = "0.1.0"\ndependencies = ["acme-sdk>=0.1"]\n\n[tool.uv]\n',
}


def _links(repo: Path) -> list[tuple[str, int]]:
    document = json.loads(devenv("lint", "--format", "json", cwd=repo).out)
    return sorted((f["path"], f["line"]) for f in document["findings"] if f["rule"] == "sdk-workspace-link")


def _go(args, cwd: Path):
    env = {
        **os.environ,
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",
        "GOWORK": "off",
        "GOTOOLCHAIN": "local",
        "GOPATH": str(cwd.parent.parent.parent / "gopath"),
        "GOCACHE": str(cwd.parent.parent.parent / "gocache"),
    }
    return subprocess.run([tool("go"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _uv(args, cwd: Path):
    beside = Path(sys.executable).with_name("uv")
    uv = str(beside) if beside.is_file() else tool("uv")
    env = {**os.environ, "UV_CACHE_DIR": str(cwd / ".." / ".." / ".." / "uvcache"), "UV_OFFLINE": "1", "UV_NO_CONFIG": "1"}
    return subprocess.run([uv, *args, "--offline"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _poetry_dependency(folder: Path):
    from poetry.core.factory import Factory

    package = Factory().create_poetry(folder).package
    return next(d for d in package.requires if d.name == "acme-sdk")


@pytest.fixture
def path_repo(tmp_path) -> Path:
    return fx.build(tmp_path / "paths", PATH_FILES)


def test_fix_writes_go_and_python_path_links(path_repo):
    before = {p: (path_repo / p).read_bytes() for p in PATH_FILES}
    planted = _links(path_repo)
    assert {p for p, _ in planted} == FIXED | {"services/twice/requirements.txt", "services/plain/pyproject.toml", "services/hashed/requirements.txt"}
    sdk = path_repo / "packages/sdk_go"
    assert _go(["list", "-m", "-f", "{{.Dir}}", "go.acme.test/sdk-go"], path_repo / "services/gosvc").returncode != 0

    fixed = devenv("lint", "--fix", cwd=path_repo)
    assert fixed.code == 1, fixed  # the ambiguous ones stay reported
    assert sorted(p for p in PATH_FILES if (path_repo / p).read_bytes() != before[p]) == sorted(FIXED)
    assert {p for p, _ in _links(path_repo)} == {"services/twice/requirements.txt", "services/plain/pyproject.toml", "services/hashed/requirements.txt"}
    text = devenv("lint", cwd=path_repo).out
    assert "write `-e ../../packages/sdk_py` instead" in text and "[tool.uv.sources] acme-sdk = { path" in text

    assert (path_repo / "services/gosvc/go.mod").read_text() == (
        PATH_FILES["services/gosvc/go.mod"] + "\nreplace go.acme.test/sdk-go => ../../packages/sdk_go\n"
    )
    assert (path_repo / "services/reqs/requirements.txt").read_bytes() == b"# pins\r\n-e ../../packages/sdk_py  # the SDK\r\n"
    assert (path_repo / "services/uvpath/pyproject.toml").read_text() == (
        PATH_FILES["services/uvpath/pyproject.toml"] + '\n[tool.uv.sources]\nacme-sdk = {path = "../../packages/sdk_py", editable = true}\n'
    )
    assert (path_repo / "services/poet/pyproject.toml").read_text() == PATH_FILES["services/poet/pyproject.toml"].replace(
        '"^0.3"', '{path = "../../packages/sdk_py", develop = true}'
    )

    # the oracles: each tool now takes the SDK from its folder
    done = _go(["list", "-m", "-f", "{{.Dir}}", "go.acme.test/sdk-go"], path_repo / "services/gosvc")
    assert done.returncode == 0 and done.stdout.strip() == str(sdk), done.stderr
    done = _uv(["pip", "compile", "requirements.txt"], path_repo / "services/reqs")
    assert done.returncode == 0 and "-e ../../packages/sdk_py" in done.stdout, done.stderr
    done = _uv(["lock"], path_repo / "services/uvpath")
    assert done.returncode == 0, done.stderr
    lock = (path_repo / "services/uvpath/uv.lock").read_text()
    assert 'name = "acme-sdk"\nversion = "0.3.0"\nsource = { editable = "../../packages/sdk_py" }' in lock
    dependency = _poetry_dependency(path_repo / "services/poet")
    assert dependency.is_directory() and dependency.develop
    assert Path(dependency.full_path).resolve() == (path_repo / "packages/sdk_py").resolve()

    again = {p: (path_repo / p).read_bytes() for p in FIXED}
    devenv("lint", "--fix", cwd=path_repo)
    assert {p: (path_repo / p).read_bytes() for p in FIXED} == again  # a second run changes nothing


def test_the_unfixed_originals_fail_the_oracles(path_repo):
    """Without the fix the SDK is unreachable offline: the tools above really decide."""
    assert _uv(["pip", "compile", "requirements.txt"], path_repo / "services/reqs").returncode != 0
    assert _uv(["lock"], path_repo / "services/uvpath").returncode != 0
    assert not _poetry_dependency(path_repo / "services/poet").is_directory()


def test_fix_writes_workspace_true_for_a_uv_workspace_member(tmp_path):
    repo = fx.build(tmp_path / "uvws", UV_FILES)
    assert _uv(["lock"], repo).returncode != 0  # acme-sdk>=0.1 from an index: none offline
    fixed = devenv("lint", "--fix", cwd=repo)
    assert fixed.code == 1, fixed
    assert (repo / "services/member/pyproject.toml").read_text() == (
        UV_FILES["services/member/pyproject.toml"] + "\n[tool.uv.sources]\nacme-sdk = {workspace = true}\n"
    )
    assert (repo / "services/outside/pyproject.toml").read_text() == UV_FILES["services/outside/pyproject.toml"]
    assert _links(repo) == [("services/outside/pyproject.toml", 4)]
    done = _uv(["lock"], repo)
    assert done.returncode == 0, done.stderr
    lock = (repo / "uv.lock").read_text()
    assert 'name = "acme-sdk"\nversion = "0.3.0"\nsource = { editable = "packages/sdk_py" }' in lock
    assert '{ name = "acme-sdk", editable = "packages/sdk_py" }' in lock


def test_sdk_unused_suggests_the_workspace_link(tmp_path):
    _text, _files = services({"lonely": ("python", ""), "gopher": ("go", ""), "web": ("typescript", "")})
    repo = fx.build(tmp_path / "unused", {"services.yaml": _HEAD + _text, **_files, **_COMMON})
    document = json.loads(devenv("lint", "--format", "json", cwd=repo).out)
    fixes = {f["message"].split(" ")[0]: f["fix"] for f in document["findings"] if f["rule"] == "sdk-unused"}
    assert fixes["services.lonely"].startswith(
        'declare `-e ../../packages/sdk_py` (requirements), or acme-sdk with `[tool.uv.sources] acme-sdk = { path = "../../packages/sdk_py"'
    )
    assert fixes["services.gopher"].startswith("declare `require go.acme.test/sdk-go v0.0.0` with `replace go.acme.test/sdk-go => ../../packages/sdk_go`")
    assert fixes["services.web"].startswith('declare `"@acme/sdk-ts": "workspace:*"`')
    assert not any("1.4.0" in fix or "==" in fix for fix in fixes.values())  # no published pin


def _link_edit(text: str, old: str, new: str):
    from devenv.errors import Location
    from devenv.lint.sdk.fix import Edit

    start = text.index(old)
    return Edit(
        "svc/requirements.txt", start, start + len(old), old, new, Location("svc/requirements.txt", 1, 1), "sdk-workspace-link", link="sdk", name="acme-sdk"
    )


@pytest.mark.parametrize(
    "old, new, why",
    [
        ("acme-sdk==0.3.0\nrequests==2.31.0", "-e ../sdk", "changed a dependency that was not to change"),
        ("acme-sdk==0.3.0", "-e ../other", "which is not the workspace link"),
        ("acme-sdk==0.3.0", "acme-sdk==0.4.0", "adds acme-sdk, which is not the workspace link"),
        ("acme-sdk==0.3.0\n", "", "does not link sdk"),
    ],
)
def test_a_link_rewrite_that_does_more_or_less_than_link_is_refused(tmp_path, old, new, why):
    from devenv.lint.sdk import fix

    text = "acme-sdk==0.3.0\nrequests==2.31.0\n"
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/requirements.txt").write_text(text)
    report = fix.apply(str(tmp_path), [_link_edit(text, old, new)])
    assert not report.fixed and why in report.refused[0].error, report.refused[0].error
    assert (tmp_path / "svc/requirements.txt").read_text() == text
