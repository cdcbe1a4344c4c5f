"""`devenv doctor` on the command line: groups, exit codes, JSON, colour, compact output."""

from __future__ import annotations

import importlib
import io
import itertools
import json
import re

import pytest
from typer.testing import CliRunner

from devenv.cli import app
from devenv.commands.doctor import run_doctor
from devenv.doctor import groups
from devenv.doctor.groups import Group
from tests.doctor.conftest import write_manifest

runner = CliRunner()
_packages = itertools.count()


@pytest.fixture
def fake_groups(monkeypatch, tmp_path):
    """Swap the group registry for modules we write: checks that pass, warn or fail on demand."""
    name = f"fakechecks_{next(_packages)}"  # a fresh package per test: sys.modules caches modules
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(
        groups,
        "GROUPS",
        {
            "host": Group("host", "Host tools", f"{name}.host"),
            "docker": Group("docker", "Docker build host", f"{name}.docker"),
            "registries": Group("registries", "Package registries", f"{name}.registries"),
            "cluster": Group("cluster", "Kubernetes cluster", f"{name}.kube"),
        },
    )
    monkeypatch.setattr("devenv.commands.doctor.GROUPS", groups.GROUPS)
    for group in groups.GROUPS.values():  # every group starts with no checks; write() fills one in
        (tmp_path / f"{group.module.replace('.', '/')}.py").write_text("CHECKS = []\n")

    def write(name: str, body: str) -> None:
        (package / f"{name}.py").write_text("from devenv.doctor.base import *\nfrom devenv.doctor import gates\n" + body)
        importlib.invalidate_caches()

    return write


def invoke(args, **env):
    return runner.invoke(app, ["doctor", *args], env={"NO_COLOR": "1", **env})


def test_an_empty_group_is_an_honest_line_and_an_error(tmp_path, fake_groups):
    write_manifest(tmp_path)
    result = invoke(["-f", str(tmp_path / "services.yaml"), "--only", "registries"])
    assert result.exit_code == 1, result.output  # asked for checks, none could run: not a pass
    assert result.output.splitlines() == ["Package registries: no checks apply to this manifest", "no checks ran"]


def test_exit_codes_warnings_strict_and_failures(tmp_path, fake_groups):
    write_manifest(tmp_path)
    fake_groups(
        "host",
        'CHECKS = [Check("host.a", "host", "a", lambda ctx: ok("fine")),\n          Check("host.b", "host", "b", lambda ctx: warn("meh", hint="do x"))]\n',
    )
    fake_groups(
        "docker",
        'CHECKS = [Check("docker.d", "docker", "daemon", lambda ctx: fail("down", hint="start it"),'
        ' gates=gates.image_builds), Check("docker.p", "docker", "probe", lambda ctx: ok("x"),'
        ' needs=("docker.d",))]\n',
    )
    manifest = str(tmp_path / "services.yaml")
    assert invoke(["-f", manifest, "--only", "host"]).exit_code == 0
    assert invoke(["-f", manifest, "--only", "host", "--strict"]).exit_code == 1
    result = invoke(["-f", manifest])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Host tools"
    assert re.match(r"^ ✓   a\s+fine\s+\d\.\d\ds$", lines[1])
    assert re.match(r"^ !   b\s+meh\s+\d\.\d\ds$", lines[2])
    assert lines[3].strip() == "→ do x"
    assert re.match(r"^ ✗   daemon\s+down\s+\d\.\d\ds$", lines[5])
    assert lines[6].strip() == "→ start it"
    assert lines[7].strip() == "blocks: web, api, gw"
    assert re.match(r"^ -   probe\s+needs docker.d, which failed$", lines[8].rstrip())
    assert re.match(r"^1 problem blocks 3 of 3 services: web, api, gw; 1 warning in \d+\.\ds$", lines[-1])
    assert all(len(line) <= 110 for line in lines)  # compact: fits Tilt's log pane


def test_only_and_skip_take_repeats_and_comma_lists_and_pull_in_needs(tmp_path, fake_groups):
    write_manifest(tmp_path)
    fake_groups("host", 'CHECKS = [Check("host.a", "host", "a", lambda ctx: ok("fine"))]\n')
    fake_groups("docker", 'CHECKS = [Check("docker.d", "docker", "d", lambda ctx: ok("up"))]\n')
    fake_groups("registries", 'CHECKS = [Check("registries.r", "registries", "r", lambda ctx: ok("y"), needs=("docker.d",))]\n')
    manifest = str(tmp_path / "services.yaml")
    data = json.loads(invoke(["-f", manifest, "--json", "--skip", "docker,cluster", "--skip", "registries"]).output)
    assert [c["id"] for c in data["checks"]] == ["host.a"]
    data = json.loads(invoke(["-f", manifest, "--json", "--only", "registries"]).output)
    assert [c["id"] for c in data["checks"]] == ["docker.d", "registries.r"]
    assert [(g["name"], g["pulled_in"]) for g in data["groups"]] == [("docker", True), ("registries", False)]


def test_usage_and_manifest_errors_exit_2(tmp_path):
    write_manifest(tmp_path)
    manifest = str(tmp_path / "services.yaml")
    result = invoke(["-f", manifest, "--only", "registry"])
    assert result.exit_code == 2
    assert "unknown check group 'registry' (did you mean 'registries'?)" in result.output
    assert invoke(["-f", manifest, "--timeout", "0"]).exit_code == 2
    (tmp_path / "bad.yaml").write_text("version: 1\nproject: demo\nservics: {}\n")
    result = invoke(["-f", str(tmp_path / "bad.yaml"), "--only", "host"])
    assert result.exit_code == 2
    assert "servics" in result.output
    assert invoke(["-f", str(tmp_path / "nope.yaml")]).exit_code == 2


def test_json_report_follows_the_documented_schema(tmp_path, fake_groups):
    write_manifest(tmp_path)
    fake_groups(
        "host",
        'CHECKS = [Check("host.a", "host", "a", lambda ctx: ok("fine", details=["path: /x"])),\n          Check("host.z", "host", "z", lambda ctx: 1 / 0)]\n',
    )
    result = invoke(["-f", str(tmp_path / "services.yaml"), "--json", "--only", "host"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["schema"] == "devenv.doctor/v1"
    assert set(data) == {"schema", "devenv", "manifest", "started", "duration", "budget", "strict", "exit_code", "summary", "groups", "checks"}
    assert data["exit_code"] == 1
    assert data["summary"]["counts"] == {"ok": 1, "warn": 0, "fail": 0, "timeout": 0, "crashed": 1, "skipped": 0, "unchecked": 0}
    a, z = data["checks"]
    assert set(a) == {"id", "group", "title", "status", "message", "hint", "details", "duration", "deadline", "needs", "blocked_services"}
    assert a["details"] == ["path: /x"] and a["hint"] is None
    assert z["status"] == "crashed" and z["message"] == "crashed: ZeroDivisionError: division by zero"
    assert any("ZeroDivisionError" in line for line in z["details"])


def test_tracebacks_only_with_verbose(tmp_path, fake_groups):
    write_manifest(tmp_path)
    fake_groups("host", 'CHECKS = [Check("host.z", "host", "z", lambda ctx: 1 / 0)]\n')
    manifest = str(tmp_path / "services.yaml")
    assert "Traceback" not in invoke(["-f", manifest, "--only", "host"]).output
    assert "Traceback" in invoke(["-f", manifest, "--only", "host", "-v"]).output


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_color_is_honoured(tmp_path, fake_groups, monkeypatch):
    write_manifest(tmp_path)
    fake_groups("host", 'CHECKS = [Check("host.a", "host", "a", lambda ctx: fail("down"))]\n')
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = Tty()
    run_doctor(tmp_path / "services.yaml", only=["host"], stream=coloured)
    assert "\x1b[" in coloured.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Tty()
    run_doctor(tmp_path / "services.yaml", only=["host"], stream=plain)
    assert "\x1b[" not in plain.getvalue()
    assert "✗" in plain.getvalue()


def test_render_and_loading_the_checks_never_import_the_heavy_sdks(tmp_path):
    import subprocess
    import sys

    manifest = write_manifest(tmp_path)
    code = (
        "import sys\n"
        "from devenv.cli import main\n"
        "import devenv.doctor.docker, devenv.doctor.host, devenv.commands.doctor\n"
        "import devenv.cli.outcome\n"
        "def leave(code):  # the hot path ends the process at once: carry on to look at sys.modules\n"
        "    raise SystemExit(code)\n"
        "devenv.cli.outcome.leave = leave\n"
        f"sys.argv = ['devenv', 'render', '--stdout', '-f', {str(manifest)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('docker', 'kubernetes', 'httpx') if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr


def test_a_failure_blocking_many_services_names_a_few_then_counts(tmp_path, fake_groups):
    import yaml

    from tests.fixtures.manifests import deployment

    write_manifest(tmp_path)
    path = tmp_path / "services.yaml"
    doc = yaml.safe_load(path.read_text())
    for i in range(40):
        name = f"extra{i:02d}"
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text("FROM scratch\n")
        (tmp_path / name / "k8s.yaml").write_text(deployment(name, f"demo/{name}"))
        doc["services"][name] = {"language": "typescript", "image": f"demo/{name}", "context": name, "k8s": [f"{name}/k8s.yaml"]}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    fake_groups("docker", 'CHECKS = [Check("docker.d", "docker", "daemon", lambda ctx: fail("down", hint="start it"), gates=gates.image_builds)]\n')
    everything = ["web", "api", "gw"] + [f"extra{i:02d}" for i in range(40)]
    result = invoke(["-f", str(path), "--only", "docker"], COLUMNS="200")  # the summary on one line, as the last
    assert result.exit_code == 1
    lines = [line.strip() for line in result.output.splitlines()]
    assert "blocks 43 services: web, api, gw, …; --verbose lists all" in lines
    assert not any("extra00" in line for line in lines[:-1])
    verbose = invoke(["-f", str(path), "--only", "docker", "--verbose"], COLUMNS="10000").output
    assert f"blocks: {', '.join(everything)}" in verbose
    data = json.loads(invoke(["-f", str(path), "--only", "docker", "--json"]).output)
    assert data["checks"][0]["blocked_services"] == everything == data["summary"]["blocked_services"]


def test_the_summary_time_is_the_whole_runs(tmp_path, fake_groups, monkeypatch):
    import devenv

    write_manifest(tmp_path)
    fake_groups("host", 'CHECKS = [Check("host.a", "host", "a", lambda ctx: ok("fine"))]\n')
    monkeypatch.setattr(devenv, "STARTED", devenv.STARTED - 7.0)  # as if start-up and loading took 7 s more
    result = invoke(["-f", str(tmp_path / "services.yaml"), "--only", "host"])
    seconds = float(re.search(r" in (\d+\.\d)s$", result.output.splitlines()[-1]).group(1))
    data = json.loads(invoke(["-f", str(tmp_path / "services.yaml"), "--only", "host", "--json"]).output)
    assert seconds >= 7.0 and data["duration"] >= 7.0


def test_a_group_module_that_exports_no_checks_is_an_error(tmp_path, fake_groups):
    write_manifest(tmp_path)
    fake_groups("registries", "HELPER = 1\n")  # a package being written: no CHECKS, no checks()
    result = invoke(["-f", str(tmp_path / "services.yaml"), "--only", "registries"])
    assert result.exit_code == 1
    assert "its module exports no checks" in result.output


SECRETS = {  # what a check might echo from a tool, a config file or an exception -> the secret in it
    "//npm.example/:_authToken=npm_Sekr3tT0ken": "npm_Sekr3tT0ken",
    "_auth=dXNlcjpTZWtyZXQ=": "dXNlcjpTZWtyZXQ=",
    '{"auths": {"registry:5000": {"auth": "ZG9ja2VyOmh1bnRlcg=="}}}': "ZG9ja2VyOmh1bnRlcg==",
    "login failed: password=hunter2x for admin": "hunter2x",
    "token: tok-98765": "tok-98765",
    "GET http://bob:pa55word@[zz]:1/x failed": "pa55word",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30": "eyJhbGciOiJIUzI1NiJ9.e30",
    "https://alice:alicepw@npm.example/x?token=qtok123": "alicepw",
}


@pytest.mark.parametrize("form", ["table", "json", "verbose"])
def test_every_secret_format_is_redacted_in_every_output(tmp_path, fake_groups, form):
    write_manifest(tmp_path)
    lines = list(SECRETS)
    fake_groups(
        "host",
        f"LINES = {lines!r}\n"
        'CHECKS = [Check("host.leaky", "host", "leaky", lambda ctx: fail(" | ".join(LINES), details=LINES, hint=LINES[0])),\n'
        '          Check("host.crash", "host", "crash", lambda ctx: (_ for _ in ()).throw(RuntimeError(" | ".join(LINES))))]\n',
    )
    args = ["-f", str(tmp_path / "services.yaml"), "--only", "host"]
    args += {"table": [], "json": ["--json"], "verbose": ["-v"]}[form]
    result = invoke(args)
    assert result.exit_code == 1, result.output
    assert "leaky" in result.output
    leaked = [secret for secret in SECRETS.values() if secret in result.output]
    assert not leaked, f"leaked in {form}: {leaked}\n{result.output}"
    assert "***" in result.output
