"""The rule registry: file contexts in the order they claim files, plus the other rules.

``classify(path)`` picks a context by name alone (before a file is read) or returns None for
files that are never references: prose (Markdown, docs), lockfiles (generated from the
dependency files that *are* checked), ignore files (excluding the proto workspace is the
fix, not a reference) and binaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

from devenv.lint.rules import ci_workflow, dockerfile, go_mod, k8s_yaml, other, package_json, pnpm_workspace, python_deps, script, shell, tiltfile

# Order matters: the first context whose matches() accepts a file owns it.
CONTEXTS: tuple[ModuleType, ...] = (dockerfile, ci_workflow, tiltfile, package_json, pnpm_workspace, go_mod, python_deps, shell, script, k8s_yaml, other)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    summary: str
    help: str
    group: str  # reference | manifest | suppression


MANIFEST_RULES = (
    Rule(
        "service-context-includes-proto",
        "Build context includes the proto workspace",
        "A service's docker build context contains the proto workspace and nothing excludes it.",
        "Tilt sends the whole context to Docker: a context that contains the proto workspace lets the "
        "build copy it. Narrow `context` to the service's folder, list what the image needs in `only`, "
        "or exclude the proto workspace with `ignore` or the context's .dockerignore.",
        "manifest",
    ),
    Rule(
        "service-only-includes-proto",
        "`only` includes the proto workspace",
        "A service's `only` list puts the proto workspace into its build context.",
        "Remove the proto workspace from `only`; the service depends on the published SDK instead.",
        "manifest",
    ),
    Rule(
        "sdkless-service-depends-on-proto",
        "SDK-less service depends on proto packages",
        "A service declared with `sdks: []` lists proto-derived packages in its dependency files.",
        "A service that consumes no SDK must not depend on proto packages: it would start before they are "
        "built (no resource_deps) and bypass the SDKs. Consume the SDK (`sdks: [<name>]`) and depend on "
        "its published package.",
        "manifest",
    ),
)

SUPPRESSION_RULES = (
    Rule(
        "suppression-missing-reason",
        "Suppression without a reason",
        'A `devenv: allow proto-import` suppression gives no reason="…".',
        'Every reviewed exception says why: `devenv: allow proto-import reason="…"`. A suppression without a reason does not suppress anything.',
        "suppression",
    ),
    Rule(
        "suppression-unused",
        "Suppression that matches nothing",
        "A `devenv: allow proto-import` suppression no longer matches any reference.",
        "Delete the suppression: allow-lists may only shrink silently, never grow silently.",
        "suppression",
    ),
    Rule(
        "suppression-invalid",
        "Malformed suppression",
        'A `devenv:` suppression is not `allow proto-import reason="…"` (or a malformed "//devenv" entry).',
        'Write `devenv: allow proto-import reason="…"` in a comment on the line or the line above; in '
        'JSON files use a top-level "//devenv" list of {"allow": "proto-import", "path": [keys…], "reason": "…"}.',
        "suppression",
    ),
)

from devenv.lint.sdk import ruleinfo as _sdk_ruleinfo  # noqa: E402  (import-free descriptors)

RULES: dict[str, Rule] = {
    **{c.ID: Rule(c.ID, c.TITLE, c.SUMMARY, c.HELP, "reference") for c in CONTEXTS},
    **{r.id: r for r in MANIFEST_RULES + SUPPRESSION_RULES},
    **{info[0]: Rule(*info) for info in _sdk_ruleinfo.RULES},  # devenv.lint.sdk.rules: sdk-version, …
}
# The proto-boundary guardrail's own rules (the SDK rules live in devenv.sdk).
BOUNDARY_RULES = frozenset(r.id for r in RULES.values() if r.group in ("reference", "manifest", "suppression"))

_PROSE_EXT = frozenset({".md", ".markdown", ".mdx", ".rst", ".adoc", ".asciidoc", ".txt", ".org", ".rtf", ".tex", ".textile", ".wiki"})
_PROSE_NAMES = re.compile(r"^(?:LICEN[CS]E|COPYING|NOTICE|AUTHORS|CHANGELOG|CHANGES|HISTORY|CONTRIBUTORS|README)(?:[._-].*)?$", re.I)
_DOC_DIRS = frozenset({"docs", "doc"})
_LOCKFILES = frozenset(
    {
        "pnpm-lock.yaml",
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "bun.lock",
        "bun.lockb",
        "go.sum",
        "go.work.sum",
        "poetry.lock",
        "uv.lock",
        "Pipfile.lock",
        "pdm.lock",
        "Cargo.lock",
        "composer.lock",
        "Gemfile.lock",
    }
)
_IGNORE_FILES = frozenset({"CODEOWNERS", ".gitattributes", ".git-blame-ignore-revs", ".mailmap"})
_BINARY_EXT = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".ico",
        ".icns",
        ".bmp",
        ".tiff",
        ".pdf",
        ".zip",
        ".gz",
        ".tgz",
        ".bz2",
        ".xz",
        ".zst",
        ".7z",
        ".tar",
        ".jar",
        ".war",
        ".whl",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".so",
        ".dylib",
        ".dll",
        ".a",
        ".o",
        ".pyc",
        ".pyo",
        ".class",
        ".exe",
        ".bin",
        ".mp3",
        ".mp4",
        ".mov",
        ".wav",
        ".ogg",
        ".webm",
        ".psd",
        ".sqlite",
        ".db",
        ".pb",
        ".wasm",
        ".node",
        ".svgz",
        ".keystore",
        ".jks",
        ".p12",
    }
)


# Names with these extensions are never parsed, whatever their folder: classify() gives None
# (binary, or prose: a .txt can be a requirements file, so it is not here). The file loop skips
# them unread (devenv.lint.fileloop), and git grep does not search Markdown at all
# (devenv.lint.prestart.grep_argv).
UNPARSED_EXTENSIONS = _BINARY_EXT | (_PROSE_EXT - {".txt"})


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def skip_reason(path: str, name: str) -> str | None:
    """Why a file is never checked, or None."""
    ext = _extension(name)
    if name in _LOCKFILES:
        return "lockfile"
    if name in _IGNORE_FILES or (name.startswith(".") and name.endswith("ignore")):
        return "ignore file"
    if ext in _BINARY_EXT:
        return "binary"
    if ext in _PROSE_EXT and not python_deps.matches(path, name):
        return "prose"
    if not ext and _PROSE_NAMES.match(name):
        return "prose"
    if _DOC_DIRS.intersection(path.split("/")[:-1]):
        return "prose"
    return None


def _classify(path: str, name: str) -> ModuleType | None:
    if skip_reason(path, name):
        return None
    for context in CONTEXTS:
        if context.matches(path, name):
            return context
    return other


# Names whose context may depend on more than their extension: special names and prefixes
# (Dockerfile.dev, requirements-dev.txt, values-prod.yaml), dotfiles, extensionless files,
# and extensions some context decides by folder (YAML, .txt, .in) or by a longer suffix (.j2).
_SPECIAL = re.compile(
    r"^(?:\.|dockerfile|containerfile|tiltfile|jenkinsfile|requirements|constraints|azure-pipelines|package|pnpm|go\.|"
    r"pyproject|setup|pipfile|poetry|uv\.|pdm|yarn|bun|cargo|composer|gemfile|npm-shrinkwrap|codeowners)",
    re.I,
)
_PATH_DEPENDENT_EXT = frozenset({"", ".yml", ".yaml", ".txt", ".in", ".j2", ".tpl", ".lock", ".lockb", ".sum"})
_BY_EXTENSION: dict[str, ModuleType | None] = {}


def classify(path: str) -> ModuleType | None:
    """The context that owns ``path`` (repository-relative, posix), or None to skip it.

    Most files are decided by their extension alone; that decision is cached per extension
    (the linter classifies every file of the tree, so this is on the hot path).
    """
    slash = path.rfind("/")
    name = path[slash + 1 :]
    ext = _extension(name)
    if ext in _PATH_DEPENDENT_EXT or _SPECIAL.match(name) or (slash > 0 and ("/docs/" in f"/{path[:slash]}/" or "/doc/" in f"/{path[:slash]}/")):
        return _classify(path, name)
    try:
        return _BY_EXTENSION[ext]
    except KeyError:
        found = _BY_EXTENSION[ext] = _classify(path, name)
        return found


def refine(context: ModuleType, path: str, text: str) -> ModuleType:
    """Content decides what a name cannot: shebang scripts, Kubernetes objects in any YAML."""
    if context is not other:
        return context
    name = path.rpartition("/")[2]
    if "." not in name and text.startswith("#!"):
        first = text.split("\n", 1)[0]
        if shell.matches_shebang(first):
            return shell
        if script.shebang_language(first):
            return script
    if name.endswith((".yaml", ".yml")) and k8s_yaml.matches_content(text):
        return k8s_yaml
    return context
