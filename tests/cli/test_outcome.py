"""Ctrl-C anywhere in a run (devenv.cli.main, devenv.cli.outcome): "devenv: interrupted" and exit
130, never a traceback, nor typer's silent 130, nor "internal error"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.core

from devenv.cli import parser
from devenv.cli.outcome import exit_code
from tests.fixtures.manifests import build_tree, deployment

# Runs devenv's entry point with a KeyboardInterrupt raised when MODULE is first imported:
# what a Ctrl-C does while Python loads the code a command needs.
INTERRUPT_ON_IMPORT = """
import sys
module = sys.argv.pop(1)
class Interrupt:
    fired = False
    def find_spec(self, name, path=None, target=None):
        if name == module and not self.fired:
            self.fired = True
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupt())
sys.argv[0] = "devenv"
from devenv.cli import main
main()
"""


@pytest.mark.parametrize(
    "module,args",
    [
        ("devenv.cli.hot", ["graph"]),  # before any command runs
        ("typer", ["doctor", "--help"]),  # the full parser's import
        ("devenv.commands.graph", ["graph"]),  # inside a hot command (handled before too)
    ],
)
def test_a_ctrl_c_while_loading_is_an_interruption(tmp_path: Path, module, args):
    proc = subprocess.run(
        [sys.executable, "-c", INTERRUPT_ON_IMPORT, module, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=60,
    )
    assert (proc.returncode, proc.stderr) == (130, "devenv: interrupted\n"), proc.stderr


def test_a_ctrl_c_while_typer_parses_is_said(monkeypatch, capsys):
    """typer turns a KeyboardInterrupt while parsing into a silent exit 130."""

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(typer.core.TyperGroup, "make_context", interrupted)
    with pytest.raises(SystemExit) as ended:
        parser.main(["graph"])
    assert ended.value.code == 130 and capsys.readouterr().err == "devenv: interrupted\n"


def test_a_ctrl_c_python_wrapped_is_still_an_interruption(capsys):
    """Python 3.11 reports a Ctrl-C inside a class body's __set_name__ as a RuntimeError caused
    by it: that was exit 3, "internal error"."""

    def command():
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError("Error calling __set_name__ on 'Field' instance 'resources' in 'Graph'") from exc

    assert exit_code(command) == 130
    assert capsys.readouterr().err == "devenv: interrupted\n"


def test_a_commands_own_130_is_said_once(capsys):
    def command():
        raise KeyboardInterrupt

    assert exit_code(command) == 130 and capsys.readouterr().err == "devenv: interrupted\n"


STDOUT_FULL_MANIFEST = (
    "version: 1\nproject: p\nsdks:\n  ts:\n    language: typescript\n    path: sdk\n    package: '@a/ts'\n"
    "    steps:\n      build: {cmd: 'true'}\nservices:\n  web: {sdks: [], context: web, image: p/web, k8s: [web.yaml]}\n"
)


@pytest.mark.parametrize(
    "args", [["graph"], ["render", "--stdout"], ["lint", "--format", "sarif"], ["schema"], ["--version"], ["--help"], ["sdk", "status"]], ids=" ".join
)
def test_stdout_that_cannot_take_the_output_is_one_message(tmp_path: Path, args):
    """`> /dev/full` (a full disk): an OSError in the command was an internal error (exit 3); in
    --version or --help a traceback; at the interpreter's last flush (`sdk status`) lost, exit 120."""
    build_tree(tmp_path, {"services.yaml": STDOUT_FULL_MANIFEST, "web/Dockerfile": "FROM scratch\n", "web.yaml": deployment("web", "p/web")})
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "devenv", *args],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "NO_COLOR": "1"},
            timeout=60,
        )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("devenv: error: cannot write the output: No space left on device\n"), proc.stderr
