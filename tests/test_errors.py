"""devenv.errors.escape: a file name cannot forge a line of devenv's output: control characters are escaped wherever
a path or message is printed (manifest problems, errors, render's messages)."""

from __future__ import annotations

from devenv.errors import escape
from tests.fixtures.manifests import build_tree
from tests.support.cli import devenv

FORGED = "a\nservices.yaml:1:1 error: all is fine\x1b[2K\u202e.yaml"


def test_escape_spells_what_is_not_printable_and_keeps_the_rest():
    assert escape("plain ü 日本 🙂 a b") == "plain ü 日本 🙂 a b"
    assert escape("a\nb\tc\rd\x1b[0m\x7f\u2028\u202e") == "a\\nb\\tc\\rd\\x1b[0m\\x7f\\u2028\\u202e"


def test_a_manifest_path_with_a_newline_is_one_problem_line(tmp_path):
    text = f'version: 1\nproject: demo\nservices:\n  web: {{sdks: [], k8s: ["{FORGED.encode("unicode_escape").decode()}"]}}\n'
    root = build_tree(tmp_path, {"services.yaml": text})
    result = devenv("render", "--stdout", cwd=root)
    assert result.code == 2
    errors = [line for line in result.err.splitlines() if " error: " in line]
    assert len(errors) == 1 and "\\nservices.yaml:1:1 error: all is fine\\x1b[2K\\u202e.yaml" in errors[0], result.err
    assert "\x1b" not in result.err and "\u202e" not in result.err


def test_an_output_path_with_a_newline_is_named_on_one_line(tmp_path):
    root = build_tree(tmp_path, {"services.yaml": "version: 1\nproject: demo\nservices: {}\n"})
    result = devenv("render", "-o", "x\ny\x1b[2K", cwd=root)
    assert result.code == 0 and result.out == "wrote x\\ny\\x1b[2K\n", result.out
