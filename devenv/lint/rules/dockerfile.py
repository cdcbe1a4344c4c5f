"""Dockerfiles: ``COPY``/``ADD`` sources, ``RUN`` lines (``pnpm --filter``, ``buf generate``)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from devenv.lint.document import Document
from devenv.lint.needles import Ref, normalize_path
from devenv.lint.rules.base import COMMENTED, HASH, Hit

ID = "proto-in-dockerfile"
TITLE = "Dockerfile"
SUMMARY = "A Dockerfile copies, builds or generates code from the proto workspace."
HELP = (
    "Service images consume the published SDK from the package registry. Copying the proto "
    "workspace into an image, building its package (pnpm --filter) or running buf generate "
    "in a service build regenerates what the SDKs own and bypasses their release."
)

_HEREDOC = re.compile(r"<<(-?)\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")
_JSON_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_LANGUAGE_HINTS = (
    ("typescript", re.compile(r"^\s*FROM\s+(?:--\S+\s+)*\S*\b(?:node|bun|deno)\b|\b(?:pnpm|npm|yarn|npx)\s", re.I | re.M)),
    ("go", re.compile(r"^\s*FROM\s+(?:--\S+\s+)*\S*\bgolang\b|\bgo\s+(?:build|mod|install)\b", re.I | re.M)),
    ("python", re.compile(r"^\s*FROM\s+(?:--\S+\s+)*\S*\bpython\b|\b(?:pip3?|uv|poetry|pipenv)\s+(?:install|sync|add)\b", re.I | re.M)),
)


def matches(path: str, name: str) -> bool:
    lower = name.lower()
    return lower in ("dockerfile", "containerfile") or lower.startswith(("dockerfile.", "containerfile.")) or lower.endswith(".dockerfile")


def comments(doc: Document) -> tuple[str, ...]:
    return HASH


def language(doc: Document) -> str | None:
    found = [lang for lang, regex in _LANGUAGE_HINTS if regex.search(doc.text)]
    return found[0] if len(found) == 1 else None


@dataclass
class Instruction:
    keyword: str
    start: int  # offset of the keyword
    end: int  # offset after the last line
    args: list[tuple[int, int]]  # spans of the arguments (keyword excluded)


def instructions(doc: Document) -> list[Instruction]:
    """Logical instructions: continuation lines, comment lines inside them and heredocs."""
    out: list[Instruction] = []
    count = doc.line_count
    line = 1
    while line <= count:
        text = doc.line_text(line)
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            line += 1
            continue
        first = line
        keyword = stripped.split(None, 1)[0].upper()
        physical = [line]
        continued = text.rstrip().endswith("\\")
        while continued and line < count:
            line += 1
            nxt = doc.line_text(line).strip()
            if not nxt or nxt.startswith("#"):
                continue
            physical.append(line)
            continued = nxt.endswith("\\")
        heredocs = _HEREDOC.findall(" ".join(doc.line_text(n) for n in physical)) if keyword in ("RUN", "COPY", "ADD") else []
        for dash, word in heredocs:
            while line < count:
                line += 1
                body = doc.line_text(line)
                if (body.strip() if dash else body) == word:
                    break
        start = doc.line_starts[first - 1] + (len(doc.line_text(first)) - len(doc.line_text(first).lstrip()))
        end = doc.line_span(line)[1]
        out.append(Instruction(keyword, start, end, _arguments(doc, physical, start)))
        line += 1
    return out


def _arguments(doc: Document, physical: list[int], keyword_start: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for n in physical:
        begin, end = doc.line_span(n)
        segment = doc.text[begin:end]
        for m in re.finditer(r"\S+", segment):
            s, e = begin + m.start(), begin + m.end()
            if s == keyword_start or m.group() == "\\":
                continue
            spans.append((s, e))
    if spans and doc.text[spans[0][0]] == "[":  # exec form: ["src", "dest"]
        body_start, body_end = spans[0][0], spans[-1][1]
        return [(body_start + m.start(1), body_start + m.end(1)) for m in _JSON_STRING.finditer(doc.text[body_start:body_end])]
    return spans


def _role(inst: Instruction, ref: Ref, doc: Document) -> str:
    """source | dest | from | flag | heredoc for a COPY/ADD argument containing ``ref``."""
    plain = [(s, e) for s, e in inst.args if not doc.text.startswith("--", s) and not doc.text.startswith("<<", s)]
    from_stage = any(doc.text.startswith("--from", s) for s, _ in inst.args)
    for s, e in inst.args:
        if s <= ref.start < e:
            if doc.text.startswith("--from", s):
                return "from"
            if doc.text.startswith("--", s):
                return "flag"
            if plain and (s, e) == plain[-1] and len(plain) > 1:
                return "dest"
            return "from" if from_stage else "source"
    return "heredoc"


def _run_action(text: str) -> str:
    if re.search(r"\bbuf\s+generate\b", text):
        return "generates code from {what} (buf generate)"
    if re.search(r"\bprotoc\b", text):
        return "generates code from {what} (protoc)"
    if re.search(r"\b(?:pnpm|npm|yarn)\b[^\n]*(?:--filter|-F\s|--workspace|-w\s)", text):
        return "builds {what} (workspace filter)"
    if re.search(r"\b(?:pip3?|uv|poetry|npm|pnpm|yarn|go)\s+(?:install|add|get|sync)\b", text):
        return "installs {what}"
    return "uses {what}"


def _bare_sources(doc: Document, inst: Instruction, proto_path: str) -> Iterator[Ref]:
    """``COPY proto /x`` with a one-segment proto path: no slash to recognise it by."""
    if "/" in proto_path or inst.keyword not in ("COPY", "ADD"):
        return
    for s, e in inst.args:
        token = doc.text[s:e]
        if not token.startswith("--") and normalize_path(token) == proto_path and _role(inst, Ref(s, e, "path", proto_path, token), doc) == "source":
            yield Ref(s, e, "path", proto_path, token)


def _container_path(doc: Document, ref: Ref) -> bool:
    """The argument holding ``ref`` is an absolute path: in a Dockerfile that names a place in the
    image's file system, never the repository (COPY/ADD sources, relative to the build context,
    are the only repository paths, and are always checked)."""
    start = ref.start
    while start > 0 and doc.text[start - 1] not in " \t\n\"'=:,[":
        start -= 1
    return doc.text.startswith("/", start)


def check(doc: Document) -> Iterator[Hit]:
    insts = instructions(doc)
    starts = [i.start for i in insts]
    refs = list(doc.refs)
    known = {(r.start, r.end) for r in refs}
    proto_path = next((r.needle for r in refs if r.kind == "path"), None)
    if proto_path:
        for each in insts:
            refs.extend(r for r in _bare_sources(doc, each, proto_path) if (r.start, r.end) not in known)
    for ref in sorted(refs, key=lambda r: r.start):
        what = ref.describe()
        i = bisect.bisect_right(starts, ref.start) - 1
        inst = insts[i] if i >= 0 and ref.start < insts[i].end else None
        line_start = doc.line_span(doc.line_of(ref.start))[0]
        if inst is None or doc.text[line_start : ref.start].lstrip().startswith("#"):
            yield ref, f"a comment references {what}{COMMENTED}"
            continue
        kw = inst.keyword
        role = _role(inst, ref, doc) if kw in ("COPY", "ADD") else ""
        if ref.kind == "path" and (role == "dest" or (role == "" and _container_path(doc, ref))):
            continue  # a path inside the image (WORKDIR /proto, RUN mkdir -p /proto, a COPY destination)
        if kw in ("COPY", "ADD"):
            message = {
                "source": f"{kw} copies {what} into the image",
                "from": f"{kw} --from copies {what} out of another stage",
                "dest": f"{kw} writes into {what} in the image",
                "flag": f"{kw} references {what}",
                "heredoc": f"{kw} writes a file that references {what}",
            }[role]
        elif kw == "RUN":
            message = "RUN " + _run_action(doc.text[inst.start : inst.end]).format(what=what)
        else:
            message = f"{kw} references {what}"
        yield ref, message
