"""Benchmark the SDK integrity rules of `devenv lint` on a generated 1,000-service monorepo
(a third each TypeScript, Go, Python), against the floor of merely reading and parsing the same
dependency files with the same libraries (json, PyYAML's libyaml composer, tomllib, packaging's
PEP 508 parser, devenv's go.mod lexer), measured in the same run.

Run: .venv/bin/python bench/bench_sdk.py [registry|buf|workspace]

The source (default registry) picks the SDKs' `source:` and the consumers' dependency forms: Buf
generated versions with the registry configuration the sdk-registry-config rule reads (a root
.npmrc, an index in each requirements file / pyproject.toml), or workspace links (workspace:*, a
Go replace, uv path sources, -e). One service in seven is off in each mode.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import machine  # noqa: E402

PY = sys.executable
LANGS = ["typescript", "go", "python"]
THIRD_PARTY_NPM = ["react", "zod", "express", "pino", "@connectrpc/connect", "@bufbuild/protobuf", "lodash", "dayjs", "uuid", "ws"]
THIRD_PARTY_GO = [
    "github.com/google/uuid v1.6.0",
    "golang.org/x/sync v0.7.0",
    "google.golang.org/grpc v1.64.0",
    "google.golang.org/protobuf v1.34.1",
    "github.com/rs/zerolog v1.33.0",
    "connectrpc.com/connect v1.16.2",
    "golang.org/x/net v0.26.0 // indirect",
    "golang.org/x/text v0.16.0 // indirect",
    "github.com/stretchr/testify v1.9.0",
]
THIRD_PARTY_PY = [
    "fastapi>=0.110",
    "uvicorn[standard]>=0.29",
    "pydantic>=2.6,<3",
    "httpx>=0.27",
    "structlog",
    "grpcio>=1.62; python_version >= '3.10'",
    "protobuf>=4.25",
    "sqlalchemy[asyncio]>=2",
    "tenacity",
    "orjson",
]


BUF = {
    "typescript": ("bufbuild/es", "@buf/bench_apis.bufbuild_es", "2.2.0-20240105174326-7d1ab5b6f0d1.1", "2.1.0-20231101100000-0123456789ab.1"),
    "go": (
        "protocolbuffers/go",
        "buf.build/gen/go/bench/apis/protocolbuffers/go",
        "v1.34.0-20240105174326-7d1ab5b6f0d1.1",
        "v1.34.0-20231101100000-0123456789ab.1",
    ),
    "python": ("protocolbuffers/python", "bench-apis-protocolbuffers-python", "25.1.0.1.20240105174326+7d1ab5b6f0d1", "25.1.0.1.20231101100000+0123456789ab"),
}


def _sdks(root: Path, source: str) -> list[str]:
    lines = []
    packages = {"typescript": "@bench/sdk-ts", "go": "go.example.io/sdk-go", "python": "bench-sdk"}
    for lang in LANGS:
        version = "v1.4.0" if lang == "go" else "1.4.0"
        if source == "buf":
            plugin, _, version, _ = BUF[lang]
            lines += [
                f"  {lang}:",
                f"    language: {lang}",
                "    source: buf",
                f"    buf: {{module: buf.build/bench/apis, plugin: buf.build/{plugin}}}",
                f"    version: '{version}'",
            ]
            continue
        lines += [
            f"  {lang}:",
            f"    language: {lang}",
            f"    path: sdk/{lang}",
            f"    package: '{packages[lang]}'",
            f"    version: '{version}'",
            "    steps:",
            f"      build: {{cmd: 'make {lang}'}}",
        ]
        if source == "workspace":
            lines.insert(len(lines) - 4, "    source: workspace")
    if source == "workspace":
        for lang, name, text in (
            ("typescript", "package.json", '{"name": "@bench/sdk-ts", "version": "1.4.0"}\n'),
            ("go", "go.mod", "module go.example.io/sdk-go\n\ngo 1.22\n"),
            ("python", "pyproject.toml", '[project]\nname = "bench-sdk"\nversion = "1.4.0"\n'),
        ):
            (root / "sdk" / lang).mkdir(parents=True, exist_ok=True)
            (root / "sdk" / lang / name).write_text(text)
        (root / "pnpm-workspace.yaml").write_text("packages: [svc/*, sdk/*]\n")
    if source == "buf":
        (root / ".npmrc").write_text("@buf:registry=https://buf.build/gen/npm/v1\n")
    return lines


def _pins(source: str, lang: str, good: bool) -> tuple[str, str]:
    """(package, spec) a service writes for its SDK."""
    if source == "buf":
        _, package, version, other = BUF[lang]
        version = version if good else other
        return package, {"typescript": version, "go": version, "python": f"=={version}"}[lang]
    if source == "workspace":
        package = {"typescript": "@bench/sdk-ts", "go": "go.example.io/sdk-go", "python": "bench-sdk"}[lang]
        return package, {"typescript": "workspace:*" if good else "^1.3.0", "go": "v0.0.0", "python": ""}[lang]
    package = {"typescript": "@bench/sdk-ts", "go": "go.example.io/sdk-go", "python": "bench-sdk"}[lang]
    return package, {"typescript": "1.4.0" if good else "^1.3.0", "go": "v1.4.0" if good else "v1.3.9", "python": "==1.4.0" if good else ">=1.3,<2"}[lang]


def generate(root: Path, services: int = 1000, source: str = "registry") -> Path:
    lines = ["version: 1", "project: bench"]
    if source != "buf":
        lines += ["registries:", "  npm: {kind: npm, url: 'http://npm.example.io'}"]
    lines += ["proto:", "  path: proto", "  names: ['@bench/proto']", "sdks:", *_sdks(root, source)]
    if source == "workspace":
        lines = [line for line in lines if "registries" not in line and "npm: {kind" not in line]
    lines.append("services:")
    (root / "proto").mkdir(parents=True)
    (root / "proto" / "a.proto").write_text('syntax = "proto3";\n')
    for i in range(services):
        name = f"svc{i:04d}"
        lang = LANGS[i % 3]
        folder = root / "svc" / name
        folder.mkdir(parents=True)
        (folder / "Dockerfile").write_text("FROM scratch\n")
        good = bool(i % 7)  # one in seven is off: findings and edits get made too
        package, pin = _pins(source, lang, good)
        if lang == "typescript":
            deps = {p: f"^{1 + j}.{j}.0" for j, p in enumerate(THIRD_PARTY_NPM)}
            deps[package] = pin
            (folder / "package.json").write_text(
                json.dumps(
                    {
                        "name": name,
                        "version": "0.1.0",
                        "private": True,
                        "scripts": {"start": "node src/server.js"},
                        "dependencies": deps,
                        "devDependencies": {"typescript": "^5.4.0", "vitest": "^1.6.0"},
                    },
                    indent=2,
                )
                + "\n"
            )
            if i % 2:
                lock = ["lockfileVersion: '9.0'", "", "importers:", "", "  .:", "    dependencies:"]
                for p, spec in deps.items():
                    lock += [f"      '{p}':", f"        specifier: {spec}", f"        version: {spec.lstrip('^')}"]
                (folder / "pnpm-lock.yaml").write_text("\n".join(lock) + "\n")
        elif lang == "go":
            requires = "\n".join(f"\t{r}" for r in THIRD_PARTY_GO)
            replace = "\nreplace go.example.io/sdk-go => ../../sdk/go\n" if source == "workspace" and good else ""
            (folder / "go.mod").write_text(f"module example.io/{name}\n\ngo 1.22\n\nrequire (\n{requires}\n\t{package} {pin}\n)\n{replace}")
        else:
            index = source == "buf"
            if i % 2:
                body = ",\n".join(f'    "{d}"' for d in [*THIRD_PARTY_PY, f"{package}{pin}"])
                extra = ""
                if index:
                    extra = '\n[[tool.uv.index]]\nname = "buf"\nurl = "https://buf.build/gen/python"\n'
                elif source == "workspace" and good:
                    extra = f'\n[tool.uv.sources]\n{package} = {{ path = "../../sdk/python" }}\n'
                (folder / "pyproject.toml").write_text(
                    f'[project]\nname = "{name}"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = [\n{body},\n]\n{extra}'
                )
                uv = ["version = 1", 'requires-python = ">=3.11"', ""]
                for d in [package, "fastapi", "pydantic", "httpx"]:
                    locked = BUF["python"][2] if source == "buf" and d == package else "1.4.0"
                    uv += ["[[package]]", f'name = "{d}"', f'version = "{locked}"', 'source = { registry = "https://pypi.example.io/simple" }', ""]
                (folder / "uv.lock").write_text("\n".join(uv))
            else:
                sdk_line = "-e ../../sdk/python" if source == "workspace" and good else f"{package}{pin}"
                head = ["--extra-index-url https://buf.build/gen/python"] if index else []
                (folder / "requirements.txt").write_text("\n".join([*head, *THIRD_PARTY_PY, sdk_line]) + "\n")
        lines += [f"  {name}:", f"    language: {lang}", f"    context: svc/{name}", f"    image: bench/{name}", f"    k8s: [k8s/{name}.yaml]"]
        (root / "k8s").mkdir(exist_ok=True)
        (root / "k8s" / f"{name}.yaml").write_text(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n"
            f"  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: {name}, image: bench/{name}}}]}}\n"
        )
    manifest = root / "services.yaml"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def floor(root: Path, files: list[str]) -> int:
    """Read and parse every dependency file with the grammar's library: the least any reader does."""
    import tomllib

    import yaml
    from packaging.requirements import Requirement

    from devenv.deps import gomod

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    parsed = 0
    for path in files:
        text = (root / path).read_text(encoding="utf-8")
        name = path.rpartition("/")[2]
        if name == "package.json":
            json.loads(text)
        elif name == "pnpm-lock.yaml":
            yaml.compose(text, Loader=loader)
        elif name == "go.mod":
            gomod.parse(text)
        elif name in ("pyproject.toml", "uv.lock"):
            data = tomllib.loads(text)
            for requirement in (data.get("project") or {}).get("dependencies", []):
                Requirement(requirement)
        elif name == "requirements.txt":
            for line in text.splitlines():
                if line.strip() and not line.startswith(("#", "-", "./", "../")):
                    Requirement(line)
        parsed += 1
    return parsed


CPU: dict[int, list[float]] = {}  # id(fn) -> CPU seconds per run (this process), steadier than wall on a busy machine


def _timed(fn, wall: list[float]) -> None:
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    fn()
    wall.append(time.perf_counter() - start)
    CPU.setdefault(id(fn), []).append(time.process_time() - start_cpu)


def best_of(fn, runs: int = 9) -> tuple[float, float]:
    samples: list[float] = []
    for _ in range(runs):
        _timed(fn, samples)
    return min(samples), statistics.median(samples)


def alternately(a, b, runs: int = 9) -> tuple[tuple[float, float], tuple[float, float]]:
    """(best, median) of ``a`` and of ``b``, run in turns: on a shared machine a burst of load
    then falls on both sides alike instead of on whichever was running (the median ratio of
    nine runs of one side, then nine of the other, swung from 1.1x to 6.5x in one afternoon)."""
    wall_a: list[float] = []
    wall_b: list[float] = []
    for _ in range(runs):
        _timed(a, wall_a)
        _timed(b, wall_b)
    return (min(wall_a), statistics.median(wall_a)), (min(wall_b), statistics.median(wall_b))


def main() -> None:
    from devenv.deps.readers import ecosystem_of
    from devenv.lint.scan import list_files
    from devenv.lint.sdk import rules
    from devenv.manifest.load import load_manifest

    source = sys.argv[1] if len(sys.argv) > 1 else "registry"
    print(f"machine: {machine()}")
    print(f"SDK source: {source}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifest = generate(root, source=source)
        loaded = load_manifest(manifest)
        files, _ = list_files(root)
        dependency_files = sorted(f for f in files if ecosystem_of(f))
        print(f"{len(loaded.manifest.services)} services, {len(dependency_files)} dependency files")

        def read(path: str) -> str | None:
            try:
                return (root / path).read_text(encoding="utf-8")
            except OSError:  # as lint's own reader: a file that is not there (a parent's .npmrc)
                return None

        def sdk_rules():
            return rules.check(loaded, files, read, "services.yaml")

        result = sdk_rules()  # warm: imports, caches
        floor(root, dependency_files)
        findings = len(result.findings)
        floor_fn = lambda: floor(root, dependency_files)  # noqa: E731
        (rule_best, rule_median), (floor_best, floor_median) = alternately(sdk_rules, floor_fn)
        print(f"SDK rules: {findings} findings, {len(result.edits)} fixable, {result.dependencies} SDK (or local) dependencies judged")
        print(f"SDK rules: best {rule_best * 1000:.0f} ms, median {rule_median * 1000:.0f} ms")
        print(f"floor (read + parse, same libraries): best {floor_best * 1000:.0f} ms, median {floor_median * 1000:.0f} ms")
        print(f"ratio (median): {rule_median / floor_median:.2f}x (target <= 2x)")
        rule_cpu, floor_cpu = statistics.median(CPU[id(sdk_rules)]), statistics.median(CPU[id(floor_fn)])
        print(f"ratio (CPU time, median): {rule_cpu * 1000:.0f} ms / {floor_cpu * 1000:.0f} ms = {rule_cpu / floor_cpu:.2f}x")
        argv = [PY, "-m", "devenv", "lint", "-f", str(manifest), "--format", "json"]
        whole = best_of(lambda: subprocess.run(argv, cwd=root, capture_output=True), runs=3)[1]
        print(f"whole `devenv lint` process (proto rules + SDK rules): {whole * 1000:.0f} ms")


if __name__ == "__main__":
    main()
