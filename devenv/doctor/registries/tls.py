"""``registries.<name>.tls`` (https registries): the certificate verifies for the host.

Trust: the system store, plus ``$SSL_CERT_FILE`` / ``$SSL_CERT_DIR`` (read from the run's
environment), plus the registry's ``ca_file`` (relative to the manifest's folder). The same
context is used by the HTTP and SDK checks. A verification failure is named: untrusted
issuer, expired (or not yet valid), issued for another host; the certificate is then fetched
without verification to say who issued it, for which names, until when.
"""

from __future__ import annotations

import datetime as dt
import functools
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Mapping

from devenv.doctor.base import Context, Outcome, Status, fail, ok, warn
from devenv.doctor.registries.dns import MARGIN, Reached
from devenv.doctor.registries.target import Target

EXPIRY_WARNING_DAYS = 14

# OpenSSL X509_V_ERR_* codes (ssl.SSLCertVerificationError.verify_code)
UNTRUSTED = {2, 18, 19, 20, 21, 24, 27}
EXPIRED, NOT_YET_VALID, HOSTNAME_MISMATCH = 10, 9, 62


class CAFileProblem(Exception):
    """The configured CA bundle cannot be used."""


def ssl_context(target: Target, env: Mapping[str, str]) -> ssl.SSLContext:
    """The verifying context for ``target`` (shared by every check of the run that needs the same
    trust: loading the system store costs tens of milliseconds)."""
    ca_file = str(target.ca_file) if target.ca_file is not None else None
    return _context(ca_file, target.ca_file_shown, env.get("SSL_CERT_FILE") or None, env.get("SSL_CERT_DIR") or None)


@functools.lru_cache(maxsize=16)
def _context(ca_file: str | None, ca_file_shown: str | None, cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if cert_file or cert_dir:
        try:
            context.load_verify_locations(cafile=cert_file, capath=cert_dir)
        except (OSError, ssl.SSLError) as exc:
            where = cert_file or cert_dir
            raise CAFileProblem(f"$SSL_CERT_FILE/$SSL_CERT_DIR ({where}) cannot be loaded: {exc}") from None
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=ca_file)
        except FileNotFoundError:
            raise CAFileProblem(f"ca_file {ca_file_shown} does not exist ({ca_file})") from None
        except (OSError, ssl.SSLError) as exc:
            raise CAFileProblem(f"ca_file {ca_file_shown} is not a PEM CA bundle: {exc}") from None
    return context


@dataclass(frozen=True)
class CertInfo:
    subject: str
    issuer: str
    names: tuple[str, ...]
    not_before: dt.datetime
    not_after: dt.datetime


def _name_of(pairs) -> str:
    flat = dict(item for rdn in pairs for item in rdn)
    return flat.get("commonName") or flat.get("organizationName") or "?"


def _from_peercert(cert: dict) -> CertInfo:
    parse = lambda s: dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(s), dt.timezone.utc)  # noqa: E731
    return CertInfo(
        _name_of(cert.get("subject", ())),
        _name_of(cert.get("issuer", ())),
        tuple(v for k, v in cert.get("subjectAltName", ()) if k in ("DNS", "IP Address")),
        parse(cert["notBefore"]),
        parse(cert["notAfter"]),
    )


def _from_der(der: bytes) -> CertInfo | None:
    try:
        from cryptography import x509
        from cryptography.x509.oid import NameOID
    except ImportError:  # details are a bonus: the verdict comes from OpenSSL
        return None
    cert = x509.load_der_x509_certificate(der)

    def cn(name) -> str:
        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
            attrs = name.get_attributes_for_oid(oid)
            if attrs:
                return str(attrs[0].value)
        return "?"

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = tuple(san.get_values_for_type(x509.DNSName)) + tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        names = ()
    before = getattr(cert, "not_valid_before_utc", None) or cert.not_valid_before.replace(tzinfo=dt.timezone.utc)
    after = getattr(cert, "not_valid_after_utc", None) or cert.not_valid_after.replace(tzinfo=dt.timezone.utc)
    return CertInfo(cn(cert.subject), cn(cert.issuer), names, before, after)


def _handshake(address: str, port: int, host: str, context: ssl.SSLContext, timeout: float):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    raw = socket.socket(family, socket.SOCK_STREAM)
    raw.settimeout(max(timeout, 0.01))
    try:
        raw.connect((address, port))
        tls = context.wrap_socket(raw, server_hostname=host)
    except BaseException:
        raw.close()
        raise
    return tls


def _peer_unverified(address: str, port: int, host: str, timeout: float) -> CertInfo | None:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with _handshake(address, port, host, context, timeout) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError):
        return None
    return _from_der(der) if der else None


def _day(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d")


def _describe(info: CertInfo | None) -> list[str]:
    if info is None:
        return []
    return [
        f"certificate: subject '{info.subject}', names {', '.join(info.names) or '(none)'}",
        f"issued by '{info.issuer}', valid {_day(info.not_before)} to {_day(info.not_after)}",
    ]


def trust_hint(target: Target) -> str:
    if target.ca_file_shown:
        return (
            f"the CA in {target.ca_file_shown} did not sign this certificate: point {target.where('ca_file')} "
            f"at the bundle of the CA that did (or export SSL_CERT_FILE=<bundle>)"
        )
    return f"trust the registry's CA: set {target.where('ca_file')} to its PEM bundle (relative to the manifest), or export SSL_CERT_FILE=<bundle>"


def check(ctx: Context, target: Target, gates: list[str]) -> Outcome:
    reached: Reached = ctx.data(f"registries.{target.name}.dns")
    try:
        context = ssl_context(target, ctx.env)
    except CAFileProblem as exc:
        return fail(str(exc), hint=f"fix {target.where('ca_file')} (a path relative to the manifest's folder)", gates=gates)
    address, port, host = reached.address, target.port, target.host
    ctx.note(f"TLS handshake with {address}:{port} for {host}")
    started = time.monotonic()
    try:
        with _handshake(address, port, host, context, ctx.remaining() - MARGIN) as tls:
            version = tls.version() or "TLS"
            info = _from_peercert(tls.getpeercert() or {})
    except ssl.SSLCertVerificationError as exc:
        unverified = _peer_unverified(address, port, host, max(ctx.remaining() - MARGIN, 0.05))
        return _verify_failure(target, exc, unverified, gates)
    except (TimeoutError, socket.timeout):
        return Outcome(
            Status.TIMEOUT,
            f"{address}:{port} accepted the connection but did not complete a TLS handshake within {time.monotonic() - started:.1f}s",
            hint=target.restart_hint(),
            gates=tuple(gates),
        )
    except ssl.SSLError as exc:
        reason = exc.reason or str(exc)
        if reason in ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"):
            return fail(
                f"{host}:{port} does not speak TLS ({reason}): is it a plain-HTTP port?",
                hint=f"use http:// in {target.where('url')}, or the registry's TLS port",
                gates=gates,
            )
        return fail(f"TLS handshake with {host}:{port} failed: {reason}", hint=trust_hint(target), gates=gates)
    except ConnectionResetError:
        return fail(
            f"{host}:{port} reset the connection during the TLS handshake",
            hint=f"the server (or a proxy in front of it) rejects the handshake: check its TLS setup; {target.restart_hint()}",
            gates=gates,
        )
    except OSError as exc:
        return fail(
            f"cannot open a connection to {address}:{port}: {exc.strerror or exc}",
            gates=gates,
            hint="the registries' DNS check reached it a moment ago: is the registry restarting?",
        )
    days = (info.not_after - dt.datetime.now(dt.timezone.utc)).days
    message = f"{version}, certificate for {host} from '{info.issuer}', valid until {_day(info.not_after)} ({days} days)"
    details = _describe(info) + [f"trust: {_trust_sources(target, ctx.env)}"]
    if days < EXPIRY_WARNING_DAYS:
        return warn(message, details=details, hint=f"renew the certificate {host} serves before {_day(info.not_after)}")
    return ok(message, details=details, data=context)


def _trust_sources(target: Target, env: Mapping[str, str]) -> str:
    sources = ["the system store"]
    if env.get("SSL_CERT_FILE"):
        sources.append(f"$SSL_CERT_FILE ({env['SSL_CERT_FILE']})")
    if env.get("SSL_CERT_DIR"):
        sources.append(f"$SSL_CERT_DIR ({env['SSL_CERT_DIR']})")
    if target.ca_file_shown:
        sources.append(f"ca_file {target.ca_file_shown}")
    return ", ".join(sources)


def _verify_failure(target: Target, exc: ssl.SSLCertVerificationError, info: CertInfo | None, gates: list[str]) -> Outcome:
    host = target.host
    code = exc.verify_code
    details = _describe(info) + [f"OpenSSL: {exc.verify_message} (X509_V_ERR {code})"]
    now = dt.datetime.now(dt.timezone.utc)
    if code == EXPIRED:
        when = f" on {_day(info.not_after)} ({(now - info.not_after).days} days ago)" if info else ""
        return fail(
            f"the certificate {host} serves expired{when}",
            details=details,
            hint=f"renew the registry's certificate (or fix this machine's clock: it says {_day(now)})",
            gates=gates,
        )
    if code == NOT_YET_VALID:
        when = f" until {_day(info.not_before)}" if info else ""
        return fail(
            f"the certificate {host} serves is not valid yet{when}",
            details=details,
            hint=f"this machine's clock says {_day(now)}: fix the clock, or reissue the certificate",
            gates=gates,
        )
    if code == HOSTNAME_MISMATCH:
        names = ", ".join(info.names) if info and info.names else (info.subject if info else "other names")
        return fail(
            f"wrong host: the certificate is for {names}, not {host}",
            details=details,
            hint=f"reissue the certificate with {host} among its names, or use a host it names in {target.where('url')}",
            gates=gates,
        )
    if code in UNTRUSTED:
        issuer = f"'{info.issuer}'" if info else "an issuer"
        return fail(
            f"untrusted issuer: the certificate is signed by {issuer}, which this machine does not trust", details=details, hint=trust_hint(target), gates=gates
        )
    return fail(f"the certificate does not verify: {exc.verify_message}", details=details, hint=trust_hint(target), gates=gates)
