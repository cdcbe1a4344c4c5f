"""Writing, --check, --stdout and the hand-edit guard, through the real CLI."""

import os

import pytest

from tests.fixtures.manifests import build_tree, deployment
from tests.support.cli import devenv

FILES = {
    "services.yaml": """\
        version: 1
        project: demo
        services:
          web: {sdks: [], context: web, image: demo/web, k8s: [web.yaml]}
    """,
    "web/Dockerfile": "FROM scratch\n",
    "web.yaml": deployment("web", "demo/web"),
}


@pytest.fixture
def repo(tree):
    return tree(FILES)


def test_render_writes_then_is_up_to_date(repo):
    first = devenv("render", cwd=repo)
    assert first.code == 0 and "wrote Tiltfile" in first.out
    text = (repo / "Tiltfile").read_text()
    assert text.startswith("# devenv-checksum: sha256:")
    again = devenv("render", "--check", cwd=repo)
    assert again.code == 0 and "up to date" in again.out


def test_output_is_byte_identical_across_runs_and_folders(repo, tmp_path_factory):
    devenv("render", cwd=repo)
    other = tmp_path_factory.mktemp("elsewhere")
    build_tree(other, FILES)
    devenv("render", cwd=other)
    assert (repo / "Tiltfile").read_bytes() == (other / "Tiltfile").read_bytes()


def test_check_prints_a_diff_and_exits_1_when_stale(repo):
    devenv("render", cwd=repo)
    manifest = repo / "services.yaml"
    manifest.write_text(manifest.read_text().replace("k8s: [web.yaml]", "k8s: [web.yaml], port_forwards: ['8080']"))
    before = (repo / "Tiltfile").read_text()
    result = devenv("render", "--check", cwd=repo)
    assert result.code == 1
    assert "+        port_forwards=['8080']," in result.out
    assert result.out.startswith("--- Tiltfile (on disk)")
    assert (repo / "Tiltfile").read_text() == before


def test_check_without_a_tiltfile_exits_1(repo):
    assert devenv("render", "--check", cwd=repo).code == 1


def test_stdout_writes_nothing(repo):
    result = devenv("render", "--stdout", cwd=repo)
    assert result.code == 0 and "docker_build(" in result.out
    assert not (repo / "Tiltfile").exists()


def test_hand_edited_tiltfile_is_refused_without_force(repo):
    devenv("render", cwd=repo)
    tiltfile = repo / "Tiltfile"
    edited = tiltfile.read_text() + "print('mine')\n"
    tiltfile.write_text(edited)
    refused = devenv("render", cwd=repo)
    assert refused.code == 1 and "edited by hand" in refused.err and "--force" in refused.err
    assert tiltfile.read_text() == edited
    forced = devenv("render", "--force", cwd=repo)
    assert forced.code == 0 and "print('mine')" not in tiltfile.read_text()


def test_foreign_tiltfile_is_refused_without_force(repo):
    (repo / "Tiltfile").write_text("# hand written\n")
    result = devenv("render", cwd=repo)
    assert result.code == 1 and "not written by devenv" in result.err
    assert (repo / "Tiltfile").read_text() == "# hand written\n"


def test_output_elsewhere_uses_paths_relative_to_it(repo):
    result = devenv("render", "-o", "deploy/Tiltfile", cwd=repo)
    assert result.code == 0, result.err
    text = (repo / "deploy" / "Tiltfile").read_text()
    assert "'../web'" in text and "['../web.yaml']" in text


def test_write_keeps_the_file_mode_and_leaves_no_temp_files(repo):
    devenv("render", cwd=repo)
    os.chmod(repo / "Tiltfile", 0o600)
    (repo / "services.yaml").write_text((repo / "services.yaml").read_text().replace("demo/web", "demo/web2"))
    (repo / "web.yaml").write_text(deployment("web", "demo/web2"))
    assert devenv("render", cwd=repo).code == 0
    assert oct((repo / "Tiltfile").stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in repo.iterdir() if p.name.startswith(".Tiltfile")] == []


def test_user_template_override(repo):
    (repo / "templates").mkdir()
    (repo / "templates" / "services.star.j2").write_text("# my services partial: {{ services | length }} services\n")
    text = devenv("render", "--stdout", cwd=repo).out
    assert "# my services partial: 1 services" in text
    assert "local_resource" not in text or "docker_build(" not in text


def test_template_typo_is_a_clear_error(repo):
    (repo / "Tiltfile.tmpl").write_text("{{ no_such_name }}\n")
    result = devenv("render", cwd=repo)
    assert result.code == 2 and "template error" in result.err and "no_such_name" in result.err
    assert not (repo / "Tiltfile").exists()


def test_output_folder_means_its_tiltfile(repo):
    (repo / "deploy").mkdir()
    assert devenv("render", "-o", "deploy", cwd=repo).code == 0
    assert (repo / "deploy" / "Tiltfile").exists()


def test_unwritable_output_is_one_clear_message(repo):
    result = devenv("render", "-o", "/proc/devenv-nope/Tiltfile", cwd=repo)
    assert result.code == 2 and "Traceback" not in result.err
    assert result.err.startswith("devenv: error: cannot write /proc/devenv-nope/Tiltfile")


def test_check_on_a_hand_edited_tiltfile_says_so(repo):
    assert devenv("render", cwd=repo).code == 0
    with open(repo / "Tiltfile", "a") as handle:
        handle.write("x = 1\n")
    result = devenv("render", "--check", cwd=repo)
    assert result.code == 1 and "edited by hand" in result.err and "stale" not in result.err


def test_a_comment_edit_of_the_manifest_keeps_check_green(repo):
    assert devenv("render", cwd=repo).code == 0
    manifest = repo / "services.yaml"
    manifest.write_text("# a comment\n" + manifest.read_text().replace("project: demo", "project:   demo  # same"))
    assert devenv("render", "--check", cwd=repo).code == 0
    manifest.write_text(manifest.read_text().replace("project:   demo", "project: demo2"))
    assert devenv("render", "--check", cwd=repo).code == 1


def test_debug_is_accepted_after_the_command(repo):
    result = devenv("render", "--debug", "--stdout", cwd=repo)
    assert result.code == 0 and result.out.startswith("# devenv-checksum")


@pytest.mark.parametrize("args", [["--help"], ["render", "--help"], ["render", "--stdout"], ["graph"]])
def test_a_closed_stdout_ends_quietly(repo, args):
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "devenv", *args], cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"}
    )
    proc.stdout.close()  # the reader is gone before devenv writes
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 141) and err == b"", err.decode()


def test_a_tiltfile_larger_than_the_default_read_prefix_is_still_ours(tmp_path):
    """10,000 services render about 10 MB: `render --check` and a re-render must still know it."""
    from devenv.render.output import inspect, with_checksum
    from devenv.util.fsutil import PREFIX_LIMIT

    body = "# a line of a large Tiltfile\n" * (PREFIX_LIMIT // 28 + 1000)
    (tmp_path / "Tiltfile").write_text(with_checksum(body))
    disk = inspect(tmp_path / "Tiltfile")
    assert len(disk.text) > PREFIX_LIMIT and disk.ours and not disk.edited
    (tmp_path / "Tiltfile").write_text(with_checksum(body) + "# mine\n")
    assert inspect(tmp_path / "Tiltfile").edited
