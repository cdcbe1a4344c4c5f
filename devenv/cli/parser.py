"""The full `devenv` parser (typer): every command, its options, help and usage errors.

Exit codes: 0 success, 1 the check failed (stale Tiltfile, lint findings, doctor failures),
2 usage or manifest error, 3 internal error (a bug: rerun with --debug), 130 interrupted,
141 stdout was closed by its reader (`devenv graph | head`), ended quietly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

import typer

import devenv
from devenv import __version__
from devenv.cli.common import ManifestOption, handle_errors, state
from devenv.cli.outcome import run_quietly_on_closed_stdout, take_debug_flag

app = typer.Typer(
    name="devenv",
    help="One manifest (services.yaml) in, a correct Tiltfile out; plus doctor and lint for the dev loop.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"devenv {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
) -> None:
    """devenv keeps a polyglot Tilt + Kubernetes monorepo's dev loop correct by construction."""
    state["debug"] = state["debug"] or debug


@app.command(
    epilog="""Examples:

  devenv render                      write ./Tiltfile from ./services.yaml

  devenv render --check              CI: exit 1 with a diff when the Tiltfile is stale

  devenv render --stdout -f path/to/services.yaml

  devenv render --watch              re-render on every save; Tilt reloads the Tiltfile itself
"""
)
@handle_errors
def render(
    manifest: Optional[Path] = ManifestOption,
    output: Optional[Path] = typer.Option(None, "-o", "--output", readable=False, help="Where to write (default: Tiltfile next to the manifest)."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 and print a diff if the Tiltfile is stale."),
    stdout: bool = typer.Option(False, "--stdout", help="Print the Tiltfile instead of writing it."),
    force: bool = typer.Option(False, "--force", help="Overwrite a Tiltfile that was edited by hand or not written by devenv."),
    watch: bool = typer.Option(False, "--watch", help="Keep running: re-render on every change of the manifest, templates or k8s/chart files."),
) -> int:
    """Render services.yaml into a Tiltfile (needs Tilt >= 0.33.4: docker_build extra_hosts)."""
    from devenv.commands.render import run_render

    return run_render(manifest, output, check=check, stdout=stdout, force=force, watch=watch)


@app.command(
    epilog="Examples:\n\n  devenv graph\n\n  devenv graph --only web --only backend   what `tilt up -- web backend` enables"
    "\n\n  devenv graph --format mermaid > graph.mmd\n\n  devenv graph --format dot | dot -Tsvg > graph.svg"
)
@handle_errors
def graph(
    manifest: Optional[Path] = ManifestOption,
    format: str = typer.Option("text", "--format", help="text, mermaid or dot."),
    only: Optional[list[str]] = typer.Option(
        None, "--only", metavar="NAME", help="Show only the slice `tilt up -- NAME...` runs: services or labels (repeat, or comma list)."
    ),
) -> int:
    """Print the resource dependency graph: health gate -> SDK steps -> services."""
    from devenv.commands.graph import run_graph

    return run_graph(manifest, format, only)


@app.command(
    epilog="""Examples:

  devenv lint                               the whole repository (.gitignore honoured)

  devenv lint services/web Dockerfile       only these files and folders

  devenv lint --format sarif -o lint.sarif  for GitHub code scanning

A reviewed exception: a comment `devenv: allow proto-import reason="…"` on the line or the line above (JSON files: a top-level "//devenv" list).

Exit codes: 0 clean, 1 violations, 2 usage or manifest error."""
)
@handle_errors
def lint(
    paths: Optional[list[Path]] = typer.Argument(None, help="Files or folders to check (default: the whole repository).", show_default=False),
    manifest: Optional[Path] = ManifestOption,
    format: str = typer.Option("text", "--format", help="text, json or sarif."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", readable=False, help="Write the report to this file instead of stdout."),
    jobs: Optional[int] = typer.Option(
        None, "-j", "--jobs", help="Worker processes (default: one per CPU on large trees; never more than CPUs or files).", show_default=False
    ),
    fix: bool = typer.Option(False, "--fix", help="Rewrite the version text of fixable sdk-version findings in place."),
    diff: bool = typer.Option(False, "--diff", help="With --fix: print the rewrite as a unified diff and change nothing (exit 1 if there is one)."),
) -> int:
    """Check the proto boundary: only SDKs (and proto.allowed) may reference the proto workspace."""
    from devenv.commands.lint import run_lint

    return run_lint(manifest, list(paths or []), format, output=output, jobs=jobs, fix=fix, diff=diff)


@app.command(
    epilog="""Groups: host, docker, registries, cluster, sdks, images.

Examples:

  devenv doctor                          every check, as a table

  devenv doctor --only registries        what Tilt's packages:health runs

  devenv doctor --skip cluster --json    for scripts (schema: docs/doctor-json.md)

Exit codes: 0 nothing failed (warnings pass unless --strict), 1 a check failed, timed out or
crashed, 2 usage or manifest error."""
)
@handle_errors
def doctor(
    manifest: Optional[Path] = ManifestOption,
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON (schema devenv.doctor/v1)."),
    only: Optional[list[str]] = typer.Option(None, "--only", metavar="GROUP", help="Run only these groups (repeat, or comma list)."),
    skip: Optional[list[str]] = typer.Option(None, "--skip", metavar="GROUP", help="Leave out these groups (repeat, or comma list)."),
    timeout: float = typer.Option(60.0, "--timeout", metavar="SECONDS", help="Budget for the whole run; each check also has its own deadline."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Show each check's details (and tracebacks of crashed checks)."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too (exit 1)."),
    kubeconfig: Optional[Path] = typer.Option(
        None, "--kubeconfig", metavar="FILE", help="Kubeconfig for the cluster checks (default: $KUBECONFIG, ~/.kube/config)."
    ),
    context: Optional[str] = typer.Option(
        None, "--context", metavar="NAME", help="Kube context for the cluster checks (default: the current one); must be one of cluster.contexts."
    ),
) -> int:
    """Diagnose this machine, its Docker build host, the registries and the cluster."""
    from devenv.commands.doctor import run_doctor

    return run_doctor(
        manifest,
        as_json=json_output,
        only=only,
        skip=skip,
        timeout=timeout,
        verbose=verbose,
        strict=strict,
        kubeconfig=kubeconfig,
        context=context,
        since=devenv.STARTED,
    )


@app.command(
    epilog="""Examples:

  devenv onboard                     check prerequisites, render, run doctor, print the next command

  devenv onboard --yes               never prompt (scripts, CI)

  scripts/onboard.sh                 from a fresh clone: create .venv, install devenv, then this
"""
)
@handle_errors
def onboard(
    manifest: Optional[Path] = ManifestOption,
    output: Optional[Path] = typer.Option(None, "-o", "--output", readable=False, help="Where to write the Tiltfile (default: next to the manifest)."),
    yes: bool = typer.Option(False, "-y", "--yes", help="Answer yes to every question (a hand-edited Tiltfile is replaced, kept as Tiltfile.bak.1, .2, …)."),
    timeout: float = typer.Option(60.0, "--timeout", metavar="SECONDS", help="Budget for each doctor run."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Show each check's details."),
) -> int:
    """For a new clone: prerequisites, render, doctor, and the one next command (exit 1 while anything is missing)."""
    from devenv.commands.onboard import run_onboard

    return run_onboard(manifest, output, yes=yes, timeout=timeout, verbose=verbose, since=devenv.STARTED)


@app.command(
    epilog="""Examples:

  devenv why platform                the resources platform waits for, then run doctor

  devenv why platform --no-doctor    only the chain

  devenv why platform --only registries
"""
)
@handle_errors
def why(
    service: str = typer.Argument(..., help="The service to explain."),
    manifest: Optional[Path] = ManifestOption,
    doctor: bool = typer.Option(True, "--doctor/--no-doctor", help="Also run doctor and name the failing checks that block SERVICE."),
    only: Optional[list[str]] = typer.Option(None, "--only", metavar="GROUP", help="Doctor groups to run (repeat, or comma list)."),
    skip: Optional[list[str]] = typer.Option(None, "--skip", metavar="GROUP", help="Doctor groups to leave out."),
    timeout: float = typer.Option(30.0, "--timeout", metavar="SECONDS", help="Budget for the doctor run."),
) -> int:
    """Why is SERVICE waiting? The chain of resources it waits for, and each failing check that blocks it (exit 1)."""
    from devenv.commands.why import run_why

    return run_why(manifest, service, doctor=doctor, only=only, skip=skip, timeout=timeout, since=devenv.STARTED)


@app.command(
    "import",
    epilog="""Examples:

  devenv import                      ./Tiltfile -> ./services.yaml, then the round-trip proof

  devenv import ops/Tiltfile -o services.yaml --force

Needs the real `tilt` (or DEVENV_TILT). Exit codes: 0 nothing lost, 1 something the Tiltfile did is lost (listed with its line), """
    "2 usage error (an existing manifest without --force).",
)
@handle_errors
def import_(
    tiltfile: Optional[Path] = typer.Argument(None, help="The Tiltfile to import (default: ./Tiltfile).", show_default=False),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Where to write (default: services.yaml beside the Tiltfile)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing manifest."),
) -> int:
    """Turn a hand-written Tiltfile into services.yaml, and prove Tilt sees the same graph."""
    from devenv.commands.adopt import run_import

    return run_import(tiltfile, output, force=force)


@app.command(
    epilog="""Examples:

  devenv init                        discover proto, SDKs and services; write ./services.yaml

  devenv init path/to/repo -o services.yaml --force"""
)
@handle_errors
def init(
    root: Optional[Path] = typer.Argument(None, help="The repository (default: the current folder).", show_default=False),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Where to write (default: services.yaml in the repository)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing manifest."),
) -> int:
    """Write a commented services.yaml for a repository without a Tiltfile (guesses are marked)."""
    from devenv.commands.adopt import run_init

    return run_init(root, output, force=force)


@app.command(epilog="Example:\n\n  devenv schema > services.schema.json   (then: # yaml-language-server: $schema=services.schema.json)")
@handle_errors
def schema() -> int:
    """Print the JSON Schema of services.yaml, for editors' YAML language servers."""
    from devenv.manifest.schema import json_schema_text

    sys.stdout.write(json_schema_text())
    return 0


# `devenv sdk guard|stamp|status`: a sub-app in its own module.
from devenv.cli.sdk import app as _sdk_app  # noqa: E402

app.add_typer(_sdk_app, name="sdk")

# `devenv verify images`: what the built images hold.
from devenv.cli.verify import app as _verify_app  # noqa: E402

app.add_typer(_verify_app, name="verify")


def main(argv: list[str] | None = None) -> None:
    """The full parser, on ``argv`` (default: the command line) with ``--debug`` taken out."""
    if os.environ.get("NO_COLOR"):
        os.environ.setdefault("TERM", "dumb")
    run_quietly_on_closed_stdout(app, take_debug_flag(sys.argv[1:]) if argv is None else argv)
