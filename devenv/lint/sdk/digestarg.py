"""``sdk-digest-arg``: a consumer's Dockerfile declares ``ARG <SDK>_SDK_DIGEST`` before it installs the SDK.

The rendered Tiltfile passes every consumer of an SDK with ``steps`` the chain's result digest as
the build arg ``<SDK>_SDK_DIGEST`` (docs/tiltfile-sdk-rebuilds.md). Docker ignores a build arg
the Dockerfile does not declare, and an ``ARG`` changes the cache key only of the ``RUN``s after
it in its own stage: without the declaration an SDK rebuild leaves the install layer cached, the
image identical and the old pod running.

Judged per (service, SDK), on the Dockerfile the service's ``docker_build`` uses, read once:

- the *install*: the first ``RUN`` that names the SDK's package or expands its version arg; the
  digest arg must be declared in that ``RUN``'s stage before it (an error at the ``RUN``);
- no such ``RUN`` (installed by a ``COPY``'d lockfile, say): the digest arg must be declared in
  some stage before the first instruction that expands the version arg (a warning there);
- neither: lint cannot see the SDK reach the image, and says nothing (``sdk-unused`` judges
  dependency files).

``--fix`` inserts ``ARG <SDK>_SDK_DIGEST`` right after the stage's ``ARG <version arg>`` line
when that line comes before the install; :func:`verify` checks the result adds only that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from devenv.errors import Location
from devenv.lint.document import Document
from devenv.lint.model import Finding
from devenv.lint.sdk.fix import Edit
from devenv.lint.sdk.paths import norm
from devenv.lint.sdk.ruleinfo import SDK_DIGEST_ARG
from devenv.manifest.load import LoadedManifest
from devenv.manifest.model import sdk_build_arg
from devenv.manifest.relations import consumed_sdks
from devenv.tilt import sdk_digest_arg

Reader = Callable[[str], "str | None"]
_ARG_NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:=\S*)?")


@dataclass
class Step:
    """One instruction of a parsed Dockerfile: its stage (0 before the first FROM) and text."""

    keyword: str
    stage: int
    start: int  # offset of the keyword
    text: str  # the instruction, continuation and heredoc lines included
    declares: frozenset[str]  # the names an ARG declares


@dataclass
class Parsed:
    doc: Document
    steps: list[Step]
    stage_from: dict[int, int]  # stage -> offset of its FROM


_HEREDOC = re.compile(r"<<(-?)\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")


def parse(path: str, text: str) -> Parsed:
    """Every instruction once, with its stage and (ARG) the names it declares: one pass over the
    lines (continuations, comment lines inside them and heredocs as :mod:`..rules.dockerfile`)."""
    lines = text.split("\n")
    steps: list[Step] = []
    stage_from: dict[int, int] = {}
    stage, offset, i = 0, 0, 0
    while i < len(lines):
        line = lines[i]
        start, stripped = offset, line.strip()
        offset += len(line) + 1
        i += 1
        if not stripped or stripped.startswith("#"):
            continue
        parts = [stripped]
        while parts[-1].endswith("\\") and i < len(lines):
            nxt = lines[i].strip()
            offset += len(lines[i]) + 1
            i += 1
            if nxt and not nxt.startswith("#"):
                parts.append(nxt)
        keyword = stripped.split(None, 1)[0].upper()
        if keyword in ("RUN", "COPY", "ADD") and "<<" in stripped:
            for dash, word in _HEREDOC.findall(" ".join(parts)):
                while i < len(lines):
                    body = lines[i].rstrip("\r")
                    parts.append(body)
                    offset += len(lines[i]) + 1
                    i += 1
                    if (body.strip() if dash else body) == word:
                        break
        if keyword == "FROM":
            stage += 1
            stage_from[stage] = start + len(line) - len(line.lstrip())
        body = "\n".join(parts)
        steps.append(Step(keyword, stage, start + len(line) - len(line.lstrip()), body, _declared(body) if keyword == "ARG" else frozenset()))
    return Parsed(Document(path, text), steps, stage_from)


def _declared(body: str) -> frozenset[str]:
    names = (_ARG_NAME.match(word) for word in body.replace("\\", " ").split()[1:])
    return frozenset(m.group(1) for m in names if m)


def _expands(name: str) -> re.Pattern[str]:
    return re.compile(r"\$\{?" + re.escape(name) + r"\b")


def check(loaded: LoadedManifest, read: Reader, edits: list[Edit], chosen: Callable[[str], bool]) -> list[Finding]:
    """The ``sdk-digest-arg`` findings of every service whose Dockerfile ``chosen`` admits."""
    m = loaded.manifest
    parsed: dict[str, Parsed] = {}
    out: list[Finding] = []
    for name, svc in m.services.items():
        if not svc.image:
            continue  # no docker_build: no build args
        dockerfile = norm(svc.dockerfile or f"{svc.context or '.'}/Dockerfile")
        digested = [s for s in consumed_sdks(m, svc) if m.sdks[s].steps and sdk_digest_arg(s) not in svc.build_args]
        if not digested or not chosen(dockerfile):
            continue
        text = read(dockerfile)  # read once: the reader caches
        if text is None:
            continue  # a missing Dockerfile is render's and doctor's to report
        for sdk_name in digested:
            sdk = m.sdks[sdk_name]
            version_arg = sdk_build_arg(sdk_name, sdk)
            if version_arg not in text and not (sdk.package and sdk.package in text):
                continue  # neither installs nor uses it: nothing to judge, no parse
            if dockerfile not in parsed:
                parsed[dockerfile] = parse(dockerfile, text)
            finding = _judge(parsed[dockerfile], name, sdk_name, sdk.package, version_arg, edits)
            if finding is not None:
                out.append(finding)
    return out


def _judge(p: Parsed, service: str, sdk_name: str, package: str | None, version_arg: str, edits: list[Edit]) -> Finding | None:
    digest = sdk_digest_arg(sdk_name)
    uses_version = _expands(version_arg)
    install = next((i for i, s in enumerate(p.steps) if s.keyword == "RUN" and ((package and package in s.text) or uses_version.search(s.text))), None)
    if install is not None:
        stage = p.steps[install].stage
        if any(s.stage == stage and digest in s.declares for s in p.steps[:install]):
            return None
        return _finding(p, install, service, sdk_name, digest, version_arg, edits, f"the RUN that installs {package or sdk_name}", "error")
    use = next((i for i, s in enumerate(p.steps) if s.keyword not in ("ARG", "FROM") and uses_version.search(s.text)), None)
    if use is None or any(s.stage and digest in s.declares for s in p.steps[:use]):
        return None
    return _finding(p, use, service, sdk_name, digest, version_arg, edits, f"the first use of ${version_arg}", "warning")


def _finding(p: Parsed, at: int, service: str, sdk_name: str, digest: str, version_arg: str, edits: list[Edit], where: str, severity: str) -> Finding:
    step = p.steps[at]
    line, col = p.doc.position(step.start)
    stage_line = p.doc.position(p.stage_from[step.stage])[0] if step.stage in p.stage_from else 1
    edit = _insertion(p, at, digest, version_arg)
    if edit is not None:
        fix = f"add `ARG {digest}` after line {p.doc.line_of(edit[0]) - 1} (`ARG {version_arg}`); `devenv lint --fix` writes it"
        edits.append(Edit(p.doc.path, edit[0], edit[0], "", edit[1], Location(p.doc.path, line, col), SDK_DIGEST_ARG))
    else:
        fix = f"add `ARG {digest}` in the stage that starts at line {stage_line}, before line {line}"
    message = (
        f"services.{service} gets the SDK '{sdk_name}' chain's result digest as build arg {digest}, but "
        f"{p.doc.path} does not declare `ARG {digest}` before {where}: Docker ignores the arg, so an SDK "
        "rebuild keeps this layer cached and the old image running"
    )
    return Finding(Location(p.doc.path, line, col), SDK_DIGEST_ARG, message, fix, snippet=p.doc.line_text(line).strip(), severity=severity)


def _insertion(p: Parsed, at: int, digest: str, version_arg: str) -> tuple[int, str] | None:
    """(offset, text): a line ``ARG <digest>`` right after the stage's ``ARG <version_arg>`` before ``at``."""
    stage = p.steps[at].stage
    decl = next((s for s in reversed(p.steps[:at]) if s.stage == stage and version_arg in s.declares), None)
    if decl is None or "\n" in decl.text.rstrip("\r\n"):
        return None  # a multi-line ARG: no single line to insert after
    line = p.doc.line_of(decl.start)
    start, end = p.doc.line_span(line)
    if end >= len(p.doc.text):
        return None  # the last line without a newline: nothing can follow the ARG anyway
    raw = p.doc.text[start:end]
    indent = raw[: len(raw) - len(raw.lstrip())]
    newline = "\r\n" if raw.endswith("\r") else "\n"
    return end + 1, f"{indent}ARG {digest}{newline}"


def verify(path: str, before: str, after: str, edits: list[Edit]) -> str:
    """ "" when ``after`` is ``before`` with exactly the edits' ``ARG`` instructions added."""
    old = [s.text.strip() for s in parse(path, before).steps]
    new = [s.text.strip() for s in parse(path, after).steps]
    added = sorted(e.new.strip() for e in edits)
    remaining = list(new)
    for line in added:
        if line not in remaining:
            return f"the result does not declare {line}"
        remaining.remove(line)
    return "" if remaining == old else "the result changed more than the inserted ARG lines"
