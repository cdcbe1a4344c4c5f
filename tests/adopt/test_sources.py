"""Tiltfile lines for import's notes, and allowed contexts (not in Tilt's JSON)."""

from devenv.adopt.sources import Sources


def _sources(tmp_path, main: str, extra: dict[str, str] | None = None) -> Sources:
    (tmp_path / "Tiltfile").write_text(main)
    files = []
    for name, text in (extra or {}).items():
        (tmp_path / name).write_text(text)
        files.append(str(tmp_path / name))
    return Sources.read(tmp_path / "Tiltfile", files + [str(tmp_path / "k8s.yaml")])


def test_where_finds_the_quoted_name_in_included_files(tmp_path):
    s = _sources(
        tmp_path, "include('./ops.Tiltfile')\n# 'api' in a comment\nk8s_resource('api')\n", {"ops.Tiltfile": "\nlocal_resource('db-migrate', cmd='x')\n"}
    )
    assert s.where("api") == "Tiltfile:3"
    assert s.where("db-migrate") == "ops.Tiltfile:2"
    assert s.where("computed-%s", call="local_resource") == "ops.Tiltfile:2"
    assert s.where("nowhere") == "Tiltfile:1"


def test_allowed_contexts_literal_and_computed(tmp_path):
    s = _sources(
        tmp_path,
        "allow_k8s_contexts(['kind-a', \"k3d-b\"])\n# allow_k8s_contexts('no')\nallow_k8s_contexts('docker-desktop')\nallow_k8s_contexts(k8s_context())\n",
    )
    contexts, computed = s.allowed_contexts()
    assert contexts == ["kind-a", "k3d-b", "docker-desktop"]
    assert computed == ["Tiltfile:4"]


def test_variables_the_tiltfile_reads_by_name():
    from pathlib import Path

    from devenv.adopt.envargs import read_names

    files = {
        Path("Tiltfile"): [
            "x = os.getenv('NPM_REGISTRY', 'https://r')",
            "y = os.environ['REGION']",
            'z = os.environ.get("MODE")',
            "t = os.getenv('NPM_TOKEN')",
            "p = os.getenv('PATH')",
            "n = os.getenv(name)",
        ]
    }
    assert read_names(files) == ["MODE", "NPM_REGISTRY", "REGION"]  # secrets are the guard's; PATH steers Tilt
