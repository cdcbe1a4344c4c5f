"""One GET against a registry, as a package manager makes it: credentials from the registry URL
as Basic auth (or a BSR token as a bearer, only to the BSR's host, as buf and netrc scope it), no
proxies from the environment (the registries are local), redirects followed.
httpx is imported lazily (render never loads it)."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

from devenv import __version__
from devenv.util.redact import redact_url


class FetchError(Exception):
    """The registry did not hand over what was asked (a message fit to print; the HTTP status
    when the registry answered, a fix hint when the caller knows a better one)."""

    def __init__(self, message: str, status: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.status, self.hint = status, hint


def split_auth(url: str) -> tuple[str, tuple[str, str] | None]:
    """``http://u:p@host/x`` -> (``http://host/x``, (u, p))."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.netloc.rsplit("@", 1)[-1]
    plain = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return plain, (unquote(parts.username), unquote(parts.password or ""))


class Http:
    def __init__(self, *, timeout: float = 60.0, ca_file: str | None = None, bearer: tuple[str, str] | None = None):
        import os

        import httpx

        # No proxies from the environment (trust_env=False), but a CA bundle named by
        # SSL_CERT_FILE still counts, as it does for pip and the go command.
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            trust_env=False,
            verify=ca_file or os.environ.get("SSL_CERT_FILE") or True,
            headers={"User-Agent": f"devenv-sdk-verify/{__version__}"},
        )
        self._bearer = bearer  # (host, token)

    def get(self, url: str, *, accept: str | None = None, auth: tuple[str, str] | None = None, headers: dict[str, str] | None = None) -> tuple[bytes, str, str]:
        """(body, content type, final URL) of a 200 answer; anything else raises FetchError."""
        import httpx

        plain, inline = split_auth(url)
        sent = dict(headers or {})
        if accept:
            sent["Accept"] = accept
        if self._bearer and not (auth or inline) and urlsplit(plain).hostname == self._bearer[0]:
            sent["Authorization"] = f"Bearer {self._bearer[1]}"
        try:
            response = self._client.get(plain, auth=auth or inline, headers=sent)
        except httpx.HTTPError as exc:
            raise FetchError(f"GET {redact_url(plain)} failed: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise FetchError(f"GET {redact_url(plain)} answered {response.status_code} {response.reason_phrase}", status=response.status_code)
        return response.content, response.headers.get("content-type", ""), redact_url(str(response.url))

    def close(self) -> None:
        self._client.close()
