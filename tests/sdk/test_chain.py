"""SDK result digests (devenv.sdk.chain) and `devenv sdk mark`: content decides, caches and build
outputs do not, and an unchanged result touches no file (Tilt reacts to any write)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from devenv.sdk.chain import digest_arg, marker, result_digest, write_marker
from tests.fixtures.manifests import build_tree
from tests.support.cli import devenv, run_without_root_bypass


def test_the_digest_is_sha256_over_name_version_and_kept_files(tmp_path):
    build_tree(tmp_path, {"src/a.ts": "A", "package.json": "{}"})
    h = hashlib.sha256(b"@acme/a\x001.0.0\x00")
    for rel, data in (("package.json", b"{}"), ("src/a.ts", b"A")):
        h.update(rel.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    assert result_digest(tmp_path, "@acme/a", "1.0.0") == h.hexdigest()


def test_caches_outputs_and_dot_files_do_not_count_but_sources_and_version_do(tmp_path):
    build_tree(tmp_path, {"src/a.ts": "A"})
    before = result_digest(tmp_path, "p", "1")
    build_tree(
        tmp_path,
        {
            "node_modules/x/i.js": "1",
            "dist/a.js": "2",
            "build/lib.whl": "3",
            ".cache/x": "4",
            "p.egg-info/PKG-INFO": "5",
            "src/__pycache__/a.pyc": "6",
            ".devenv-sdk-stamp.json": "{}",
        },
    )
    assert result_digest(tmp_path, "p", "1") == before
    assert result_digest(tmp_path, "p", "2") != before
    (tmp_path / "src/a.ts").write_text("B")
    assert result_digest(tmp_path, "p", "1") != before


def test_a_marker_is_written_only_when_it_changes(tmp_path):
    path = write_marker(tmp_path, "ts", "build", "d1")
    assert path == tmp_path / marker("ts", "build") and path.read_text() == "d1\n"
    assert (tmp_path / ".devenv/.gitignore").read_text().splitlines()[-1] == "*"
    mtime = os.stat(path).st_mtime_ns
    assert write_marker(tmp_path, "ts", "build", "d1") is None
    assert os.stat(path).st_mtime_ns == mtime and path.read_text() == "d1\n"
    assert write_marker(tmp_path, "ts", "build", "d2") == path and path.read_text() == "d2\n"
    # With a version: a second line, in the same write; the same pair again writes nothing.
    assert write_marker(tmp_path, "ts", "build", "d3", "1.1.0") == path and path.read_text() == "d3\n1.1.0\n"
    mtime = os.stat(path).st_mtime_ns
    assert write_marker(tmp_path, "ts", "build", "d3", "1.1.0") is None and os.stat(path).st_mtime_ns == mtime


def test_digest_arg_names():
    assert digest_arg("ts") == "TS_SDK_DIGEST"
    assert digest_arg("my-sdk.v2") == "MY_SDK_V2_SDK_DIGEST"


def test_mark_outside_tilt_writes_and_reports(tmp_path):
    build_tree(
        tmp_path,
        {
            "services.yaml": "version: 1\nproject: p\nsdks:\n  ts:\n    language: typescript\n    path: sdk\n"
            "    package: '@a/ts'\n    steps:\n      build: {cmd: 'true'}\nservices: {}\n",
            "sdk/src/a.ts": "A",
        },
    )
    env = {"TILT_PORT": ""}  # not inside Tilt: nothing to wait for
    first = devenv("sdk", "mark", "ts", "build", cwd=tmp_path, env=env)
    assert first.code == 0 and "new result" in first.err
    assert (tmp_path / ".devenv/sdk/ts/build.sha256").read_text().strip() == result_digest(tmp_path / "sdk", "@a/ts", None)
    again = devenv("sdk", "mark", "ts", "build", cwd=tmp_path, env=env)
    assert again.code == 0 and "result unchanged" in again.err
    wrong = devenv("sdk", "mark", "ts", "publish", cwd=tmp_path, env=env)
    assert wrong.code == 2 and "has no step 'publish'" in wrong.err
    # Run by a Tilt (TILT_PORT) it cannot ask (no tilt among its parents nor on PATH): said, not silent.
    (tmp_path / "sdk/src/a.ts").write_text("B")
    blind = devenv("sdk", "mark", "ts", "build", cwd=tmp_path, env={"TILT_PORT": "1", "PATH": "/usr/bin:/bin"})
    assert blind.code == 0 and "could not ask it" in blind.err, blind.err


def test_the_implicit_smoke_step_and_a_folderless_buf_sdk_are_marked(tmp_path):
    """The smoke step render adds to a published chain (issue 21) marks like any other step, and a
    Buf SDK with steps but no folder is known by its name and version."""
    build_tree(
        tmp_path,
        {
            "services.yaml": "version: 1\nproject: p\nregistries:\n  npm: {kind: npm, url: 'http://npm.example.io'}\n"
            "sdks:\n  ts:\n    language: typescript\n    path: sdk\n    package: '@a/ts'\n"
            "    registry: npm\n    version: 1.0.0\n    steps:\n      publish: {cmd: 'true'}\n"
            "  es:\n    language: typescript\n    source: buf\n"
            "    buf: {module: buf.build/acme/apis, plugin: buf.build/bufbuild/es}\n"
            "    version: 1.2.1-20230727062025-d8fbf2620c60.1\n    steps:\n      check: {cmd: 'true'}\n"
            "services: {}\n",
            "sdk/src/a.ts": "A",
        },
    )
    env = {"TILT_PORT": ""}
    smoke = devenv("sdk", "mark", "ts", "smoke", cwd=tmp_path, env=env)
    assert smoke.code == 0, smoke.err
    # The marker: the digest, then the version the chain completed with (the consumers' version arg).
    assert (tmp_path / ".devenv/sdk/ts/smoke.sha256").read_text() == result_digest(tmp_path / "sdk", "@a/ts", "1.0.0") + "\n1.0.0\n"
    buf = devenv("sdk", "mark", "es", "check", cwd=tmp_path, env=env)
    assert buf.code == 0, buf.err
    version = "1.2.1-20230727062025-d8fbf2620c60.1"
    assert (tmp_path / ".devenv/sdk/es/check.sha256").read_text() == result_digest(None, "@buf/acme_apis.bufbuild_es", version) + f"\n{version}\n"


def test_tilt_filewatch_coverage_ignores_and_events():
    from devenv.sdk.tiltseen import _seen, _watches

    path = "/r/.devenv/sdk/ts/build.sha256"
    watch = {
        "spec": {"watchedPaths": ["/r/.devenv/sdk/ts/build.sha256"]},
        "status": {"fileEvents": [{"time": "2026-01-01T00:00:01.500000Z", "seenFiles": [path]}]},
    }
    folder = {"spec": {"watchedPaths": ["/r"], "ignores": [{"basePath": "/r", "patterns": [".devenv"]}]}}
    other = {"spec": {"watchedPaths": ["/r/.devenv/sdk/tsx"]}}
    disabled = {"spec": {"watchedPaths": ["/r"]}, "status": {"disableStatus": {"disabled": True}}}
    assert _watches(watch, path) and not _watches(folder, path) and not _watches(other, path)
    assert not _watches(disabled, path)
    since = 1767225601.0  # 2026-01-01T00:00:01Z
    assert _seen(watch, path, since) and not _seen(watch, path, since + 1) and not _seen(watch, "/r/x", since)


def test_a_tiltfile_watch_is_known_and_the_newest_event_for_the_file_counts():
    from devenv.sdk.tiltseen import _event_time, _tiltfile

    path = "/r/.devenv/sdk/ts/publish.sha256"
    events = [
        {"time": "2026-01-01T00:00:01Z", "seenFiles": [path]},
        {"time": "2026-01-01T00:00:03Z", "seenFiles": ["/r/other"]},
        {"time": "2026-01-01T00:00:02.250000Z", "seenFiles": ["/r/x", path]},
    ]
    config = {"metadata": {"annotations": {"tilt.dev/target-id": "configs:(Tiltfile)"}}, "status": {"fileEvents": events}}
    step = {"metadata": {"annotations": {"tilt.dev/target-id": "local:packages:ts-sdk-smoke"}}}
    assert _tiltfile(config) == "(Tiltfile)" and _tiltfile(step) is None and _tiltfile({}) is None
    since = 1767225601.0  # 2026-01-01T00:00:01Z
    assert _event_time(config, path, since) == since + 1.25
    assert _event_time(config, path, since + 2) is None and _event_time(config, "/r/y", since) is None


def test_a_shared_build_arg_may_not_hide_a_result_digest(tmp_path):
    build_tree(
        tmp_path,
        {
            "services.yaml": "version: 1\nproject: p\nbuild:\n  build_args:\n    TS_SDK_DIGEST: x\n"
            "sdks:\n  ts:\n    language: typescript\n    path: sdk\n"
            "    package: '@a/ts'\n    steps:\n      build: {cmd: 'true'}\nservices: {}\n",
            "sdk/src/a.ts": "A",
        },
    )
    result = devenv("render", "--stdout", cwd=tmp_path)
    assert result.code == 2
    assert "services.yaml:7:3" in result.err and "'TS_SDK_DIGEST' (the SDK's result digest) is also one of `build.build_args`" in result.err


def test_mark_asks_the_tilt_that_runs_it_even_when_no_tilt_is_on_path(tmp_path):
    # A real process tree shaped like Tilt's (tilt -> `sh -c <cmd>` -> devenv): a shell copied under
    # the name `tilt` stands in for Tilt's binary; the step's PATH holds no `tilt`.
    import shutil
    import subprocess
    import sys

    fake_tilt = tmp_path / "bin" / "tilt"
    fake_tilt.parent.mkdir()
    shutil.copy("/bin/sh", fake_tilt)
    (tmp_path / "probe.py").write_text("from devenv.sdk.tiltseen import tilt_binary\nprint(tilt_binary())\n")
    probe = f"{sys.executable} {tmp_path / 'probe.py'}"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    ran = subprocess.run([str(fake_tilt), "-c", f"sh -c 'true && {probe}'; true"], env=env, capture_output=True, text=True, timeout=60)
    assert ran.stdout.strip() == str(fake_tilt), ran.stderr
    outside = subprocess.run(["/bin/sh", "-c", f"{probe}; true"], env=env, capture_output=True, text=True, timeout=60)
    assert outside.stdout.strip() == "None", outside.stderr


def test_a_marker_is_compared_by_bytes(tmp_path):
    """The same digest with CRLF line ends, or with bytes that are not UTF-8, is not the state
    devenv records: it is rewritten (the old code decoded it: a crash, or CRLF taken as equal)."""
    path = tmp_path / marker("ts", "build")
    path.parent.mkdir(parents=True)
    for stale in (b"d1\r\n", b"\xff\xfe", b"d1\n\xff"):
        path.write_bytes(stale)
        assert write_marker(tmp_path, "ts", "build", "d1") == path and path.read_bytes() == b"d1\n"


MARKED = {
    "services.yaml": "version: 1\nproject: p\nsdks:\n  ts:\n    language: typescript\n    path: sdk\n"
    "    package: '@a/ts'\n    steps:\n      build: {cmd: 'true'}\nservices: {}\n",
    "sdk/src/a.ts": "A",
}


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _folder(path: Path) -> None:
    path.mkdir()


@pytest.mark.parametrize(
    "make,says", [(_fifo, "is a FIFO"), (_dev_zero, "is a character device"), (_folder, "is a folder")], ids=["fifo", "dev-zero", "folder"]
)
def test_mark_refuses_a_marker_that_is_not_a_regular_file(tmp_path, make, says):
    """Never hangs on a FIFO nor reads /dev/zero without end: one message naming the file, exit 2."""
    build_tree(tmp_path, MARKED)
    path = tmp_path / marker("ts", "build")
    path.parent.mkdir(parents=True)
    make(path)
    result = devenv("sdk", "mark", "ts", "build", cwd=tmp_path, env={"TILT_PORT": ""}, timeout=30)
    assert result.code == 2, result.err
    assert says in result.err and "build.sha256" in result.err and "Traceback" not in result.err
    assert result.err.count("devenv: error:") == 1


def test_mark_into_an_unwritable_folder_is_one_message(tmp_path):
    build_tree(tmp_path, MARKED)
    folder = tmp_path / ".devenv/sdk/ts"
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    try:
        result = run_without_root_bypass(["sdk", "mark", "ts", "build"], tmp_path)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "cannot write .devenv/sdk/ts/build.sha256: Permission denied" in result.stderr and "Traceback" not in result.stderr
    assert not (folder / "build.sha256").exists()
