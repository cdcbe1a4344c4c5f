"""Keep credentials out of everything doctor prints: URLs with user:password@ (also URLs urlsplit
rejects), tokens in queries, credentials in HTTP headers (``Authorization: Basic …``, ``Bearer …``,
cookies, API-key headers), ``.npmrc`` ``_authToken=``/``_auth=``, a docker config's ``"auth"``,
``password=``/``token:`` in free text, and literal secrets of any length."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_SECRET_QUERY_KEYS = re.compile(r"(token|secret|password|passwd|pwd|key|auth|signature|sig)", re.I)
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")
# Headers whose whole value is a credential; and any header whose name says token/secret/key.
_SECRET_HEADERS = re.compile(
    r"^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-registry-auth"
    r"|npm-otp|private-token|.*(token|secret|password|apikey|api-key).*)$",
    re.I,
)
# `Authorization: Basic abc=`, `Bearer abc` in free text (tool output, exception messages).
_HEADER_IN_TEXT = re.compile(r"(?i)\b((?:proxy-)?authorization|cookie|set-cookie|x-api-key|x-auth-token|private-token)(\s*[:=]\s*)([^\r\n,;]+)")
_SCHEME_TOKEN = re.compile(r"(?i)\b(basic|bearer|token)\s+([A-Za-z0-9._~+/=-]{8,})")
# `key=value` / `key: value` whose key names a credential: .npmrc (`_authToken=`, `_auth=`,
# `//host/:_password=`), env dumps (`NPM_TOKEN=`), YAML and free text (`password=`, `token:`).
_KEY_VALUE = re.compile(
    r"(?i)(?<![A-Za-z0-9])([\w.-]*(?:_authtoken|_auth|_password|password|passwd|passphrase|secret|token|api[_-]?key))"
    r"(\s*[:=]\s*)(?![\s\"']*\*\*\*)([\"']?)([^\s\"',;]+)"
)
# JSON credentials: a docker config's `"auth": "dXNlcjpwdw=="`, `"identitytoken"`, `"password"`.
_JSON_SECRET = re.compile(r'(?i)("(?:auth|identitytoken|registrytoken|password|secret|token|_authToken|client-key-data|token-data)"\s*:\s*")([^"]*)(")')
# userinfo in a URL that urlsplit rejects (`http://u:p@[zz]:1`): masked by shape.
_USERINFO = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s'\"<>]+@")


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
    text = _USERINFO.sub(lambda m: f"{m.group(1)}{MASK}@", text)
    text = _HEADER_IN_TEXT.sub(lambda m: m.group(1) + m.group(2) + redact_header(m.group(1), m.group(3)), text)
    text = _SCHEME_TOKEN.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _JSON_SECRET.sub(lambda m: m.group(1) + MASK + m.group(3), text)
    text = _KEY_VALUE.sub(_mask_value, text)
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if len(secret) >= 6:
            text = text.replace(secret, MASK)
        else:  # a short secret only where it stands alone, so "pw" does not mask every "pwd"
            text = re.sub(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", MASK, text)
    return text


def _mask_value(match: re.Match) -> str:
    key, sep, quote, value = match.groups()
    if key.lower() in ("authorization", "proxy-authorization") or value == MASK:
        return match.group(0)
    return f"{key}{sep}{quote}{MASK}"
