"""Whole-value checks of the addresses a manifest names: registry URLs, IPs, reserved variables.

A URL is checked as a whole (scheme, host, port range, IDNA), so nothing that passes validation
can crash doctor or `why` later (`http://[zz]:1` once did).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")

# Variables the shell, Tilt, Docker or kubectl rely on: an override that set one would break them.
RESERVED_ENV = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "PWD",
        "OLDPWD",
        "TERM",
        "LANG",
        "LC_ALL",
        "TMPDIR",
        "TZ",
        "LD_PRELOAD",
        "LD_LIBRARY_PATH",
        "PYTHONPATH",
        "PYTHONHOME",
        "IFS",
        "ENV",
        "BASH_ENV",
        "KUBECONFIG",
        "DOCKER_HOST",
        "DOCKER_CONFIG",
        "DOCKER_CONTEXT",
        "DOCKER_TLS_VERIFY",
        "DOCKER_CERT_PATH",
        "TILT_HOST",
        "TILT_PORT",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
    }
)


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def host_problem(host: str) -> str | None:
    """Why ``host`` (no brackets) is not a usable host name or IP, else None."""
    if is_ip(host):
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        return f"host '{host}' is not a valid international domain name ({exc})"
    labels = ascii_host.rstrip(".").split(".")
    if not ascii_host or any(not _LABEL.fullmatch(label) for label in labels) or len(ascii_host) > 253:
        return f"'{host}' is not a host name or IP address"
    return None


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable http(s) URL, else None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"'{url}' is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"'{url}' must start with http:// or https://"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if netloc.startswith("["):
        inside = netloc[1 : netloc.find("]")] if "]" in netloc else ""
        try:
            ipaddress.IPv6Address(inside)
        except ValueError:
            return f"'{url}': '[{inside}]' is not an IPv6 address"
    elif not parts.hostname:
        return f"'{url}' has no host"
    else:
        why = host_problem(parts.hostname)
        if why:
            return f"'{url}': {why}"
    if port is not None and not 1 <= port <= 65535:
        return f"'{url}': port {port} is out of range 1-65535"
    return None
