"""``sdk-buf-commit``: the Buf SDKs of one module name the same module commit.

Each generated SDK version carries the module commit it was generated from (its timestamp and
short name). The commit most SDKs of the module share (the first declared one's on a tie) is
the reference; every other SDK is reported at its ``version`` line in the manifest. A finding,
not a render refusal: a team in the middle of an upgrade keeps working.
"""

from __future__ import annotations

from collections import Counter

from devenv.errors import Location
from devenv.lint.model import Finding
from devenv.lint.sdk.ruleinfo import SDK_BUF_COMMIT
from devenv.manifest import buf
from devenv.manifest.model import Manifest
from devenv.manifest.positions import LoadedYaml


def check(manifest: Manifest, positions: LoadedYaml, manifest_file: str, text: str) -> list[Finding]:
    by_module: dict[str, list[tuple[str, buf.BufVersion]]] = {}
    for name, sdk in manifest.sdks.items():
        if sdk.source != "buf" or sdk.buf is None or not sdk.version:
            continue
        parsed = buf.parse_version(buf.ECOSYSTEM_OF_LANGUAGE[sdk.language], sdk.version)
        if parsed is not None:
            by_module.setdefault(sdk.buf.module, []).append((name, parsed))
    findings = []
    for module, members in by_module.items():
        counts = Counter(v.module_commit for _, v in members)
        if len(counts) < 2:
            continue
        order = [v.module_commit for _, v in members]
        shared = max(counts, key=lambda c: (counts[c], -order.index(c)))
        others = [n for n, v in members if v.module_commit == shared]
        for name, version in members:
            if version.module_commit == shared:
                continue
            at = positions.where(("sdks", name, "version"))
            timestamp, commit = shared.split("-")
            spec = manifest.sdks[name].buf
            assert spec is not None, "by_module holds only SDKs with `buf`"
            findings.append(
                Finding(
                    Location(manifest_file, at.line, at.col),
                    SDK_BUF_COMMIT,
                    f"sdks.{name} is generated from {module} commit {version.commit} ({version.timestamp}), but "
                    f"{', '.join(others)} {'share' if len(others) > 1 else 'uses'} commit {commit} ({timestamp})",
                    f"`buf registry sdk version --module={module}:{commit} --plugin={spec.plugin}` prints the version of sdks.{name} at that commit",
                    snippet=_line(text, at.line),
                )
            )
    return findings


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1].strip() if 0 < line <= len(lines) else ""
