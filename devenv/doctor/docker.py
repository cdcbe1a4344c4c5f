"""The Docker build host: daemon reachable, versions, host-gateway, BuildKit, and the probe that
resolves and requests every registry from inside a container, with exactly the ``extra_hosts``
the rendered Tiltfile gives ``docker_build`` — once with ``docker run``, once with a
``docker build`` (build-time host mapping differs: moby#44525).

The Docker SDK is imported lazily (inside the checks), so ``devenv render`` never loads it.
"""

from __future__ import annotations

import io
import re
import tarfile

from devenv.doctor import gates
from devenv.doctor.base import Check, Context, Outcome, blocked_phrase, fail, ok, skip, warn
from devenv.doctor.dockerhost import (
    GROUP_HINT,
    Daemon,
    SocketProblem,
    dial_unix,
    make_client,
    resolve_endpoint,
)
from devenv.doctor.host import parse_version
from devenv.doctor.hostmap import HostMap, resolve
from devenv.doctor.probe import (
    PROBE_LABEL,
    Answer,
    Target,
    find_busybox,
    parse,
    rootfs_tar,
    script,
    target_for,
)

HOST_GATEWAY_MIN = (20, 10, 0)
BUILDKIT_MIN_API = (1, 39)
RESTART_HINT = "restart the daemon: sudo systemctl restart docker   (Docker Desktop: restart it)"


# -- docker.daemon -----------------------------------------------------------------------------------

def check_daemon(ctx: Context) -> Outcome:
    endpoint = resolve_endpoint(ctx.env)
    ping: dict[str, str] = {}
    if endpoint.socket_path:
        try:
            # The socket's own timeout is past the check's deadline: a daemon that accepts but
            # never answers is reported by the engine as `timeout`, naming the limit.
            ctx.note(f"connected to {endpoint.socket_path}, waiting for the daemon to answer GET /_ping")
            ping = dial_unix(endpoint, ctx.remaining() + 1.0)
        except SocketProblem as problem:
            return fail(problem.message, hint=problem.hint, details=[f"endpoint: {endpoint.describe()}"])
    ctx.note(f"asking {endpoint.url} for its version")
    try:
        client = make_client(endpoint, ctx.remaining())
        version = client.version()
        if not ping:
            response = client.api._get(client.api._url("/_ping"))
            ping = {k.lower(): v for k, v in response.headers.items()}
    except Exception as exc:  # noqa: BLE001 - the SDK raises many types; the text tells the cause
        text = str(exc)
        if "Permission denied" in text:
            return fail(f"permission denied talking to {endpoint.url}", hint=GROUP_HINT)
        if isinstance(exc, TimeoutError) or "timed out" in text.lower():
            raise TimeoutError(f"{endpoint.url} did not answer within {ctx.remaining():.1f}s") from exc
        return fail(f"cannot reach the Docker daemon at {endpoint.url} ({endpoint.source}): {text[:200]}",
                    hint="start Docker, or point DOCKER_HOST / `docker context use` at a running daemon")
    daemon = Daemon(endpoint, dict(version), ping)
    return ok(
        f"Engine {version.get('Version', '?')} (API {version.get('ApiVersion', '?')}) at {endpoint.describe()}",
        details=[f"{k}: {version.get(k)}" for k in ("Os", "Arch", "KernelVersion", "MinAPIVersion") if version.get(k)],
        data=daemon,
    )


def _hostmap(ctx: Context) -> HostMap | None:
    m = ctx.manifest
    return resolve(m.build.extra_hosts, ctx.env) if m else None


# -- docker.host-gateway -------------------------------------------------------------------------------

def check_host_gateway(ctx: Context) -> Outcome:
    daemon: Daemon = ctx.data("docker.daemon")
    hm = _hostmap(ctx)
    engine = str(daemon.version.get("Version", ""))
    parsed = parse_version(engine)
    supported = parsed is not None and parsed >= HOST_GATEWAY_MIN
    if hm is None or not hm.hosts:
        return skip("the manifest maps no build.extra_hosts")
    if not hm.uses_host_gateway:
        return ok(f"not used: {hm.source} maps the registry hosts to {hm.address}",
                  details=[f"Engine {engine} {'supports' if supported else 'lacks'} host-gateway"])
    if supported:
        return ok(f"Engine {engine} supports host-gateway (>= 20.10)")
    return fail(
        f"Engine {engine or '?'} predates host-gateway (20.10): docker_build with extra_hosts fails",
        hint=f"{hm.fallback_switch}   (maps the registry hosts to {hm.fallback}; or upgrade Docker)",
        gates=gates.image_builds(ctx),
    )


# -- docker.buildkit -----------------------------------------------------------------------------------

def check_buildkit(ctx: Context) -> Outcome:
    daemon: Daemon = ctx.data("docker.daemon")
    api = parse_version(daemon.api_version)
    builder = daemon.ping.get("builder-version", "")
    default = "BuildKit" if builder == "2" else "classic; BuildKit with DOCKER_BUILDKIT=1"
    os_name = str(daemon.version.get("Os", "linux"))
    if ctx.env.get("DOCKER_BUILDKIT") == "0":
        return warn("BuildKit disabled by DOCKER_BUILDKIT=0: builds use the classic builder",
                    hint="unset DOCKER_BUILDKIT (Dockerfiles using RUN --mount need BuildKit)")
    if api is None or api[:2] < BUILDKIT_MIN_API or os_name != "linux":
        return warn(f"the engine (API {daemon.api_version}, {os_name}) has no BuildKit: builds use the classic builder",
                    hint="upgrade Docker to 18.09 or later for BuildKit")
    return ok(f"BuildKit available (API {daemon.api_version}; default builder: {default})")


# -- docker.probe-image ----------------------------------------------------------------------------------

def check_probe_image(ctx: Context) -> Outcome:
    import docker.errors

    daemon: Daemon = ctx.data("docker.daemon")
    client = daemon.client(ctx.remaining())
    chosen = ctx.env.get("DEVENV_PROBE_IMAGE", "")
    if chosen:
        try:
            client.images.get(chosen)
        except docker.errors.ImageNotFound:
            return warn(f"$DEVENV_PROBE_IMAGE={chosen} is not on this engine: the registry probes cannot run",
                        hint=f"docker pull {chosen}")
        return ok(f"using {chosen} ($DEVENV_PROBE_IMAGE)", data=chosen)
    busybox = find_busybox(ctx.env)
    if busybox is None:
        return warn("no static busybox on this host to build the probe image from: the registry probes cannot run",
                    hint="sudo apt-get install busybox-static   (or set DEVENV_PROBE_IMAGE=busybox:1.36 after pulling it)")
    arch = str(daemon.version.get("Arch", busybox.arch))
    if arch != busybox.arch:
        return warn(f"{busybox.path} is {busybox.arch}, the engine runs {arch}: the registry probes cannot run",
                    hint="set DEVENV_PROBE_IMAGE to a busybox image of the engine's architecture")
    try:
        client.images.get(busybox.tag)
        return ok(f"{busybox.tag} (cached, from {busybox.path})", data=busybox.tag)
    except docker.errors.ImageNotFound:
        pass
    ctx.note(f"importing {busybox.tag}")
    repository, tag = busybox.tag.split(":")
    try:
        client.api.import_image_from_data(rootfs_tar(busybox.path), repository=repository, tag=tag,
                                          changes=[f"LABEL {PROBE_LABEL}=image"])
    except docker.errors.APIError as exc:
        return warn(f"the engine refused to import the probe image: {exc.explanation or exc}",
                    hint="set DEVENV_PROBE_IMAGE to a local image with busybox sh and wget")
    return ok(f"{busybox.tag} (built from {busybox.path}, nothing pulled)", data=busybox.tag)


# -- the probes ----------------------------------------------------------------------------------------

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
        return (f"start the {target.name} registry and make it listen on {where}:{target.port} "
                f"(the address builds reach), not only on 127.0.0.1")
    if answer.verdict == "no-answer":
        return (f"{where}:{target.port} does not answer from containers: is the registry up, and does the host "
                f"firewall let the Docker bridge reach port {target.port}?")
    return "rerun with -v for the probe's output"


def _report(ctx: Context, answers: list[Answer], complete: bool, where: str, raw: str) -> Outcome:
    m = ctx.manifest
    hm = _hostmap(ctx)
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
        return fail("; ".join(summary), details=details, hint="; ".join(hints),
                    gates=gates.build_consumers(m, [a.target.name for a in failed]))
    http = [a for a in answers if a.verdict == "http-error"]
    addresses = sorted({a.resolved for a in answers if a.resolved})
    via = f"{hm.address}" + (f" = {', '.join(addresses)}" if addresses and addresses != [hm.address] else "")
    if http:
        return warn("; ".join(a.message for a in http) + f" (in {where}; the registries group checks their health)",
                    details=details)
    names = ", ".join(a.target.name for a in answers)
    return ok(f"{names} answered from {where} via {via}", details=details)


def _mapping_rejected(exc: Exception, hm: HostMap, ctx: Context) -> Outcome | None:
    text = str(exc)
    if "host-gateway" in text or "add-host" in text or "extra host" in text.lower():
        return fail(f"the engine rejects the extra_hosts mapping: {text[:200]}",
                    hint=f"{hm.fallback_switch}   (maps the registry hosts to {hm.fallback})",
                    gates=gates.image_builds(ctx))
    return None


def _probe_setup(ctx: Context):
    """What every probe needs: (registries to reach, the host mapping, the probe image), or the
    skip that says why there is nothing to probe."""
    targets = _targets(ctx)
    hm = _hostmap(ctx)
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
        container = api.create_container(image, command=["sh", "-c", probe_script], host_config=host_config,
                                         labels={PROBE_LABEL: "run"})
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
        for chunk in client.api.build(fileobj=context, custom_context=True, extra_hosts=hm.as_dict(), nocache=True,
                                      rm=True, forcerm=True, pull=False, decode=True, labels={PROBE_LABEL: "build"}):
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
            return fail(f"the probe build failed before it could probe: {errors[-1].strip()[:200]}",
                        details=raw.splitlines()[-10:], hint="rerun with -v; check that the engine can build images")
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
            return fail(f"the BuildKit probe build failed before it could probe: {last.strip()[:200]}",
                        details=raw.splitlines()[-10:], hint="rerun with -v; check that BuildKit builds work here")
    return _report(ctx, answers, complete, "a BuildKit build", raw)


_BUILDKIT_PREFIX = re.compile(r"^#\d+ \d+\.\d+ ")


# -- the group ---------------------------------------------------------------------------------------

CHECKS = [
    Check("docker.daemon", "docker", "daemon", check_daemon, deadline=5.0, gates=gates.image_builds,
          timeout_hint=f"the daemon accepts connections but does not answer: {RESTART_HINT}"),
    Check("docker.host-gateway", "docker", "host-gateway", check_host_gateway, needs=("docker.daemon",),
          deadline=2.0, gates=gates.image_builds),
    Check("docker.buildkit", "docker", "BuildKit", check_buildkit, needs=("docker.daemon",), deadline=2.0),
    Check("docker.probe-image", "docker", "probe image", check_probe_image, needs=("docker.daemon",), deadline=20.0,
          timeout_hint="importing the probe image is slow on this engine: rerun with a larger --timeout"),
    Check("docker.run-probe", "docker", "run probe", check_run_probe,
          needs=("docker.daemon", "docker.probe-image"), deadline=20.0, gates=gates.image_builds,
          timeout_hint="the probe container did not finish: rerun with -v, or with a larger --timeout"),
    Check("docker.build-probe", "docker", "build probe", check_build_probe,
          needs=("docker.daemon", "docker.probe-image"), deadline=30.0, gates=gates.image_builds,
          timeout_hint="the probe build did not finish: rerun with -v, or with a larger --timeout"),
    Check("docker.buildkit-probe", "docker", "BuildKit probe", check_buildkit_probe,
          needs=("docker.daemon", "docker.probe-image"), deadline=30.0, gates=gates.image_builds,
          timeout_hint="the BuildKit probe build did not finish: rerun with -v, or with a larger --timeout"),
]
