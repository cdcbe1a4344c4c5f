"""Benchmark `devenv sdk verify` on a TypeScript SDK generated from 500 proto files, published to
a real Verdaccio by the real `npm pack` + `npm publish`, against the floor: just downloading and
unpacking the same artifact (package document, tarball, gunzip + untar into memory), measured in
the same run.

Two pairs, medians of RUNS after a warm-up:
1. in process: `devenv.sdk.verify.verify_sdk()` vs the floor done with the same HTTP client
   (httpx) and tarfile: the cost of checking (integrity, 500 protos read and hashed against the
   raw snapshot, 1,000 generated names, entry points) over the transfer itself;
2. whole process: `devenv sdk verify ts --json` vs `python -c <the floor>` (adds devenv's start:
   CLI, manifest load and validation).

Run: .venv/bin/python bench/bench_verify.py [--protos 500] [--runs 15]
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from _common import machine  # noqa: E402

from tests.sdk.verify import artifacts  # noqa: E402
from tests.support.registries import Processes, start_verdaccio  # noqa: E402

PACKAGE = "@ameideio/ameide-sdk-ts"
VERSION = "3.0.0"

PROTO = """syntax = "proto3";

package bench.{pkg}.v1;

import "google/protobuf/timestamp.proto";

// Messages of file {n}: enough text for a realistic proto file.
message Thing{n} {{
  string id = 1;
  string name = 2;
  map<string, string> labels = 3;
  google.protobuf.Timestamp created_at = 4;
  repeated string tags = 5;
}}

service Service{n} {{
  rpc GetThing{n}(Thing{n}) returns (Thing{n});
}}
"""

FLOOR = """
import io, sys, tarfile, httpx
url, pkg, version = sys.argv[1:4]
with httpx.Client(trust_env=False) as c:
    doc = c.get(url + pkg).json()
    data = c.get(doc["versions"][version]["dist"]["tarball"]).content
with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
    files = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}
print(len(files))
"""


def write_workspace(root: Path, count: int) -> Path:
    proto = root / "packages" / "core_proto"
    (proto / "buf.yaml").parent.mkdir(parents=True)
    (proto / "buf.yaml").write_text("version: v2\nmodules:\n  - path: proto\n")
    for n in range(count):
        pkg = f"svc{n // 10:03d}"
        path = proto / "proto" / "bench" / pkg / "v1" / f"file{n:04d}.proto"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(PROTO.format(pkg=pkg, n=n))
    return proto / "proto"


def _code(rel: Path, lines: int) -> str:
    """Generated-looking code, ~60 bytes a line, varied enough not to compress to nothing."""
    import hashlib

    seed = hashlib.sha256(str(rel).encode()).hexdigest()
    return "".join(f"export const f{i}_{seed[i % 40 : i % 40 + 16]} = proto3.util.newFieldList(() => [{i}, {seed[:8]!r}]);\n" for i in range(lines))


def write_package(work: Path, proto_root: Path) -> Path:
    folder = work / "sdk"
    dist = folder / "dist"
    (dist / "gen").mkdir(parents=True)
    (folder / "package.json").write_text(
        json.dumps(
            {
                "name": PACKAGE,
                "version": VERSION,
                "main": "dist/index.js",
                "types": "dist/index.d.ts",
                "files": ["dist"],
                "exports": {".": {"types": "./dist/index.d.ts", "import": "./dist/index.js"}, "./gen/*": "./dist/gen/*"},
            },
            indent=2,
        )
    )
    (dist / "index.js").write_text("export {};\n")
    (dist / "index.d.ts").write_text("export {};\n")
    for proto in sorted(proto_root.rglob("*.proto")):
        rel = proto.relative_to(proto_root)
        stem = rel.with_suffix("")
        for suffix, body in (("_pb.js", _code(rel, 60)), ("_pb.d.ts", _code(rel, 25))):
            target = dist / "gen" / f"{stem}{suffix}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"// generated from {rel}\n" + body)
        raw = dist / "proto" / "raw" / rel
        raw.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(proto, raw)
    return folder


def median_ms(fn, runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def children_cpu_ms(argv: list[str], runs: int, **kwargs) -> float:
    """Median user+sys CPU of a whole process (steadier than wall time on a shared machine)."""
    import resource

    subprocess.run(argv, check=True, capture_output=True, **kwargs)
    samples = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(argv, check=True, capture_output=True, **kwargs)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--protos", type=int, default=500)
    parser.add_argument("--runs", type=int, default=15)
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="devenv-bench-verify-"))
    procs = Processes()
    try:
        proto_root = write_workspace(work / "repo", opts.protos)
        npm = start_verdaccio(work / "verdaccio", procs)
        env = artifacts.npm_env(work, npm.url, artifacts.npm_token(npm.url))
        tarball = artifacts.npm_pack(write_package(work, proto_root), env)
        subprocess.run(["npm", "publish", str(tarball), "--registry", f"{npm.url}/"], env=env, check=True, capture_output=True, timeout=300)
        manifest = work / "repo" / "services.yaml"
        manifest.write_text(
            json.dumps(
                {
                    "version": 1,
                    "project": "bench",
                    "registries": {"npm": {"kind": "npm", "url": npm.url}},
                    "proto": {"path": "packages/core_proto"},
                    "sdks": {"ts": {"language": "typescript", "path": "packages/sdk", "package": PACKAGE, "registry": "npm", "version": VERSION}},
                }
            )
        )
        return report(opts, work, npm.url, manifest, tarball)
    finally:
        procs.stop()
        shutil.rmtree(work, ignore_errors=True)


def report(opts, work: Path, url: str, manifest: Path, tarball: Path) -> int:
    import httpx

    from devenv.manifest.load import load_manifest
    from devenv.sdk.verify import verify_sdk
    from devenv.sdk.verify.names import npm_path

    loaded = load_manifest(manifest)
    verdict = verify_sdk(loaded, "ts")
    assert verdict.ok, [f.message for f in verdict.findings][:5]
    counts = verdict.counts

    def floor() -> None:
        with httpx.Client(trust_env=False) as client:
            doc = client.get(url + npm_path(PACKAGE)).json()
            data = client.get(doc["versions"][VERSION]["dist"]["tarball"]).content
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
            {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}

    verify_ms = median_ms(lambda: verify_sdk(load_manifest(manifest), "ts"), opts.runs)
    floor_ms = median_ms(floor, opts.runs)
    python = sys.executable
    cli = [python, "-m", "devenv", "sdk", "verify", "ts", "--json", "-f", str(manifest)]
    floor_cli = [python, "-c", FLOOR, url, npm_path(PACKAGE), VERSION]
    cli_ms = median_ms(lambda: subprocess.run(cli, check=True, capture_output=True, cwd=REPO), opts.runs)
    floor_cli_ms = median_ms(lambda: subprocess.run(floor_cli, check=True, capture_output=True), opts.runs)
    cli_cpu = children_cpu_ms(cli, opts.runs, cwd=REPO)
    floor_cpu = children_cpu_ms(floor_cli, opts.runs)
    print(f"{machine()}")
    print(
        f"SDK: {counts['protos']} protos, {counts['files']} files in the tarball ({tarball.stat().st_size // 1024} KiB), "
        f"{counts['generated_expected']} generated files expected, runs {opts.runs} (median)"
    )
    print(f"in process:   verify {verify_ms:.0f} ms, floor (download + unpack) {floor_ms:.0f} ms -> {verify_ms / floor_ms:.2f}x (target <= 1.5x)")
    print(
        f"whole process: devenv sdk verify {cli_ms:.0f} ms, python -c floor {floor_cli_ms:.0f} ms -> {cli_ms / floor_cli_ms:.2f}x wall; "
        f"CPU {cli_cpu:.0f} ms vs {floor_cpu:.0f} ms -> {cli_cpu / floor_cpu:.2f}x"
    )
    print(f"load average: {open('/proc/loadavg').read().split()[:3]}")
    return 0 if verify_ms / floor_ms <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
