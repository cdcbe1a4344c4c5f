"""Render's side of SDK integrity: versions as build args, versions on graph edges, guarded first steps."""

from __future__ import annotations

from pathlib import Path

from devenv.manifest.load import load_manifest
from devenv.render import render
from tests.fixtures.sdk_monorepo import FILES, build
from tests.render.standins import evaluate
from tests.support.cli import devenv

REPO = Path(__file__).resolve().parents[2]


def _calls(root: Path) -> list[dict]:
    return evaluate(render(load_manifest(root / "services.yaml"), root / "Tiltfile").text)


def test_each_build_receives_the_versions_of_the_sdks_it_consumes():
    calls = _calls(REPO)
    args = {c["ref"]: c["build_args"] for c in calls if c["fn"] == "docker_build"}
    assert args["ameide/platform"]["TS_SDK_VERSION"] == "1.4.0"
    assert args["ameide/agents"]["GO_SDK_VERSION"] == "v1.4.0"
    assert args["ameide/graph"]["PYTHON_SDK_VERSION"] == "1.4.0"
    assert "GO_SDK_VERSION" not in args["ameide/platform"] and "TS_SDK_VERSION" not in args["ameide/graph"]


def test_an_sdk_build_arg_name_and_explicit_sdks_are_honoured(tmp_path):
    repo = build(tmp_path, FILES)
    text = (repo / "services.yaml").read_text().replace('    package: "@acme/sdk-ts"\n', '    package: "@acme/sdk-ts"\n    build_arg: ACME_TS\n')
    (repo / "services.yaml").write_text(text)
    args = {c["ref"]: c["build_args"] for c in _calls(repo) if c["fn"] == "docker_build"}
    # The result digests are empty until a chain completes (no marker file exists here).
    assert args["acme/lonely"] == {"PYTHON_SDK_VERSION": "1.4.0", "ACME_TS": "1.4.0", "PYTHON_SDK_DIGEST": "", "TS_SDK_DIGEST": ""}
    assert args["acme/gateway"] == {"GO_SDK_VERSION": "v1.4.0", "GO_SDK_DIGEST": ""}


def test_graph_shows_the_version_on_every_sdk_edge():
    out = devenv("graph", "-f", "services.yaml", cwd=REPO).out
    assert "platform <- packages:ts-sdk-smoke (@ameideio/ameide-sdk-ts@1.4.0), graph" in out
    assert "agents <- packages:go-sdk-smoke (go.packages.dev.ameide.io/ameide-sdk-go@v1.4.0)" in out
    assert "graph <- packages:python-sdk-smoke (ameide-sdk@1.4.0)" in out
    mermaid = devenv("graph", "--format", "mermaid", "-f", "services.yaml", cwd=REPO).out
    assert "@ameideio/ameide-sdk-ts@1.4.0" in mermaid


def test_only_the_first_step_is_guarded_only_generated_sdks_stamp_and_every_step_marks(tmp_path):
    steps = {c["name"]: c["cmd"] for c in _calls(build(tmp_path, FILES)) if c["fn"] == "local_resource" and c["name"] != "packages:health"}
    assert steps == {
        "packages:ts-sdk-build": "devenv sdk guard ts -f services.yaml && true && devenv sdk stamp ts -f services.yaml"
        " && devenv sdk mark ts build -f services.yaml",
        "packages:ts-sdk-smoke": "true && devenv sdk mark ts smoke -f services.yaml",
        "packages:go-sdk-build": "devenv sdk guard go -f services.yaml && true && devenv sdk mark go build -f services.yaml",
        "packages:python-sdk-build": "devenv sdk guard python -f services.yaml && true && devenv sdk mark python build -f services.yaml",
    }


def test_each_later_step_watches_the_result_of_the_step_before(tmp_path):
    deps = {c["name"]: c["deps"] for c in _calls(build(tmp_path, FILES)) if c["fn"] == "local_resource" and c["name"] != "packages:health"}
    assert deps["packages:ts-sdk-smoke"][-1] == ".devenv/sdk/ts/build.sha256"
    assert ".devenv/sdk/ts/build.sha256" not in deps["packages:ts-sdk-build"]


def test_a_consumer_reads_the_last_steps_result_into_its_build_arg(tmp_path):
    repo = build(tmp_path, FILES)
    text = render(load_manifest(repo / "services.yaml"), repo / "Tiltfile").text
    calls = evaluate(text, files={".devenv/sdk/ts/smoke.sha256": "abc\n", ".devenv/sdk/ts/build.sha256": "wrong\n"})
    args = {c["ref"]: c["build_args"] for c in calls if c["fn"] == "docker_build"}
    assert args["acme/lonely"]["TS_SDK_DIGEST"] == "abc"
    assert args["acme/lonely"]["PYTHON_SDK_DIGEST"] == ""


def test_a_context_holding_the_state_folder_ignores_it(tmp_path):
    repo = build(tmp_path, FILES)
    text = (repo / "services.yaml").read_text()
    (repo / "services.yaml").write_text(text.replace("context: services/lonely\n", "context: .\n    dockerfile: services/lonely/Dockerfile\n"))
    builds = {c["ref"]: c for c in _calls(repo) if c["fn"] == "docker_build"}
    assert builds["acme/lonely"]["ignore"] == [".devenv"]
    assert builds["acme/gateway"]["ignore"] == []


def test_without_a_proto_workspace_there_is_nothing_to_guard(tmp_path):
    repo = build(tmp_path, FILES)
    text = (repo / "services.yaml").read_text()
    (repo / "services.yaml").write_text(text[: text.index("proto:\n")] + text[text.index("sdks:\n") :])
    steps = [c["cmd"] for c in _calls(repo) if c["fn"] == "local_resource" and c["name"] != "packages:health"]
    assert steps == [
        f"true && devenv sdk mark {sdk} {step} -f services.yaml" for sdk, step in [("ts", "build"), ("ts", "smoke"), ("go", "build"), ("python", "build")]
    ]
