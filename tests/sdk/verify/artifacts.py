"""SDK artifacts built here from the example's proto workspace by the real tools, in variants:
complete, one generated file left out, the raw protos left out, an entry point that points nowhere.

- TypeScript: a package folder packed by the real ``npm pack`` and published by ``npm publish``
  to Verdaccio;
- Python: a wheel built by the real ``pip wheel`` (hatchling), served by pypiserver;
- Go: a module zip in a GOPROXY directory, laid out as the go command wants it (the real
  ``go mod download`` reads it in the tests, as the oracle of its ``h1:`` hash).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from tests.support.components import missing

REPO = Path(__file__).resolve().parents[3]
PROTO_ROOT = REPO / "examples" / "packages" / "ameide_core_proto" / "proto"
PROTOS = sorted(p.relative_to(PROTO_ROOT).as_posix() for p in PROTO_ROOT.rglob("*.proto"))
NPM_PACKAGE, PYPI_PROJECT, GO_MODULE = "@ameideio/ameide-sdk-ts", "ameide-sdk", "go.packages.dev.ameide.io/ameide-sdk-go"

# variant -> version; the same variants for every language
VARIANTS = {"complete": "1.5.0", "no-generated": "1.5.1", "no-raw": "1.5.2", "broken-entry": "1.5.3"}
DROPPED = "ameide/graph/v1/graph.proto"  # the proto whose generated file "no-generated" lacks


def _write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


def _generated(root: Path, patterns: tuple[str, ...], variant: str, protos_at: Path | None) -> None:
    for proto in PROTOS:
        stem = proto[: -len(".proto")]
        for pattern in patterns:
            if variant == "no-generated" and proto == DROPPED and pattern == patterns[0]:
                continue
            _write(root / pattern.format(path=stem), f"// generated from {proto}\n")
        if protos_at is not None and variant != "no-raw":
            _write(protos_at / proto, (PROTO_ROOT / proto).read_bytes())


# -- TypeScript: npm pack ---------------------------------------------------------------------------


def npm_folder(work: Path, variant: str) -> Path:
    folder = work / f"ts-{variant}"
    main = "dist/main.js" if variant == "broken-entry" else "dist/index.js"
    _write(
        folder / "package.json",
        json.dumps(
            {
                "name": NPM_PACKAGE,
                "version": VARIANTS[variant],
                "type": "module",
                "main": main,
                "types": "dist/index.d.ts",
                "files": ["dist"],
                "license": "UNLICENSED",
                "exports": {".": {"types": "./dist/index.d.ts", "import": "./dist/index.js"}, "./gen/*": "./dist/gen/*"},
            },
            indent=2,
        ),
    )
    _write(folder / "dist" / "index.js", "export * from './gen/ameide/graph/v1/graph_pb.js';\n")
    _write(folder / "dist" / "index.d.ts", "export {};\n")
    _generated(folder / "dist" / "gen", ("{path}_pb.js", "{path}_pb.d.ts"), variant, folder / "dist" / "proto" / "raw")
    return folder


def npm_pack(folder: Path, env: dict[str, str]) -> Path:
    proc = subprocess.run(["npm", "pack", "--json", "--pack-destination", str(folder.parent)], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"npm pack failed:\n{proc.stderr}")
    return folder.parent / json.loads(proc.stdout)[0]["filename"]


def npm_env(work: Path, registry: str, token: str | None = None) -> dict[str, str]:
    host = registry.split("://", 1)[1]
    npmrc = work / "npmrc"
    auth = f"//{host}/:_authToken={token}\n" if token else ""
    npmrc.write_text(f"{auth}registry={registry}/\naudit=false\nfund=false\nupdate-notifier=false\n")
    return {**os.environ, "npm_config_userconfig": str(npmrc), "npm_config_cache": str(work / "npm-cache")}


def npm_token(url: str) -> str:
    import urllib.request

    body = json.dumps({"name": "verify", "password": "verify-test-pw", "type": "user", "roles": []}).encode()
    request = urllib.request.Request(f"{url}/-/user/org.couchdb.user:verify", data=body, method="PUT", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.load(response)["token"]


def npm_publish_all(work: Path, registry: str) -> None:
    if shutil.which("npm") is None:
        missing("`npm` not found (scripts/tools/install-verdaccio.sh installs Debian's nodejs + npm)")
    env = npm_env(work, registry, npm_token(registry))
    for variant in VARIANTS:
        tarball = npm_pack(npm_folder(work, variant), env)
        proc = subprocess.run(["npm", "publish", str(tarball), "--registry", f"{registry}/"], cwd=work, env=env, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"npm publish {tarball.name} failed:\n{proc.stderr}")


# -- Python: pip wheel ------------------------------------------------------------------------------


def wheel(work: Path, variant: str, out: Path) -> Path:
    source = work / f"py-{variant}"
    package = source / "src" / "ameide_sdk"
    _write(package / "__init__.py", f'__version__ = "{VARIANTS[variant]}"\n')
    _generated(package / "gen", ("{path}_pb2.py",), variant, package / "proto" / "raw")
    scripts = '[project.scripts]\nameide-sdk = "ameide_sdk.cli:main"\n' if variant == "broken-entry" else ""
    _write(
        source / "pyproject.toml",
        textwrap.dedent(f"""\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "{PYPI_PROJECT}"
        version = "{VARIANTS[variant]}"

        [tool.hatch.build.targets.wheel]
        packages = ["src/ameide_sdk"]
        """)
        + scripts,
    )
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)], capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"pip wheel ({variant}) failed:\n{proc.stderr}")
    return next(out.glob(f"ameide_sdk-{VARIANTS[variant]}-*.whl"))


def wheels(work: Path, variants=("complete", "no-raw", "broken-entry")) -> Path:
    out = work / "packages"
    out.mkdir(parents=True, exist_ok=True)
    for variant in variants:
        wheel(work, variant, out)
    return out


# -- Go: a module proxy directory -------------------------------------------------------------------


def go_module_zip(root: Path, variant: str) -> None:
    version = "v" + VARIANTS[variant]
    folder = root / GO_MODULE / "@v"
    folder.mkdir(parents=True, exist_ok=True)
    module = "example.com/wrong-path" if variant == "broken-entry" else GO_MODULE
    mod = f"module {module}\n\ngo 1.21\n"
    (folder / f"{version}.mod").write_text(mod)
    (folder / f"{version}.info").write_text(json.dumps({"Version": version, "Time": "2026-01-12T00:00:00Z"}))
    files = {"go.mod": mod, "sdk.go": f'package sdk\n\nconst Version = "{version}"\n'}
    for proto in PROTOS:
        if variant == "no-generated" and proto == DROPPED:
            continue
        stem = proto[: -len(".proto")]
        parts = stem.split("/")
        package = "".join(parts[-3:-1]) or "gen"  # ameide/graph/v1/graph -> graphv1
        files[f"gen/{stem}.pb.go"] = f"// generated from {proto}\npackage {package}\n"
    with zipfile.ZipFile(folder / f"{version}.zip", "w") as archive:
        for name, text in sorted(files.items()):
            archive.writestr(f"{GO_MODULE}@{version}/{name}", text)
    with open(folder / "list", "a") as listing:
        listing.write(version + "\n")


def go_proxy_dir(root: Path, variants=("complete", "no-generated", "broken-entry")) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for variant in variants:
        go_module_zip(root, variant)
    return root
