"""``--fix`` for Go and Python ``sdk-workspace-link`` findings: the edit that writes the workspace form.

Each function returns one :class:`Edit` (the smallest span that changes, so the file's other
bytes stay as they are) or None when the edit would not be unambiguous; the finding then keeps
its printed fix line. The edit carries ``link`` (the SDK's folder, or ``workspace``), which
:func:`verify_links` checks the rewritten file against.

- Go: no ``go.work`` above and no ``replace`` of the module yet: append
  ``replace <module> => <relative path>`` to the service's go.mod.
- requirements: a plain ``name==x`` line (no extras, marker, options or continuation) becomes
  ``-e <relative path>``.
- pyproject: a uv project (``[tool.uv]``, or a member of a uv workspace that also includes the
  SDK) gets ``[tool.uv.sources] <name> = { path = "<rel>", editable = true }`` or
  ``{ workspace = true }``; a Poetry dependency written as a plain version string becomes
  ``{path = "<rel>", develop = true}``. TOML is edited with tomlkit, so comments and layout stay.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections import Counter

from devenv.deps.model import Dependency
from devenv.errors import Location
from devenv.lint.sdk.fix import Edit
from devenv.lint.sdk.paths import folder_of, norm, relative
from devenv.lint.sdk.ruleinfo import SDK_WORKSPACE_LINK

WORKSPACE = "workspace"


def _smallest(dep: Dependency, before: str, after: str, link: str) -> Edit | None:
    """One edit replacing only the part of ``before`` that differs from ``after``."""
    if before == after:
        return None
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end_b, end_a = len(before), len(after)
    while end_b > start and end_a > start and before[end_b - 1] == after[end_a - 1]:
        end_b, end_a = end_b - 1, end_a - 1
    return Edit(
        dep.file, start, end_b, before[start:end_b], after[start:end_a], Location(dep.file, dep.line, dep.col), SDK_WORKSPACE_LINK, link=link, name=dep.name
    )


# -- Go ----------------------------------------------------------------------------------------------
def go_replace(dep: Dependency, text: str, sdk_path: str) -> Edit | None:
    """``replace <module> => <rel>`` appended to go.mod (the caller checked: no go.work, no replace)."""
    module = dep.written_name or dep.name
    if dep.kind != "declared" or not module or dep.note:
        return None
    rel = relative(sdk_path, folder_of(dep.file))
    newline = "\r\n" if "\r\n" in text else "\n"
    lead = "" if text.endswith("\n") or not text else newline
    return Edit(
        dep.file,
        len(text),
        len(text),
        "",
        f"{lead}{newline}replace {module} => {rel}{newline}",
        Location(dep.file, dep.line, dep.col),
        SDK_WORKSPACE_LINK,
        link=sdk_path,
        name=dep.name,
    )


# -- requirements ------------------------------------------------------------------------------------
_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<body>[^#\s][^#]*?)(?P<tail>[ \t]*(?:[ \t]#.*)?)\r?$")


def requirements_editable(dep: Dependency, text: str, sdk_path: str) -> Edit | None:
    """The requirement line ``name==x`` replaced by ``-e <rel>``; None for anything less plain."""
    if dep.kind != "declared" or dep.note or dep.marker or dep.local or dep.line < 1:
        return None
    lines = text.split("\n")
    if dep.line > len(lines):
        return None
    line = lines[dep.line - 1]
    previous = lines[dep.line - 2].rstrip("\r") if dep.line > 1 else ""
    match = _LINE.match(line)
    if match is None or previous.endswith("\\") or any(c in match["body"] for c in "[;\\@") or " -" in match["body"]:
        return None
    start = sum(len(x) + 1 for x in lines[: dep.line - 1]) + len(match["indent"])
    body = match["body"]
    return Edit(
        dep.file,
        start,
        start + len(body),
        body,
        f"-e {relative(sdk_path, folder_of(dep.file))}",
        Location(dep.file, dep.line, dep.col),
        SDK_WORKSPACE_LINK,
        link=sdk_path,
        name=dep.name,
    )


# -- pyproject ----------------------------------------------------------------------------------------
def uv_workspace_of(read, folder: str) -> tuple[str, list[str], list[str]] | None:
    """(root, members, exclude) of the nearest ``[tool.uv.workspace]`` at or above ``folder``."""
    import tomllib

    while True:
        path = "pyproject.toml" if folder == "." else f"{folder}/pyproject.toml"
        text = read(path)
        if text is not None:
            try:
                workspace = tomllib.loads(text).get("tool", {}).get("uv", {}).get("workspace")
            except (ValueError, AttributeError):
                workspace = None
            if isinstance(workspace, dict):
                return (folder, [str(m) for m in workspace.get("members") or []], [str(m) for m in workspace.get("exclude") or []])
        if folder == ".":
            return None
        folder = folder_of(folder)


def _member(root: str, members: list[str], exclude: list[str], folder: str) -> bool:
    if folder == root:
        return True
    rel = posixpath.relpath(folder, root) if root != "." else folder
    if rel.startswith(".."):
        return False
    return any(fnmatch.fnmatchcase(rel, norm(m)) for m in members) and not any(fnmatch.fnmatchcase(rel, norm(m)) for m in exclude)


def pyproject_link(dep: Dependency, text: str, sdk_path: str, read) -> Edit | None:
    """A uv source or a Poetry path dependency for ``dep`` (a published requirement of the SDK)."""
    import tomllib

    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    if dep.kind != "declared" or dep.local or dep.note:
        return None
    try:  # which edit, if any, decided on tomllib's parse: tomlkit's (slower) only to make one
        data = tomllib.loads(text)
    except ValueError:
        return None
    tool_table = data.get("tool")
    tool: dict = tool_table if isinstance(tool_table, dict) else {}
    poetry = "poetry" in tool and dep.style == "poetry"
    entry: dict[str, object] = {}
    if not poetry:
        if "poetry" in tool or "project" not in data or dep.style != "pep440":
            return None
        folder = folder_of(dep.file)
        workspace = uv_workspace_of(read, folder)
        if workspace is not None:
            if not (_member(*workspace, folder) and _member(*workspace, sdk_path)):
                return None  # the uv workspace leaves one of them out: adding it is the user's call
            entry, link = {"workspace": True}, WORKSPACE
        elif "uv" in tool:
            entry, link = {"path": relative(sdk_path, folder), "editable": True}, sdk_path
        else:
            return None
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError:
        return None
    if poetry:
        return _poetry_path(dep, doc, text, sdk_path)
    if not _add_uv_source(doc, dep.written_name or dep.name, entry):
        return None
    return _smallest(dep, text, doc.as_string(), link)


def _add_uv_source(doc, name: str, entry: dict) -> bool:
    import tomlkit

    if "tool" not in doc:
        doc.add("tool", tomlkit.table(is_super_table=True))
    tool = doc["tool"]
    if "uv" not in tool:
        tool.add("uv", tomlkit.table(is_super_table=True))
    uv = tool["uv"]
    if "sources" not in uv:
        uv.add("sources", tomlkit.table())
    sources = uv["sources"]
    if not hasattr(sources, "add") or any(_pep503(k) == _pep503(name) for k in sources):
        return False
    inline = tomlkit.inline_table()
    inline.update(entry)
    sources.add(name, inline)
    return True


def _poetry_path(dep: Dependency, doc, text: str, sdk_path: str) -> Edit | None:
    import tomlkit

    poetry = doc["tool"]["poetry"]
    tables = [poetry.get("dependencies")]
    tables += [g.get("dependencies") for g in (poetry.get("group") or {}).values() if hasattr(g, "get")]
    places = [(t, k) for t in tables if hasattr(t, "items") for k in t if _pep503(k) == dep.name]
    if len(places) != 1 or not isinstance(places[0][0][places[0][1]], str):
        return None  # several declarations, or a table/list someone wrote on purpose
    table, key = places[0]
    inline = tomlkit.inline_table()
    inline.update({"path": relative(sdk_path, folder_of(dep.file)), "develop": True})
    before = table[key].trivia
    inline.trivia.comment_ws, inline.trivia.comment, inline.trivia.trail = before.comment_ws, before.comment, before.trail
    table[key] = inline
    return _smallest(dep, text, doc.as_string(), sdk_path)


def _pep503(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# -- verification ---------------------------------------------------------------------------------------
def _key(dep: Dependency) -> tuple:
    return (dep.name, dep.kind, dep.section, dep.spec, dep.marker, dep.local)


def _links_to(dep: Dependency, link: str) -> bool:
    local = dep.local
    if link == WORKSPACE:
        return local.startswith("workspace ")
    for prefix in ("path ", "file:"):
        local = local[len(prefix) :] if local.startswith(prefix) else local
    if not local or local.startswith(("module ", "git", "url ", "workspace ")) or "://" in local:
        return False
    target = local.split("#", 1)[0].split("[", 1)[0].strip()
    return norm(posixpath.join(folder_of(dep.file), target)) == norm(link)


def verify_links(old: list[Dependency], new: list[Dependency], edits: list[Edit]) -> str:
    """ "" when ``new`` differs from ``old`` only by the links the edits promise (and the lines they drop)."""
    names = {e.name for e in edits}
    removed = Counter(map(_key, old)) - Counter(map(_key, new))
    added = [d for d in new if (Counter(map(_key, new)) - Counter(map(_key, old)))[_key(d)]]
    if any(name not in names for name, *_ in removed):
        return "the result changed a dependency that was not to change"
    for dep in added:
        if not any(_links_to(dep, e.link) for e in edits):
            return f"the result adds {dep.written_name or dep.name or dep.local}, which is not the workspace link"
    for edit in edits:
        if not any(_links_to(d, edit.link) for d in new):
            return f"the result does not link {edit.link}"
    return ""
