"""`devenv lint`: the proto-boundary guardrail, as text, JSON or SARIF."""

from __future__ import annotations

import sys
from pathlib import Path

from devenv import __version__
from devenv.errors import DevenvError
from devenv.lint.formats import NAMES, Options, formatter


def _likely_root(manifest: Path | None) -> Path:
    """Where the manifest probably is (load_manifest decides; a wrong guess costs nothing)."""
    if manifest is not None:
        return manifest if manifest.is_dir() else manifest.parent
    cwd = Path.cwd()
    return next((p for p in (cwd, *cwd.parents) if (p / "services.yaml").is_file()), cwd)


def run_lint(
    manifest: Path | None,
    paths: list[Path],
    format: str = "text",
    *,
    output: Path | None = None,
    jobs: int | None = None,
    fix: bool = False,
    diff: bool = False,
) -> int:
    """Exit 0 clean, 1 any unsuppressed finding, 2 (DevenvError) usage or manifest error."""
    if format not in NAMES:
        raise DevenvError(f"unknown format '{format}'", hint=f"use one of: {', '.join(NAMES)}")
    if jobs is not None and jobs < 1:
        raise DevenvError(f"--jobs must be 1 or more, not {jobs}")
    from devenv.lint.scan import GitListing

    # Let git list the tree while Python imports the rest and loads the manifest.
    listing = GitListing(_likely_root(manifest)) if not paths else None
    from devenv.lint import lint
    from devenv.lint.formats.text import summary
    from devenv.lint.scan import git_toplevel
    from devenv.manifest.load import load_manifest
    
    try:
        loaded = load_manifest(manifest)
    except BaseException:
        if listing is not None:
            listing.cancel()
        raise
    for problem in loaded.warnings:
        print(f"{problem.location} warning: {problem.message}", file=sys.stderr)
    result = lint(loaded, paths, jobs=jobs, listing=listing)
    if fix or diff:  # rewrite SDK versions in place (devenv.sdk.fix); --diff only shows the change
        from devenv.commands.sdk import apply_lint_fixes

        result, code = apply_lint_fixes(result, write=not diff, relint=lambda: lint(loaded, paths, jobs=jobs))
        if diff:
            return code
    root = Path(result.root)
    options = Options(cwd=Path.cwd(), srcroot=(git_toplevel(root) or root) if format == "sarif" else root, version=__version__)
    text = formatter(format)(result, options)
    if output:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise DevenvError(f"cannot write {output}: {exc.strerror or exc}") from None
    else:
        sys.stdout.write(text)
    for note in result.notifications:
        print(f"devenv lint: warning: {note.message}", file=sys.stderr)
    for note in result.notes:
        print(f"devenv lint: {note}", file=sys.stderr)
    print(summary(result), file=sys.stderr)
    return result.exit_code
