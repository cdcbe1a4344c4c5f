"""Benchmark: `tilt up` on the dev cluster (scripts/dev-cluster.sh), in one run:

(a) the first `tilt up` of a monorepo until every resource is Ready, with devenv's rendered
    Tiltfile against the floor: the same Tiltfile with every `allow_parallel=True` turned to `False`
    (Tilt's default: a local resource then runs alone). Reported as the ratio devenv / serial;
(b) the time from an edit of the SDKs' source to the moment the new pod of the last consumer is
    Ready (read from the kubelet's pod status through kubectl), in both Tiltfiles; the bench checks
    that exactly the expected services rebuilt.

Monorepos (`--monorepo`):

- `example` (default): the repository's example (examples/ and services.yaml) as
  tests/integration/test_tilt_up_example.py runs it (tests/integration/live_example.py: three SDK
  chains, Go, Python and TypeScript, that build, publish to real Verdaccio, a Go proxy directory
  and pypiserver, and smoke; seven services whose images fetch their SDK by registry host name
  during `docker build`, through the rendered `extra_hosts`; pods with readiness probes). The edit
  is a `.proto` under examples/packages/ameide_core_proto with the release bump the example's
  publish step demands (it refuses a version already published: new versions in the SDKs' sources
  and the manifest, the Tiltfile rendered again); every chain depends on the proto folder, so all
  seven services rebuild. Takes the example test's lock on the docker bridge's ports 80/443.
- `live`: the small monorepo of tests/integration/live_monorepo.py (three tiny chains, five
  services); the edit is a line appended to the Go SDK's source, whose two consumers rebuild.

    .venv/bin/python bench/bench_tilt_up.py [--monorepo example|live] [--runs 2] [--timeline DIR]

Method, so that the order of the variants is not mistaken for the Tiltfile: a warm-up run (one
devenv variant, not counted: on a fresh cluster the first `tilt up` also pushes the toolchain
images' base layers to the registry and containerd pulls them, ~30 s more on the example), then
`--runs` pairs in ABBA order (devenv, serial; serial, devenv; ...). Reported: each variant's
median and the median of the pairs' ratios (each pair ran back to back, under about the same
load), with the load average. Each run is in its own namespace with SDK versions new to it
(above every earlier run's, as npm demands), so no service's SDK layer comes from Docker's cache
(the live monorepo's build contexts are also made unique). `--timeline DIR` prints where each
run's time went, from Tilt's own API (bench/tilt_timeline.py), and writes it as JSON. Needs root and what the test fixtures need (tests/fixtures/cluster.py,
docker.py); the cluster and dockerd are the tests' shared ones (joined if running, else started
and stopped at exit).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import tilt_timeline as timeline  # noqa: E402
from bench._common import machine  # noqa: E402
from tests.fixtures.cluster import Cluster, shared_cluster  # noqa: E402
from tests.fixtures.docker import shared_dockerd  # noqa: E402
from tests.fixtures.tilt import Tilt  # noqa: E402
from tests.integration import live_example as ex  # noqa: E402
from tests.integration import live_monorepo as live  # noqa: E402
from tests.integration.judge import render_tiltfile  # noqa: E402
from tests.integration.tiltsession import POLL, TiltSession  # noqa: E402
from tests.support.components import tool  # noqa: E402

TIMEOUT = 900.0


def serialise(root: Path) -> None:
    """The floor: the same Tiltfile without `allow_parallel` (Tilt's default)."""
    tiltfile = root / "Tiltfile"
    text = tiltfile.read_text()
    assert "allow_parallel=True" in text, "the rendered Tiltfile has no allow_parallel: nothing to compare"
    tiltfile.write_text(text.replace("allow_parallel=True", "allow_parallel=False"))


def all_ready(session: TiltSession, names: set[str]) -> bool:
    """Every resource of ``names`` built without error and every service's pod Ready (Tilt's runtime `ok`)."""
    items = {k: v.get("status") or {} for k, v in session.resources.items() if k in names}
    errors = [k for k, s in items.items() if s.get("updateStatus") == "error" or s.get("runtimeStatus") == "error"]
    if errors:
        raise RuntimeError(f"{errors} failed:\n{session.log()[-3000:]}")
    if set(items) != names:
        return False
    return all(s.get("updateStatus") in ("ok", "not_applicable") and s.get("runtimeStatus") in ("ok", "not_applicable") for s in items.values())


def wait(predicate, what: str, session: TiltSession, timeout: float = TIMEOUT) -> float:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {timeout:g}s\n{session.log()[-3000:]}")
        time.sleep(POLL / 2)
    return time.monotonic()


def ready_images(cluster: Cluster, namespace: str, label: str) -> dict[str, set[str]]:
    """Workload (its pods' ``label``) -> images of its Ready pods not being deleted (the kubelet's view)."""
    pods = json.loads(cluster.kubectl("-n", namespace, "get", "pods", "-o", "json").stdout)["items"]
    out: dict[str, set[str]] = {}
    for pod in pods:
        if pod["metadata"].get("deletionTimestamp"):
            continue
        for status in pod["status"].get("containerStatuses") or []:
            if status["ready"]:
                out.setdefault(pod["metadata"]["labels"][label], set()).add(status["image"])
    return out


class Monorepo:
    """What differs between the two monorepos: how a copy is made, edited and run."""

    services: dict[str, list[str]]  # service -> the SDKs it consumes
    consumers: list[str]  # the services the edit must rebuild
    workloads: dict[str, str]  # service -> its pods' label value
    label: str
    steps: set[str] = set()  # the chain steps that must be Ready too

    def copy(self, work: Path, namespace: str, variant: str) -> Path:
        raise NotImplementedError

    def edit(self, root: Path, variant: str) -> None:
        raise NotImplementedError

    def session(self, tilt: Tilt, root: Path, cluster: Cluster) -> TiltSession:
        raise NotImplementedError


class Live(Monorepo):
    services = live.SERVICES
    consumers = [name for name, sdks in live.SERVICES.items() if "go" in sdks]
    workloads = {name: name for name in live.SERVICES}
    label = "app"

    def __init__(self, registries: live.LiveRegistries):
        self.registries = registries

    def copy(self, work: Path, namespace: str, variant: str) -> Path:
        root = live.build_repo(work / namespace, namespace, live.fresh_versions(), self.registries)
        for name in self.services:  # a context of this run only: no layer from the Docker cache
            (root / "svc" / name / "app.txt").write_text(f"{name} {namespace}\n")
        if variant == "serial":
            serialise(root)
        return root

    def edit(self, root: Path, variant: str) -> None:
        source = root / "sdk" / "go" / "src" / "sdk.go"  # a watched dep of the chain's first step, as a `.proto` is
        source.write_text(source.read_text() + f"// edit {uuid.uuid4().hex}\n")

    def session(self, tilt: Tilt, root: Path, cluster: Cluster) -> TiltSession:
        env = tilt.env({"BASE_IMAGE": cluster.base_image, "DOCKER_HOST": cluster.docker_host}, kubeconfig=cluster.kubeconfig)
        env["PATH"] = f"{Path(tilt.binary).parent}{os.pathsep}{env['PATH']}"  # `devenv sdk mark` asks the running Tilt
        return TiltSession(tilt.binary, root, env)


class Example(Monorepo):
    services = ex.SERVICES
    consumers = list(ex.SERVICES)  # every chain's build depends on the proto folder
    workloads = ex.DEPLOYMENTS
    label = "app.kubernetes.io/name"
    steps = {step for chain in ex.CHAINS.values() for step in chain}

    def __init__(self, registries: dict):
        self.registries = registries
        self.versions: dict[Path, dict[str, str]] = {}
        self.patch = int(ex.fresh_versions()["python"].rsplit(".", 1)[1])

    def copy(self, work: Path, namespace: str, variant: str) -> Path:
        # Each run's versions above every earlier run's (and its edit's +1): npm publish refuses a
        # version below the latest without --tag, and every run publishes to the same Verdaccio.
        self.patch += 10
        self.versions[work / namespace] = {"go": f"v1.5.{self.patch}", "python": f"1.5.{self.patch}", "ts": f"1.5.{self.patch}"}
        root = ex.copy_example(work / namespace, namespace, self.versions[work / namespace])
        render_tiltfile(root)
        if variant == "serial":
            serialise(root)
        return root

    def edit(self, root: Path, variant: str) -> None:
        proto = root / "examples/packages/ameide_core_proto/proto/ameide/common/v1/types.proto"
        proto.write_text(proto.read_text() + f"\nmessage BenchEdit{uuid.uuid4().hex[:8]} {{\n  string note = 1;\n}}\n")
        # A release: publish refuses a version already published, npm one lower than the latest.
        self.versions[root] = {sdk: re.sub(r"\d+$", lambda m: str(int(m[0]) + 1), v) for sdk, v in self.versions[root].items()}
        ex.release_bump(root, self.versions[root])
        render_tiltfile(root)
        if variant == "serial":
            serialise(root)

    def session(self, tilt: Tilt, root: Path, cluster: Cluster) -> TiltSession:
        env = tilt.env(ex.example_env(cluster, self.registries), kubeconfig=cluster.kubeconfig)
        return TiltSession(tilt.binary, root, env, only=sorted(self.services), launch=self.registries["sandbox"].argv)


def edit_to_ready(repo: Monorepo, cluster: Cluster, namespace: str, root: Path, variant: str, session: TiltSession) -> float:
    """Seconds from the edit to the last consumer's new pod Ready."""
    before = ready_images(cluster, namespace, repo.label)
    counts = session.counts()
    started = time.monotonic()
    repo.edit(root, variant)

    def rolled() -> bool:
        now = ready_images(cluster, namespace, repo.label)
        return all(now.get(w) and not now[w] & before.get(w, set()) for w in (repo.workloads[n] for n in repo.consumers))

    done = wait(rolled, "the consumers' new pods", session)
    rebuilt = {n for n in repo.services if session.counts().get(n, 0) > counts.get(n, 0)}
    assert rebuilt == set(repo.consumers), f"rebuilt {rebuilt}, expected exactly {repo.consumers}"
    return done - started


@dataclass
class Run:
    """One variant's `tilt up`: the two figures and the timeline of each phase (bench/tilt_timeline.py)."""

    variant: str
    cold: float
    edit: float
    timelines: dict[str, dict]


def one(repo: Monorepo, variant: str, cluster: Cluster, tilt: Tilt, work: Path) -> Run:
    namespace = f"bench-{variant}-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", namespace)
    root = repo.copy(work, namespace, variant)
    session = repo.session(tilt, root, cluster)
    names = set(repo.services) | repo.steps
    recorder = timeline.Recorder(session)
    started = time.monotonic()
    session.start()
    recorder.start()
    try:
        cold = wait(lambda: all_ready(session, names), "all Ready", session) - started
        timelines = {"cold": timeline.record(session, recorder, 0.0, cold)}
        session.settle(names, timeout=TIMEOUT)  # nothing still building before the edit
        edited = time.monotonic() - started
        edit = edit_to_ready(repo, cluster, namespace, root, variant, session)
        timelines["edit"] = timeline.record(session, recorder, edited, edited + edit, skip_marks=len(timelines["cold"]["marks"]))
        return Run(variant, cold, edit, timelines)
    finally:
        recorder.stop()
        session.stop()
        cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@contextlib.contextmanager
def monorepo(kind: str, tmp: Path, engine, cluster: Cluster) -> Iterator[tuple[Monorepo, Tilt]]:
    if kind == "live":
        with live.live_registries(tmp / "registries", engine.bridge_ip) as registries:
            yield Live(registries), Tilt(tool("tilt", "DEVENV_TILT"), tmp / "tilt-state")
        return
    helm = tool("helm", "DEVENV_HELM")  # devenv's in-process render asks `helm template`, as Tilt does
    os.environ["PATH"] = f"{Path(helm).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    with ex.example_registries(tmp / "registries", engine.bridge_ip, cluster.registry) as registries:
        yield Example(registries), Tilt(tool("tilt", "DEVENV_TILT"), tmp / "tilt-state", helm=helm)


VARIANTS = ("devenv", "serial")


def schedule(runs: int) -> list[tuple[str, str]]:
    """(pair, variant) in ABBA order: the pairs alternate which variant goes first (pair 1:
    devenv, serial; pair 2: serial, devenv; ...), so over two pairs each variant is first and
    second once; the `warm-up` runs one variant before them and is not counted."""
    order = [("warm-up", VARIANTS[0])]
    for run in range(runs):
        pair = VARIANTS if run % 2 == 0 else VARIANTS[::-1]
        order += [(str(run + 1), variant) for variant in pair]
    return order


def report(pair: str, run: Run, services: set[str], verbose: bool) -> None:
    print(f"  pair {pair}, {run.variant}: first tilt up {run.cold:.1f} s, edit {run.edit:.1f} s; load {load()}", flush=True)
    for phase, data in run.timelines.items():
        steps = set(data["builds"]) - services - {timeline.TILTFILE}  # the local resources: chain steps, the health gate
        lines = timeline.summary(data, steps, services) if verbose else [timeline.headline(data, steps)]
        print(f"    {phase}: " + "\n      ".join(lines), flush=True)


def medians(runs: list[Run], warm_up: bool) -> str:
    """Medians per variant, and the median of the per-pair ratios (each pair ran back to back)."""
    by = {v: [r for r in runs if r.variant == v] for v in VARIANTS}
    cold = {v: statistics.median(r.cold for r in rows) for v, rows in by.items()}
    edit = {v: statistics.median(r.edit for r in rows) for v, rows in by.items()}
    ratios = [d.cold / s.cold for d, s in zip(by["devenv"], by["serial"])]
    return (
        f"medians of {len(ratios)} pairs (ABBA order, {'after a discarded warm-up' if warm_up else 'no warm-up'}): "
        f"first tilt up devenv {cold['devenv']:.1f} s / serial "
        f"{cold['serial']:.1f} s = {cold['devenv'] / cold['serial']:.2f}x (median of the pairs' ratios "
        f"{statistics.median(ratios):.2f}x, range {min(ratios):.2f}-{max(ratios):.2f}); edit to last consumer Ready: "
        f"devenv {edit['devenv']:.1f} s, serial {edit['serial']:.1f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--monorepo", choices=("example", "live"), default="example")
    parser.add_argument("--runs", type=int, default=2, help="pairs of runs (devenv and serial), in ABBA order (default 2)")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false", help="count the first run too")
    parser.add_argument("--timeline", metavar="DIR", type=Path, help="print each run's timeline and write it as JSON into DIR")
    args = parser.parse_args()
    runs: list[Run] = []
    print(f"machine: {machine()}; monorepo: {args.monorepo}; load average at start: {load()}")
    with (
        tempfile.TemporaryDirectory(prefix="bench-tilt-up-") as tmp,
        shared_dockerd() as engine,
        shared_cluster(engine) as cluster,
        monorepo(args.monorepo, Path(tmp), engine, cluster) as (repo, tilt),
    ):
        services = set(repo.services)
        for index, (pair, variant) in enumerate(schedule(args.runs)[0 if args.warm_up else 1 :]):
            run = one(repo, variant, cluster, tilt, Path(tmp))
            report(pair, run, services, args.timeline is not None)
            if args.timeline:
                args.timeline.mkdir(parents=True, exist_ok=True)
                (args.timeline / f"{index:02d}-{pair}-{variant}.json").write_text(json.dumps(asdict(run), indent=1))
            if pair != "warm-up":
                runs.append(run)
        consumers = ", ".join(repo.consumers)
    print(f"{medians(runs, args.warm_up)}; consumers: {consumers}; load average at end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
