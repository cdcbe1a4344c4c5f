"""The secret guard: real credentials never reach Tilt, every canary maps back to its variable."""

from devenv.adopt.secrets import SecretGuard, looks_secret


def test_credential_names():
    for name in ("NPM_TOKEN", "GITHUB_PAT", "DB_PASSWORD", "AWS_SECRET_ACCESS_KEY", "API_KEY", "REGISTRY_AUTH"):
        assert looks_secret(name), name
    for name in ("PATH", "HOME", "NPM_REGISTRY", "GIT_AUTHOR_NAME", "KUBECONFIG", "PIP_INDEX_URL"):
        assert not looks_secret(name), name


def test_tilt_sees_canaries_not_values():
    guard = SecretGuard({"NPM_TOKEN": "real-token-123", "PATH": "/usr/bin"})
    assert guard.env["PATH"] == "/usr/bin"
    canary = guard.env["NPM_TOKEN"]
    assert canary != "real-token-123" and guard.variable_in(canary) == "NPM_TOKEN"
    assert guard.scrub(f"npm publish --token {canary}") == "npm publish --token ${NPM_TOKEN}"


def test_leaks_names_every_kind_of_secret():
    guard = SecretGuard({"NPM_TOKEN": "real-token-123"})
    guard.move_literal("ghp_literal_value", "GH_TOKEN")
    guard.extra = ["k8s-secret-value"]
    text = f"a: {guard.env['NPM_TOKEN']}\nb: real-token-123\nc: ghp_literal_value\nd: k8s-secret-value\n"
    assert guard.leaks(text) == ["GH_TOKEN", "NPM_TOKEN", "a Kubernetes Secret"]
    assert guard.leaks(guard.scrub(text).replace("real-token-123", "")) == []
    # The round trip reads the moved literal from the environment under a canary of its own.
    assert guard.variable_in(guard.env["GH_TOKEN"]) == "GH_TOKEN"


def test_short_values_are_not_treated_as_secrets():
    guard = SecretGuard({"USE_AUTH": "1"})
    assert guard.leaks("replicas: 1\n") == []
