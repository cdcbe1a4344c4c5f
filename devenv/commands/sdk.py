"""`devenv sdk …`: the SDK build steps' guard, stamp and mark, and freshness status.

``guard`` and ``stamp`` are what the rendered first step of each SDK runs around its command::

    devenv sdk guard ts -f services.yaml && <cmd> && devenv sdk stamp ts -f services.yaml

(``stamp`` only for SDKs with a ``generated:`` path). Both exit 0 or print one line and exit 1.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _error(message: str, **kwargs):
    from devenv.errors import DevenvError  # lazily: guard and stamp succeed without it

    return DevenvError(message, **kwargs)


def _load(manifest: Path | None, name: str | None):
    from devenv.manifest.load import load_manifest

    loaded = load_manifest(manifest)
    sdks = loaded.manifest.sdks
    if name is not None and name not in sdks:
        import difflib

        close = difflib.get_close_matches(name, list(sdks), n=1)
        suggestion = f" (did you mean '{close[0]}'?)" if close else ""
        raise _error(f"unknown SDK '{name}'{suggestion}", hint=f"SDKs in {loaded.display}: {', '.join(sdks) or 'none'}")
    return loaded


def _facts(manifest: Path | None, name: str):
    """The SDK's proto and generated paths: straight from the YAML when the rendered Tiltfile
    proves the manifest valid (the hot path Tilt takes in every build step), else validated."""
    from devenv.sdk.trusted import SdkFacts, rendered_facts

    facts = rendered_facts(manifest, name)
    if facts is None:
        loaded = _load(manifest, name)
        proto = loaded.manifest.proto
        facts = SdkFacts(loaded.root, proto.path if proto else None, loaded.manifest.sdks[name].generated)
    return facts


def run_guard(manifest: Path | None, name: str) -> int:
    from devenv.sdk.freshness import GuardError, check_proto

    facts = _facts(manifest, name)
    if facts.proto_path is None:
        return 0  # no proto workspace declared: nothing to guard
    try:
        check_proto(facts.root, facts.proto_path, name)
    except GuardError as exc:
        raise _error(str(exc), exit_code=1) from None
    return 0


def run_stamp(manifest: Path | None, name: str) -> int:
    from devenv.sdk.freshness import GuardError, write_stamp

    facts = _facts(manifest, name)
    if facts.generated is None or facts.proto_path is None:
        return 0  # nothing to record: the SDK names no generated: path, or there is no proto workspace
    try:
        stamp = write_stamp(facts.root, name, facts.proto_path, facts.generated)
    except GuardError as exc:
        raise _error(str(exc), exit_code=1) from None
    print(f"devenv sdk stamp: {facts.generated} generated from {facts.proto_path} (sha256 {stamp['proto']['sha256'][:12]})", file=sys.stderr)
    return 0


def _chain_facts(manifest: Path | None, name: str):
    """What `mark` needs of the SDK: from the YAML when the rendered Tiltfile proves the manifest
    valid (Tilt runs `mark` after every step), else from the validated manifest."""
    from devenv.sdk.trusted import ChainFacts, rendered_chain

    facts = rendered_chain(manifest, name)
    if facts is None:
        loaded = _load(manifest, name)
        sdk = loaded.manifest.sdks[name]
        from devenv.graph import chain_steps  # the implicit smoke step is marked like the SDK's own steps

        facts = ChainFacts(loaded.root, sdk.path, sdk.package or "", sdk.version, chain_steps(sdk))
    return facts


def _write_marker(sdk, name: str, step: str, digest: str) -> Path | None:
    """The step's marker written (None: unchanged); anything in the way is the user's to clear, exit 2."""
    from devenv.sdk.chain import marker, write_marker

    try:
        return write_marker(sdk.root, name, step, digest, sdk.version)
    except OSError as exc:
        # UnsafeTarget (a FIFO, a device, a folder there) names the path itself; other errors name the file they met.
        reason = getattr(exc, "message", None) or f"cannot write {marker(name, step)}: {exc.strerror or exc}"
        raise _error(
            f"{name} {step}: {reason}; the step's result was not recorded",
            hint=f"{sdk.root / '.devenv'} is devenv's local state: clear what is in the way there (or make it writable) and rerun the step",
        ) from None


def run_mark(manifest: Path | None, name: str, step: str) -> int:
    import time

    from devenv.sdk.chain import result_digest
    from devenv.sdk.tiltseen import wait_until_seen

    sdk = _chain_facts(manifest, name)
    if step not in sdk.steps:
        raise _error(f"SDK '{name}' has no step '{step}'", hint=f"its steps: {', '.join(sdk.steps) or 'none'}")
    digest = result_digest(sdk.root / sdk.path if sdk.path else None, sdk.package, sdk.version)
    since = time.time()
    # The version goes with the digest (which covers it): consumers build with what the chain completed.
    written = _write_marker(sdk, name, step, digest)
    if written is None:
        print(f"devenv sdk mark: {name} {step}: result unchanged (sha256 {digest[:12]}): nothing downstream rebuilds", file=sys.stderr)
        return 0
    of = f" of version {sdk.version}" if sdk.version else ""
    print(f"devenv sdk mark: {name} {step}: new result{of} (sha256 {digest[:12]})", file=sys.stderr)
    outcome = wait_until_seen(written, since)
    if outcome == "seen":
        print(f"devenv sdk mark: {name} {step}: Tilt saw the new result after {time.time() - since:.1f}s", file=sys.stderr)
    elif outcome == "timeout":
        print(f"devenv sdk mark: Tilt did not report {written} changed in time: a consumer may build twice", file=sys.stderr)
    elif outcome == "unreachable":
        print(
            "devenv sdk mark: run by Tilt (TILT_PORT) but could not ask it (no tilt binary found, or `tilt get` failed): a consumer may build twice",
            file=sys.stderr,
        )
    return 0


def run_status(manifest: Path | None, names: list[str]) -> int:
    from devenv.sdk.freshness import Freshness, status
    from devenv.tilt import step_resource

    loaded = _load(manifest, names[0] if names else None)
    for name in names:
        if name not in loaded.manifest.sdks:
            raise _error(f"unknown SDK '{name}'", hint=f"SDKs: {', '.join(loaded.manifest.sdks)}")
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
