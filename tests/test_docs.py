"""The generated reference docs are current, and nothing in the repository points outside it."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_docs", REPO / "scripts" / "gen-docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_docs_are_current():
    done = subprocess.run([sys.executable, "scripts/gen-docs.py", "--check"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_check_names_a_stale_file_and_the_generator_repairs_it(tmp_path, monkeypatch, capsys):
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    reference = tmp_path / "docs" / "manifest.md"
    reference.write_text(reference.read_text().replace("Docker build context.", "Docker context."))
    lint_md = tmp_path / "docs" / "lint.md"
    lint_md.write_text(lint_md.read_text().replace("#### `proto-in-go-mod`", "#### `proto-in-gomod`"))
    gen = _generator()
    monkeypatch.setattr(gen, "REPO", tmp_path)
    assert gen.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "docs/manifest.md" in err and "docs/lint.md" in err and "docs/doctor.md" not in err
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
    assert reference.read_text() == (REPO / "docs" / "manifest.md").read_text()


def test_the_manifest_reference_lists_every_key_of_the_model():
    from devenv.manifest import model

    text = (REPO / "docs" / "manifest.md").read_text()
    for cls in (model.Manifest, model.Service, model.Sdk, model.Registry, model.Cluster, model.Helm):
        section = text.split(f"## {cls.__name__}", 1)[1] if cls is not model.Manifest else text
        for name, field in cls.model_fields.items():
            assert f"| `{field.alias or name}` |" in section, (cls.__name__, name)


def test_nothing_in_the_repository_points_outside_it():
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    outside = ("../shared", "SPEC.md")
    offenders = []
    for name in files:
        path = REPO / name
        if path.suffix in (".png", ".gz", ".whl") or not path.is_file() or path == Path(__file__):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{name}: {needle}" for needle in outside if needle in text]
    assert not offenders, offenders
