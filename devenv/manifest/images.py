"""Docker image references, by the grammar of distribution/reference (the one Docker and Tilt use)."""

from __future__ import annotations

import re

_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALNUM}(?:{_SEPARATOR}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*)"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?$"
)
_NAME_MAX = 255


def image_problem(reference: str) -> str | None:
    """Why ``reference`` cannot be a docker_build image name, or None when it can."""
    match = _REFERENCE.match(reference)
    if not match:
        if reference != reference.lower() and _REFERENCE.match(reference.lower()):
            return f"'{reference}' is not a valid image reference: repository names must be lowercase"
        return f"'{reference}' is not a valid image reference"
    name = reference.split("@", 1)[0]
    if match.group("tag"):
        name = name.rsplit(":", 1)[0]
    if len(name) > _NAME_MAX:
        return f"'{reference}' is not a valid image reference: the name is over {_NAME_MAX} characters"
    if match.group("digest"):
        return f"'{reference}' pins a digest: docker_build builds an image, name it without '@sha256:…'"
    return None


def repository(reference: str) -> str:
    """The reference without tag or digest: what a k8s container image must start with."""
    name = reference.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return name
