"""The dependency readers: what each file declares, where, and the span --fix may replace."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from devenv.deps import tomlpos
from devenv.deps.model import ReadError
from devenv.deps.readers import ecosystem_of, go, npm, python, read_file


def _span_text(text, dep):
    return text[dep.span[0] : dep.span[1]] if dep.span else None


# -- npm ------------------------------------------------------------------------------------------

PACKAGE_JSON = """{
  "name": "platform",
  "dependencies": {
    "@acme/sdk-ts": "^1.3.9",
    "sdk": "npm:@acme/sdk-ts@1.4.0",
    "@acme/sdk-ts-extra": "1.0.0"
  },
  "devDependencies": {"@acme/sdk-ts": "npm:left-pad@1.0.0", "local": "workspace:*"},
  "peerDependencies": {"@acme/sdk-ts": ">=1.4.0"},
  "optionalDependencies": {"escaped": "\\u005e1.0.0"},
  "scripts": {"x": "@acme/sdk-ts@9"}
}
"""


def test_package_json_sections_aliases_and_positions():
    deps = npm.read("svc/package.json", PACKAGE_JSON)
    got = [(d.name, d.spec, d.section, d.line, d.col, _span_text(PACKAGE_JSON, d), d.written_name) for d in deps]
    assert got == [
        ("@acme/sdk-ts", "^1.3.9", "dependencies", 4, 22, "^1.3.9", "@acme/sdk-ts"),
        ("@acme/sdk-ts", "1.4.0", "dependencies", 5, 30, "1.4.0", "sdk"),
        ("@acme/sdk-ts-extra", "1.0.0", "dependencies", 6, 28, "1.0.0", "@acme/sdk-ts-extra"),
        ("left-pad", "1.0.0", "devDependencies", 8, 53, "1.0.0", "@acme/sdk-ts"),
        ("local", "workspace:*", "devDependencies", 8, 71, "workspace:*", "local"),
        ("@acme/sdk-ts", ">=1.4.0", "peerDependencies", 9, 41, ">=1.4.0", "@acme/sdk-ts"),
        ("escaped", "^1.0.0", "optionalDependencies", 10, 39, None, "escaped"),  # escaped: no span, no fix
    ]


def test_invalid_json_is_a_read_error_with_a_position():
    with pytest.raises(ReadError) as err:
        npm.read("package.json", '{\n  "dependencies": {"a": "1",}\n}')
    assert (err.value.line, err.value.col) == (2, 29)


def test_pnpm_lock_v9_v6_and_v5():
    v9 = (
        "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      '@acme/sdk-ts':\n        specifier: ^1.3.9\n"
        "        version: 1.3.9(react@18.2.0)\n      sdk:\n        specifier: npm:@acme/sdk-ts@1.4.0\n"
        "        version: '@acme/sdk-ts@1.4.0'\n"
    )
    assert [(d.name, d.spec, d.line, d.col, d.kind) for d in npm.read("pnpm-lock.yaml", v9)] == [
        ("@acme/sdk-ts", "1.3.9", 7, 18, "locked"),
        ("@acme/sdk-ts", "1.4.0", 10, 18, "locked"),
    ]
    v6 = (
        "lockfileVersion: '6.0'\ndependencies:\n  '@acme/sdk-ts':\n    specifier: 1.4.0\n    version: 1.4.0\n"
        "  x:\n    specifier: link:../x\n    version: link:../x\n"
    )
    assert [(d.name, d.spec, d.local) for d in npm.read("pnpm-lock.yaml", v6)] == [("@acme/sdk-ts", "1.4.0", ""), ("x", "", "link:../x")]
    v5 = "lockfileVersion: 5.4\nspecifiers:\n  '@acme/sdk-ts': ^1.0.0\ndependencies:\n  '@acme/sdk-ts': 1.3.9_react@18.2.0\n"
    assert [(d.name, d.spec, d.line) for d in npm.read("pnpm-lock.yaml", v5)] == [("@acme/sdk-ts", "1.3.9", 5)]


def test_package_lock_v1_and_v3_direct_installs_only():
    v3 = json.dumps(
        {
            "lockfileVersion": 3,
            "packages": {
                "": {"dependencies": {"@acme/sdk-ts": "1.4.0"}},
                "node_modules/@acme/sdk-ts": {"version": "1.3.9"},
                "node_modules/x/node_modules/@acme/sdk-ts": {"version": "0.1.0"},
                "node_modules/sdk": {"name": "@acme/sdk-ts", "version": "1.4.0"},
            },
        },
        indent=2,
    )
    assert [(d.name, d.spec, d.written_name) for d in npm.read("package-lock.json", v3)] == [
        ("@acme/sdk-ts", "1.3.9", "@acme/sdk-ts"),
        ("@acme/sdk-ts", "1.4.0", "sdk"),
    ]
    v1 = json.dumps({"lockfileVersion": 1, "dependencies": {"@acme/sdk-ts": {"version": "1.3.9"}, "al": {"version": "npm:@acme/sdk-ts@1.4.0"}}})
    assert [(d.name, d.spec) for d in npm.read("npm-shrinkwrap.json", v1)] == [("@acme/sdk-ts", "1.3.9"), ("@acme/sdk-ts", "1.4.0")]


# -- Go -------------------------------------------------------------------------------------------

GO_MOD = """module example.com/agents // the service

go 1.22

toolchain go1.22.3

require go.acme.test/sdk-go v1.3.9

require (
	github.com/x/y v1.0.0 // indirect
	"go.acme.test/sdk-go/v2" v2.0.0+incompatible
	// go.acme.test/sdk-go v9.9.9
	golang.org/x/text v0.0.0-20240102150405-abcdefabcdef // indirect; pinned
)

exclude go.acme.test/sdk-go v1.0.0

replace go.acme.test/sdk-go => ../../packages/sdk_go

replace (
	go.acme.test/sdk-go v1.3.9 => go.acme.test/sdk-go v1.4.1-0.20240102150405-abcdefabcdef
	github.com/x/y => github.com/fork/y v1.0.1
)

retract v0.1.0
"""


def test_go_mod_require_replace_indirect_and_positions():
    deps = go.read("go.mod", GO_MOD)
    got = [(d.name, d.spec, d.kind, d.line, d.col, _span_text(GO_MOD, d), d.indirect, d.local) for d in deps]
    assert got == [
        ("go.acme.test/sdk-go", "v1.3.9", "declared", 7, 29, "v1.3.9", False, ""),
        ("github.com/x/y", "v1.0.0", "declared", 10, 17, "v1.0.0", True, ""),
        ("go.acme.test/sdk-go/v2", "v2.0.0+incompatible", "declared", 11, 27, "v2.0.0+incompatible", False, ""),
        ("golang.org/x/text", "v0.0.0-20240102150405-abcdefabcdef", "declared", 13, 20, "v0.0.0-20240102150405-abcdefabcdef", True, ""),
        ("go.acme.test/sdk-go", "", "replaced", 18, 32, None, False, "../../packages/sdk_go"),
        ("go.acme.test/sdk-go", "v1.4.1-0.20240102150405-abcdefabcdef", "replaced", 21, 52, "v1.4.1-0.20240102150405-abcdefabcdef", False, ""),
        ("github.com/x/y", "v1.0.1", "replaced", 22, 38, "v1.0.1", False, "module github.com/fork/y"),
    ]


def test_go_mod_agrees_with_go_mod_edit_json(go_binary, tmp_path):
    """Go's own parser (`go mod edit -json`) reads the same requires and replaces."""
    (tmp_path / "go.mod").write_text(GO_MOD)
    proc = subprocess.run(
        [go_binary, "mod", "edit", "-json"], cwd=tmp_path, capture_output=True, text=True, timeout=60, env={**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": ""}
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    deps = go.read("go.mod", GO_MOD)
    requires = [(r["Path"], r["Version"], bool(r.get("Indirect"))) for r in data["Require"]]
    assert requires == [(d.name, d.spec, d.indirect) for d in deps if d.kind == "declared"]
    replaces = [(r["Old"]["Path"], r["New"].get("Version", "")) for r in data["Replace"]]
    assert replaces == [(d.name, d.spec) for d in deps if d.kind == "replaced"]


@pytest.mark.parametrize("text", ["require (\n\tx v1\n", "require x v1 /* no */\n", 'require "x v1\n', "replace x =>\n"])
def test_go_mod_errors(text):
    with pytest.raises(ReadError):
        go.read("go.mod", text)


# -- Python ---------------------------------------------------------------------------------------

PYPROJECT = """[project]
name = "graph"
# dependencies = ["acme-sdk==0.0.1"]
dependencies = [
  "Acme_SDK[grpc] >= 1.3, < 2 ; python_version >= '3.8'",  # a comment "acme-sdk==9"
  'fastapi',
  "acme-sdk (==1.4.0)",
  "acme-sdk @ https://example.com/acme_sdk-1.4.0-py3-none-any.whl",
]
[project.optional-dependencies]
dev = ["ACME.sdk==1.4.0"]
[dependency-groups]
test = ["acme-sdk~=1.4", {include-group = "dev"}]
[tool.poetry.dependencies]
python = "^3.11"
acme-sdk = "^1.4"
[tool.poetry.group.dev.dependencies]
acme_sdk = [{version = "1.3.9", markers = "python_version < '3.8'"}, {path = "../sdk", develop = true}]
[tool.uv.sources]
acme-sdk = { path = "../../packages/sdk_py", editable = true }
"""


def test_pyproject_pep621_groups_poetry_and_uv_sources():
    deps = python.read("pyproject.toml", PYPROJECT)
    got = [(d.name, d.spec, d.style, d.kind, d.section, d.line, d.col, _span_text(PYPROJECT, d), d.marker, d.local) for d in deps]
    assert got == [
        ("acme-sdk", ">= 1.3, < 2", "pep440", "declared", "project.dependencies", 5, 19, ">= 1.3, < 2", 'python_version >= "3.8"', ""),
        ("fastapi", "", "pep440", "declared", "project.dependencies", 6, 11, "", "", ""),
        ("acme-sdk", "==1.4.0", "pep440", "declared", "project.dependencies", 7, 14, "==1.4.0", "", ""),
        ("acme-sdk", "", "pep440", "declared", "project.dependencies", 8, 3, None, "", "https://example.com/acme_sdk-1.4.0-py3-none-any.whl"),
        ("acme-sdk", "==1.4.0", "pep440", "declared", "project.optional-dependencies.dev", 11, 17, "==1.4.0", "", ""),
        ("acme-sdk", "~=1.4", "pep440", "declared", "dependency-groups.test", 13, 18, "~=1.4", "", ""),
        ("acme-sdk", "^1.4", "poetry", "declared", "tool.poetry.dependencies", 16, 13, "^1.4", "", ""),
        ("acme-sdk", "1.3.9", "poetry", "declared", "tool.poetry.group.dev.dependencies", 18, 25, "1.3.9", "python_version < '3.8'", ""),
        ("acme-sdk", "", "poetry", "declared", "tool.poetry.group.dev.dependencies", 18, 78, None, "", "path ../sdk"),
        ("acme-sdk", "", "pep440", "replaced", "tool.uv.sources", 20, 21, None, "", "../../packages/sdk_py"),
    ]


def test_pep503_names():
    assert python.normalize("Ameide_SDK") == python.normalize("ameide.sdk") == python.normalize("AMEIDE--sdk") == "ameide-sdk"


def test_requirements_includes_constraints_continuations_markers_and_hashes():
    files = {
        "svc/requirements.txt": (
            "# acme-sdk==0.0.1\n-r common.txt\n--constraint ../constraints.txt\n"
            'Acme-SDK[grpc]>=1.3 ; python_version >= "3.8"  # trailing comment\n'
            "requests==2.31.0 \\\n    --hash=sha256:abc\n"
            "-e ../../packages/sdk_py#egg=acme-sdk\n"
            "acme-sdk\\\n==1.4.0\n"
            "./vendor/thing.whl\n"
        ),
        "svc/common.txt": "acme-sdk==1.3.9\r\n",
        "constraints.txt": "acme-sdk<1.4\n-r svc/requirements.txt\n",
    }
    text = files["svc/requirements.txt"]
    deps = python.read("svc/requirements.txt", text, files.get)
    got = [(d.name, d.spec, d.kind, d.file, d.line, d.col, d.local) for d in deps]
    assert got == [
        ("acme-sdk", "==1.3.9", "declared", "svc/common.txt", 1, 9, ""),
        ("acme-sdk", "<1.4", "constraint", "constraints.txt", 1, 9, ""),
        ("acme-sdk", ">=1.3", "declared", "svc/requirements.txt", 4, 15, ""),
        ("requests", "==2.31.0", "declared", "svc/requirements.txt", 5, 9, ""),
        ("acme-sdk", "", "declared", "svc/requirements.txt", 7, 1, "../../packages/sdk_py#egg=acme-sdk"),
        ("acme-sdk", "==1.4.0", "declared", "svc/requirements.txt", 9, 1, ""),
        ("", "", "declared", "svc/requirements.txt", 10, 1, "./vendor/thing.whl"),
    ]
    assert deps[2].marker == 'python_version >= "3.8"'
    assert _span_text(files["svc/common.txt"], deps[0]) == "==1.3.9"


def test_requirements_include_outside_the_repository_is_an_error():
    with pytest.raises(ReadError):
        python.read("requirements.txt", "-r missing.txt\n", lambda path: None)


def test_uv_and_poetry_lockfiles():
    uv = (
        'version = 1\n\n[[package]]\nname = "Acme_SDK"\nversion = "1.3.0"\nsource = { registry = "https://pypi.acme.test/simple" }\n'
        '\n[[package]]\nname = "svc"\nversion = "0.1.0"\nsource = { editable = "." }\n'
    )
    assert [(d.name, d.spec, d.kind, d.line, d.col, d.local) for d in python.read("uv.lock", uv)] == [
        ("acme-sdk", "1.3.0", "locked", 5, 12, ""),
        ("svc", "0.1.0", "locked", 10, 12, "editable ."),
    ]
    poetry = '[[package]]\nname = "acme-sdk"\nversion = "1.3.5"\n\n[package.source]\ntype = "directory"\nurl = "../sdk"\n'
    assert [(d.name, d.spec, d.local) for d in python.read("poetry.lock", poetry)] == [("acme-sdk", "1.3.5", "directory ../sdk")]


@pytest.mark.parametrize(
    "path, ecosystem",
    [
        ("a/package.json", "npm"),
        ("pnpm-lock.yaml", "npm"),
        ("package-lock.json", "npm"),
        ("go.mod", "go"),
        ("pyproject.toml", "python"),
        ("requirements-dev.txt", "python"),
        ("requirements/base.txt", "python"),
        ("constraints.txt", "python"),
        ("uv.lock", "python"),
        ("poetry.lock", "python"),
        ("README.md", None),
        ("go.sum", None),
        ("yarn.lock", None),
        ("setup.py", None),
    ],
)
def test_ecosystem_of(path, ecosystem):
    assert ecosystem_of(path) == ecosystem


def test_read_file_dispatches():
    assert [d.name for d in read_file("x/go.mod", "module m\nrequire a v1.0.0\n")] == ["a"]


# -- the TOML position scanner --------------------------------------------------------------------

TOML_CASES = [
    'a = "x"\nb = \'y\'\n[t]\nc.d = "z"\n"q.k" = """m\nl"""\ne = \'\'\'r\'\'\'\n',
    '[[p]]\nn = "1"\n[[p.q]]\nn = "2"\n[[p]]\nn = "3"\n[[p.q]]\nn = "4"\n[p.r]\nn = "5"\n',
    'x = [ # c\n  "a", # "fake"\n  [ "b" ], { k = "c" },\n]\ny = 1979-05-27 07:32:00Z\nz = "\\u00e9\\"q"\n',
    'w = { a = { b = \'c\' } }\nv = """a""""\nu = 1\r\nt = "crlf"\r\n',
]


@pytest.mark.parametrize("text", TOML_CASES)
def test_toml_scanner_finds_every_string_tomllib_sees(text):
    import tomllib

    found = tomlpos.strings(text)
    data = tomllib.loads(text)

    def count(value):
        if isinstance(value, str):
            return 1
        if isinstance(value, dict):
            return sum(count(v) for v in value.values())
        if isinstance(value, list):
            return sum(count(v) for v in value)
        return 0

    assert len(found) == count(data)
    for item in found:
        assert text[item.start : item.end] == item.raw


def test_lockfile_versions_fall_back_to_the_full_scanner():
    """Generated lockfiles take a line-based fast path, checked against tomllib; anything it cannot
    vouch for (a multi-line string, a version inside a sub-table) goes through the scanner."""
    tricky = '[[package]]\nname = "acme-sdk"\ndescription = """\n[[package]]\nversion = "9"\n"""\nversion = "1.3.0"\n[package.dependencies]\nversion = ">=1"\n'
    deps = python.read("poetry.lock", tricky)
    assert [(d.name, d.spec, d.line, d.col) for d in deps] == [("acme-sdk", "1.3.0", 7, 12)]
    plain = '[[package]]\nname = "acme-sdk"\n[package.dependencies]\nversion = ">=1"\n[[package]]\nname = "x"\nversion = "2"\n'
    assert [(d.name, d.spec, d.line) for d in python.read("uv.lock", plain)] == [("acme-sdk", "", 1), ("x", "2", 7)]
