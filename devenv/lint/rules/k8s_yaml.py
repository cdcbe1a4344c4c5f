"""Helm charts and Kubernetes YAML (chart files, kustomizations, ``apiVersion``/``kind`` docs)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from devenv.lint.document import Document
from devenv.lint.needles import Ref
from devenv.lint.rules.base import COMMENTED, HASH, Hit, each, is_comment_line

ID = "proto-in-k8s-yaml"
TITLE = "Helm / Kubernetes YAML"
SUMMARY = "A Helm chart or Kubernetes manifest mounts, images or names the proto workspace."
HELP = (
    "Workloads run published images built from published SDKs: a hostPath or volume into the "
    "proto workspace, or an image built from it, bypasses the SDK release."
)

_CHART_NAMES = re.compile(r"^(?:Chart|values[\w.-]*|helmfile[\w.-]*|kustomization|requirements)\.ya?ml$")
_DIRS = ("templates", "charts", "chart", "helm", "k8s", "kubernetes", "manifests", "deploy", "kustomize", "overlays", "base")
_K8S_DOC = re.compile(r"^apiVersion\s*:.*$[\s\S]*?^kind\s*:|^kind\s*:.*$[\s\S]*?^apiVersion\s*:", re.M)
_COMMENTS = ("#", "{{/*", "{{- /*")


def matches(path: str, name: str) -> bool:
    if not name.endswith((".yaml", ".yml", ".tpl")):
        return False
    if _CHART_NAMES.match(name) or name.endswith(".tpl"):
        return True
    parts = path.split("/")[:-1]
    return any(p in _DIRS for p in parts)


def matches_content(text: str) -> bool:
    """Any other YAML counts when it is a Kubernetes object (apiVersion and kind)."""
    return bool(_K8S_DOC.search(text))


def comments(doc: Document) -> tuple[str, ...]:
    return _COMMENTS


def language(doc: Document) -> str | None:
    return None


def describe(doc: Document, ref: Ref) -> str:
    what = ref.describe()
    label = "Helm chart" if (doc.name.endswith(".tpl") or "templates" in doc.path.split("/") or _CHART_NAMES.match(doc.name)) else "Kubernetes manifest"
    if is_comment_line(doc, ref, HASH):
        return f"{label} comment references {what}{COMMENTED}"
    return f"{label} references {what}"


def check(doc: Document) -> Iterator[Hit]:
    return each(doc, describe)
