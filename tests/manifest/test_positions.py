import subprocess
import sys

from devenv.manifest.positions import load_yaml


def test_values_and_keys_have_one_based_positions():
    loaded = load_yaml("a: 1\nb:\n  c: [x, y]\n", "services.yaml")
    assert loaded.data == {"a": 1, "b": {"c": ["x", "y"]}}
    assert (loaded.where(("b", "c", 1)).line, loaded.where(("b", "c", 1)).col) == (3, 10)
    assert (loaded.where(("b", "c"), key=True).line, loaded.where(("b", "c"), key=True).col) == (3, 3)
    assert str(loaded.where(("b", "c", 7, "deeper"))) == "services.yaml:3:6"


def test_duplicate_keys_are_reported_not_silently_overwritten():
    loaded = load_yaml("services:\n  web: {}\n  web: {}\n", "services.yaml")
    [problem] = loaded.problems
    assert (problem.location.line, problem.key) == (3, "services.web")
    assert "duplicate key 'web' (first defined at line 2)" in problem.message


def test_merge_keys_work_and_own_keys_win():
    loaded = load_yaml("base: &b {x: 1, y: 2}\nsvc:\n  <<: *b\n  y: 3\n", "f")
    assert loaded.data["svc"] == {"x": 1, "y": 3}
    assert loaded.problems == []


def _billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused():
    """Refused by counting, not by running out of time or memory. A child process with a 60 s
    hang guard and a 1 GiB address-space cap, so a regression fails this test instead of the run."""
    program = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from devenv.manifest.positions import load_yaml\n"
        "loaded = load_yaml(sys.stdin.read(), 'bomb.yaml')\n"
        "assert loaded.data is None, 'expanded'\n"
        "print(loaded.problems[0].message)\n"
    )
    proc = subprocess.run([sys.executable, "-c", program], input=_billion_laughs(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "alias" in proc.stdout


def test_syntax_error_has_a_position():
    loaded = load_yaml("a: [1, 2\nb: 3\n", "f.yaml")
    [problem] = loaded.problems
    assert problem.location.file == "f.yaml" and problem.location.line >= 2
    assert problem.message.startswith("invalid YAML")


def test_nul_is_refused_at_its_key():
    loaded = load_yaml('x: 1\na: "x\\0y"\n', "f")
    assert [(p.key, p.location.line) for p in loaded.problems] == [("a", 2)]


def test_surrogate_is_refused_at_its_line():
    loaded = load_yaml('x: 1\nb: "\\ud800"\n', "f")
    assert [p.location.line for p in loaded.problems] == [2]


def test_an_explicit_tag_on_a_value_it_cannot_be_is_a_problem_not_a_crash():
    # Found by hypothesis (tests/manifest/test_plainyaml.py): PyYAML's own constructors raise
    # ValueError here; `devenv render` exited 3 with "internal error".
    cases = (
        ("a: &a !!int '[7'\n", "int", 1),
        ("x: 1\nb: !!float 'x'\n", "float", 2),
        ("c: !!bool 'maybe'\n", "bool", 1),
        ("d: !!timestamp 'x'\n", "timestamp", 1),
    )
    for text, tag, line in cases:
        loaded = load_yaml(text, "services.yaml")
        [problem] = loaded.problems
        assert problem.location.line == line and problem.message.endswith(f"is not a valid !!{tag} value"), problem
        assert loaded.data is None


def test_the_cli_gives_a_bad_tagged_value_exit_2(tmp_path):
    (tmp_path / "services.yaml").write_text("version: 1\nproject: x\na: !!int '[7'\n")
    for command in (["render", "--stdout"], ["lint"]):
        done = subprocess.run([sys.executable, "-m", "devenv", *command], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 2, done.stderr
        assert "services.yaml:3:4 error: '[7' is not a valid !!int value" in done.stderr
