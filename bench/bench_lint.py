"""Benchmark `devenv lint` against ripgrep on a generated 50,000-file monorepo.

    .venv/bin/python bench/bench_lint.py [--files 50000] [--runs 5] [--no-git] [--keep]

Builds (once, cached under bench/out/) a tree of mixed file types in which 1% of the files
hold a planted proto-boundary violation (plus decoys: the proto path in Markdown, inside the
allowed SDK folders, a similarly named package), commits it to a scratch git repository, then
times in the same run, alternating:

- `rg` (ripgrep) searching the same fixed strings (the proto path and names) over the tree,
  honouring .gitignore as lint does;
- `devenv lint` (the real CLI, start-up included) over the same tree.

Asserts that lint found every planted violation and nothing else, and prints both medians and
the ratio (target: lint within 1.5x of ripgrep, issue 17; the earlier target was 2x).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
GENERATOR_VERSION = 4
NEEDLES = ["packages/ameide_core_proto", "@ameide/core-proto", "ameide_core_proto", "ameide-core-proto"]  # lint's prefilter needles, PEP 503 spelling included

MANIFEST = """\
version: 1
project: bench
proto:
  path: packages/ameide_core_proto
  names: ["@ameide/core-proto", ameide_core_proto]
  allowed: [packages/ameide_sdk_ts, packages/ameide_sdk_go, packages/ameide_sdk_python]
sdks:
  ts: {language: typescript, path: packages/ameide_sdk_ts, package: "@ameideio/ameide-sdk-ts"}
  go: {language: go, path: packages/ameide_sdk_go, package: buf.build/gen/go/ameideio/ameide}
  python: {language: python, path: packages/ameide_sdk_python, package: ameide-sdk}
"""

WORDS = (
    "alpha beta gamma delta tenant order invoice graph thread agent workflow platform session "
    "request response handler client server config cache queue event stream token user account "
    "record index schema service module package runtime build deploy image metrics trace log"
).split()


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _ident(rng: random.Random) -> str:
    return "_".join(rng.choice(WORDS) for _ in range(2))


# Each kind: (relative file name pattern, body maker, planted violation line, language of comment)
def _ts(rng, violate):
    lines = [f'import {{ {_ident(rng)} }} from "./{_ident(rng)}";']
    if violate:
        lines.append('import { OrderService } from "@ameide/core-proto";')
    if rng.random() < 0.1:
        lines.append('import { x } from "@ameide/core-protocol";')  # decoy: another package
    for _ in range(rng.randint(20, 60)):
        lines.append(f"export const {_ident(rng)} = (input: string) => `{_words(rng, 6)}` + input;")
    return "\n".join(lines) + "\n"


def _py(rng, violate):
    lines = ["import os", f"from .{_ident(rng)} import {_ident(rng)}"]
    if violate:
        lines.append("from ameide_core_proto.v1 import service_pb2")
    if rng.random() < 0.1:
        lines.append("import ameide_core_protocol  # decoy: another package")
    for _ in range(rng.randint(20, 60)):
        lines.append(f"def {_ident(rng)}(value):\n    return '{_words(rng, 5)}' + str(value)\n")
    return "\n".join(lines) + "\n"


def _go(rng, violate):
    lines = ["package main", "", "import (", '\t"fmt"']
    if violate:
        lines.append('\tpb "github.com/ameideio/ameide/packages/ameide_core_proto/gen/go/v1"')
    lines.append(")")
    for _ in range(rng.randint(15, 50)):
        lines.append(f'func {_ident(rng).title().replace("_", "")}() string {{ return fmt.Sprint("{_words(rng, 5)}") }}')
    return "\n".join(lines) + "\n"


def _md(rng, violate):
    # Prose mentions the proto path freely: never a violation (a decoy in every 10th file).
    lines = [f"# {_words(rng, 3)}", ""]
    for _ in range(rng.randint(10, 40)):
        lines.append(_words(rng, 14))
    if rng.random() < 0.1:
        lines.append("Only the SDKs read packages/ameide_core_proto.")
    return "\n".join(lines) + "\n"


def _dockerfile(rng, violate):
    lines = ["FROM node:20-alpine", "WORKDIR /app", "COPY package.json pnpm-lock.yaml ./", "RUN pnpm install --frozen-lockfile"]
    if violate:
        lines.append("COPY packages/ameide_core_proto ./packages/ameide_core_proto")
    lines += [f"RUN echo {_words(rng, 4)}" for _ in range(rng.randint(3, 10))]
    lines.append('CMD ["node", "dist/index.js"]')
    return "\n".join(lines) + "\n"


def _package_json(rng, violate):
    deps = {f"@ameideio/{_ident(rng).replace('_', '-')}": "^1.0.0" for _ in range(rng.randint(3, 12))}
    deps["@ameideio/ameide-sdk-ts"] = "1.4.0"
    if violate:
        deps["@ameide/core-proto"] = "workspace:*"
    return json.dumps({"name": _ident(rng), "version": "1.0.0", "dependencies": deps, "scripts": {"build": "tsc -p ."}}, indent=2) + "\n"


def _yaml(rng, violate):
    lines = [
        "apiVersion: apps/v1",
        "kind: Deployment",
        f"metadata: {{name: {_ident(rng).replace('_', '-')}}}",
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
    ]
    for _ in range(rng.randint(2, 8)):
        lines += [
            f"        - name: {_ident(rng).replace('_', '-')}",
            f"          image: ameide/{_ident(rng).replace('_', '-')}:1.0",
            f"          args: [{_words(rng, 3).replace(' ', ', ')}]",
        ]
    if violate:
        lines += ["      volumes:", "        - name: proto", "          hostPath: {path: /src/packages/ameide_core_proto}"]
    return "\n".join(lines) + "\n"


def _sh(rng, violate):
    lines = ["#!/usr/bin/env bash", "set -euo pipefail"]
    lines += [f"echo '{_words(rng, 6)}'" for _ in range(rng.randint(5, 30))]
    if violate:
        lines.append("cd packages/ameide_core_proto && buf generate")
    return "\n".join(lines) + "\n"


def _requirements(rng, violate):
    lines = [f"{_ident(rng).replace('_', '-')}=={rng.randint(1, 9)}.{rng.randint(0, 20)}" for _ in range(rng.randint(5, 25))]
    if violate:
        lines.append("ameide-core-proto==1.2.0")
    return "\n".join(lines) + "\n"


def _gomod(rng, violate):
    lines = [f"module github.com/ameideio/ameide/services/{_ident(rng)}", "", "go 1.22", "", "require ("]
    lines += [f"\tgithub.com/{_ident(rng)}/{_ident(rng)} v1.{rng.randint(0, 9)}.0" for _ in range(rng.randint(3, 15))]
    lines.append(")")
    if violate:
        lines.append("replace github.com/ameideio/ameide/proto => ../../packages/ameide_core_proto")
    return "\n".join(lines) + "\n"


KINDS = [  # (weight, file name, maker, violation rule)
    (30, "src/{n}.ts", _ts, "proto-in-script"),
    (15, "app/{n}.py", _py, "proto-in-script"),
    (15, "pkg/{n}.go", _go, "proto-reference"),
    (15, "notes/{n}.md", _md, None),
    (5, "{n}/Dockerfile", _dockerfile, "proto-in-dockerfile"),
    (5, "{n}/package.json", _package_json, "proto-in-package-json"),
    (6, "deploy/{n}.yaml", _yaml, "proto-in-k8s-yaml"),
    (5, "scripts/{n}.sh", _sh, "proto-in-shell"),
    (2, "{n}/requirements.txt", _requirements, "proto-in-python-deps"),
    (2, "{n}/go.mod", _gomod, "proto-in-go-mod"),
]


def generate(root: Path, files: int, seed: int = 42) -> set[tuple[str, str]]:
    """Write the tree; return the planted (path, rule) set."""
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "services.yaml").write_text(MANIFEST)
    (root / ".gitignore").write_text("node_modules/\n*.log\n")
    violating_kinds = [k for k in KINDS if k[3]]
    planted: set[tuple[str, str]] = set()
    total_weight = sum(k[0] for k in KINDS)
    # Exactly 1% of the files violate, spread over the code kinds.
    violators = set(rng.sample(range(files), files // 100))
    # Decoys: the allowed SDK folders and the proto workspace itself reference it freely.
    decoys = {
        "packages/ameide_core_proto/package.json": '{"name": "@ameide/core-proto"}\n',
        "packages/ameide_sdk_ts/scripts/sync-proto.mjs": 'import "../../ameide_core_proto/gen.mjs"; // packages/ameide_core_proto\n',
        "packages/ameide_sdk_python/requirements.txt": "ameide_core_proto==1.0\n",
        "node_modules/@ameide/core-proto/index.js": "module.exports = require('packages/ameide_core_proto');\n",
    }
    for rel, text in decoys.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    written = len(decoys)
    i = 0
    while written < files:
        violate = i in violators
        if violate:
            weight, pattern, maker, rule = violating_kinds[i % len(violating_kinds)]
        else:
            pick = rng.uniform(0, total_weight)
            for weight, pattern, maker, rule in KINDS:  # noqa: B007 - the one picked is used after the break
                pick -= weight
                if pick <= 0:
                    break
        group = f"services/s{i // 500:03d}"
        rel = f"{group}/{pattern.format(n=f'f{i:05d}')}"
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(maker(rng, violate))
        if violate:
            planted.add((rel, rule))
        written += 1
        i += 1
    return planted


def _git(root: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=env)
    subprocess.run(["git", "add", "-A", "-f", "."], cwd=root, check=True, env=env)
    subprocess.run(["git", "rm", "-r", "-q", "--cached", "node_modules"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "bench tree"], cwd=root, check=True, env=env)


def tree(files: int, use_git: bool) -> tuple[Path, set[tuple[str, str]]]:
    root = OUT / f"lint-tree-{files}{'' if use_git else '-nogit'}"
    stamp = root / ".bench-stamp.json"
    key = {"version": GENERATOR_VERSION, "files": files, "git": use_git}
    if stamp.exists():
        saved = json.loads(stamp.read_text())
        if saved.get("key") == key:
            return root, {tuple(p) for p in saved["planted"]}
    print(f"generating {files} files under {root} …", file=sys.stderr)
    planted = generate(root, files)
    if use_git:
        _git(root)
    stamp.write_text(json.dumps({"key": key, "planted": sorted(planted)}))
    if use_git:  # keep the stamp out of git status noise
        (root / ".git" / "info" / "exclude").write_text(".bench-stamp.json\n")
    return root, planted


def _time(argv: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess, float]:
    """(wall seconds, process, CPU seconds: user + system of the process and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, proc, cpu


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import datetime

    return (
        f"nproc {len(os.sched_getaffinity(0))} ({os.cpu_count()} CPUs), {model}, Python {platform.python_version()}, "
        f"{datetime.date.today().isoformat()}, load average {os.getloadavg()[0]:.2f} at the start"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-git", action="store_true", help="a plain folder: lint walks it with .gitignore rules")
    parser.add_argument("--jobs", type=int, default=None, help="passed to devenv lint -j")
    args = parser.parse_args()

    rg = shutil.which("rg")
    if not rg:
        print("ripgrep (`rg`) is missing: apt-get install ripgrep", file=sys.stderr)
        return 2
    root, planted = tree(args.files, not args.no_git)
    devenv = [sys.executable, "-m", "devenv", "lint", "--format", "json"]
    if args.jobs:
        devenv += ["-j", str(args.jobs)]
    rg_argv = [rg, "--no-heading", "-n", "-F", *(a for n in NEEDLES for a in ("-e", n)), "."]
    if args.no_git:
        rg_argv.insert(1, "--no-require-git")

    # Warm the page cache and check correctness once.
    _, proc, _ = _time(devenv, root)
    if proc.returncode != 1:
        print(proc.stderr.decode(), file=sys.stderr)
        raise SystemExit(f"devenv lint exited {proc.returncode}, expected 1")
    report = json.loads(proc.stdout)
    found = {(f["path"], f["rule"]) for f in report["findings"] if not f["suppressed"]}
    missing, extra = planted - found, found - planted
    if missing or extra:
        raise SystemExit(f"lint disagrees with the planted violations: missing {sorted(missing)[:5]}, extra {sorted(extra)[:5]}")
    _, rg_proc, _ = _time(rg_argv, root)
    rg_files = {line.split(b":", 1)[0].decode().removeprefix("./") for line in rg_proc.stdout.splitlines()}
    if not {p for p, _ in planted} <= rg_files:
        raise SystemExit("ripgrep missed planted files: the patterns differ")

    lint_times, rg_times, lint_cpu, rg_cpu = [], [], [], []
    for _ in range(args.runs):  # alternating, so both see the same machine
        t, _, cpu = _time(rg_argv, root)
        rg_times.append(t)
        rg_cpu.append(cpu)
        t, _, cpu = _time(devenv, root)
        lint_times.append(t)
        lint_cpu.append(cpu)
    lint_median, rg_median = statistics.median(lint_times), statistics.median(rg_times)
    ratio = lint_median / rg_median
    cpu_ratio = statistics.median(lint_cpu) / statistics.median(rg_cpu)
    print(f"machine: {machine()}")
    print(f"tree: {args.files} files ({'git work tree' if not args.no_git else 'plain folder'}), {len(planted)} planted violations, all found, none extra")
    print(
        f"ripgrep {subprocess.run([rg, '--version'], capture_output=True, text=True).stdout.splitlines()[0]}: "
        f"median {rg_median * 1000:.0f} ms over {args.runs} runs (min {min(rg_times) * 1000:.0f})"
    )
    print(
        f"devenv lint (CLI, start-up included): median {lint_median * 1000:.0f} ms (min {min(lint_times) * 1000:.0f}); "
        f"{report['summary']['files_checked']} files checked, {report['summary']['files_parsed']} parsed"
    )
    print(
        f"CPU time (user+system): lint median {statistics.median(lint_cpu) * 1000:.0f} ms, rg {statistics.median(rg_cpu) * 1000:.0f} ms, ratio {cpu_ratio:.2f}x"
    )
    print(f"ratio lint/rg (wall, medians): {ratio:.2f}x (target <= 1.5x); best runs {min(lint_times) / min(rg_times):.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
