"""PEP 508 requirement strings and PEP 503 names: what pyproject.toml and requirements files share.

Requirement strings are parsed by ``packaging`` (extras, specifiers, environment markers, URLs);
this module only adds where the specifier is in the text, for positions and ``--fix``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from devenv.deps.model import ReadError

Opener = Callable[[str], "str | None"]  # repository-relative path -> text, or None


@functools.lru_cache(maxsize=4096)  # a monorepo names the same few hundred packages over and over
def normalize(name: str) -> str:
    return canonicalize_name(name)


# The parts of a PEP 508 requirement packaging has accepted: name, [extras], then "(spec)" or
# "spec" up to the marker's ";" (or "@ url"). Only locates; packaging decides validity.
_SPEC_SPAN = re.compile(
    r"[ \t]*[A-Za-z0-9._-]+(?P<after>(?:[ \t]*\[[^\]]*\])?)[ \t]*"
    r"(?:(?P<url>@[^;]*)|\([ \t]*(?P<paren>[^)]*?)[ \t]*\)|(?P<bare>[^;]*?))[ \t]*(?:;|$)"
)


def spec_span(text: str) -> tuple[int, int] | None:
    """Offsets of the version specifier inside a PEP 508 requirement ``text`` (valid already).

    ``name [extras] (spec) ; marker`` or ``name [extras] spec ; marker``; None for URL
    requirements. An empty specifier is an empty span right after the name (and extras).
    """
    match = _SPEC_SPAN.match(text)
    if match is None or match.group("url"):
        return None
    group = "paren" if match.group("paren") is not None else "bare"
    start, end = match.span(group)
    if start == end:
        after = match.end("after")
        return after, after
    return start, end


def requirement(text: str) -> Requirement:
    """A parsed PEP 508 requirement (:func:`specifier_span` then says where its specifier is)."""
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        raise ReadError(f"not a PEP 508 requirement: {text!r} ({exc})") from None


def specifier_span(req: Requirement, text: str) -> tuple[int, int] | None:
    """The span of the specifier of ``req``, parsed from ``text``; None for a URL requirement.
    Asked only for the dependencies a reader keeps (finding it costs a regex per requirement)."""
    # The span is found structurally in a string packaging just accepted; `devenv lint --fix`
    # re-parses every file it rewrites (devenv.lint.sdk.fix.verify) before writing a byte.
    return spec_span(text) if req.url is None else None
