"""What devenv knows about Tilt itself: the oldest version that loads what render emits, and how
the generated Tiltfile names its resources. Render writes these; doctor, lint and graph read them.

Import-free on purpose: doctor's host group and `devenv sdk` run inside Tilt on every start.
"""

from __future__ import annotations

# The oldest Tilt that loads what we emit, per feature: the first tag of tilt-dev/tilt whose
# internal/tiltfile accepts it (verified in its git history; tests/integration/test_tilt_version.py).
FEATURE_MIN_TILT = {
    "docker_build.extra_hosts": "0.33.4",  # PR #6185
    "v1alpha1.ui_button.requires_confirmation": "0.22.14",  # PR #5014
    "local_resource.links": "0.17.8",  # PR #3833
    "k8s_resource/local_resource.labels": "0.22.1",  # PR #4767
    "local_resource.dir": "0.20.8",  # PR #4644
    "local_resource.env": "0.18.5",  # PR #4072
    "local_resource.allow_parallel": "0.17.2",  # PR #3693
    "os.getenv": "0.13.6",  # PR #3329
    "os.putenv": "0.13.6",  # PR #3329 (the devenv-on-PATH helper)
    "os.path.exists": "0.13.4",  # PR #3259
    "local_resource.serve_cmd": "0.11.0",  # PR #2733 (tasks)
    "local_resource.auto_init": "0.10.18",  # PR #2527 (tasks)
    "trigger_mode auto with auto_init=False": "0.19.1",  # PR #4292 (tasks)
    "version_settings.constraint": "0.13.2",  # PR #3172
}
MIN_TILT = max(FEATURE_MIN_TILT.values(), key=lambda v: tuple(int(x) for x in v.split(".")))

# The registry health gate: the first resource of every SDK chain when registries are declared.
HEALTH = "packages:health"


def step_resource(sdk: str, step: str) -> str:
    """The local_resource that runs one step of an SDK chain."""
    return f"packages:{sdk}-sdk-{step}"
