"""`devenv sdk …`: the SDK build steps' guard and stamp, freshness status, and `lint --fix`'s output.

``guard`` and ``stamp`` are what the rendered first step of each SDK runs around its command::

    devenv sdk guard ts -f services.yaml && <cmd> && devenv sdk stamp ts -f services.yaml

(``stamp`` only for SDKs with a ``generated:`` path). Both exit 0 or print one line and exit 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, Optional

import typer

from devenv.cli import ManifestOption, handle_errors
from devenv.errors import DevenvError

app = typer.Typer(
    name="sdk",
    help="SDK build helpers: fail fast without the proto workspace, record and check generated code's freshness.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _load(manifest: Path | None, name: str | None):
    from devenv.manifest.load import load_manifest

    loaded = load_manifest(manifest)
    sdks = loaded.manifest.sdks
    if name is not None and name not in sdks:
        import difflib

        close = difflib.get_close_matches(name, list(sdks), n=1)
        suggestion = f" (did you mean '{close[0]}'?)" if close else ""
        raise DevenvError(f"unknown SDK '{name}'{suggestion}", hint=f"SDKs in {loaded.display}: {', '.join(sdks) or 'none'}")
    return loaded


def run_guard(manifest: Path | None, name: str) -> int:
    from devenv.sdk.freshness import GuardError, check_proto

    loaded = _load(manifest, name)
    proto = loaded.manifest.proto
    if proto is None:
        return 0  # no proto workspace declared: nothing to guard
    try:
        check_proto(loaded.root, proto.path, name)
    except GuardError as exc:
        raise DevenvError(str(exc), exit_code=1) from None
    return 0


def run_stamp(manifest: Path | None, name: str) -> int:
    from devenv.sdk.freshness import GuardError, write_stamp

    loaded = _load(manifest, name)
    sdk = loaded.manifest.sdks[name]
    proto = loaded.manifest.proto
    if sdk.generated is None or proto is None:
        return 0  # nothing to record: the SDK names no generated: path, or there is no proto workspace
    try:
        stamp = write_stamp(loaded.root, name, proto.path, sdk.generated)
    except GuardError as exc:
        raise DevenvError(str(exc), exit_code=1) from None
    print(f"devenv sdk stamp: {sdk.generated} generated from {proto.path} (sha256 {stamp['proto']['sha256'][:12]})", file=sys.stderr)
    return 0


def run_status(manifest: Path | None, names: list[str]) -> int:
    from devenv.graph import step_resource
    from devenv.sdk.freshness import Freshness, status

    loaded = _load(manifest, names[0] if names else None)
    for name in names:
        if name not in loaded.manifest.sdks:
            raise DevenvError(f"unknown SDK '{name}'", hint=f"SDKs: {', '.join(loaded.manifest.sdks)}")
    proto = loaded.manifest.proto
    code = 0
    for name, sdk in loaded.manifest.sdks.items():
        if names and name not in names:
            continue
        if sdk.generated is None or proto is None:
            print(f"{name}: untracked (no generated: path{'' if proto else ', no proto: section'})")
            continue
        found = status(loaded.root, name, proto.path, sdk.generated)
        rerun = f"; rerun: tilt trigger {step_resource(name, next(iter(sdk.steps)))}" if sdk.steps and found.state is not Freshness.FRESH else ""
        print(f"{name}: {found.state.value}: {found.message}{rerun}")
        if found.state in (Freshness.STALE, Freshness.NO_PROTO):
            code = 1
    return code


def apply_lint_fixes(result, *, write: bool, relint: Callable[[], object]):
    """Apply (or, ``write=False``, show) the edits of a lint result; (result to report, exit code)."""
    from devenv.sdk import fix

    report = fix.apply(result.root, result.edits, write=write)
    verb = "would rewrite" if not write else "rewrote"
    for item in report.fixed:
        if not write:
            sys.stdout.write(item.diff)
        count = len(item.edits)
        print(f"devenv lint --fix: {verb} {count} version{'s' if count != 1 else ''} in {item.file}", file=sys.stderr)
    for item in report.refused:
        print(f"devenv lint --fix: {item.file} not rewritten: {item.error}", file=sys.stderr)
    if not write:
        return result, 1 if (report.fixed or report.refused) else 0
    if report.fixed:
        result = relint()
    return result, result.exit_code


@app.command(epilog="Example (what the rendered first SDK step runs):\n\n  devenv sdk guard ts -f services.yaml && release/build-ts.sh")
@handle_errors
def guard(
    name: str = typer.Argument(..., metavar="SDK", help="The SDK (a key of sdks: in services.yaml)."),
    manifest: Optional[Path] = ManifestOption,
) -> int:
    """Fail fast (exit 1, one line naming the path) when the proto workspace is missing."""
    return run_guard(manifest, name)


@app.command(epilog="Example:\n\n  devenv sdk guard ts && release/build-ts.sh && devenv sdk stamp ts")
@handle_errors
def stamp(
    name: str = typer.Argument(..., metavar="SDK", help="The SDK whose generated: folder to stamp."),
    manifest: Optional[Path] = ManifestOption,
) -> int:
    """Record the proto sources' content hash in the SDK's generated: folder (after its step succeeded)."""
    return run_stamp(manifest, name)


@app.command(epilog="Exit codes: 0 nothing stale, 1 an SDK is stale or its proto workspace is missing, 2 usage or manifest error.")
@handle_errors
def status(
    names: Optional[list[str]] = typer.Argument(None, metavar="[SDK]...", help="SDKs to report (default: all)."),
    manifest: Optional[Path] = ManifestOption,
) -> int:
    """Is each SDK's generated code current with the proto sources (content hashes)?"""
    return run_status(manifest, list(names or []))
