"""The Tiltfile states the oldest Tilt that loads it, first thing, and the real Tilt enforces it.

`version_settings(constraint='>=X')` must run before any call an old Tilt would reject with an
unknown-keyword error, so it is the first statement after the header comments; X is the
largest entry of devenv.tilt.FEATURE_MIN_TILT. That table is checked here against Tilt's
own history: each entry is the first tag of tilt-dev/tilt whose internal/tiltfile accepts the
feature (`git tag --contains <commit>`; the tag before it lacks the keyword).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from devenv.tilt import FEATURE_MIN_TILT, MIN_TILT
from tests.integration.judge import render_tiltfile

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "render" / "fixtures"

# feature -> (first Tilt release, the tilt-dev/tilt change that introduced it)
TILT_HISTORY = {
    "docker_build.extra_hosts": ("0.33.4", "PR #6185, commit 70a53642f, 2023-08-01; v0.33.3 lacks it"),
    "v1alpha1.ui_button.requires_confirmation": ("0.22.14", "PR #5014, commit 4662ff9f2, 2021-10-12"),
    "local_resource.links": ("0.17.8", "PR #3833, commit cde9ad2cf, 2020-10-07"),
    "k8s_resource/local_resource.labels": ("0.22.1", "PR #4767, commit 85f21fed8, 2021-07-20"),
    "local_resource.dir": ("0.20.8", "PR #4644, commit e5a8fc4bb, 2021-06-15"),
    "local_resource.env": ("0.18.5", "PR #4072, commit 5b18e79b0, 2021-01-14"),
    "local_resource.allow_parallel": ("0.17.2", "PR #3693, commit 5ed892f1d, 2020-08-13"),
    "os.getenv": ("0.13.6", "PR #3329, commit 6c85e667f, 2020-05-13"),
    "os.putenv": ("0.13.6", "PR #3329, commit 6c85e667f, 2020-05-13"),
    "os.path.exists": ("0.13.4", "PR #3259, commit dc6f09cde, 2020-04-30"),
    "local_resource.serve_cmd": ("0.11.0", "PR #2733, commit f39980291, 2020-01-07"),
    "local_resource.auto_init": ("0.10.18", "PR #2527, commit 335b149dd, 2019-11-08"),
    "trigger_mode auto with auto_init=False": ("0.19.1", "PR #4292, commit 181592a0e, 2021-03-23"),
    "version_settings.constraint": ("0.13.2", "PR #3172, commit 54d416b6f, 2020-04-15"),
}

# What the render may write, and the feature each needs (older builtins and keywords, from
# before v0.13: docker_build/k8s_yaml/k8s_resource/helm and their other arguments, need none).
KEYWORD_FEATURES = {
    r"\bextra_hosts=": "docker_build.extra_hosts",
    r"\brequires_confirmation=": "v1alpha1.ui_button.requires_confirmation",
    r"\blinks=": "local_resource.links",
    r"\blabels=": "k8s_resource/local_resource.labels",
    r"^\s+dir=": "local_resource.dir",
    r"^\s+env=": "local_resource.env",
    r"\ballow_parallel=": "local_resource.allow_parallel",
    r"\bos\.getenv\(": "os.getenv",
    r"\bos\.putenv\(": "os.putenv",
    r"\bos\.path\.exists\(": "os.path.exists",
    r"^\s+serve_cmd=": "local_resource.serve_cmd",
    r"^\s+auto_init=": "local_resource.auto_init",
    r"^\s+trigger_mode=TRIGGER_MODE_AUTO,": "trigger_mode auto with auto_init=False",
    r"\bversion_settings\(constraint=": "version_settings.constraint",
}


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _statements(tiltfile: str) -> list[str]:
    return [line for line in tiltfile.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_feature_table_matches_tilt_history():
    assert FEATURE_MIN_TILT == {feature: version for feature, (version, _) in TILT_HISTORY.items()}
    assert MIN_TILT == max(FEATURE_MIN_TILT.values(), key=_version) == "0.33.4"


def test_version_constraint_is_the_first_statement_and_the_table_maximum(tmp_path):
    for fixture in sorted(p.name for p in FIXTURES.iterdir() if (p / "services.yaml").is_file()):
        root = tmp_path / fixture
        shutil.copytree(FIXTURES / fixture, root)
        text = render_tiltfile(root).read_text(encoding="utf-8")
        first = _statements(text)[0]
        assert first == f"version_settings(constraint='>={MIN_TILT}')", (fixture, first)
        header = text.split(first, 1)[0]
        assert f"# requires: tilt >= {MIN_TILT}" in header.splitlines(), fixture
        # Every feature the file uses is in the table, so X covers it.
        for pattern, feature in KEYWORD_FEATURES.items():
            if re.search(pattern, text, re.MULTILINE):
                assert _version(FEATURE_MIN_TILT[feature]) <= _version(MIN_TILT), (fixture, feature)


def test_real_tilt_enforces_the_constraint(tilt, tmp_path):
    """Tilt 0.37.6 loads `>=0.33.4`; a constraint above it stops Tilt at that line with the
    version message, which is what an older Tilt prints for ours."""
    root = tmp_path / "platform"
    shutil.copytree(FIXTURES / "platform", root)
    tiltfile = render_tiltfile(root)
    text = tiltfile.read_text(encoding="utf-8")
    assert tilt.tiltfile_result(tiltfile).code == 0

    version = re.match(r"v(\d+\.\d+\.\d+)", tilt.run("version", cwd=tmp_path).stdout).group(1)
    assert _version(version) >= _version(MIN_TILT)
    newer = ".".join(str(n) for n in (_version(version)[0], _version(version)[1] + 1, 0))
    too_new = tmp_path / "Tiltfile.future"
    too_new.write_text(text.replace(f"constraint='>={MIN_TILT}'", f"constraint='>={newer}'"), encoding="utf-8")
    run = tilt.tiltfile_result(too_new)
    assert run.code == 5
    assert f"you are running Tilt version {version}, which doesn't match the version constraint" in run.stderr
    assert f"'>={newer}'" in run.stderr
