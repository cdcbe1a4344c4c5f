"""`devenv lint --fix` round trips on every format: afterwards lint is clean, each file differs from
the original only in the version text (CRLF, comments, order and spacing kept byte for byte),
a second run changes nothing, and a file that cannot be rewritten safely is reported, untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devenv.errors import Location
from devenv.lint.sdk import fix
from tests.fixtures.sdk_monorepo import MANIFEST, build, services
from tests.support.cli import devenv

_TEXT, _SERVICE_FILES = services(
    {n: (lang, "") for n, lang in (("node", "typescript"), ("gomod", "go"), ("pep621", "python"), ("poetry", "python"), ("reqs", "python"))}
)
SERVICES = MANIFEST.split("services:\n")[0] + "services:\n" + _TEXT

FILES = {
    "services.yaml": SERVICES,
    **_SERVICE_FILES,
    "packages/acme_proto/proto/a.proto": 'syntax = "proto3";\n',
    "services/node/package.json": (
        '{\r\n  "name": "node",\r\n  "dependencies": {\r\n    "zeta": "1.0.0",\r\n    "@acme/sdk-ts": "^1.3.0"\r\n  },\r\n'
        '  "devDependencies": {"sdk": "npm:@acme/sdk-ts@~1.3.0", "other": "2.0.0"},\r\n'
        '  "peerDependencies": {\r\n    "@acme/sdk-ts":   "workspace:*"\r\n  }\r\n}\r\n'
    ),
    "services/gomod/go.mod": (
        "module example.com/gomod // keep this comment\n\ngo 1.22\n\nrequire (\n"
        "\tgolang.org/x/text v0.14.0 // indirect\n\tgo.acme.test/sdk-go v1.3.9 // the SDK\n)\n\n"
        'replace go.acme.test/sdk-go v1.3.9 => go.acme.test/sdk-go "v1.4.1-0.20240102150405-abcdefabcdef"\n'
    ),
    "services/pep621/pyproject.toml": (
        "[project]\nname = 'pep621'  # comment\n"
        "dependencies = [\n    \"Acme_SDK[grpc] >= 1.3 , < 2 ; python_version >= '3.8'\",  # keep\n    'fastapi',\n    \"acme-sdk\",\n]\n\n"
        '[project.optional-dependencies]\nextra = ["acme-sdk (<1.4)"]\n\n'
        "[dependency-groups]\ndev = ['acme-sdk~=1.3.0', { include-group = \"extra\" }]\n"
    ),
    "services/poetry/pyproject.toml": (
        '[tool.poetry]\nname = "poetry"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
        'acme-sdk = "^1.3"   # caret\n\n[tool.poetry.group.dev.dependencies]\n'
        'Acme-SDK = [{version = "~1.3", python = "<3.12"}, {version = ">=1.3", python = ">=3.12"}]\n'
        '[tool.poetry.group.ci.dependencies]\nacme_sdk = { version = "1.3.9", extras = ["grpc"] }\n'
    ),
    "services/reqs/requirements.txt": ('# pins\n-r base.txt\nacme-sdk>=1.3 ; python_version >= "3.8" \\\n    --hash=sha256:0123  # hashed\nrequests==2.31.0\n'),
    "services/reqs/base.txt": "ACME_sdk ~= 1.3\r\n",
}

# (path, line, old text, new text): every rewrite --fix must make, and nothing else.
EXPECTED = [
    ("services/node/package.json", 5, "^1.3.0", "1.4.0"),
    ("services/node/package.json", 7, "~1.3.0", "1.4.0"),
    ("services/node/package.json", 9, "workspace:*", "1.4.0"),
    ("services/gomod/go.mod", 7, "v1.3.9", "v1.4.0"),
    ("services/gomod/go.mod", 10, "v1.4.1-0.20240102150405-abcdefabcdef", "v1.4.0"),
    ("services/pep621/pyproject.toml", 4, ">= 1.3 , < 2", "==1.4.0"),
    ("services/pep621/pyproject.toml", 6, '"acme-sdk"', '"acme-sdk==1.4.0"'),
    ("services/pep621/pyproject.toml", 10, "<1.4", "==1.4.0"),
    ("services/pep621/pyproject.toml", 13, "~=1.3.0", "==1.4.0"),
    ("services/poetry/pyproject.toml", 6, "^1.3", "1.4.0"),
    ("services/poetry/pyproject.toml", 9, '"~1.3"', '"1.4.0"'),
    ("services/poetry/pyproject.toml", 9, '">=1.3"', '"1.4.0"'),
    ("services/poetry/pyproject.toml", 11, "1.3.9", "1.4.0"),
    ("services/reqs/requirements.txt", 3, ">=1.3", "==1.4.0"),
    ("services/reqs/base.txt", 1, "~= 1.3", "==1.4.0"),
]


@pytest.fixture
def fixable(tmp_path) -> Path:
    return build(tmp_path / "repo", FILES)


def _expected_after(path: str, before: bytes) -> bytes:
    lines = before.decode().split("\n")
    for file, line, old, new in EXPECTED:
        if file == path:
            assert old in lines[line - 1], (path, line, old)
            lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines).encode()


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_format_round_trips(fixable):
    before = _snapshot(fixable)
    first = devenv("lint", "--format", "json", cwd=fixable)
    found = [f for f in json.loads(first.out)["findings"] if f["rule"] == "sdk-version"]
    assert len(found) == len(EXPECTED) and first.code == 1

    shown = devenv("lint", "--fix", "--diff", cwd=fixable)
    assert shown.code == 1 and shown.out.startswith("--- a/")
    assert _snapshot(fixable) == before  # --diff writes nothing

    fixed = devenv("lint", "--fix", cwd=fixable)
    assert fixed.code == 0, fixed.out + fixed.err
    assert fixed.out == ""
    after = _snapshot(fixable)
    assert set(after) == set(before)  # no temporary file left behind
    for path in before:
        assert after[path] == _expected_after(path, before[path]), path

    again = devenv("lint", "--fix", cwd=fixable)
    assert again.code == 0 and "rewrote" not in again.err
    assert _snapshot(fixable) == after
    assert devenv("lint", cwd=fixable).code == 0


def test_crlf_and_modes_survive(fixable):
    target = fixable / "services/reqs/base.txt"
    target.chmod(0o640)
    devenv("lint", "--fix", cwd=fixable)
    assert target.read_bytes() == b"ACME_sdk ==1.4.0\r\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert b"\r\n" in (fixable / "services/node/package.json").read_bytes()
    assert b"\n" not in (fixable / "services/node/package.json").read_bytes().replace(b"\r\n", b"")


def _edit(file: str, start: int, end: int, old: str, new: str) -> fix.Edit:
    return fix.Edit(file, start, end, old, new, Location(file, 1, start + 1))


def test_a_file_that_changed_since_lint_read_it_is_refused(tmp_path):
    (tmp_path / "requirements.txt").write_text("acme-sdk==1.3.9\n")
    edit = _edit("requirements.txt", 8, 15, "==1.3.9", "==1.4.0")
    (tmp_path / "requirements.txt").write_text("acme-sdk>=1.3.9\n")
    report = fix.apply(str(tmp_path), [edit])
    assert not report.fixed and "changed since lint read it" in report.refused[0].error
    assert (tmp_path / "requirements.txt").read_text() == "acme-sdk>=1.3.9\n"


def test_a_rewrite_that_would_change_more_than_versions_is_refused(tmp_path):
    text = '{"dependencies": {"@acme/sdk-ts": "1.3.9"}}\n'
    (tmp_path / "package.json").write_text(text)
    start = text.index("1.3.9")
    broken = _edit("package.json", start, start + 5, "1.3.9", '1.4.0", "x": "1')
    report = fix.apply(str(tmp_path), [broken])
    assert not report.fixed and "different set of dependencies" in report.refused[0].error
    unparsable = _edit("package.json", start, start + 5, "1.3.9", '1.4.0"')
    report = fix.apply(str(tmp_path), [unparsable])
    assert "no longer parses" in report.refused[0].error
    assert (tmp_path / "package.json").read_text() == text


def test_a_failed_write_leaves_the_file_and_no_temporary(fixable, monkeypatch):
    """The write is atomic: when replacing the file fails, the original stays and nothing is left over."""
    import os

    before = _snapshot(fixable)
    edits = []
    from devenv.lint import lint
    from devenv.manifest.load import load_manifest

    edits = lint(load_manifest(fixable / "services.yaml")).edits
    assert edits

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    report = fix.apply(str(fixable), edits)
    assert not report.fixed and all("cannot write it: Permission denied" in r.error for r in report.refused)
    assert _snapshot(fixable) == before
