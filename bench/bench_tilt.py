"""Benchmark Tilt's own evaluation of the generated Tiltfile against a hand-written dynamic one.

A 300-service manifest (bench_render.generate) is rendered by devenv; the dynamic Tiltfile
reads the same services.yaml with `read_yaml` and loops to make the same resources. Before any
timing, both are loaded once and must report the same resources, resource_deps, labels, images
(build args, extra hosts) and k8s objects. Then the real Tilt loads each N times, alternating,
and we take the median of the evaluation time Tilt itself reports (`tilt alpha tiltfile-result
-v`: "Successfully loaded Tiltfile (<duration>)") and of the wall time of the whole process.

Run: .venv/bin/python bench/bench_tilt.py [--services 300] [--runs 21] [--no-record]
Target: ours / dynamic <= 1.0. Appends its figures to bench/RESULTS.md under "## tilt evaluation".
"""

from __future__ import annotations

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))
from _common import machine  # noqa: E402
from bench_render import generate  # noqa: E402

from tests.integration import tiltjson  # noqa: E402

DYNAMIC = textwrap.dedent("""\
    # Hand-written: read the manifest when Tilt loads, and loop.
    version_settings(constraint='>=0.33.4')

    m = read_yaml('services.yaml')
    build = m.get('build', {})
    hosts = build.get('extra_hosts', {})

    def host_ip():
        override = os.getenv(hosts.get('override_env', 'DEVENV_HOST_IP'), '')
        if override == 'fallback':
            return hosts.get('fallback', '172.17.0.1')
        return override or hosts.get('target', 'host-gateway')

    ip = host_ip()
    extra_hosts = ['%s:%s' % (h, ip) for h in hosts.get('hosts', [])]

    shared = {}
    for key, value in build.get('build_args', {}).items():
        shared[key] = os.getenv(value['env'], value.get('default', '')) if type(value) == 'dict' else value

    contexts = m.get('cluster', {}).get('contexts', [])
    if contexts:
        allow_k8s_contexts(contexts)

    health = None
    if m.get('registries'):
        health = 'packages:health'
        local_resource(health, cmd=['devenv', 'doctor', '--only', 'registries', '--manifest', 'services.yaml'],
                       labels=['packages'], allow_parallel=True)

    sdks = m.get('sdks', {})
    ready = {}
    for sdk_name, sdk in sdks.items():
        previous = health
        for step_name, step in sdk.get('steps', {}).items():
            name = 'packages:%s-sdk-%s' % (sdk_name, step_name)
            local_resource(name, cmd=step['cmd'], deps=step.get('deps', []),
                           resource_deps=[previous] if previous else [], env=step.get('env', {}),
                           labels=sdk.get('labels', ['packages']), allow_parallel=sdk.get('parallel', True))
            previous = name
        ready[sdk_name] = previous

    for name, svc in m.get('services', {}).items():
        consumed = svc['sdks'] if svc.get('sdks') != None else [s for s, sdk in sdks.items() if sdk['language'] == svc.get('language')]
        deps = []
        args = dict(shared)
        for s in consumed:
            if ready.get(s) and ready[s] not in deps:
                deps.append(ready[s])
            if sdks[s].get('version'):
                args[sdks[s].get('build_arg', s.upper() + '_SDK_VERSION')] = sdks[s]['version']
        deps += [a for a in svc.get('after', []) if a not in deps]
        args.update(svc.get('build_args', {}))
        if svc.get('image'):
            docker_build(svc['image'], svc['context'], dockerfile=svc.get('dockerfile', svc['context'] + '/Dockerfile'),
                         build_args=args, extra_hosts=extra_hosts)
        k8s_yaml(svc['k8s'])
        k8s_resource(name, resource_deps=deps, labels=svc.get('labels', ['services']),
                     port_forwards=svc.get('port_forwards', []))
    """)


def tilt_binary() -> str:
    for candidate in (os.environ.get("DEVENV_TILT"), str(Path.home() / ".cache/devenv-test/bin/tilt"), shutil.which("tilt")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("tilt not found: build it with scripts/tools/build-tilt.sh or set DEVENV_TILT")


def tilt_env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "TILT_DEV_DIR": str(home / ".tilt-dev"),
        "TILT_DISABLE_ANALYTICS": "1",
        "KUBECONFIG": str(home / "no-kubeconfig"),
        "LANG": "C.UTF-8",
    }


def load(tilt: str, tiltfile: Path, env: dict[str, str]) -> tuple[tiltjson.Result, float]:
    start = time.perf_counter()
    proc = subprocess.run([tilt, "alpha", "tiltfile-result", "-v", "-f", str(tiltfile)], cwd=tiltfile.parent, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"tilt failed on {tiltfile} (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return tiltjson.parse(proc.stdout, proc.stderr), wall


def summary(result: tiltjson.Result) -> dict:
    return {
        name: (r.kind, r.resource_deps, r.labels, r.images, r.objects, r.port_forwards, r.cmd, r.deps, r.allow_parallel) for name, r in result.resources.items()
    }


def record(lines: list[str]) -> None:
    results = HERE / "RESULTS.md"
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    entry = "\n".join(lines) + "\n"
    if "## tilt evaluation" not in text:
        text = text.rstrip("\n") + "\n\n## tilt evaluation\n\n" + entry
    else:  # append to the section, before the next one
        head, _, rest = text.partition("## tilt evaluation\n")
        body, sep, tail = rest.partition("\n## ")
        text = head + "## tilt evaluation\n" + body.rstrip("\n") + "\n\n" + entry + (sep + tail if sep else "")
    results.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to bench/RESULTS.md")
    args = parser.parse_args()

    tilt = tilt_binary()
    version = subprocess.run([tilt, "version"], capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, services=args.services)
        subprocess.run([sys.executable, "-m", "devenv", "render", "-f", str(root / "services.yaml")], check=True, capture_output=True)
        ours = root / "Tiltfile"
        dynamic = root / "Tiltfile.dynamic"
        dynamic.write_text(DYNAMIC, encoding="utf-8")
        env = tilt_env(root / "home")

        ours_result, _ = load(tilt, ours, env)
        dynamic_result, _ = load(tilt, dynamic, env)
        if summary(ours_result) != summary(dynamic_result):
            different = sorted(
                n for n in set(summary(ours_result)) | set(summary(dynamic_result)) if summary(ours_result).get(n) != summary(dynamic_result).get(n)
            )
            sys.exit(f"the two Tiltfiles do not make the same resources: {different[:10]}")
        resources = len(ours_result.resources)

        samples: dict[str, list[tuple[float, float]]] = {"ours": [], "dynamic": []}
        for _ in range(args.runs):  # alternate, so drift on a shared machine hits both alike
            for label, path in (("ours", ours), ("dynamic", dynamic)):
                result, wall = load(tilt, path, env)
                samples[label].append((result.load_seconds, wall))

    evaluation = {k: statistics.median(s[0] for s in v) for k, v in samples.items()}
    wall = {k: statistics.median(s[1] for s in v) for k, v in samples.items()}
    ratio = evaluation["ours"] / evaluation["dynamic"]
    wall_ratio = wall["ours"] / wall["dynamic"]
    lines = [
        f"`.venv/bin/python bench/bench_tilt.py --services {args.services} --runs {args.runs}` — {machine()}, "
        f"nproc {os.cpu_count()}, tilt {version}, {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}. "
        f"{args.services} services, {resources} Tilt resources, identical in both Tiltfiles (checked first).",
        "",
        "| Tiltfile | Tilt's evaluation time (median) | whole `tilt alpha tiltfile-result` (median) |",
        "| --- | --- | --- |",
        f"| generated by devenv | {evaluation['ours'] * 1000:.1f} ms | {wall['ours'] * 1000:.1f} ms |",
        f"| hand-written dynamic (`read_yaml` + loops) | {evaluation['dynamic'] * 1000:.1f} ms | {wall['dynamic'] * 1000:.1f} ms |",
        f"| ratio ours / dynamic (target ≤ 1.0) | **{ratio:.2f}** | {wall_ratio:.2f} |",
    ]
    print("\n".join(lines))
    print("PASS" if ratio <= 1.0 else "FAIL", f"ratio {ratio:.2f} (target <= 1.0)")
    if not args.no_record:
        record(lines)
        print(f"recorded in {HERE / 'RESULTS.md'}")
    sys.exit(0 if ratio <= 1.0 else 1)


if __name__ == "__main__":
    main()
