"""The Docker build host: daemon reachable, versions, host-gateway, BuildKit, and the probe that
resolves and requests every registry from inside a container, with exactly the ``extra_hosts``
the rendered Tiltfile gives ``docker_build`` (the probes themselves are
:mod:`devenv.doctor.buildprobes`).

The Docker SDK is imported lazily (inside the checks), so ``devenv render`` never loads it.
"""

from __future__ import annotations

from devenv.doctor import gates
from devenv.doctor.base import Check, Context, Outcome, fail, ok, skip, warn
from devenv.doctor.buildprobes import check_build_probe, check_buildkit_probe, check_run_probe, hostmap_of
from devenv.doctor.dockerhost import GROUP_HINT, Daemon, SocketProblem, dial_unix, make_client, resolve_endpoint
from devenv.doctor.host import parse_version
from devenv.doctor.probe import PROBE_LABEL, find_busybox, rootfs_tar

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
        return fail(
            f"cannot reach the Docker daemon at {endpoint.url} ({endpoint.source}): {text[:200]}",
            hint="start Docker, or point DOCKER_HOST / `docker context use` at a running daemon",
        )
    daemon = Daemon(endpoint, dict(version), ping)
    return ok(
        f"Engine {version.get('Version', '?')} (API {version.get('ApiVersion', '?')}) at {endpoint.describe()}",
        details=[f"{k}: {version.get(k)}" for k in ("Os", "Arch", "KernelVersion", "MinAPIVersion") if version.get(k)],
        data=daemon,
    )


# -- docker.host-gateway -------------------------------------------------------------------------------


def check_host_gateway(ctx: Context) -> Outcome:
    daemon: Daemon = ctx.data("docker.daemon")
    hm = hostmap_of(ctx)
    engine = str(daemon.version.get("Version", ""))
    parsed = parse_version(engine)
    supported = parsed is not None and parsed >= HOST_GATEWAY_MIN
    if hm is None or not hm.hosts:
        return skip("the manifest maps no build.extra_hosts")
    if not hm.uses_host_gateway:
        return ok(
            f"not used: {hm.source} maps the registry hosts to {hm.address}", details=[f"Engine {engine} {'supports' if supported else 'lacks'} host-gateway"]
        )
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
        return warn(
            "BuildKit disabled by DOCKER_BUILDKIT=0: builds use the classic builder", hint="unset DOCKER_BUILDKIT (Dockerfiles using RUN --mount need BuildKit)"
        )
    if api is None or api[:2] < BUILDKIT_MIN_API or os_name != "linux":
        return warn(
            f"the engine (API {daemon.api_version}, {os_name}) has no BuildKit: builds use the classic builder",
            hint="upgrade Docker to 18.09 or later for BuildKit",
        )
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
            return warn(f"$DEVENV_PROBE_IMAGE={chosen} is not on this engine: the registry probes cannot run", hint=f"docker pull {chosen}")
        return ok(f"using {chosen} ($DEVENV_PROBE_IMAGE)", data=chosen)
    busybox = find_busybox(ctx.env)
    if busybox is None:
        return warn(
            "no static busybox on this host to build the probe image from: the registry probes cannot run",
            hint="sudo apt-get install busybox-static   (or set DEVENV_PROBE_IMAGE=busybox:1.36 after pulling it)",
        )
    arch = str(daemon.version.get("Arch", busybox.arch))
    if arch != busybox.arch:
        return warn(
            f"{busybox.path} is {busybox.arch}, the engine runs {arch}: the registry probes cannot run",
            hint="set DEVENV_PROBE_IMAGE to a busybox image of the engine's architecture",
        )
    try:
        client.images.get(busybox.tag)
        return ok(f"{busybox.tag} (cached, from {busybox.path})", data=busybox.tag)
    except docker.errors.ImageNotFound:
        pass
    ctx.note(f"importing {busybox.tag}")
    repository, tag = busybox.tag.split(":")
    try:
        client.api.import_image_from_data(rootfs_tar(busybox.path), repository=repository, tag=tag, changes=[f"LABEL {PROBE_LABEL}=image"])
    except docker.errors.APIError as exc:
        return warn(
            f"the engine refused to import the probe image: {exc.explanation or exc}", hint="set DEVENV_PROBE_IMAGE to a local image with busybox sh and wget"
        )
    return ok(f"{busybox.tag} (built from {busybox.path}, nothing pulled)", data=busybox.tag)


# -- the group ---------------------------------------------------------------------------------------

CHECKS = [
    Check(
        "docker.daemon",
        "docker",
        "daemon",
        check_daemon,
        deadline=5.0,
        gates=gates.image_builds,
        timeout_hint=f"the daemon accepts connections but does not answer: {RESTART_HINT}",
    ),
    Check("docker.host-gateway", "docker", "host-gateway", check_host_gateway, needs=("docker.daemon",), deadline=2.0, gates=gates.image_builds),
    Check("docker.buildkit", "docker", "BuildKit", check_buildkit, needs=("docker.daemon",), deadline=2.0),
    Check(
        "docker.probe-image",
        "docker",
        "probe image",
        check_probe_image,
        needs=("docker.daemon",),
        deadline=20.0,
        timeout_hint="importing the probe image is slow on this engine: rerun with a larger --timeout",
    ),
    Check(
        "docker.run-probe",
        "docker",
        "run probe",
        check_run_probe,
        needs=("docker.daemon", "docker.probe-image"),
        deadline=20.0,
        gates=gates.image_builds,
        timeout_hint="the probe container did not finish: rerun with -v, or with a larger --timeout",
    ),
    Check(
        "docker.build-probe",
        "docker",
        "build probe",
        check_build_probe,
        needs=("docker.daemon", "docker.probe-image"),
        deadline=30.0,
        gates=gates.image_builds,
        timeout_hint="the probe build did not finish: rerun with -v, or with a larger --timeout",
    ),
    Check(
        "docker.buildkit-probe",
        "docker",
        "BuildKit probe",
        check_buildkit_probe,
        needs=("docker.daemon", "docker.probe-image"),
        deadline=30.0,
        gates=gates.image_builds,
        timeout_hint="the BuildKit probe build did not finish: rerun with -v, or with a larger --timeout",
    ),
]
