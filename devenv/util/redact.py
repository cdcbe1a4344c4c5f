"""Keep credentials out of everything doctor prints: URLs with user:password@, tokens in queries,
credentials in HTTP headers (``Authorization: Basic …``, ``Bearer …``, cookies, API-key headers)."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_SECRET_QUERY_KEYS = re.compile(r"(token|secret|password|passwd|pwd|key|auth|signature|sig)", re.I)
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
# Headers whose whole value is a credential; and any header whose name says token/secret/key.
_SECRET_HEADERS = re.compile(
    r"^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-registry-auth"
    r"|npm-otp|private-token|.*(token|secret|password|apikey|api-key).*)$", re.I,
)
# `Authorization: Basic abc=`, `Bearer abc` in free text (tool output, exception messages).
_HEADER_IN_TEXT = re.compile(
    r"(?i)\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key|x-auth-token|private-token)(\s*[:=]\s*)([^\r\n,;]+)"
)
_SCHEME_TOKEN = re.compile(r"(?i)\b(basic|bearer|token)\s+([A-Za-z0-9._~+/=-]{8,})")


def _netloc_without_userinfo(parts: SplitResult) -> str:
    return parts.netloc.rsplit("@", 1)[-1]


def redact_url(url: str) -> str:
    """``https://user:pw@host/p?token=x`` -> ``https://***@host/p?token=***``; other URLs unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{_netloc_without_userinfo(parts)}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_QUERY_KEYS.search(k) for k, _ in pairs):
            query = urlencode([(k, MASK if _SECRET_QUERY_KEYS.search(k) else v) for k, v in pairs], safe="*")
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def query_secrets(query: str) -> list[str]:
    """The values of a query string's credential-like parameters (``token=``, ``key=``, …)."""
    return [v for k, v in parse_qsl(query, keep_blank_values=False) if v and _SECRET_QUERY_KEYS.search(k)]


def strip_credentials(url: str) -> str:
    """The URL without its userinfo: for probes that need reachability, not authentication."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit((parts.scheme, _netloc_without_userinfo(parts), parts.path, parts.query, parts.fragment))


def redact_header(name: str, value: str) -> str:
    """A header value as it may be printed: credential-bearing headers keep only their scheme."""
    if not _SECRET_HEADERS.match(name.strip()):
        return redact_text(value)
    scheme = value.split(None, 1)[0] if " " in value.strip() else ""
    return f"{scheme} {MASK}" if scheme.lower() in ("basic", "bearer", "token", "digest") else MASK


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Redact every URL found in free text (error messages, tool output), credential headers and
    ``Basic``/``Bearer`` tokens, and any literal secrets."""
    text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    text = _HEADER_IN_TEXT.sub(lambda m: m.group(1) + m.group(2) + redact_header(m.group(1), m.group(3)), text)
    text = _SCHEME_TOKEN.sub(lambda m: f"{m.group(1)} {MASK}", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text
