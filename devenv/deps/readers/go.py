"""Go: ``go.mod`` ``require`` and ``replace`` directives, with positions from the go.mod grammar
(:mod:`devenv.deps.gomod`).

A ``require`` gives (module, version, ``// indirect``); a ``replace`` of an SDK module gives a
``replaced`` dependency whose spec is the replacement version, or ``local`` set to the
directory it points at (a local replace uses no published version at all).
"""

from __future__ import annotations

from devenv.deps.gomod import GoMod, Line, Token, parse
from devenv.deps.model import Dependency, Positions, ReadError, Wanted

__all__ = ["LOCKFILES", "MANIFESTS", "GoMod", "Line", "Token", "parse", "read"]

MANIFESTS = frozenset({"go.mod"})
LOCKFILES: frozenset[str] = frozenset()


def _is_local(path: str) -> bool:
    """modfile.IsDirectoryPath: a replacement that is a directory, not a module."""
    return path.startswith(("./", "../", "/", ".\\", "..\\")) or path in (".", "..") or (len(path) >= 2 and path[1] == ":" and path[0].isalpha())


def read(path: str, text: str, wanted: Wanted = None) -> list[Dependency]:
    where = Positions(text)
    mod = parse(text, where)
    out: list[Dependency] = []

    def dep(name_token: Token, version: Token | None, kind: str, section: str, **extra) -> Dependency:
        anchor = version or name_token
        line, col = where(anchor.start)
        span = None
        end_col = 0
        if version is not None:
            if not version.quoted:
                span = (version.start, version.end)
            elif text[version.start + 1 : version.end - 1] == version.text:
                span = (version.start + 1, version.end - 1)
                col += 1
            if span:
                end_col = col + (span[1] - span[0])
        return Dependency(
            "go", name_token.text, version.text if version else "", path, line, col, "go", kind, section, span, end_col, written_name=name_token.text, **extra
        )

    for line in mod.lines:
        args = line.args
        if line.verb == "require":
            if len(args) != 2:
                raise ReadError("go.mod: usage: require module/path v1.2.3", *where(args[0].start if args else 0))
            if wanted is not None and not wanted(args[0].text):
                continue  # positions only for the dependencies the caller judges
            indirect = line.comment == "indirect" or line.comment.startswith("indirect;")
            out.append(dep(args[0], args[1], "declared", "require", indirect=indirect))
        elif line.verb == "replace":
            replaced = _replace(line.args, dep, where, wanted, path)
            if replaced is not None:
                out.append(replaced)
    return out


def _replace(args: list[Token], dep, where: Positions, wanted: Wanted, path: str) -> Dependency | None:
    """A `replace` directive as the replaced module's dependency (None when not wanted)."""
    arrow = next((i for i, a in enumerate(args) if a.text == "=>" and not a.quoted), -1)
    if arrow not in (1, 2) or len(args) - arrow - 1 not in (1, 2):
        raise ReadError("go.mod: usage: replace module/path [v1.2.3] => other/module v1.4.5 | ../local/dir", *where(args[0].start if args else 0))
    old = args[0]
    old_version = args[1].text if arrow == 2 else ""
    new = args[arrow + 1]
    new_version = args[arrow + 2] if len(args) - arrow - 1 == 2 else None
    if new_version is None and not _is_local(new.text):
        raise ReadError("go.mod: a replacement module needs a version", *where(new.start))
    if wanted is not None and new_version is not None and not wanted(old.text):
        return None  # a module replaced by a module: judged only for a wanted one
    note = f"replace {old.text}{' ' + old_version if old_version else ''} => {new.text}"
    if new_version is None:
        last = dep(old, None, "replaced", "replace", local=new.text, note=note)
        line_no, col = where(new.start)
        return Dependency(
            last.ecosystem, last.name, "", path, line_no, col, "go", "replaced", "replace", None, 0, written_name=old.text, local=new.text, note=note
        )
    last = dep(old, new_version, "replaced", "replace", note=note)
    if new.text == old.text:
        return last
    return Dependency(
        last.ecosystem,
        last.name,
        last.spec,
        path,
        last.line,
        last.col,
        "go",
        "replaced",
        "replace",
        last.span,
        last.end_col,
        written_name=old.text,
        local=f"module {new.text}",
        note=note,
    )
