"""The compiled-template cache: the same Tiltfile with or without it, and never an error of its own."""

import os

import jinja2
import pytest

from devenv.render.engine import ENV_OPTIONS
from devenv.render.templatecache import DISABLE_ENV, cache_root, folder_key
from tests.render.test_output import FILES
from tests.support.cli import devenv


@pytest.fixture
def repo(tree):
    return tree(FILES)


def _render(repo, cache, **extra):
    env = {"XDG_CACHE_HOME": str(cache), DISABLE_ENV: "", **extra}
    result = devenv("render", "--stdout", cwd=repo, env=env)
    assert result.code == 0, result.err
    return result.out


def _cached_files(cache):
    return sorted(p.name for p in (cache / "devenv" / "templates").rglob("*.cache"))


def test_cold_warm_and_uncached_renders_are_identical(repo, tmp_path):
    cache = tmp_path / "cache"
    uncached = _render(repo, cache, **{DISABLE_ENV: "1"})
    assert not (cache / "devenv").exists()  # disabled: nothing written
    cold = _render(repo, cache)
    files = _cached_files(cache)
    assert files, "the first render keeps the compiled templates"
    warm = _render(repo, cache)
    assert cold == warm == uncached
    assert _cached_files(cache) == files


def test_an_edited_override_is_compiled_again(repo, tmp_path):
    cache = tmp_path / "cache"
    (repo / "templates").mkdir()
    partial = repo / "templates" / "services.star.j2"
    partial.write_text("# first: {{ services | length }}\n")
    assert "# first: 1" in _render(repo, cache)
    partial.write_text("# second: {{ services | length }}\n")
    text = _render(repo, cache)
    assert "# second: 1" in text and "# first" not in text


def test_a_corrupt_cache_file_is_compiled_again(repo, tmp_path):
    cache = tmp_path / "cache"
    good = _render(repo, cache)
    for path in (cache / "devenv" / "templates").rglob("*.cache"):
        path.write_bytes(path.read_bytes()[:20] + b"\x80garbage")
    assert _render(repo, cache) == good
    for path in (cache / "devenv" / "templates").rglob("*.cache"):
        path.write_bytes(b"")
    assert _render(repo, cache) == good


def test_an_unusable_cache_folder_is_no_error(repo, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go\n")
    assert _render(repo, blocker) == _render(repo, tmp_path / "fresh")
    if os.geteuid() != 0:  # root writes anywhere: only a non-root user meets a read-only folder
        readonly = tmp_path / "readonly"
        readonly.mkdir(mode=0o500)
        assert _render(repo, readonly) == _render(repo, tmp_path / "fresh")


def test_cache_root_follows_xdg_and_home():
    assert cache_root({"XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"}) == "/x/cache/devenv/templates"
    assert cache_root({"XDG_CACHE_HOME": "relative", "HOME": "/home/u"}) == "/home/u/.cache/devenv/templates"
    assert cache_root({"HOME": "/home/u"}) == "/home/u/.cache/devenv/templates"


def test_the_folder_changes_with_jinja_and_with_every_option():
    key = folder_key(ENV_OPTIONS)
    assert jinja2.__version__ in key
    for name, value in ENV_OPTIONS.items():
        changed = {**ENV_OPTIONS, name: (not value) if isinstance(value, bool) else jinja2.Undefined}
        assert folder_key(changed) != key, name
