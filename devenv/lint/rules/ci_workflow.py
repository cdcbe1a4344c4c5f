"""CI workflows: GitHub Actions, GitLab CI, CircleCI, Azure Pipelines, Buildkite, Jenkins, …"""

from __future__ import annotations

import re
from collections.abc import Iterator

from devenv.lint.document import Document
from devenv.lint.needles import Ref
from devenv.lint.rules.base import COMMENTED, HASH, Hit, each, is_comment_line

ID = "proto-in-ci-workflow"
TITLE = "CI workflow"
SUMMARY = "A CI workflow outside the allowed paths builds or uses the proto workspace."
HELP = (
    "Only the proto and SDK pipelines (listed in proto.allowed, e.g. .github/workflows) may "
    "build from the proto workspace; service pipelines install the published SDKs."
)

_NAMES = {
    ".gitlab-ci.yml",
    ".gitlab-ci.yaml",
    "bitbucket-pipelines.yml",
    ".drone.yml",
    ".drone.yaml",
    ".travis.yml",
    "cloudbuild.yaml",
    "cloudbuild.yml",
    "Jenkinsfile",
    ".woodpecker.yml",
    ".woodpecker.yaml",
}
_PREFIXES = (".github/workflows/", ".github/actions/", ".gitlab/", ".circleci/", ".buildkite/", ".woodpecker/", ".azure-pipelines/", ".tekton/")
_AZURE = re.compile(r"^azure-pipelines[\w.-]*\.ya?ml$")


def matches(path: str, name: str) -> bool:
    if name in _NAMES or _AZURE.match(name) or name.startswith("Jenkinsfile"):
        return True
    return path.startswith(_PREFIXES) and name.endswith((".yml", ".yaml"))


def comments(doc: Document) -> tuple[str, ...]:
    return ("//", "/*") if doc.name.startswith("Jenkinsfile") else HASH


def language(doc: Document) -> str | None:
    return None


def describe(doc: Document, ref: Ref) -> str:
    what = ref.describe()
    if is_comment_line(doc, ref, comments(doc)):
        return f"CI workflow comment references {what}{COMMENTED}"
    return f"CI workflow references {what}"


def check(doc: Document) -> Iterator[Hit]:
    return each(doc, describe)
