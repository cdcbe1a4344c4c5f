"""Benchmark: `tilt up` on the dev cluster (scripts/dev-cluster.sh), in one run:

(a) the first `tilt up` of the live monorepo (tests/integration/live_monorepo.py: three SDK chains
    publishing new versions to real Verdaccio, a Go proxy directory and pypiserver; five service
    images fetching their SDK by registry host name during `docker build`; pods with readiness
    probes) until every resource is Ready, with devenv's rendered Tiltfile against the floor: the
    same Tiltfile with every `allow_parallel=True` turned to `False` (Tilt's default: a local
    resource then runs alone). Reported as the ratio devenv / serial;
(b) the time from an edit of the Go SDK's source (a watched dep of its first step, as a `.proto`
    is) to the moment the new pod of its last consumer is Ready (read from the kubelet's pod
    status through kubectl), in both Tiltfiles.

    .venv/bin/python bench/bench_tilt_up.py [--runs 3]

Each run does both variants, in alternating order, each in its own namespace with SDK versions
new to it; every service's build context is made unique so no image comes from Docker's cache.
Needs root and what the test fixtures need (tests/fixtures/cluster.py, docker.py); the cluster and
dockerd are the tests' shared ones (joined if running, else started and stopped at exit).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import machine  # noqa: E402
from tests.fixtures.cluster import Cluster, shared_cluster  # noqa: E402
from tests.fixtures.docker import shared_dockerd  # noqa: E402
from tests.fixtures.tilt import Tilt  # noqa: E402
from tests.integration.live_monorepo import SERVICES, LiveRegistries, build_repo, fresh_versions, live_registries  # noqa: E402
from tests.integration.tiltsession import POLL, TiltSession  # noqa: E402
from tests.support.components import tool  # noqa: E402

EDITED_SDK = "go"
CONSUMERS = [name for name, sdks in SERVICES.items() if EDITED_SDK in sdks]
TIMEOUT = 600.0


def serialise(root: Path) -> None:
    """The floor: the same Tiltfile without `allow_parallel` (Tilt's default)."""
    tiltfile = root / "Tiltfile"
    text = tiltfile.read_text()
    assert "allow_parallel=True" in text, "the rendered Tiltfile has no allow_parallel: nothing to compare"
    tiltfile.write_text(text.replace("allow_parallel=True", "allow_parallel=False"))


def all_ready(session: TiltSession) -> bool:
    """Every resource built without error and every service's pod Ready (Tilt's runtime `ok`)."""
    items = {k: v.get("status") or {} for k, v in session.resources.items() if k != "(Tiltfile)"}
    errors = [k for k, s in items.items() if s.get("updateStatus") == "error" or s.get("runtimeStatus") == "error"]
    if errors:
        raise RuntimeError(f"{errors} failed:\n{session.log()[-3000:]}")
    if not set(SERVICES) <= set(items):
        return False
    return all(s.get("updateStatus") in ("ok", "not_applicable") and s.get("runtimeStatus") in ("ok", "not_applicable") for s in items.values())


def wait(predicate, what: str, session: TiltSession, timeout: float = TIMEOUT) -> float:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {timeout:g}s\n{session.log()[-3000:]}")
        time.sleep(POLL / 2)
    return time.monotonic()


def ready_images(cluster: Cluster, namespace: str) -> dict[str, set[str]]:
    """Deployment -> images of its Ready pods that are not being deleted (the kubelet's view)."""
    pods = json.loads(cluster.kubectl("-n", namespace, "get", "pods", "-o", "json").stdout)["items"]
    out: dict[str, set[str]] = {}
    for pod in pods:
        if pod["metadata"].get("deletionTimestamp"):
            continue
        for status in pod["status"].get("containerStatuses") or []:
            if status["ready"]:
                out.setdefault(pod["metadata"]["labels"]["app"], set()).add(status["image"])
    return out


def edit_to_ready(cluster: Cluster, namespace: str, root: Path, session: TiltSession) -> float:
    """Seconds from the SDK source edit to the last consumer's new pod Ready."""
    before = ready_images(cluster, namespace)
    counts = session.counts()
    source = root / "sdk" / EDITED_SDK / "src" / "sdk.go"
    started = time.monotonic()
    source.write_text(source.read_text() + f"// edit {uuid.uuid4().hex}\n")

    def rolled() -> bool:
        now = ready_images(cluster, namespace)
        return all(now.get(name) and not now[name] & before.get(name, set()) for name in CONSUMERS)

    done = wait(rolled, "the consumers' new pods", session, timeout=300)
    rebuilt = {n for n in SERVICES if session.counts().get(n, 0) > counts.get(n, 0)}
    assert rebuilt == set(CONSUMERS), f"rebuilt {rebuilt}, expected exactly {CONSUMERS}"
    return done - started


def one(variant: str, cluster: Cluster, tilt: Tilt, registries: LiveRegistries, work: Path) -> tuple[float, float]:
    namespace = f"bench-{variant}-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", namespace)
    root = build_repo(work / namespace, namespace, fresh_versions(), registries)
    for name in SERVICES:  # a context of this run only: no layer from the Docker cache
        (root / "svc" / name / "app.txt").write_text(f"{name} {namespace}\n")
    if variant == "serial":
        serialise(root)
    env = tilt.env({"BASE_IMAGE": cluster.base_image, "DOCKER_HOST": cluster.docker_host}, kubeconfig=cluster.kubeconfig)
    env["PATH"] = f"{Path(tilt.binary).parent}{os.pathsep}{env['PATH']}"  # `devenv sdk mark` asks the running Tilt
    started = time.monotonic()
    session = TiltSession(tilt.binary, root, env).start()
    try:
        cold = wait(lambda: all_ready(session), "all Ready", session) - started
        session.settle(set(SERVICES), timeout=TIMEOUT)  # nothing still building before the edit
        return cold, edit_to_ready(cluster, namespace, root, session)
    finally:
        session.stop()
        cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"devenv": [], "serial": []}
    print(f"machine: {machine()}; load average at start: {load()}")
    with (
        tempfile.TemporaryDirectory(prefix="bench-tilt-up-") as tmp,
        shared_dockerd() as engine,
        shared_cluster(engine) as cluster,
        live_registries(Path(tmp) / "registries", engine.bridge_ip) as registries,
    ):
        tilt = Tilt(tool("tilt", "DEVENV_TILT"), Path(tmp) / "tilt-state")
        for run in range(args.runs):
            order = ("devenv", "serial") if run % 2 == 0 else ("serial", "devenv")
            row = {}
            for variant in order:
                row[variant] = one(variant, cluster, tilt, registries, Path(tmp))
                print(f"  {variant}: {row[variant][0]:.1f} s, edit {row[variant][1]:.1f} s", flush=True)
                results[variant].append(row[variant])
            d, s = row["devenv"], row["serial"]
            print(
                f"run {run + 1}: first tilt up to all Ready: devenv {d[0]:.1f} s, serial {s[0]:.1f} s = "
                f"{d[0] / s[0]:.2f}x; {EDITED_SDK} SDK edit to last consumer Ready: devenv {d[1]:.1f} s, "
                f"serial {s[1]:.1f} s; load {load()}",
                flush=True,
            )
    median = {v: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)) for v, rows in results.items()}
    print(
        f"median of {args.runs}: first tilt up devenv {median['devenv'][0]:.1f} s / serial {median['serial'][0]:.1f} s "
        f"= {median['devenv'][0] / median['serial'][0]:.2f}x; edit to last consumer ({', '.join(CONSUMERS)}) Ready: "
        f"devenv {median['devenv'][1]:.1f} s, serial {median['serial'][1]:.1f} s; load average at end: {load()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
