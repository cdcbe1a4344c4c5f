"""Property: for any valid manifest, the real Tilt loads the rendered Tiltfile and reports exactly
the resources, resource_deps, labels, images (extra hosts, build args) and k8s objects the
manifest implies, with no resource_deps warning. Manifests come from tests/integration/strategies.py;
the example count from its Hypothesis profiles (>= 50 in CI)."""

from __future__ import annotations

from hypothesis import given

from tests.integration.judge import judge
from tests.integration.strategies import monorepos, tilt_settings


@tilt_settings()
@given(repo=monorepos())
def test_generated_manifests_load_in_tilt_exactly_as_implied(repo, tilt, request, tmp_path_factory):
    root = tmp_path_factory.mktemp("generated")
    repo.write(root)
    runner = request.getfixturevalue("tilt_helm") if repo.uses_helm else tilt
    judge(runner, root, env=repo.env, helm_objects=repo.helm_objects)
