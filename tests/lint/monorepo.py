"""A fixture monorepo: one planted violation per rule and file type, and decoys.

``FILES`` is the tree (path -> text; bytes for binaries). ``EXPECTED`` is every active finding
as ``(path, line, col, rule)``, ``SUPPRESSED`` those a reviewed suppression silences. Every
decoy is a file or line that must *not* appear: the proto path in Markdown and docs, in the
allowed SDK folders, in the proto workspace itself, in ignore files, lockfiles, a generated
Tiltfile and a binary; the similarly named package ``ameide_core_protocol``; files that
.gitignore hides (tracked or not, inside git and outside).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from devenv.render.output import with_checksum
from tests.fixtures.manifests import deployment

MANIFEST = """\
version: 1
project: ameide
registries:
  npm: {kind: npm, url: "http://npm.packages.dev.ameide.io"}
  go: {kind: goproxy, url: "https://go.packages.dev.ameide.io"}
  pypi: {kind: pypi, url: "https://pypi.packages.dev.ameide.io"}
proto:
  path: packages/ameide_core_proto
  names: ["@ameide/core-proto", ameide_core_proto]
  allowed: [packages/ameide_sdk_ts, packages/ameide_sdk_go, packages/ameide_sdk_python, .github/workflows]
sdks:
  ts: {language: typescript, path: packages/ameide_sdk_ts, package: "@ameideio/ameide-sdk-ts", registry: npm}
  go: {language: go, path: packages/ameide_sdk_go, package: buf.build/gen/go/ameideio/ameide, registry: go}
  python: {language: python, path: packages/ameide_sdk_python, package: ameide-sdk, registry: pypi}
services:
  platform:
    language: typescript
    context: services/platform
    image: ameide/platform
    k8s: [infra/k8s/platform.yaml]
  agents:
    language: go
    context: services/agents
    image: ameide/agents
    k8s: [infra/k8s/agents.yaml]
  inference:
    language: python
    context: services/inference
    image: ameide/inference
    k8s: [infra/k8s/inference.yaml]
  www:
    language: typescript
    context: .
    dockerfile: services/www/Dockerfile
    image: ameide/www
    k8s: [infra/k8s/www.yaml]
  docs-site:
    language: typescript
    context: .
    dockerfile: services/docs-site/Dockerfile
    image: ameide/docs-site
    only: [services/docs-site, packages/ameide_core_proto]
    k8s: [infra/k8s/docs-site.yaml]
  admin:
    language: typescript
    context: .
    dockerfile: services/admin/Dockerfile
    image: ameide/admin
    only: [services/admin]
    k8s: [infra/k8s/admin.yaml]
  gateway:
    language: typescript
    context: .
    dockerfile: services/gateway/Dockerfile
    image: ameide/gateway
    ignore: [packages/ameide_core_proto]
    k8s: [infra/k8s/gateway.yaml]
  legacy:
    sdks: []
    context: services/legacy
    image: ameide/legacy
    k8s: [infra/k8s/legacy.yaml]
  tools:
    sdks: []  # devenv: allow proto-import reason="the codegen tool itself; reviewed in #12"
    context: services/tools
    k8s: [infra/k8s/tools.yaml]
"""

PLATFORM_K8S = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: platform}
spec:
  selector: {matchLabels: {app: platform}}
  template:
    metadata: {labels: {app: platform}}
    spec:
      containers: [{name: platform, image: ameide/platform}]
      volumes:
        - name: proto
          hostPath: {path: /src/packages/ameide_core_proto}
"""

FILES: dict[str, str | bytes] = {
    "services.yaml": MANIFEST,
    ".gitignore": "build/\n*.local.sh\n!scripts/keep.local.sh\n",
    # -- proto-in-dockerfile ------------------------------------------------------------------
    "services/platform/Dockerfile": (
        "FROM node:20-alpine AS build\n"
        "WORKDIR /app\n"
        "COPY packages/ameide_core_proto ./packages/ameide_core_proto\n"
        'RUN pnpm --filter "@ameide/core-proto" build\n'
        "RUN cd packages/ameide_core_proto \\\n"
        "    && buf generate\n"
        "# COPY packages/ameide_core_proto /tmp/proto\n"
        '# devenv: allow proto-import reason="bootstraps buf\'s config; reviewed in PR 42"\n'
        "COPY packages/ameide_core_proto/buf.yaml /etc/buf.yaml\n"
        "RUN pnpm add @ameide/core-protocol@2\n"
        "COPY --from=build /app/dist /app/dist\n"
    ),
    "services/agents/Dockerfile": "FROM golang:1.22\nCOPY . .\nRUN go build ./...\n",
    "services/inference/Dockerfile": "FROM python:3.12\nCOPY . .\n",
    "services/www/Dockerfile": "FROM node:20\nCOPY services/www .\n",
    # BuildKit prefers the Dockerfile's own ignore file: the root .dockerignore (which keeps the
    # proto workspace out of the other root-context services) does not apply to www.
    "services/www/Dockerfile.dockerignore": "node_modules\n",
    "services/docs-site/Dockerfile": "FROM node:20\nCOPY services/docs-site .\n",
    "services/admin/Dockerfile": "FROM node:20\nCOPY services/admin .\n",
    "services/gateway/Dockerfile": "FROM node:20\nCOPY services/gateway .\n",
    "services/legacy/Dockerfile": "FROM node:20\nCOPY . .\n",
    # -- proto-in-tiltfile ----------------------------------------------------------------------
    "Tiltfile": (
        "# hand-written Tiltfile\n"
        "docker_build('ameide/www', '.', only=['services/www', 'packages/ameide_core_proto'])\n"
        "local_resource('proto', cmd='buf generate', deps=['packages/ameide_core_proto/buf.yaml'])\n"
    ),
    "tilt/helpers.star": 'PROTO = "packages/ameide_core_proto"\n',
    "templates/service.tmpl": '{{/* a service */}}\nwatch_file("{{ .Root }}/packages/ameide_core_proto")\n',
    # -- proto-in-shell -------------------------------------------------------------------------
    "scripts/gen.sh": (
        "#!/usr/bin/env bash\n"
        "set -euo pipefail\n"
        "cp -r ../packages/ameide_core_proto ./vendor/proto\n"
        "# devenv: allow proto-import\n"
        "pnpm --filter @ameide/core-proto run generate\n"
    ),
    "scripts/bootstrap": "#!/bin/sh\ncd packages/ameide_core_proto && make\n",
    "scripts/keep.local.sh": "cp -r packages/ameide_core_proto /tmp\n",  # re-included by !pattern
    # -- proto-in-script ------------------------------------------------------------------------
    "scripts/sync.mjs": 'import proto from "@ameide/core-proto";\n',
    "services/inference/tools/gen.py": (
        '"""Regenerate stubs."""\nfrom ameide_core_proto.v1 import service_pb2\nimport ameide_core_protocol  # another package\n'
    ),
    "services/platform/src/client.ts": (
        'import { GraphClient } from "@ameide/core-proto/gen/ts";\n'
        'import { other } from "@ameide/core-protocol";\n'
        '// devenv: allow proto-import reason="stale"\n'
        "export const x = 1;\n"
    ),
    # -- proto-in-package-json ------------------------------------------------------------------
    "services/platform/package.json": (
        "{\n"
        '  "name": "@ameideio/platform",\n'
        '  "scripts": {\n'
        '    "gen": "pnpm --filter @ameide/core-proto build"\n'
        "  },\n"
        '  "devDependencies": {\n'
        '    "@ameide/core-proto": "workspace:*",\n'
        '    "@ameide/core-protocol": "^2.0.0"\n'
        "  },\n"
        '  "dependencies": {\n'
        '    "proto-assets": "file:../../packages/ameide_core_proto/assets"\n'
        "  },\n"
        '  "//devenv": [\n'
        '    {"allow": "proto-import", "path": ["dependencies", "proto-assets"], "reason": "assets copied at build time; PR 7"},\n'
        '    {"allow": "proto-import", "path": ["optionalDependencies"], "reason": "nothing matches this any more"}\n'
        "  ]\n"
        "}\n"
    ),
    "package.json": '{"name": "ameide", "private": true, "workspaces": ["services/*", "packages/ameide_core_proto"]}\n',
    # -- proto-in-pnpm-workspace ----------------------------------------------------------------
    "pnpm-workspace.yaml": 'packages:\n  - "services/*"\n  - "packages/*"\n  - "packages/ameide_core_proto"\n',
    # -- proto-in-go-mod ------------------------------------------------------------------------
    "services/agents/go.mod": (
        "module github.com/ameideio/ameide/services/agents\n"
        "\n"
        "go 1.22\n"
        "\n"
        "require (\n"
        "\tbuf.build/gen/go/ameideio/ameide v1.4.0\n"
        "\tgithub.com/ameideio/ameide/packages/ameide_core_proto v0.0.0\n"
        ")\n"
        "\n"
        "replace github.com/ameideio/ameide/packages/ameide_core_proto => ../../packages/ameide_core_proto\n"
    ),
    # -- proto-in-python-deps -------------------------------------------------------------------
    "services/inference/pyproject.toml": (
        "[project]\n"
        'name = "inference"\n'
        "dependencies = [\n"
        '  "ameide-sdk==1.4.0",\n'
        '  "Ameide-Core-Proto>=1.0",\n'
        '  "ameide_core_protocol",\n'
        "]\n"
        "\n"
        "[tool.uv.sources]\n"
        'ameide-core-proto = { path = "../../packages/ameide_core_proto" }\n'
    ),
    "services/inference/requirements-dev.txt": "-e ../../packages/ameide_core_proto\nameide_core_protocol==2.0\npytest==8.0\n",
    "services/tools/requirements.txt": "ameide_core_proto==1.0\n",
    # -- proto-in-ci-workflow -------------------------------------------------------------------
    ".gitlab-ci.yml": "generate:\n  script:\n    - cd packages/ameide_core_proto && buf generate\n",
    # -- proto-in-k8s-yaml ----------------------------------------------------------------------
    "infra/k8s/platform.yaml": PLATFORM_K8S,
    "infra/charts/platform/values.yaml": "protoDir: packages/ameide_core_proto\n",
    # -- proto-reference (other files) ----------------------------------------------------------
    "services/agents/main.go": 'package main\n\nimport pb "github.com/ameideio/ameide/packages/ameide_core_proto/gen/go"\n',
    "services/platform/tsconfig.json": (
        '{\n  // path aliases\n  "compilerOptions": {\n    "paths": {"@proto/*": ["../../packages/ameide_core_proto/gen/ts/*"]}\n  }\n}\n'
    ),
    "Makefile": "proto:\n\tcd packages/ameide_core_proto && buf generate\n",
    # -- manifest rules: sdkless-service-depends-on-proto ---------------------------------------
    "services/legacy/package.json": '{\n  "name": "legacy",\n  "dependencies": {"@ameide/core-proto": "^1.0.0"}\n}\n',
    # -- suppression-invalid ------------------------------------------------------------------
    "services/platform/src/cache.ts": '// devenv: allow proto-imports reason="typo"\nimport { c } from "@ameide/core-proto";\n',
    # -- decoys: none of these may be reported --------------------------------------------------
    "README.md": "# ameide\n\nOnly the SDKs read packages/ameide_core_proto (see @ameide/core-proto).\n",
    "docs/architecture.md": "Services never COPY packages/ameide_core_proto.\n",
    "docs/snippets/bad.sh": "cp -r packages/ameide_core_proto . # shown in the docs as what not to do\n",
    "packages/ameide_core_proto/package.json": '{"name": "@ameide/core-proto"}\n',
    "packages/ameide_core_proto/buf.yaml": "version: v2\n",
    "packages/ameide_sdk_ts/scripts/sync-proto.mjs": 'import "../../ameide_core_proto/gen/index.mjs"; // packages/ameide_core_proto\n',
    "packages/ameide_sdk_python/pyproject.toml": '[project]\nname = "ameide-sdk"\ndependencies = ["ameide_core_proto"]\n',
    "packages/ameide_sdk_go/go.mod": "module buf.build/gen/go/ameideio/ameide\n\nreplace x => ../ameide_core_proto\n",
    ".github/workflows/ci-proto.yml": "on: push\njobs:\n  buf:\n    steps:\n      - run: cd packages/ameide_core_proto && buf lint\n",
    "services/platform/src/protocol.ts": 'import { x } from "ameide_core_protocol";\nimport { y } from "@ameide/core-protocol";\n',
    ".dockerignore": "packages/ameide_core_proto\n",
    "pnpm-lock.yaml": (
        "importers:\n  packages/ameide_core_proto: {}\n  services/platform:\n    devDependencies:\n"
        "      '@ameide/core-proto': link:../../packages/ameide_core_proto\n"
    ),
    "CODEOWNERS": "/packages/ameide_core_proto/ @ameide/proto-owners\n",
    "deploy/Tiltfile": with_checksum("local_resource('sdk', cmd='make', deps=['packages/ameide_core_proto'])\n"),
    "assets/blob.dat": b"\x00\x01\x02packages/ameide_core_proto\x00",
    "services/platform/.gitignore": "generated/\n",
    "services/platform/generated/index.ts": 'export * from "@ameide/core-proto";\n',
    "build/Dockerfile": "FROM x\nCOPY packages/ameide_core_proto .\n",
    "scripts/dev.local.sh": "cp -r packages/ameide_core_proto /tmp\n",
    "services/tools/main.py": "print('tools')\n",
}
for _name in ("agents", "inference", "www", "docs-site", "admin", "gateway", "legacy", "tools"):
    FILES[f"infra/k8s/{_name}.yaml"] = deployment(_name, f"ameide/{_name}")

# (path, line, col, rule) of every active finding.
EXPECTED = {
    ("services/platform/Dockerfile", 3, 6, "proto-in-dockerfile"),
    # (3, 33), the COPY destination ./packages/ameide_core_proto, is a path in the image: not reported
    ("services/platform/Dockerfile", 4, 20, "proto-in-dockerfile"),
    ("services/platform/Dockerfile", 5, 8, "proto-in-dockerfile"),
    ("services/platform/Dockerfile", 7, 8, "proto-in-dockerfile"),
    ("Tiltfile", 2, 56, "proto-in-tiltfile"),
    ("Tiltfile", 3, 52, "proto-in-tiltfile"),
    ("tilt/helpers.star", 1, 10, "proto-in-tiltfile"),
    ("templates/service.tmpl", 2, 24, "proto-in-tiltfile"),
    ("scripts/gen.sh", 3, 7, "proto-in-shell"),
    ("scripts/gen.sh", 4, 1, "suppression-missing-reason"),
    ("scripts/gen.sh", 5, 15, "proto-in-shell"),
    ("scripts/bootstrap", 2, 4, "proto-in-shell"),
    ("scripts/keep.local.sh", 1, 7, "proto-in-shell"),
    ("scripts/sync.mjs", 1, 20, "proto-in-script"),
    ("services/inference/tools/gen.py", 2, 6, "proto-in-script"),
    ("services/platform/src/client.ts", 1, 30, "proto-in-script"),
    ("services/platform/src/client.ts", 3, 1, "suppression-unused"),
    ("services/platform/src/cache.ts", 1, 1, "suppression-invalid"),
    ("services/platform/src/cache.ts", 2, 20, "proto-in-script"),
    ("services/platform/package.json", 4, 27, "proto-in-package-json"),
    ("services/platform/package.json", 7, 6, "proto-in-package-json"),
    ("services/platform/package.json", 15, 6, "suppression-unused"),
    ("package.json", 1, 67, "proto-in-package-json"),
    ("services/legacy/package.json", 3, 21, "proto-in-package-json"),
    ("pnpm-workspace.yaml", 4, 6, "proto-in-pnpm-workspace"),
    ("services/agents/go.mod", 7, 2, "proto-in-go-mod"),
    ("services/agents/go.mod", 10, 9, "proto-in-go-mod"),
    ("services/agents/go.mod", 10, 66, "proto-in-go-mod"),
    ("services/inference/pyproject.toml", 5, 4, "proto-in-python-deps"),
    ("services/inference/pyproject.toml", 10, 1, "proto-in-python-deps"),
    ("services/inference/pyproject.toml", 10, 31, "proto-in-python-deps"),
    ("services/inference/requirements-dev.txt", 1, 4, "proto-in-python-deps"),
    ("services/tools/requirements.txt", 1, 1, "proto-in-python-deps"),
    (".gitlab-ci.yml", 3, 10, "proto-in-ci-workflow"),
    ("infra/k8s/platform.yaml", 12, 28, "proto-in-k8s-yaml"),
    ("infra/charts/platform/values.yaml", 1, 11, "proto-in-k8s-yaml"),
    ("services/agents/main.go", 3, 12, "proto-reference"),
    ("services/platform/tsconfig.json", 4, 29, "proto-reference"),
    ("Makefile", 2, 5, "proto-reference"),
    ("services.yaml", 33, 14, "service-context-includes-proto"),
    ("services.yaml", 42, 32, "service-only-includes-proto"),
    ("services.yaml", 59, 11, "sdkless-service-depends-on-proto"),
}

SUPPRESSED = {
    ("services/platform/Dockerfile", 9, 6, "proto-in-dockerfile"),
    ("services/platform/package.json", 11, 27, "proto-in-package-json"),
    ("services.yaml", 64, 11, "sdkless-service-depends-on-proto"),
}

# Files .gitignore hides: never reported, inside git or outside.
IGNORED = {"build/Dockerfile", "scripts/dev.local.sh", "services/platform/generated/index.ts"}


def build(root: Path, files: dict[str, str | bytes] = FILES) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    if (root / "scripts" / "bootstrap").exists():
        os.chmod(root / "scripts" / "bootstrap", 0o755)
    return root


GIT_ENV = {
    "GIT_AUTHOR_NAME": "devenv tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "devenv tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True, capture_output=True, text=True)


def git_init(root: Path, untracked: tuple[str, ...] = ()) -> Path:
    """Make ``root`` a git work tree with everything committed except ``untracked``."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    for path in untracked:
        git(root, "rm", "-q", "--cached", path)
    git(root, "commit", "-q", "-m", "fixture")
    return root
