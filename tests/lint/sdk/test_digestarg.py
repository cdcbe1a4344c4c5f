"""``sdk-digest-arg`` through the real `devenv lint`: where the install is, multi-stage builds,
the fallback on the version arg, SDKs without steps, --fix, suppressions, formats, exit codes.
(Its premise - Docker re-runs the install only with the ARG declared - is checked against the
real dockerd in test_digestarg_docker.py.)"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import devenv

MANIFEST = """\
version: 1
project: acme
sdks:
  ts:
    language: typescript
    path: packages/sdk_ts
    package: "@acme/sdk-ts"
    version: "1.4.0"
    steps:
      build: {cmd: "true"}
  plain:
    language: typescript
    path: packages/sdk_plain
    package: "@acme/sdk-plain"
    version: "2.0.0"
services:
  web:
    language: typescript
    sdks: [ts, plain]
    context: web
    image: acme/web
    k8s: [k8s/web.yaml]
"""
K8S = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n"
    "  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: acme/web}]}\n"
)
PACKAGE = '{"name": "web", "dependencies": {"@acme/sdk-ts": "1.4.0", "@acme/sdk-plain": "2.0.0"}}\n'

MISSING = """\
FROM node:22 AS deps
ARG TS_SDK_VERSION
ARG PLAIN_SDK_VERSION
RUN npm install "@acme/sdk-ts@${TS_SDK_VERSION}" "@acme/sdk-plain@${PLAIN_SDK_VERSION}"
FROM node:22
COPY --from=deps /node_modules /node_modules
"""


def _repo(tmp_path: Path, dockerfile: str, manifest: str = MANIFEST) -> Path:
    root = tmp_path / "repo"
    for rel, text in {"services.yaml": manifest, "k8s/web.yaml": K8S, "web/package.json": PACKAGE, "web/Dockerfile": dockerfile}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(text.encode())
    return root


def _found(repo: Path, *args: str) -> list[tuple]:
    result = devenv("lint", "--format", "json", *args, cwd=repo)
    assert result.code in (0, 1), result.err
    return [(f["path"], f["line"], f["col"], f["rule"], f["level"]) for f in json.loads(result.out)["findings"] if not f["suppressed"]]


def test_missing_arg_is_an_error_at_the_install_run(tmp_path):
    repo = _repo(tmp_path, MISSING)
    result = devenv("lint", cwd=repo)
    assert result.code == 1
    # only the SDK with steps: the Tiltfile passes no digest for `plain`
    assert result.out.count("sdk-digest-arg") == 1
    assert (
        "web/Dockerfile:4:1 sdk-digest-arg services.web gets the SDK 'ts' chain's result digest as build arg "
        "TS_SDK_DIGEST, but web/Dockerfile does not declare `ARG TS_SDK_DIGEST` before the RUN that installs @acme/sdk-ts"
    ) in result.out
    assert "fix: add `ARG TS_SDK_DIGEST` after line 2 (`ARG TS_SDK_VERSION`); `devenv lint --fix` writes it" in result.out
    assert _found(repo) == [("web/Dockerfile", 4, 1, "sdk-digest-arg", "error")]


def test_declared_before_the_install_is_clean(tmp_path):
    repo = _repo(tmp_path, MISSING.replace("ARG TS_SDK_VERSION\n", "ARG TS_SDK_VERSION\nARG TS_SDK_DIGEST=\n"))
    result = devenv("lint", cwd=repo)
    assert result.code == 0, result.out
    # on one line with other names too
    repo = _repo(tmp_path, MISSING.replace("ARG PLAIN_SDK_VERSION\n", "ARG PLAIN_SDK_VERSION TS_SDK_DIGEST\n"))
    assert _found(repo) == []


def test_declared_after_the_install_or_in_another_stage_is_reported(tmp_path):
    after = MISSING.replace("FROM node:22\n", "ARG TS_SDK_DIGEST\nFROM node:22\n")
    assert _found(_repo(tmp_path, after)) == [("web/Dockerfile", 4, 1, "sdk-digest-arg", "error")]
    other = MISSING + "ARG TS_SDK_DIGEST\n"
    assert _found(_repo(tmp_path, other)) == [("web/Dockerfile", 4, 1, "sdk-digest-arg", "error")]
    global_only = "ARG TS_SDK_DIGEST\n" + MISSING  # before FROM: in scope for FROM lines only
    assert _found(_repo(tmp_path, global_only)) == [("web/Dockerfile", 5, 1, "sdk-digest-arg", "error")]


def test_no_install_run_falls_back_to_the_version_use(tmp_path):
    copy_install = "FROM node:22\nARG TS_SDK_VERSION\nLABEL sdk=${TS_SDK_VERSION}\nCOPY node_modules /node_modules\n"
    assert _found(_repo(tmp_path, copy_install)) == [("web/Dockerfile", 3, 1, "sdk-digest-arg", "warning")]
    declared = copy_install.replace("ARG TS_SDK_VERSION\n", "ARG TS_SDK_VERSION\nARG TS_SDK_DIGEST\n")
    assert _found(_repo(tmp_path, declared)) == []
    # neither an install nor a use of the version arg: nothing lint could judge
    assert _found(_repo(tmp_path, "FROM scratch\nCOPY node_modules /node_modules\n")) == []


def test_no_steps_no_finding(tmp_path):
    manifest = MANIFEST.replace('    steps:\n      build: {cmd: "true"}\n', "")
    assert _found(_repo(tmp_path, MISSING, manifest)) == []


def test_custom_dockerfile_is_the_one_judged(tmp_path):
    manifest = MANIFEST.replace("    image: acme/web\n", "    image: acme/web\n    dockerfile: docker/web.Dockerfile\n")
    repo = _repo(tmp_path, MISSING, manifest)
    (repo / "docker").mkdir()
    (repo / "docker/web.Dockerfile").write_text(MISSING.replace("ARG TS_SDK_VERSION\n", "ARG TS_SDK_VERSION\nARG TS_SDK_DIGEST\n"))
    assert _found(repo) == []


def test_fix_inserts_the_arg_after_the_version_arg(tmp_path):
    repo = _repo(tmp_path, MISSING.replace("\n", "\r\n").replace("ARG TS_SDK_VERSION", "  ARG TS_SDK_VERSION"))
    diff = devenv("lint", "--diff", cwd=repo)
    assert diff.code == 1 and "+  ARG TS_SDK_DIGEST" in diff.out
    result = devenv("lint", "--fix", cwd=repo)
    assert result.code == 0, result.out + result.err
    assert "rewrote 1 ARG line in web/Dockerfile" in result.err
    text = (repo / "web/Dockerfile").read_bytes().decode()
    assert "  ARG TS_SDK_VERSION\r\n  ARG TS_SDK_DIGEST\r\nARG PLAIN_SDK_VERSION\r\n" in text
    assert text.replace("  ARG TS_SDK_DIGEST\r\n", "", 1) == MISSING.replace("\n", "\r\n").replace("ARG TS_SDK_VERSION", "  ARG TS_SDK_VERSION")


def test_no_fix_without_a_version_arg_line(tmp_path):
    dockerfile = "FROM node:22\nRUN npm install @acme/sdk-ts@1.4.0\n"
    repo = _repo(tmp_path, dockerfile)
    result = devenv("lint", "--fix", cwd=repo)
    assert result.code == 1
    assert "fix: add `ARG TS_SDK_DIGEST` in the stage that starts at line 1, before line 2" in result.out
    assert (repo / "web/Dockerfile").read_text() == dockerfile


def test_suppression_with_a_reason(tmp_path):
    allowed = MISSING.replace("RUN npm", '# devenv: allow sdk-digest-arg reason="installed from a vendored tarball"\nRUN npm')
    result = devenv("lint", "--format", "json", cwd=_repo(tmp_path, allowed))
    assert result.code == 0, result.out
    (finding,) = json.loads(result.out)["findings"]
    assert finding["rule"] == "sdk-digest-arg" and finding["suppressed"]
    unreasoned = MISSING.replace("RUN npm", "# devenv: allow sdk-digest-arg\nRUN npm")
    rules = sorted(r[3] for r in _found(_repo(tmp_path, unreasoned)))
    assert rules == ["sdk-digest-arg", "suppression-missing-reason"]


def test_sarif_lists_the_rule(tmp_path):
    result = devenv("lint", "--format", "sarif", cwd=_repo(tmp_path, MISSING))
    run = json.loads(result.out)["runs"][0]
    assert "sdk-digest-arg" in [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert [r["ruleId"] for r in run["results"]] == ["sdk-digest-arg"]


def test_named_files_only(tmp_path):
    repo = _repo(tmp_path, MISSING)
    assert _found(repo, "web/package.json") == []
    assert _found(repo, "web/Dockerfile") == [("web/Dockerfile", 4, 1, "sdk-digest-arg", "error")]


def test_continuations_and_heredocs_are_one_instruction():
    from devenv.lint.sdk.digestarg import parse

    text = (
        "FROM node:22\nARG TS_SDK_VERSION \\\n    # a comment inside\n    TS_SDK_DIGEST\nRUN <<EOF\nARG NOT_AN_ARG\nnpm install @acme/sdk-ts\nEOF\nRUN true\n"
    )
    steps = parse("Dockerfile", text).steps
    assert [s.keyword for s in steps] == ["FROM", "ARG", "RUN", "RUN"]
    assert steps[1].declares == {"TS_SDK_VERSION", "TS_SDK_DIGEST"}
    assert "ARG NOT_AN_ARG" in steps[2].text and steps[3].start == text.index("RUN true")


def test_an_arg_inside_a_heredoc_does_not_count(tmp_path):
    heredoc = "FROM node:22\nARG TS_SDK_VERSION\nRUN <<EOF\nARG TS_SDK_DIGEST\nEOF\nRUN npm install @acme/sdk-ts@${TS_SDK_VERSION}\n"
    assert _found(_repo(tmp_path, heredoc)) == [("web/Dockerfile", 6, 1, "sdk-digest-arg", "error")]
