"""The build-host probes: from inside a container, resolve and request every registry builds
consume, with exactly the ``extra_hosts`` the rendered Tiltfile gives ``docker_build``: once with
``docker run``, once with a classic ``docker build``, once with a BuildKit build (build-time host
mapping differs: moby#44525). The Docker SDK is imported lazily, inside the checks.
"""

from __future__ import annotations

import io
import re
import tarfile

from devenv.doctor import gates
from devenv.doctor.base import Context, Outcome, blocked_phrase, fail, ok, skip, warn
from devenv.doctor.dockerhost import Daemon
from devenv.doctor.host import parse_version
from devenv.doctor.hostmap import HostMap, resolve
from devenv.doctor.probe import PROBE_LABEL, Answer, Target, parse, script, target_for


def hostmap_of(ctx: Context) -> HostMap | None:
    m = ctx.manifest
    return resolve(m.build.extra_hosts, ctx.env) if m else None


def _targets(ctx: Context) -> list[Target]:
    """Registries that builds consume (npm, PyPI, Go proxy); `oci` is pulled by the daemon itself."""
    m = ctx.manifest
    if not m:
        return []
    return [target_for(name, reg.url, reg.probe) for name, reg in m.registries.items() if reg.kind != "oci"]


def _per_request(ctx: Context) -> int:
    return max(1, min(10, int(ctx.remaining() * 0.6)))


def _hint(answer: Answer, hm: HostMap, manifest_name: str) -> str:
    target = answer.target
    if answer.verdict == "unresolved":
        if target.host not in hm.hosts:
            return f"add {target.host} to build.extra_hosts.hosts in {manifest_name}, then run `devenv render`"
        return f"{target.host} is mapped to {hm.address} yet did not resolve: check ${hm.override_env}"
    where = answer.resolved or target.host
    if answer.verdict == "refused":
        return f"start the {target.name} registry and make it listen on {where}:{target.port} (the address builds reach), not only on 127.0.0.1"
    if answer.verdict == "no-answer":
        return (
            f"{where}:{target.port} does not answer from containers: is the registry up, and does the host "
            f"firewall let the Docker bridge reach port {target.port}?"
        )
    return "rerun with -v for the probe's output"


def _report(ctx: Context, answers: list[Answer], complete: bool, where: str, raw: str) -> Outcome:
    m = ctx.manifest
    hm = hostmap_of(ctx)
    assert m is not None and hm is not None
    name = ctx.loaded.path.name if ctx.loaded else "services.yaml"
    mapping = f"extra_hosts: {', '.join(hm.entries) or '(none)'}   [{hm.source}]"
    details: list[str] = [mapping]
    summary: list[str] = []
    for answer in answers:
        blocked = ctx.graph.blocked_services(gates.build_consumers(m, [answer.target.name])) if ctx.graph else []
        if answer.failed:
            summary.append(answer.message + (f" ({blocked_phrase(blocked, verbose=ctx.verbose, colon=False)})" if blocked else ""))
        details.append(f"{answer.message} ({answer.target.shown})")
        if ctx.verbose or answer.failed:
            details.extend(f"    {line}" for line in answer.output[-4:])
    if not complete:
        details.append("the probe did not run to its end; its output:")
        details.extend(f"    {line}" for line in raw.splitlines()[-10:])
    failed = [a for a in answers if a.failed]
    if failed:
        hints = list(dict.fromkeys(_hint(a, hm, name) for a in failed))
        return fail("; ".join(summary), details=details, hint="; ".join(hints), gates=gates.build_consumers(m, [a.target.name for a in failed]))
    http = [a for a in answers if a.verdict == "http-error"]
    addresses = sorted({a.resolved for a in answers if a.resolved})
    via = f"{hm.address}" + (f" = {', '.join(addresses)}" if addresses and addresses != [hm.address] else "")
    if http:
        return warn("; ".join(a.message for a in http) + f" (in {where}; the registries group checks their health)", details=details)
    names = ", ".join(a.target.name for a in answers)
    return ok(f"{names} answered from {where} via {via}", details=details)


def _mapping_rejected(exc: Exception, hm: HostMap, ctx: Context) -> Outcome | None:
    text = str(exc)
    if "host-gateway" in text or "add-host" in text or "extra host" in text.lower():
        return fail(
            f"the engine rejects the extra_hosts mapping: {text[:200]}",
            hint=f"{hm.fallback_switch}   (maps the registry hosts to {hm.fallback})",
            gates=gates.image_builds(ctx),
        )
    return None


def _probe_setup(ctx: Context):
    """What every probe needs: (registries to reach, the host mapping, the probe image), or the
    skip that says why there is nothing to probe."""
    targets = _targets(ctx)
    hm = hostmap_of(ctx)
    image = ctx.data("docker.probe-image")
    if not targets or hm is None:
        return skip("the manifest has no registry that builds consume")
    if not image:
        return skip("no probe image (see docker.probe-image)")
    return targets, hm, image


def check_run_probe(ctx: Context) -> Outcome:
    import docker.errors

    setup = _probe_setup(ctx)
    if isinstance(setup, Outcome):
        return setup
    targets, hm, image = setup
    daemon: Daemon = ctx.data("docker.daemon")
    client = daemon.client(ctx.remaining())
    api = client.api
    probe_script = script(targets, _per_request(ctx))
    try:
        host_config = api.create_host_config(extra_hosts=hm.as_dict(), auto_remove=True)
        ctx.note("creating the probe container")
        container = api.create_container(image, command=["sh", "-c", probe_script], host_config=host_config, labels={PROBE_LABEL: "run"})
    except docker.errors.APIError as exc:
        rejected = _mapping_rejected(exc, hm, ctx)
        if rejected:
            return rejected
        raise
    ctx.note("running the probe container (docker run)")
    stream = api.attach(container, stdout=True, stderr=True, stream=True, logs=True)
    try:
        api.start(container)
    except docker.errors.APIError as exc:
        rejected = _mapping_rejected(exc, hm, ctx)
        if rejected:
            return rejected
        raise
    raw = b"".join(stream).decode("utf-8", "replace")
    answers, complete = parse(raw, targets)
    return _report(ctx, answers, complete, "docker run", raw)


DOCKERFILE = """FROM {image}
COPY probe.sh /probe.sh
# Print the answers, then fail on purpose: no image is committed, nothing is left behind.
RUN sh /probe.sh; exit 97
"""


def _context_tar(image: str, probe_script: str) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, text in (("Dockerfile", DOCKERFILE.format(image=image)), ("probe.sh", probe_script)):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def check_build_probe(ctx: Context) -> Outcome:
    import docker.errors

    setup = _probe_setup(ctx)
    if isinstance(setup, Outcome):
        return setup
    targets, hm, image = setup
    daemon: Daemon = ctx.data("docker.daemon")
    client = daemon.client(ctx.remaining())
    context = _context_tar(image, script(targets, _per_request(ctx)))
    ctx.note("running the probe build (docker build, classic builder)")
    lines: list[str] = []
    errors: list[str] = []
    try:
        for chunk in client.api.build(
            fileobj=context,
            custom_context=True,
            extra_hosts=hm.as_dict(),
            nocache=True,
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
            labels={PROBE_LABEL: "build"},
        ):
            if "stream" in chunk:
                lines.append(chunk["stream"])
            if "error" in chunk:
                errors.append(str(chunk["error"]))
    except docker.errors.APIError as exc:
        rejected = _mapping_rejected(exc, hm, ctx)
        if rejected:
            return rejected
        raise
    raw = "".join(lines)
    answers, complete = parse(raw, targets)
    if not complete:
        rejected = _mapping_rejected(Exception(" ".join(errors)), hm, ctx) if errors else None
        if rejected:
            return rejected
        if errors and not any(a.output for a in answers):
            return fail(
                f"the probe build failed before it could probe: {errors[-1].strip()[:200]}",
                details=raw.splitlines()[-10:],
                hint="rerun with -v; check that the engine can build images",
            )
    return _report(ctx, answers, complete, "a classic docker build", raw)


def _buildkit_cli(ctx: Context) -> tuple[list[str], dict[str, str]] | str:
    """How to run a BuildKit build with this machine's docker CLI, or why it cannot."""
    import shutil

    cli = shutil.which("docker", path=ctx.env.get("PATH"))
    if not cli:
        return "no docker CLI on PATH"
    env = dict(ctx.env, DOCKER_BUILDKIT="1")
    if ctx.run([cli, "buildx", "version"], env=env).returncode == 0:
        return [cli, "buildx", "build", "--load"], env
    version = parse_version(ctx.run([cli, "--version"], env=env).output)
    if version and version < (23, 0, 0):  # BuildKit client built into the CLI before 23.0
        return [cli, "build"], env
    return "the docker CLI has no buildx plugin (docker 23+ needs it for BuildKit builds)"


def check_buildkit_probe(ctx: Context) -> Outcome:
    import tempfile

    setup = _probe_setup(ctx)
    if isinstance(setup, Outcome):
        return setup
    targets, hm, image = setup
    how = _buildkit_cli(ctx)
    if isinstance(how, str):
        return skip(f"cannot probe a BuildKit build: {how}")
    argv, env = how
    daemon: Daemon = ctx.data("docker.daemon")
    env["DOCKER_HOST"] = daemon.endpoint.url  # the daemon docker.daemon checked, whatever the context says
    with tempfile.TemporaryDirectory(prefix="devenv-probe-") as folder:
        with tarfile.open(fileobj=_context_tar(image, script(targets, _per_request(ctx)))) as tar:
            tar.extractall(folder, filter="data")
        hosts = [arg for entry in hm.entries for arg in ("--add-host", entry)]
        ctx.note("running the probe build (docker build with BuildKit)")
        done = ctx.run([*argv, "--progress=plain", "--no-cache", *hosts, folder], env=env)
    # BuildKit's plain progress prefixes each output line with "#<step> <seconds> ".
    raw = "\n".join(_BUILDKIT_PREFIX.sub("", line) for line in done.output.splitlines())
    answers, complete = parse(raw, targets)
    if not complete:
        rejected = _mapping_rejected(Exception(raw[-400:]), hm, ctx)
        if rejected:
            return rejected
        if not any(a.output for a in answers):
            last = next((line for line in reversed(raw.splitlines()) if line.strip()), "no output")
            return fail(
                f"the BuildKit probe build failed before it could probe: {last.strip()[:200]}",
                details=raw.splitlines()[-10:],
                hint="rerun with -v; check that BuildKit builds work here",
            )
    return _report(ctx, answers, complete, "a BuildKit build", raw)


_BUILDKIT_PREFIX = re.compile(r"^#\d+ \d+\.\d+ ")
