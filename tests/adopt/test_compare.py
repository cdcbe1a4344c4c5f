"""The round trip's comparison on its own: devenv's proto guard is an addition, never a loss."""

from hypothesis import given
from hypothesis import strategies as st

from devenv.adopt.compare import _cmd_equal, _wraps, compare, unguarded
from devenv.adopt.tiltresult import Resource, Result
from devenv.sdk.steps import first_step_cmd

_cmds = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40)


@given(_cmds, st.booleans())
def test_the_guarded_command_comes_back(cmd, stamp):
    """Against render's own wrapper (devenv/sdk/steps.py), plain commands and subshells alike."""
    guarded = first_step_cmd("ts", cmd, "services.yaml", stamp=stamp)
    assert unguarded(guarded) == cmd
    assert _wraps(["sh", "-c", cmd], ["sh", "-c", guarded])


def test_argv_and_shell_text_of_the_same_program_are_equal():
    assert _cmd_equal(["python3", "-m", "pytest"], ["sh", "-c", "python3 -m pytest"])
    assert not _cmd_equal(["python3", "-m", "pytest"], ["sh", "-c", "python3 -m pytest -x"])


def _local(name, **kwargs) -> Resource:
    return Resource(name=name, kind="local", resource_deps=kwargs.pop("deps", []), labels=kwargs.pop("labels", []), cmd=["sh", "-c", "make"], **kwargs)


def test_losses_additions_and_renames():
    original = Result({"gen": _local("gen"), "migrate": _local("migrate", deps=["gen"], labels=["ops"], links=["http://x"])}, [], [])
    rendered = Result(
        {
            "packages:py-sdk-gen": _local("packages:py-sdk-gen", allow_parallel=True),
            "migrate": _local("migrate", deps=["packages:py-sdk-gen", "packages:health"], labels=["ops"]),
        },
        [],
        [],
    )
    found = {(d.kind, str(d)) for d in compare(original, rendered, lambda s: s, {"gen": "packages:py-sdk-gen"})}
    assert found == {("lost", "migrate: link http://x"), ("added", "migrate: resource_dep packages:health"), ("added", "gen: allow_parallel")}
