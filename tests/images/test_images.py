"""`devenv doctor --only images`, `devenv verify images` and `devenv sdk assert` against images
built by the real test dockerd (tests/images/conftest.py)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.images import builds
from tests.support.cli import devenv
from tests.support.components import missing


def _doctor(built):
    run = devenv("doctor", "--only", "images", "--json", "-f", str(built.manifest), cwd=built.manifest.parent, env=built.env, timeout=240)
    assert run.code in (0, 1), run.err
    return run.code, {c["id"]: c for c in json.loads(run.out)["checks"]}


def test_doctor_tells_the_right_the_stale_and_the_missing_sdk_apart(built_images):
    code, checks = _doctor(built_images)
    assert code == 1
    assert checks["docker.daemon"]["status"] == "ok"  # pulled in: the image checks need it
    assert checks["images.web-right"]["status"] == "ok"
    assert "@ameideio/ameide-sdk-ts 1.4.0 at /app/node_modules/@ameideio/ameide-sdk-ts/package.json" in checks["images.web-right"]["message"]
    stale = checks["images.web-stale"]
    assert stale["status"] == "fail"
    assert "holds @ameideio/ameide-sdk-ts 1.3.0, expected 1.4.0" in stale["message"]
    assert "COPY" in stale["message"] and "node_modules" in stale["message"]
    assert "ARG TS_SDK_VERSION" in stale["hint"]
    none = checks["images.web-none"]
    assert none["status"] == "fail" and "holds no @ameideio/ameide-sdk-ts" in none["message"]
    assert checks["images.worker"]["status"] == "ok" and "ameide-sdk 1.4.0" in checks["images.worker"]["message"]
    assert checks["images.gw"]["status"] == "ok" and "v1.4.0 at /usr/local/bin/gw" in checks["images.gw"]["message"]


def _layer_of(built, tag: str, needle: str) -> int:
    """docker's own history: the 1-based index, among file-changing steps, of the step naming ``needle``."""
    client = builds.client_for(built.env)
    history = list(reversed(client.images.get(tag).history()))
    steps = [h for h in history if h.get("Size", 0) or "COPY" in h.get("CreatedBy", "") or "ADD" in h.get("CreatedBy", "")]
    return next(i + 1 for i, h in enumerate(steps) if needle in h["CreatedBy"])


def test_verify_images_names_the_layer_the_stale_sdk_came_from(built_images):
    run = devenv(
        "verify",
        "images",
        "web-stale",
        "web-right",
        "--json",
        "-f",
        str(built_images.manifest),
        cwd=built_images.manifest.parent,
        env=built_images.env,
        timeout=240,
    )
    assert run.code == 1, run.err
    doc = json.loads(run.out)
    stale, right = doc["images"]
    assert (stale["service"], stale["ok"], right["ok"]) == ("web-stale", False, True)
    sdk = stale["sdks"][0]
    assert (sdk["expected"], sdk["status"]) == ("1.4.0", "stale")
    found = sdk["found"][0]
    assert found["version"] == "1.3.0"
    assert found["layer"]["index"] == _layer_of(built_images, built_images.tags["web-stale"], "node_modules")
    # the stale layer is the very layer of the old 1.3.0 build: it came from the cache
    client = builds.client_for(built_images.env)
    old = client.images.get("devenv-test/web-stale:old").attrs["RootFS"]["Layers"]
    new = client.images.get(built_images.tags["web-stale"]).attrs["RootFS"]["Layers"]
    assert old[found["layer"]["index"] - 1] == new[found["layer"]["index"] - 1]


def test_go_build_info_matches_go_version_m(built_images):
    go = shutil.which("go") or missing("`go` not found")
    oracle = subprocess.run([go, "version", "-m", str(built_images.gw_binary)], capture_output=True, text=True, check=True)
    dep = next(line.split("\t") for line in oracle.stdout.splitlines() if line.strip().startswith("dep"))
    from devenv.images.buildinfo import read

    info = read(built_images.gw_binary.read_bytes())
    assert info is not None
    assert (info.deps[0].path, info.deps[0].version) == (dep[2], dep[3])
    assert info.main.path == "example.com/gw"
    assert oracle.stdout.splitlines()[0].endswith(": " + info.go_version)


def test_verify_images_with_an_explicit_image_and_an_unknown_one(built_images):
    run = devenv(
        "verify",
        "images",
        f"web-none={built_images.tags['web-right']}",
        "gw=devenv-test/nothing:1",
        "-f",
        str(built_images.manifest),
        cwd=built_images.manifest.parent,
        env=built_images.env,
        timeout=240,
    )
    assert run.code == 1, run.err
    assert run.out.splitlines()[0].startswith("ok    web-none: devenv-test/web-right:tilt-1: @ameideio/ameide-sdk-ts 1.4.0")
    assert "FAIL  gw: no image devenv-test/nothing:1 in the Docker daemon" in run.out


# -- sdk assert in a Dockerfile ------------------------------------------------------------------------


def _assert_lines(built, sdk: str) -> str:
    run = devenv("sdk", "assert", sdk, "--dockerfile", "-f", str(built.manifest), cwd=built.manifest.parent)
    assert run.code == 0, run.err
    return run.out


@pytest.mark.parametrize("context, ok", [("ctx-stale", False), ("ctx-right", True)])
def test_a_dockerfile_using_sdk_assert_fails_its_build_on_the_stale_sdk(built_images, context, ok, tmp_path):
    import docker.errors

    lines = _assert_lines(built_images, "ts")
    folder = tmp_path / context
    shutil.copytree(built_images.work / context, folder)
    dockerfile = f"FROM {built_images.base}\nWORKDIR /app\nCOPY node_modules node_modules\n{lines}COPY app.js .\n"
    client = builds.client_for(built_images.env)
    if ok:
        builds.build(client, folder, "devenv-test/asserted:ok", dockerfile, TS_SDK_VERSION="1.4.0")
        return
    with pytest.raises(docker.errors.BuildError) as failed:
        builds.build(client, folder, "devenv-test/asserted:stale", dockerfile, TS_SDK_VERSION="1.4.0")
    log = builds.build_log(failed.value)
    assert ("devenv sdk assert: node_modules/@ameideio/ameide-sdk-ts/package.json holds @ameideio/ameide-sdk-ts 1.3.0, expected 1.4.0") in log
    assert "COPY app.js" not in log.split("devenv sdk assert")[1]  # no later layer was built


def test_python_assert_line_in_a_build(built_images, tmp_path):
    import docker.errors

    lines = _assert_lines(built_images, "python")
    folder = tmp_path / "worker"
    shutil.copytree(built_images.work / "ctx-worker", folder)
    dockerfile = f"FROM {built_images.base}\nCOPY site-packages /usr/lib/python3.11/site-packages\n{lines}"
    client = builds.client_for(built_images.env)
    builds.build(client, folder, "devenv-test/asserted-py:ok", dockerfile, PYTHON_SDK_VERSION="1.4.0")
    with pytest.raises(docker.errors.BuildError) as failed:
        builds.build(client, folder, "devenv-test/asserted-py:bad", dockerfile, PYTHON_SDK_VERSION="1.3.0")
    assert "the image holds ameide-sdk 1.4.0, expected 1.3.0" in builds.build_log(failed.value)


def test_go_assert_line_runs_where_the_go_command_is(built_images):
    lines = _assert_lines(built_images, "go").splitlines()
    script = lines[1][len("RUN ") :]
    env = builds.go_env(built_images.gw_binary.parent.parent, "off")
    src = built_images.gw_binary.parent
    assert subprocess.run(["sh", "-c", script], cwd=src, env={**env, "GO_SDK_VERSION": "v1.4.0"}).returncode == 0
    bad = subprocess.run(["sh", "-c", script], cwd=src, env={**env, "GO_SDK_VERSION": "v1.3.0"}, capture_output=True, text=True)
    assert bad.returncode == 1 and "holds go.packages.dev.ameide.io/ameide-sdk-go v1.4.0, expected v1.3.0" in bad.stderr


def test_sdk_assert_on_a_file_system(built_images):
    root = built_images.work / "ctx-stale"
    run = devenv("sdk", "assert", "ts", "--root", str(root), "-f", str(built_images.manifest), cwd=root)
    assert run.code == 1 and "holds @ameideio/ameide-sdk-ts 1.3.0, expected 1.4.0" in run.err
    run = devenv("sdk", "assert", "ts", "--root", str(root), "--version", "1.3.0", "-f", str(built_images.manifest), cwd=root)
    assert run.code == 0, run.err


def test_an_sdk_removed_by_a_later_layer_is_gone(built_images, tmp_path):
    """The removal is a whiteout in the later layer: the image reading replays it."""
    client = builds.client_for(built_images.env)
    context = tmp_path / "removed"
    context.mkdir()
    builds.build(client, context, "devenv-test/web-removed:1", f"FROM {built_images.tags['web-right']}\nRUN rm -rf /app/node_modules/@ameideio\n")
    run = devenv(
        "verify",
        "images",
        "web-right=devenv-test/web-removed:1",
        "--json",
        "-f",
        str(built_images.manifest),
        cwd=built_images.manifest.parent,
        env=built_images.env,
        timeout=240,
    )
    assert run.code == 1, run.err
    sdk = json.loads(run.out)["images"][0]["sdks"][0]
    assert (sdk["status"], sdk["found"]) == ("missing", [])
