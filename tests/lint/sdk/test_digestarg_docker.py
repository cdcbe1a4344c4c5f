"""``sdk-digest-arg``'s premise against the real test dockerd (its classic builder, through the
Docker API as docker-py drives it; no buildx on the test machine): each Dockerfile is built twice with
two values of ``TS_SDK_DIGEST`` (the same ``TS_SDK_VERSION``), and its install ``RUN`` writes a
fresh random value, so the install layer differs exactly when Docker re-ran it. Lint must flag
exactly the Dockerfiles whose install layer Docker took from the cache."""

from __future__ import annotations

import json
import textwrap
import uuid
from pathlib import Path

import pytest

from tests.images import builds
from tests.lint.sdk.test_digestarg import _repo
from tests.support.cli import devenv

INSTALL = 'RUN echo "@acme/sdk-ts@${TS_SDK_VERSION}" > /sdk && cat /proc/sys/kernel/random/uuid > /layer\n'
VARIANTS = {
    "declared-before": "FROM {base}\nARG TS_SDK_VERSION\nARG TS_SDK_DIGEST\n" + INSTALL,
    "missing": "FROM {base}\nARG TS_SDK_VERSION\n" + INSTALL,
    "declared-after": "FROM {base}\nARG TS_SDK_VERSION\n" + INSTALL + "ARG TS_SDK_DIGEST\nRUN true\n",
    "global-only": "ARG TS_SDK_DIGEST\nFROM {base}\nARG TS_SDK_VERSION\n" + INSTALL,
    "other-stage": "FROM {base} AS tools\nARG TS_SDK_DIGEST\nRUN true\nFROM {base}\nARG TS_SDK_VERSION\n" + INSTALL,
    "multi-stage-declared": "FROM {base} AS deps\nARG TS_SDK_VERSION\nARG TS_SDK_DIGEST\n" + INSTALL + "FROM {base}\nCOPY --from=deps /layer /layer\n",
}


@pytest.fixture(scope="module")
def engine(docker_env):
    client = builds.client_for(docker_env)
    return client, builds.base_image(client)


def _install_layer_reran(client, base: str, work: Path, name: str, dockerfile: str) -> bool:
    """Build ``dockerfile`` twice, the digest arg changed in between: did the install RUN write anew?"""
    nonce = uuid.uuid4().hex  # the shared engine outlives sessions: never hit an older session's cache
    layers, tags = [], []
    for digest in ("one", "two"):
        context = work / f"{name}-{digest}"
        context.mkdir(parents=True)
        tag = f"devenv-test/digestarg-{name}:{digest}-{nonce[:8]}"
        builds.build(client, context, tag, dockerfile.replace("{base}", base), TS_SDK_VERSION=f"1.4.0-{nonce}", TS_SDK_DIGEST=f"{digest}-{nonce}")
        layers.append(_read(client, tag, "/layer"))
        tags.append(tag)
    for tag in tags:  # only now: removing an image removes its intermediate images, the build cache
        client.images.remove(tag)
    assert all(layers), layers
    return layers[0] != layers[1]


def _read(client, tag: str, path: str) -> bytes:
    """A file of the image, through a created (never started) container."""
    import io
    import tarfile

    container = client.containers.create(tag, ["true"])
    try:
        stream, _ = container.get_archive(path)
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            member = tar.extractfile(tar.getmembers()[0])
            return member.read() if member else b""
    finally:
        container.remove()


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_lint_flags_exactly_the_dockerfiles_docker_serves_from_cache(engine, tmp_path, name):
    client, base = engine
    dockerfile = VARIANTS[name]
    reran = _install_layer_reran(client, base, tmp_path / "builds", name, dockerfile)
    repo = _repo(tmp_path, textwrap.dedent(dockerfile.replace("{base}", base)))
    result = devenv("lint", "--format", "json", cwd=repo)
    flagged = [f for f in json.loads(result.out)["findings"] if f["rule"] == "sdk-digest-arg"]
    assert bool(flagged) == (not reran), (name, reran, flagged)
    assert result.code == (1 if flagged else 0)
    # the variants cover both outcomes (the premise is not vacuous)
    assert reran == (name in ("declared-before", "multi-stage-declared"))
