"""What a rendered Tiltfile passes its images from the SDK chains' markers, as the real Tilt loads it
(`tilt alpha tiltfile-result`; docs/tiltfile-sdk-rebuilds.md).

A chain's consumers take both the version and the digest from its last step's marker (`devenv sdk
mark`: the digest, then the version the chain completed with), the manifest's version until a run
recorded one. So a release bump that renders a new version changes no consumer's build args until
the chain published it. Each case is checked twice: against tests/integration/expected.py (the
manifest's rules, read without devenv) and against the values written out here.
"""

from __future__ import annotations

from tests.fixtures.manifests import build_tree
from tests.integration.judge import judge

D1, D2, D3, D4 = ("1" * 64, "2" * 64, "3" * 64, "4" * 64)

MANIFEST = """\
version: 1
project: markers
sdks:
  a:      # a chain whose last step recorded a newer version than the manifest's (a bump being published)
    language: typescript
    path: sdk/a
    package: acme-a
    version: "1.0.0"
    steps: {build: {cmd: "true"}, publish: {cmd: "true"}}
  b:      # a marker of an older devenv (the digest alone): the manifest's version; its own build arg
    language: go
    path: sdk/b
    package: acme-b
    version: v1.0.0
    build_arg: B_VERSION
    steps: {build: {cmd: "true"}}
  c:      # no chain: the manifest's version, whatever lies in .devenv
    language: python
    path: sdk/c
    package: acme-c
    version: "3.0.0"
  d:      # only a step before the last recorded: nothing reaches the consumers yet
    language: typescript
    path: sdk/d
    package: acme-d
    version: "4.0.0"
    steps: {build: {cmd: "true"}, publish: {cmd: "true"}}
services:
  uses-a:   {sdks: [a], context: svc/a, image: acme/a, k8s: [k8s/a.yaml]}
  uses-b:   {sdks: [b], context: svc/b, image: acme/b, k8s: [k8s/b.yaml]}
  uses-c:   {sdks: [c], context: svc/c, image: acme/c, k8s: [k8s/c.yaml]}
  uses-d:   {sdks: [d], context: svc/d, image: acme/d, k8s: [k8s/d.yaml]}
  root-ctx: {sdks: [a, c], context: ., dockerfile: svc/root/Dockerfile, image: acme/root, k8s: [k8s/root.yaml]}
  pinned:   {sdks: [a], context: svc/p, image: acme/p, k8s: [k8s/p.yaml], build_args: {A_SDK_VERSION: "0.9.0"}}
"""

MARKERS = {
    ".devenv/sdk/a/build.sha256": f"{D1}\n1.1.0\n",
    ".devenv/sdk/a/publish.sha256": f"{D1}\n1.1.0\n",
    ".devenv/sdk/b/build.sha256": f"{D2}\n",
    ".devenv/sdk/c/build.sha256": f"{D3}\n9.9.9\n",
    ".devenv/sdk/d/build.sha256": f"{D4}\n4.1.0\n",
}

EXPECTED = {
    "uses-a": {"A_SDK_VERSION": "1.1.0", "A_SDK_DIGEST": D1},
    "uses-b": {"B_VERSION": "v1.0.0", "B_SDK_DIGEST": D2},
    "uses-c": {"C_SDK_VERSION": "3.0.0"},
    "uses-d": {"D_SDK_VERSION": "4.0.0", "D_SDK_DIGEST": ""},
    "root-ctx": {"A_SDK_VERSION": "1.1.0", "C_SDK_VERSION": "3.0.0", "A_SDK_DIGEST": D1},
    "pinned": {"A_SDK_VERSION": "0.9.0", "A_SDK_DIGEST": D1},  # the service's own build arg wins
}

NO_RUN_YET = {
    "uses-a": {"A_SDK_VERSION": "1.0.0", "A_SDK_DIGEST": ""},
    "uses-b": {"B_VERSION": "v1.0.0", "B_SDK_DIGEST": ""},
    "uses-c": {"C_SDK_VERSION": "3.0.0"},
    "uses-d": {"D_SDK_VERSION": "4.0.0", "D_SDK_DIGEST": ""},
    "root-ctx": {"A_SDK_VERSION": "1.0.0", "C_SDK_VERSION": "3.0.0", "A_SDK_DIGEST": ""},
    "pinned": {"A_SDK_VERSION": "0.9.0", "A_SDK_DIGEST": ""},
}


def _repo(root):
    files = {"services.yaml": MANIFEST}
    for sdk in "abcd":
        files[f"sdk/{sdk}/README"] = sdk
    for name, folder in (("uses-a", "a"), ("uses-b", "b"), ("uses-c", "c"), ("uses-d", "d"), ("root-ctx", "root"), ("pinned", "p")):
        files[f"svc/{folder}/Dockerfile"] = "FROM scratch\n"
        files[f"k8s/{folder}.yaml"] = (
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n"
            f"  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: app, image: acme/{folder}}}]}}\n"
        )
    build_tree(root, files)
    return root


def _build_args(result) -> dict[str, dict[str, str]]:
    return {name: resource.images[0].build_args for name, resource in result.resources.items() if resource.images}


def test_consumers_take_version_and_digest_from_the_chains_last_marker(tilt, tmp_path):
    root = _repo(tmp_path / "repo")
    assert _build_args(judge(tilt, root)) == NO_RUN_YET  # no chain ran: the manifest's versions
    build_tree(root, MARKERS)
    assert _build_args(judge(tilt, root)) == EXPECTED
    # The manifest bumped and rendered again while the chain has not completed: nothing moves.
    (root / "services.yaml").write_text(MANIFEST.replace('version: "1.0.0"', 'version: "1.2.0"'))
    assert _build_args(judge(tilt, root)) == EXPECTED
