"""Benchmark the SDK integrity rules of `devenv lint` on a generated 1,000-service monorepo
(a third each TypeScript, Go, Python), against the floor of merely reading and parsing the same
dependency files with the same libraries (json, PyYAML's libyaml composer, tomllib, packaging's
PEP 508 parser, devenv's go.mod lexer), measured in the same run.

Run: .venv/bin/python bench/bench_sdk.py
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
THIRD_PARTY_GO = ["github.com/google/uuid v1.6.0", "golang.org/x/sync v0.7.0", "google.golang.org/grpc v1.64.0",
                  "google.golang.org/protobuf v1.34.1", "github.com/rs/zerolog v1.33.0", "connectrpc.com/connect v1.16.2",
                  "golang.org/x/net v0.26.0 // indirect", "golang.org/x/text v0.16.0 // indirect", "github.com/stretchr/testify v1.9.0"]
THIRD_PARTY_PY = ["fastapi>=0.110", "uvicorn[standard]>=0.29", "pydantic>=2.6,<3", "httpx>=0.27", "structlog",
                  "grpcio>=1.62; python_version >= '3.10'", "protobuf>=4.25", "sqlalchemy[asyncio]>=2", "tenacity", "orjson"]


def generate(root: Path, services: int = 1000) -> Path:
    lines = ["version: 1", "project: bench", "registries:", "  npm: {kind: npm, url: 'http://npm.example.io'}",
             "proto:", "  path: proto", "  names: ['@bench/proto']", "sdks:"]
    packages = {"typescript": "@bench/sdk-ts", "go": "go.example.io/sdk-go", "python": "bench-sdk"}
    for lang in LANGS:
        version = "v1.4.0" if lang == "go" else "1.4.0"
        lines += [f"  {lang}:", f"    language: {lang}", f"    path: sdk/{lang}", f"    package: '{packages[lang]}'",
                  f"    version: '{version}'", "    steps:", f"      build: {{cmd: 'make {lang}'}}"]
    lines.append("services:")
    (root / "proto").mkdir(parents=True)
    (root / "proto" / "a.proto").write_text('syntax = "proto3";\n')
    for i in range(services):
        name = f"svc{i:04d}"
        lang = LANGS[i % 3]
        folder = root / "svc" / name
        folder.mkdir(parents=True)
        (folder / "Dockerfile").write_text("FROM scratch\n")
        pin = "1.4.0" if i % 7 else "^1.3.0"  # one in seven floats: findings and edits get made too
        if lang == "typescript":
            deps = {p: f"^{1 + j}.{j}.0" for j, p in enumerate(THIRD_PARTY_NPM)}
            deps["@bench/sdk-ts"] = pin
            (folder / "package.json").write_text(json.dumps(
                {"name": name, "version": "0.1.0", "private": True, "scripts": {"start": "node src/server.js"},
                 "dependencies": deps, "devDependencies": {"typescript": "^5.4.0", "vitest": "^1.6.0"}}, indent=2) + "\n")
            if i % 2:
                lock = ["lockfileVersion: '9.0'", "", "importers:", "", "  .:", "    dependencies:"]
                for p, spec in deps.items():
                    lock += [f"      '{p}':", f"        specifier: {spec}", f"        version: {spec.lstrip('^')}"]
                (folder / "pnpm-lock.yaml").write_text("\n".join(lock) + "\n")
        elif lang == "go":
            version = "v1.4.0" if i % 7 else "v1.3.9"
            requires = "\n".join(f"\t{r}" for r in THIRD_PARTY_GO)
            (folder / "go.mod").write_text(f"module example.io/{name}\n\ngo 1.22\n\nrequire (\n{requires}\n"
                                           f"\tgo.example.io/sdk-go {version}\n)\n")
        else:
            spec = "==1.4.0" if i % 7 else ">=1.3,<2"
            if i % 2:
                body = ",\n".join(f'    "{d}"' for d in [*THIRD_PARTY_PY, f"bench-sdk{spec}"])
                (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "0.1.0"\n'
                                                       f'requires-python = ">=3.11"\ndependencies = [\n{body},\n]\n')
                uv = ['version = 1', 'requires-python = ">=3.11"', ""]
                for d in ["bench-sdk", "fastapi", "pydantic", "httpx"]:
                    uv += ["[[package]]", f'name = "{d}"', 'version = "1.4.0"', 'source = { registry = "https://pypi.example.io/simple" }', ""]
                (folder / "uv.lock").write_text("\n".join(uv))
            else:
                (folder / "requirements.txt").write_text("\n".join([*THIRD_PARTY_PY, f"bench-sdk{spec}"]) + "\n")
        lines += [f"  {name}:", f"    language: {lang}", f"    context: svc/{name}", f"    image: bench/{name}",
                  f"    k8s: [k8s/{name}.yaml]"]
        (root / "k8s").mkdir(exist_ok=True)
        (root / "k8s" / f"{name}.yaml").write_text(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n"
            f"  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: {name}, image: bench/{name}}}]}}\n")
    manifest = root / "services.yaml"
    manifest.write_text("\n".join(lines) + "\n")
    return manifest


def floor(root: Path, files: list[str]) -> int:
    """Read and parse every dependency file with the grammar's library: the least any reader does."""
    import tomllib

    import yaml
    from packaging.requirements import Requirement

    from devenv.deps.readers import go as go_reader

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
            go_reader.parse(text)
        elif name in ("pyproject.toml", "uv.lock"):
            data = tomllib.loads(text)
            for requirement in (data.get("project") or {}).get("dependencies", []):
                Requirement(requirement)
        elif name == "requirements.txt":
            for line in text.splitlines():
                if line.strip() and not line.startswith(("#", "-")):
                    Requirement(line)
        parsed += 1
    return parsed


def best_of(fn, runs: int = 9) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples), statistics.median(samples)


def main() -> None:
    from devenv.deps.readers import ecosystem_of
    from devenv.lint.scan import list_files
    from devenv.lint.sdk import rules
    from devenv.manifest.load import load_manifest

    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        manifest = generate(root)
        loaded = load_manifest(manifest)
        files, _ = list_files(root)
        dependency_files = sorted(f for f in files if ecosystem_of(f))
        print(f"{len(loaded.manifest.services)} services, {len(dependency_files)} dependency files")

        def read(path: str) -> str | None:
            return (root / path).read_text(encoding="utf-8")

        def sdk_rules():
            return rules.check(loaded, files, read, "services.yaml")

        result = sdk_rules()  # warm: imports, caches
        floor(root, dependency_files)
        findings = len(result.findings)
        rule_best, rule_median = best_of(sdk_rules)
        floor_best, floor_median = best_of(lambda: floor(root, dependency_files))
        print(f"SDK rules: {findings} findings, {len(result.edits)} fixable, {result.dependencies} dependencies read")
        print(f"SDK rules: best {rule_best * 1000:.0f} ms, median {rule_median * 1000:.0f} ms")
        print(f"floor (read + parse, same libraries): best {floor_best * 1000:.0f} ms, median {floor_median * 1000:.0f} ms")
        print(f"ratio (median): {rule_median / floor_median:.2f}x (target <= 2x)")
        argv = [PY, "-m", "devenv", "lint", "-f", str(manifest), "--format", "json"]
        whole = best_of(lambda: subprocess.run(argv, cwd=root, capture_output=True), runs=3)[1]
        print(f"whole `devenv lint` process (proto rules + SDK rules): {whole * 1000:.0f} ms")


if __name__ == "__main__":
    main()
