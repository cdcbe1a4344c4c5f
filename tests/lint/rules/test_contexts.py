"""Each file context: which files it owns, its rule id, its message, and what it skips."""

from __future__ import annotations

import pytest

from devenv.lint.rules import UNPARSED_EXTENSIONS, classify, dockerfile, k8s_yaml, other, python_deps, script, shell, tiltfile
from tests.lint.conftest import run


@pytest.mark.parametrize(
    ("path", "context"),
    [
        ("Dockerfile", dockerfile),
        ("services/x/Dockerfile.dev", dockerfile),
        ("x.Dockerfile", dockerfile),
        ("Containerfile", dockerfile),
        ("Dockerfile.tmpl", dockerfile),
        ("Tiltfile", tiltfile),
        ("tilt/lib.star", tiltfile),
        ("templates/x.tmpl", tiltfile),
        ("templates/a.star.j2", tiltfile),
        ("scripts/a.sh", shell),
        ("scripts/a.bash", shell),
        ("a.mjs", script),
        ("a.ts", script),
        ("a.d.ts", script),
        ("tools/gen.py", script),
        ("requirements.txt", python_deps),
        ("requirements-dev.txt", python_deps),
        ("requirements/base.in", python_deps),
        ("constraints.txt", python_deps),
        ("pyproject.toml", python_deps),
        ("Pipfile", python_deps),
        ("infra/k8s/a.yaml", k8s_yaml),
        ("charts/x/templates/deploy.yaml", k8s_yaml),
        ("charts/x/values-prod.yaml", k8s_yaml),
        ("charts/x/templates/_helpers.tpl", k8s_yaml),
        ("main.go", other),
        ("Makefile", other),
        ("tsconfig.json", other),
        ("docker-compose.yml", other),
    ],
)
def test_contexts_by_name(path, context):
    assert classify(path) is context


@pytest.mark.parametrize(
    "path",
    [
        "README.md",
        "docs/guide.sh",
        "a/doc/x.ts",
        "notes.txt",
        "LICENSE",
        "CHANGELOG",
        "pnpm-lock.yaml",
        "package-lock.json",
        "yarn.lock",
        "go.sum",
        "poetry.lock",
        "uv.lock",
        ".gitignore",
        ".dockerignore",
        ".helmignore",
        "CODEOWNERS",
        "logo.png",
        "app.jar",
    ],
)
def test_never_checked(path):
    assert classify(path) is None


CASES = [
    # (path, text, (line, col, rule), message)
    (
        "Dockerfile",
        "FROM x\nCOPY --from=sdk /w/packages/ameide_core_proto/gen ./gen\n",
        (2, 17, "proto-in-dockerfile"),
        "COPY --from copies the proto workspace 'packages/ameide_core_proto' out of another stage",
    ),
    (
        "Dockerfile",
        'FROM x\nCOPY ["packages/ameide_core_proto", "/p"]\n',
        (2, 8, "proto-in-dockerfile"),
        "COPY copies the proto workspace 'packages/ameide_core_proto' into the image",
    ),
    (
        "Dockerfile",
        "FROM x\nRUN <<EOF\ncd packages/ameide_core_proto\nbuf generate\nEOF\nENV A=1\n",
        (3, 4, "proto-in-dockerfile"),
        "RUN generates code from the proto workspace 'packages/ameide_core_proto' (buf generate)",
    ),
    (
        "Dockerfile",
        "FROM x\nRUN pip install \\\n# a comment inside the continuation\n    ameide_core_proto\n",
        (4, 5, "proto-in-dockerfile"),
        "RUN installs the proto package 'ameide_core_proto'",
    ),
    (
        "Dockerfile",
        "FROM x\nRUN cat packages/ameide_core_proto/buf.yaml\n",
        (2, 9, "proto-in-dockerfile"),
        "RUN uses the proto workspace 'packages/ameide_core_proto'",
    ),
    (
        "Tiltfile",
        "k8s_yaml(\n  'packages/ameide_core_proto/k8s.yaml',\n)\n",
        (2, 4, "proto-in-tiltfile"),
        "Tiltfile k8s_yaml(…) references the proto workspace 'packages/ameide_core_proto'",
    ),
    (
        "scripts/b",
        "#!/usr/bin/env bash\nbuf generate packages/ameide_core_proto\n",
        (2, 14, "proto-in-shell"),
        "shell script generates code from the proto workspace 'packages/ameide_core_proto'",
    ),
    (
        "scripts/c",
        "#!/usr/bin/env node\nrequire('@ameide/core-proto')\n",
        (2, 10, "proto-in-script"),
        "JavaScript file imports the proto package '@ameide/core-proto'",
    ),
    ("app/x.py", "PATH = 'packages/ameide_core_proto'\n", (1, 9, "proto-in-script"), "Python file references the proto workspace 'packages/ameide_core_proto'"),
    (
        "go.work",
        "go 1.22\nuse (\n\t./services/a\n\t./packages/ameide_core_proto\n)\n",
        (4, 2, "proto-in-go-mod"),
        "go.work uses the proto workspace 'packages/ameide_core_proto'",
    ),
    # a module path that starts like a directive (go.opentelemetry.io) is still a line of the block
    (
        "go.mod",
        "module m\n\nreplace (\n\tgo.opentelemetry.io/otel => ../otel\n\texample.com/p => ./packages/ameide_core_proto\n)\n",
        (5, 19, "proto-in-go-mod"),
        "go.mod replace points a module at the proto workspace 'packages/ameide_core_proto'",
    ),
    # TOML by the readers' scanner: an indented key still names the place
    (
        "pyproject.toml",
        '[tool.uv.sources]\n  svc-lib = { path = "../packages/ameide_core_proto" }\n',
        (2, 23, "proto-in-python-deps"),
        "pyproject.toml [tool.uv.sources] svc-lib requires the proto workspace 'packages/ameide_core_proto'",
    ),
    (
        "setup.cfg",
        "[options]\ninstall_requires =\n    ameide-core-proto>=1\n",
        (3, 5, "proto-in-python-deps"),
        "setup.cfg [options] install_requires requires the proto package 'ameide-core-proto'",
    ),
    (
        "pnpm-workspace.yaml",
        "packages: [services/*]\ncatalog:\n  '@ameide/core-proto': 1.0.0\n",
        (3, 4, "proto-in-pnpm-workspace"),
        "pnpm catalog pins the proto package '@ameide/core-proto'",
    ),
    (
        ".github/actions/gen/action.yml",
        "runs:\n  steps:\n    - run: buf generate packages/ameide_core_proto\n",
        (3, 25, "proto-in-ci-workflow"),
        "CI workflow references the proto workspace 'packages/ameide_core_proto'",
    ),
    (
        "Jenkinsfile",
        "sh 'cd packages/ameide_core_proto'\n",
        (1, 8, "proto-in-ci-workflow"),
        "CI workflow references the proto workspace 'packages/ameide_core_proto'",
    ),
    (
        "compose/any.yaml",
        "apiVersion: v1\nkind: Pod\nspec:\n  volumes: [{hostPath: {path: /r/packages/ameide_core_proto}}]\n",
        (4, 31, "proto-in-k8s-yaml"),
        "Kubernetes manifest references the proto workspace 'packages/ameide_core_proto'",
    ),
    (
        "docker-compose.yml",
        "services:\n  web:\n    volumes: [./packages/ameide_core_proto:/proto]\n",
        (3, 15, "proto-reference"),
        "docker-compose.yml references the proto workspace 'packages/ameide_core_proto'",
    ),
    (
        "config/settings.json",
        '{"proto": {"dir": "packages/ameide_core_proto"}}\n',
        (1, 20, "proto-reference"),
        "settings.json proto.dir references the proto workspace 'packages/ameide_core_proto'",
    ),
]


@pytest.mark.parametrize(("path", "text", "where", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_context_names_what_it_found(small, path, text, where, message):
    result = run(small({path: text}))
    found = [(f.location.line, f.location.col, f.rule, f.message) for f in result.findings]
    assert found == [(*where, message)]


_TRICKY_PATHS = [
    f"{folder}{stem}"
    for folder in ("", "docs/", "requirements/", "services/api/", "a.b/", "Dockerfile/", "deploy/k8s/", ".github/workflows/")
    for stem in ("README", "requirements", "requirements-dev", "constraints", "package", "Dockerfile", "go", "values-prod", "x", "a.b", "Tiltfile")
]


@pytest.mark.parametrize("extension", sorted(UNPARSED_EXTENSIONS))
def test_a_name_the_file_loop_skips_unread_is_one_classify_never_parses(extension):
    """The file loop skips these names without reading them (devenv.lint.fileloop): sound only
    when classify() gives None for every one, in any folder and any case."""
    for path in _TRICKY_PATHS:
        for spelled in (extension, extension.upper()):
            assert classify(path + spelled) is None, path + spelled


def test_a_dotfile_named_like_an_extension_is_still_read(tmp_path):
    from devenv.lint.checker import Checker, PendingFixes
    from devenv.lint.fileloop import prefiltered
    from devenv.lint.needles import Needles
    from devenv.lint.scope import Scope

    (tmp_path / "a").mkdir()
    (tmp_path / "a/.md").write_text("cd packages/p_proto\n")
    (tmp_path / "a/x.md").write_text("cd packages/p_proto\n")
    checker = Checker(str(tmp_path), Needles("packages/p_proto"), PendingFixes())
    kept, checked = prefiltered(checker, Scope([], "services.yaml"), ["a/.md", "a/x.md"], [])
    assert [path for path, _ in kept] == ["a/.md"] and checked == 2
