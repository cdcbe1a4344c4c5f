"""Real package registries for the doctor's `registries` group (tests and bench), on 127.0.0.1,
each holding a real SDK published to it:

- npm: Verdaccio (scripts/tools/install-verdaccio.sh; no uplinks, storage in tmp),
  ``@ameideio/ameide-sdk-ts`` 1.3.0 and 1.4.0 published with the real ``npm publish``;
- PyPI: pypiserver (the ``[test]`` extra) serving ``ameide-sdk`` wheels built here with
  ``pip wheel`` (and a second one requiring ``admin/admin123``, as the platform's did);
- Go: a module proxy directory (``<module>/@v/list``, ``.info``, ``.mod``, ``.zip``) served
  over HTTP, which is all a GOPROXY is;
- OCI: Debian's ``docker-registry`` (distribution), open, and one behind token auth (401).

Tests reach them by the platform's host names through :class:`Lab`: each name gets its own
loopback address with a :class:`FaultProxy` in front of the real server (pass-through, 500,
stall, reset; optionally terminating TLS with a good, untrusted, expired or wrong-host
certificate), and ``lab.doctor(...)`` runs the real ``devenv doctor`` CLI in a private mount
namespace whose ``/etc/hosts`` maps those names (nothing on the machine is changed; DNS for
other names goes to a stub on loopback).

The session fixtures that start these once per test session are in tests/fixtures/registries.py;
bench/bench_registries.py starts them itself.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import ssl
import subprocess
import sys
import textwrap
import threading
import urllib.request
import zipfile
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from tests.fixtures.manifests import deployment
from tests.support.components import CACHE, missing
from tests.support.faultproxy import BlackHole, DnsStub, FaultProxy, free_port, wait_port
from tests.support.sandbox import Completed, Loopback, Sandbox, available

NPM_PACKAGE, NPM_VERSIONS = "@ameideio/ameide-sdk-ts", ("1.3.0", "1.4.0")
PYPI_PROJECT, PYPI_VERSIONS = "ameide-sdk", ("1.3.0", "1.4.0")
GO_MODULE, GO_VERSIONS = "go.packages.dev.ameide.io/ameide-sdk-go", ("v1.3.0", "v1.4.0")
GO_MODULE_MIXED_CASE, GO_MIXED_VERSIONS = "github.com/AmeideIO/SDK-Go", ("v0.9.0",)
PYPI_USER, PYPI_PASSWORD = "admin", "admin123"
START_TIMEOUT = 90.0


@dataclass(frozen=True)
class Upstream:
    """A real registry server on loopback."""

    name: str
    kind: str
    host: str
    port: int

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


class Processes:
    """Servers we started (each in its own session), stopped by their own pids."""

    def __init__(self):
        self.procs: list[subprocess.Popen] = []
        self.logs: list = []

    def start(self, name: str, argv: list[str], port: int, log: Path, **kwargs) -> subprocess.Popen:
        handle = open(log, "wb")
        self.logs.append(handle)
        proc = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)
        self.procs.append(proc)
        if not wait_port("127.0.0.1", port, START_TIMEOUT, proc):
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name} did not start on 127.0.0.1:{port}:\n{tail}")
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for handle in self.logs:
            handle.close()


# -- npm: Verdaccio ------------------------------------------------------------------------------


def verdaccio_binary() -> str:
    explicit = os.environ.get("DEVENV_VERDACCIO")
    candidate = Path(explicit) if explicit else CACHE / "verdaccio" / "node_modules" / ".bin" / "verdaccio"
    if not candidate.exists():
        missing(f"Verdaccio not installed at {candidate} (run scripts/tools/install-verdaccio.sh)")
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            missing(f"`{tool}` not found (scripts/tools/install-verdaccio.sh installs Debian's nodejs + npm)")
    return str(candidate)


VERDACCIO_CONFIG = """\
storage: {storage}
auth:
  htpasswd:
    file: {htpasswd}
    max_users: 100
uplinks: {{}}
packages:
  '@*/*':
    access: $all
    publish: $all
    unpublish: $all
  '**':
    access: $all
    publish: $all
    unpublish: $all
server:
  keepAliveTimeout: 5
web:
  enable: false
log: {{type: stdout, format: pretty, level: warn}}
"""


def _npm_user(url: str, name: str = "devenv") -> str:
    """Create a user through the registry's CouchDB-style API; returns its token (npm needs one)."""
    body = json.dumps({"name": name, "password": "devenv-test-pw", "type": "user", "roles": []}).encode()
    request = urllib.request.Request(f"{url}/-/user/org.couchdb.user:{name}", data=body, method="PUT", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.load(response)["token"]


def _npm_publish(url: str, token: str, work: Path, version: str) -> None:
    package = work / f"pkg-{version}"
    package.mkdir(parents=True)
    (package / "package.json").write_text(
        json.dumps(
            {
                "name": NPM_PACKAGE,
                "version": version,
                "main": "index.js",
                "license": "Apache-2.0",
                "description": "the devenv test double of the platform's TypeScript SDK",
            }
        )
    )
    (package / "index.js").write_text(f"module.exports = {{ version: {version!r} }};\n")
    host = url.split("://", 1)[1]
    npmrc = work / "npmrc"
    npmrc.write_text(f"//{host}/:_authToken={token}\nregistry={url}/\naudit=false\nfund=false\nupdate-notifier=false\n")
    env = {**os.environ, "npm_config_userconfig": str(npmrc), "npm_config_cache": str(work / "npm-cache")}
    proc = subprocess.run(["npm", "publish", "--access", "public", "--registry", f"{url}/"], cwd=package, env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"npm publish {NPM_PACKAGE}@{version} failed:\n{proc.stdout}\n{proc.stderr}")


def start_verdaccio(work: Path, procs: Processes) -> Upstream:
    binary = verdaccio_binary()
    work.mkdir(parents=True, exist_ok=True)
    config = work / "config.yaml"
    config.write_text(VERDACCIO_CONFIG.format(storage=work / "storage", htpasswd=work / "htpasswd"))
    port = free_port()
    procs.start("Verdaccio", [binary, "--config", str(config), "--listen", f"127.0.0.1:{port}"], port, work / "verdaccio.log")
    upstream = Upstream("verdaccio", "npm", "127.0.0.1", port)
    token = _npm_user(upstream.url)
    for version in NPM_VERSIONS:
        _npm_publish(upstream.url, token, work, version)
    return upstream


# -- PyPI: pypiserver ----------------------------------------------------------------------------


def _wheel(work: Path, version: str) -> Path:
    source = work / f"src-{version}"
    (source / "ameide_sdk").mkdir(parents=True)
    (source / "ameide_sdk" / "__init__.py").write_text(f'__version__ = "{version}"\n')
    (source / "pyproject.toml").write_text(
        textwrap.dedent(f"""\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "{PYPI_PROJECT}"
        version = "{version}"
        description = "the devenv test double of the platform's Python SDK"
        """)
    )
    out = work / "dist"
    argv = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)]
    try:
        import hatchling  # noqa: F401 - present: build without fetching it again

        argv.insert(4, "--no-build-isolation")
    except ImportError:
        pass
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"building the {PYPI_PROJECT} {version} wheel failed:\n{proc.stderr}")
    return next(out.glob(f"ameide_sdk-{version}-*.whl"))


def pypi_packages(work: Path) -> Path:
    """A folder with the SDK's wheels, built here (one per version of PYPI_VERSIONS)."""
    import importlib.util

    if importlib.util.find_spec("pypiserver") is None:
        missing("pypiserver not installed (pip install -e '.[test]')")
    work.mkdir(parents=True, exist_ok=True)
    packages = work / "packages"
    packages.mkdir()
    for version in PYPI_VERSIONS:
        shutil.copy(_wheel(work, version), packages)
    return packages


def start_pypiserver(name: str, packages: Path, work: Path, procs: Processes, auth: list[str] | None = None) -> Upstream:
    """pypiserver on 127.0.0.1 serving ``packages``; ``auth``: its -a/-P arguments (default: open)."""
    auth = auth if auth is not None else ["-a", ".", "-P", "."]
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [sys.executable, "-m", "pypiserver", "run", "-p", str(port), "-i", "127.0.0.1", "--disable-fallback", *auth, str(packages)]
    procs.start(name, argv, port, work / f"{name}.log")
    return Upstream(name, "pypi", "127.0.0.1", port)


def pypi_auth_args(work: Path) -> list[str]:
    """pypiserver arguments wanting admin/admin123 for listing and downloads (htpasswd, apr1)."""
    import importlib.util

    if importlib.util.find_spec("passlib") is None:
        missing("passlib not installed (pip install -e '.[test]': pypiserver[passlib])")
    openssl = shutil.which("openssl") or missing("openssl not found (scripts/tools/install-system.sh installs it)")
    hashed = subprocess.run([openssl, "passwd", "-apr1", PYPI_PASSWORD], capture_output=True, text=True, check=True)
    (work / "htpasswd").write_text(f"{PYPI_USER}:{hashed.stdout.strip()}\n")
    return ["-a", "list,download,update", "-P", str(work / "htpasswd")]


# -- Go: a module proxy directory ----------------------------------------------------------------


def _escape(path: str) -> str:
    return "".join("!" + c.lower() if c.isupper() else c for c in path)


def _go_module(root: Path, module: str, versions: tuple[str, ...]) -> None:
    folder = root / _escape(module) / "@v"
    folder.mkdir(parents=True)
    (folder / "list").write_text("".join(v + "\n" for v in versions))
    for version in versions:
        mod = f"module {module}\n\ngo 1.21\n"
        info = {"Version": version, "Time": "2026-01-12T00:00:00Z"}
        (folder / f"{_escape(version)}.info").write_text(json.dumps(info))
        (folder / f"{_escape(version)}.mod").write_text(mod)
        with zipfile.ZipFile(folder / f"{_escape(version)}.zip", "w") as archive:
            prefix = f"{module}@{version}/"
            archive.writestr(prefix + "go.mod", mod)
            archive.writestr(prefix + "sdk.go", f'package sdk\n\nconst Version = "{version}"\n')


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class GoProxy:
    """A GOPROXY directory (the SDK modules and a ``healthz`` file) served by http.server."""

    def __init__(self, root: Path):
        root.mkdir(parents=True, exist_ok=True)
        _go_module(root, GO_MODULE, GO_VERSIONS)
        _go_module(root, GO_MODULE_MIXED_CASE, GO_MIXED_VERSIONS)
        (root / "healthz").write_text("ok\n")  # what the platform's go-module-registry answers
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
        threading.Thread(target=self.server.serve_forever, daemon=True, name="goproxy").start()
        self.upstream = Upstream("goproxy", "goproxy", "127.0.0.1", self.server.server_address[1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# -- OCI: Debian's docker-registry (distribution) ------------------------------------------------


def _docker_registry_binary() -> str:
    found = shutil.which("docker-registry") or ("/usr/bin/docker-registry" if os.path.exists("/usr/bin/docker-registry") else None)
    if not found:
        missing("docker-registry not found (scripts/tools/install-system.sh installs Debian's docker-registry)")
    return found


def start_docker_registry(name: str, work: Path, procs: Processes, extra: str = "") -> Upstream:
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = work / "config.yml"
    config.write_text(
        textwrap.dedent(f"""\
        version: 0.1
        log: {{level: error}}
        storage:
          filesystem: {{rootdirectory: {work / "data"}}}
        http:
          addr: 127.0.0.1:{port}
        """)
        + extra
    )
    procs.start(name, [_docker_registry_binary(), "serve", str(config)], port, work / "registry.log")
    return Upstream(name, "oci", "127.0.0.1", port)


def token_auth(ca_pem: Path) -> str:
    """docker-registry config for token auth: ``/v2/`` answers 401 with a Bearer challenge."""
    return textwrap.dedent(f"""\
        auth:
          token:
            realm: http://127.0.0.1:9/token
            service: devenv-test
            issuer: devenv-test
            rootcertbundle: {ca_pem}
        """)


# -- certificates --------------------------------------------------------------------------------


class Certificates:
    """A trusted CA (its bundle at ``ca_pem``), an untrusted one, and leaf certificates: good,
    untrusted issuer, expired (built with ``cryptography``, signed by the trusted CA), wrong host."""

    def __init__(self, folder: Path):
        try:
            import trustme
        except ImportError:
            missing("trustme not installed (pip install -e '.[test]')")
        self.folder = folder
        self.ca = trustme.CA(organization_name="devenv test CA")
        self.rogue = trustme.CA(organization_name="rogue CA")
        self.ca_pem = folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_pem))
        self.rogue_pem = folder / "rogue-ca.pem"
        self.rogue.cert_pem.write_to_path(str(self.rogue_pem))

    def server_context(self, host: str, kind: str = "good") -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        if kind == "good":
            self.ca.issue_cert(host).configure_cert(context)
        elif kind == "untrusted":
            self.rogue.issue_cert(host).configure_cert(context)
        elif kind == "wronghost":
            self.ca.issue_cert("other.packages.dev.example.io").configure_cert(context)
        elif kind == "expired":
            cert, key = self._expired(host)
            context.load_cert_chain(cert, key)
        else:
            raise ValueError(kind)
        return context

    def _expired(self, host: str) -> tuple[str, str]:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

        ca_key = serialization.load_pem_private_key(self.ca.private_key_pem.bytes(), password=None)
        ca_cert = x509.load_pem_x509_certificate(self.ca.cert_pem.bytes())
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=40))
            .not_valid_after(now - dt.timedelta(days=10))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        cert_path, key_path = self.folder / f"expired-{host}.pem", self.folder / f"expired-{host}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        return str(cert_path), str(key_path)


# -- the network: loopback addresses, DNS stubs, sandboxed runs ------------------------------------


@dataclass
class RegistryNet:
    loopback: Loopback
    certs: Certificates
    nxdomain: DnsStub  # answers NXDOMAIN to everything
    silent: DnsStub  # never answers

    @property
    def ca_pem(self) -> Path:
        return self.certs.ca_pem

    def close(self) -> None:
        self.nxdomain.close()
        self.silent.close()


def start_net(folder: Path) -> RegistryNet:
    """Loopback addresses, the two DNS stubs (port 53: root) and the certificates."""
    reason = available()
    if reason:
        missing(f"cannot give doctor a private /etc/hosts: {reason}")
    loopback = Loopback()
    stubs = []
    try:
        for mode in ("nxdomain", "silent"):
            stubs.append(DnsStub(loopback.take(), mode))
    except PermissionError:
        for stub in stubs:
            stub.close()
        missing("binding a DNS stub on port 53 needs root")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    return RegistryNet(loopback, Certificates(folder), *stubs)


class Lab:
    """One test's view of the registries: host names, the proxies behind them, doctor runs."""

    def __init__(self, net: RegistryNet, folder: Path):
        self.net = net
        self.folder = folder
        self.hosts: dict[str, str] = {}
        self.proxies: list[FaultProxy] = []
        self.holes: list[BlackHole] = []

    def expose(self, host: str, upstream: Upstream | None, *, mode: str = "pass", tls: str | None = None, port: int = 0, stall: float = 10.0) -> FaultProxy:
        """``host`` resolves (in the sandbox) to a fresh loopback address where a proxy in front of
        ``upstream`` listens, on ``port`` (0: any); ``tls``: good | untrusted | expired | wronghost."""
        address = self.hosts.get(host) or self.net.loopback.take()
        context = self.net.certs.server_context(host, tls) if tls else None
        proxy = FaultProxy(upstream.address if upstream else None, host=address, port=port, mode=mode, tls=context, stall=stall)
        self.hosts[host] = address
        self.proxies.append(proxy)
        return proxy

    def blackhole(self, host: str, port: int = 0) -> BlackHole:
        address = self.hosts.get(host) or self.net.loopback.take()
        hole = BlackHole(address, port)
        self.hosts[host] = address
        self.holes.append(hole)
        return hole

    def dead(self, host: str) -> tuple[str, int]:
        """``host`` resolves, but nothing listens at the address and port returned."""
        address = self.hosts.get(host) or self.net.loopback.take()
        self.hosts[host] = address
        return address, free_port(address)

    def sandbox(self, resolver: str = "nxdomain") -> Sandbox:
        stub = self.net.nxdomain if resolver == "nxdomain" else self.net.silent
        return Sandbox(self.folder / "etc", nameserver=stub.host, hosts=dict(self.hosts))

    def doctor(self, manifest: Path, *args: str, env: dict[str, str] | None = None, resolver: str = "nxdomain", timeout: float = 90) -> "DoctorRun":
        base = {k: v for k, v in os.environ.items() if not k.startswith(("TILT_", "SSL_CERT_", "DEVENV_HEALTH", "COLUMNS", "FORCE_COLOR"))}
        full_env = {**base, "NO_COLOR": "1", **(env or {})}
        argv = [sys.executable, "-m", "devenv", "doctor", "-f", str(manifest), "--only", "registries", *args]
        done = self.sandbox(resolver).run(argv, env=full_env, cwd=manifest.parent, timeout=timeout)
        return DoctorRun(done.code, done.out, done.err, done.elapsed)

    def close(self) -> None:
        for proxy in self.proxies:
            proxy.close()
        for hole in self.holes:
            hole.close()


@dataclass
class DoctorRun(Completed):
    def json(self) -> dict:
        return json.loads(self.out)

    def check(self, check_id: str) -> dict:
        return next(c for c in self.json()["checks"] if c["id"] == check_id)

    def checks(self) -> dict[str, dict]:
        return {c["id"]: c for c in self.json()["checks"]}


# -- manifests -----------------------------------------------------------------------------------

SDKS = {
    "ts": {"language": "typescript", "package": NPM_PACKAGE, "registry": "npm", "version": "1.4.0"},
    "go": {"language": "go", "package": GO_MODULE, "registry": "go", "version": "v1.4.0"},
    "python": {"language": "python", "package": PYPI_PROJECT, "registry": "pypi", "version": "1.4.0"},
}
STEPS = {"build": {"cmd": "true"}, "publish": {"cmd": "true"}, "smoke": {"cmd": "true"}}
SERVICES = {"web": "typescript", "admin": "typescript", "api": "python", "gw": "go"}


def write_registry_manifest(folder: Path, registries: dict, *, sdks: dict | None = None, services: dict | None = None, cluster: dict | None = None) -> Path:
    """A small monorepo: SDKs ts (npm), go (go), python (pypi) with build/publish/smoke steps;
    services web + admin (ts), api (python), gw (go). SDKs whose registry is absent are dropped."""
    sdks = {k: {**v, "path": f"sdk_{k}", "steps": STEPS} for k, v in SDKS.items()} if sdks is None else sdks
    sdks = {k: v for k, v in sdks.items() if v.get("registry") in registries}
    languages = {v["language"] for v in sdks.values()}
    services = {k: v for k, v in SERVICES.items() if v in languages} if services is None else services
    doc_services = {}
    for name, language in services.items():
        (folder / name).mkdir(parents=True, exist_ok=True)
        (folder / name / "Dockerfile").write_text("FROM scratch\n")
        (folder / name / "k8s.yaml").write_text(deployment(name, f"demo/{name}"))
        doc_services[name] = {"language": language, "image": f"demo/{name}", "context": name, "k8s": [f"{name}/k8s.yaml"]}
    doc = {"version": 1, "project": "demo", "registries": registries, "sdks": sdks, "services": doc_services, "cluster": cluster or {"namespace": "ameide"}}
    path = folder / "services.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# -- a site: the platform's registries, each behind its host name and a fault proxy ------------------

KINDS = {"npm": "npm", "go": "goproxy", "pypi": "pypi", "images": "oci"}
DEFAULT_TLS = {"npm": None, "go": "good", "pypi": "good", "images": None}


def hostname(registry: str) -> str:
    return f"{registry}.packages.dev.example.io"


@dataclass
class Site:
    lab: Lab
    manifest: Path
    proxies: dict[str, FaultProxy] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def doctor(self, *args: str, env: dict[str, str] | None = None, **kwargs) -> DoctorRun:
        return self.lab.doctor(self.manifest, *args, env={**self.env, **(env or {})}, **kwargs)


def make_site(
    lab: Lab,
    folder: Path,
    upstreams: dict[str, Upstream | None],
    *,
    tls: dict[str, str | None] | None = None,
    registries: dict[str, dict] | None = None,
    sdks: dict | None = None,
    trust: bool = True,
    url_auth: dict[str, str] | None = None,
) -> Site:
    """Expose each registry (name -> real server) as ``<name>.packages.dev.example.io`` through a
    pass-through proxy (https with a good certificate for go and pypi unless ``tls`` says
    otherwise) and write a manifest naming them. ``registries`` overrides manifest keys per
    registry; ``url_auth`` puts ``user:password@`` into a registry's URL; ``trust`` exports
    ``SSL_CERT_FILE`` (the test CA) to doctor."""
    tls = {**DEFAULT_TLS, **(tls or {})}
    folder.mkdir(parents=True, exist_ok=True)
    proxies: dict[str, FaultProxy] = {}
    entries: dict[str, dict] = {}
    for name, upstream in upstreams.items():
        proxy = lab.expose(hostname(name), upstream, tls=tls.get(name))
        proxies[name] = proxy
        scheme = "https" if tls.get(name) else "http"
        userinfo = f"{url_auth[name]}@" if url_auth and name in url_auth else ""
        entries[name] = {"kind": KINDS.get(name, upstream.kind if upstream else "npm"), "url": f"{scheme}://{userinfo}{hostname(name)}:{proxy.port}"}
        if name == "npm":
            entries[name]["probe"] = "/-/ping"
        entries[name].update((registries or {}).get(name, {}))
    manifest = write_registry_manifest(folder, entries, sdks=sdks)
    env = {"SSL_CERT_FILE": str(lab.net.ca_pem)} if trust else {}
    return Site(lab, manifest, proxies, env)


def sdk_entries(**overrides: dict) -> dict:
    """The default SDKs (with build/publish/smoke steps), keys overridden per SDK."""
    sdks = {k: {**v, "path": f"sdk_{k}", "steps": STEPS} for k, v in SDKS.items()}
    for name, keys in overrides.items():
        sdks[name] = {**sdks[name], **keys}
    return sdks
