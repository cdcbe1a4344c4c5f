"""``sdk-workspace-link``: a service links its ``source: workspace`` SDK from the SDK's folder.

Judged per dependency file and SDK, on every dependency of that file on the SDK together
(a ``require`` and its ``replace``; a PEP 621 dependency and its ``tool.uv.sources`` entry):

- npm: ``workspace:`` (``*``, ``^``, ``~`` or a range that admits the SDK's own version), or
  ``file:``/``link:`` to the SDK's path;
- Go: a ``replace`` to the SDK's path, or a ``go.work`` above the service that ``use``s both;
- Python: ``tool.uv.sources`` ``workspace = true`` (the uv workspace includes the SDK) or
  ``path =`` the SDK, a Poetry path dependency, ``-e <path>``/``<path>`` in requirements.

A published range or pin is an error at the dependency line; a link to another folder at the
link line. ``--fix`` rewrites npm specs (``workspace:*`` in a pnpm workspace, else ``file:``) and,
where the form is unambiguous, writes Go and Python links (:mod:`devenv.lint.sdk.linkfix`).
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Callable

from devenv.deps.model import Dependency
from devenv.errors import Location
from devenv.lint.model import Finding
from devenv.lint.sdk import linkfix
from devenv.lint.sdk.fix import Edit
from devenv.lint.sdk.paths import folder_of, norm, relative
from devenv.lint.sdk.ruleinfo import SDK_WORKSPACE_LINK
from devenv.manifest.model import Sdk

Reader = Callable[[str], "str | None"]


def _parents(folder: str):
    """``folder`` and every parent up to the repository root ``.``."""
    while True:
        yield folder
        if folder == ".":
            return
        folder = folder_of(folder)


def _what(dep: Dependency) -> str:
    return f"{dep.written_name or dep.name}{' ' + repr(dep.spec) if dep.spec else ''}"


class LinkJudge:
    def __init__(self, read: Reader):
        self.read = read

    def finding(self, dep: Dependency, message: str, fix: str, snippet: str = "") -> Finding:
        return Finding(Location(dep.file, dep.line, dep.col), SDK_WORKSPACE_LINK, message, fix, end_col=dep.end_col, snippet=snippet)

    def judge(self, sdk_name: str, sdk: Sdk, deps: list[Dependency], own_version: str | None, edits: list[Edit]) -> list[Finding]:
        deps = [d for d in deps if d.kind != "locked"]  # lockfiles follow the declarations
        if not deps or not sdk.path:
            return []
        ecosystem = deps[0].ecosystem
        if ecosystem == "npm":
            return [f for d in deps if (f := self._npm(d, sdk, own_version, edits))]
        if ecosystem == "go":
            return self._go(deps, sdk, edits)
        return self._python(deps, sdk, edits)

    # -- npm ---------------------------------------------------------------------------------------
    def _npm(self, dep: Dependency, sdk: Sdk, own: str | None, edits: list[Edit]) -> Finding | None:
        spec = dep.spec.strip()
        where = norm(sdk.path or ".")
        if spec.startswith("workspace:"):
            wanted = spec[len("workspace:") :]
            if wanted in ("*", "^", "~", "") or own is None or _npm_admits(wanted, own):
                return None
            return self.finding(
                dep, f"{_what(dep)} does not admit the workspace SDK's own version {own} ({sdk.path})", "write `workspace:*` (or `workspace:^`)"
            )
        for prefix in ("file:", "link:"):
            if spec.startswith(prefix):
                target = norm(posixpath.join(folder_of(dep.file), spec[len(prefix) :]))
                if target == where:
                    return None
                fix_spec = prefix + relative(where, folder_of(dep.file))
                self._edit(dep, fix_spec, edits)
                return self.finding(dep, f"{_what(dep)} links {target}, not the workspace SDK at {sdk.path}", f"write `{fix_spec}`")
        fix_spec = "workspace:*" if self.read("pnpm-workspace.yaml") is not None else "file:" + relative(where, folder_of(dep.file))
        self._edit(dep, fix_spec, edits)
        return self.finding(
            dep, f"{_what(dep)} links the published package, not the workspace SDK at {sdk.path}", f'write `"{dep.written_name or dep.name}": "{fix_spec}"`'
        )

    @staticmethod
    def _edit(dep: Dependency, new: str, edits: list[Edit]) -> None:
        if dep.span is not None:
            edits.append(Edit(dep.file, dep.span[0], dep.span[1], dep.spec, new, Location(dep.file, dep.line, dep.col), SDK_WORKSPACE_LINK))

    @staticmethod
    def _link_edit(edit: Edit | None, edits: list[Edit]) -> None:
        if edit is not None:
            edits.append(edit)

    # -- Go ----------------------------------------------------------------------------------------
    def _go(self, deps: list[Dependency], sdk: Sdk, edits: list[Edit]) -> list[Finding]:
        where = norm(sdk.path or ".")
        replaces = [d for d in deps if d.kind == "replaced"]
        folder = folder_of(deps[0].file)
        for dep in replaces:
            if dep.local and not dep.local.startswith("module "):
                target = norm(posixpath.join(folder, dep.local))
                if target == where:
                    return []
                return [
                    self.finding(
                        dep,
                        f"replace {dep.written_name or dep.name} => {dep.local} links {target}, not the workspace SDK at {sdk.path}",
                        f"write `replace {dep.written_name or dep.name} => {relative(where, folder)}`",
                    )
                ]
        requires = [d for d in deps if d.kind == "declared"]
        if not requires:
            return []
        dep = requires[0]
        work = self._go_work(folder)
        if work is not None:
            path, uses = work
            missing = [f for f in (folder, where) if f not in uses]
            if not missing:
                return []
            return [
                self.finding(
                    dep,
                    f"{path} does not use {' and '.join(missing)}: {_what(dep)} is the published module, not the workspace SDK at {sdk.path}",
                    f"add `use {' '.join(relative(m, folder_of(path)) for m in missing)}` to {path}",
                )
            ]
        module = dep.written_name or dep.name
        if len(requires) == 1 and not replaces:  # no go.work, no replace anywhere: the replace is the one form
            self._link_edit(linkfix.go_replace(dep, self.read(dep.file) or "", where), edits)
        return [
            self.finding(
                dep,
                f"{_what(dep)} links the published module, not the workspace SDK at {sdk.path}",
                f"add `replace {module} => {relative(where, folder)}` to {dep.file}, or a go.work that uses both {folder} and {where}",
            )
        ]

    def _go_work(self, folder: str) -> tuple[str, set[str]] | None:
        for parent in _parents(folder):
            path = "go.work" if parent == "." else f"{parent}/go.work"
            text = self.read(path)
            if text is not None:
                return path, {norm(posixpath.join(parent, u)) for u in go_work_uses(text)}
        return None

    # -- Python ------------------------------------------------------------------------------------
    def _python(self, deps: list[Dependency], sdk: Sdk, edits: list[Edit]) -> list[Finding]:
        where = norm(sdk.path or ".")
        folder = folder_of(deps[0].file)
        for dep in deps:
            local = dep.local
            if local.startswith("workspace "):
                root = self._uv_workspace_root(folder, where)
                if root is True:
                    return []
                base = root or "."
                pyproject = "pyproject.toml" if base == "." else f"{base}/pyproject.toml"
                return [
                    self.finding(
                        dep,
                        f"{dep.written_name or dep.name} comes from the uv workspace, which does not include the workspace SDK at {sdk.path}",
                        f'add "{posixpath.relpath(where, base)}" to [tool.uv.workspace] members in {pyproject}',
                    )
                ]
            if local and not local.startswith(("git", "url ", "module ")) and "://" not in local:
                target_text = local[len("path ") :] if local.startswith("path ") else local
                target = norm(posixpath.join(folder, target_text.split("#", 1)[0].split("[", 1)[0]))
                if target == where:
                    return []
                return [
                    self.finding(
                        dep,
                        f"{_what(dep) if dep.name else local} links {target}, not the workspace SDK at {sdk.path}",
                        f"link {relative(where, folder)} instead",
                    )
                ]
        dep = next((d for d in deps if d.kind in ("declared", "constraint")), deps[0])
        rel = relative(where, folder)
        text = self.read(dep.file) or ""
        if dep.file.endswith(".toml"):
            self._link_edit(linkfix.pyproject_link(dep, text, where, self.read), edits)
            fix = (
                f'add to {dep.file}: [tool.uv.sources] {dep.written_name or dep.name} = {{ path = "{rel}" }} '
                f"(or {{ workspace = true }} in a uv workspace that includes {where})"
            )
        else:
            fix = f"write `-e {rel}` instead"
            if sum(d.kind == "declared" for d in deps) == 1:  # one line to replace, no second pin left behind
                self._link_edit(linkfix.requirements_editable(dep, text, where), edits)
        return [self.finding(dep, f"{_what(dep)} links the published package, not the workspace SDK at {sdk.path}", fix)]

    def _uv_workspace_root(self, folder: str, sdk_path: str):
        """True when the nearest uv workspace above ``folder`` includes ``sdk_path``; else its root (or None)."""
        import tomllib

        for parent in _parents(folder):
            path = "pyproject.toml" if parent == "." else f"{parent}/pyproject.toml"
            text = self.read(path)
            if text is None:
                continue
            try:
                data = tomllib.loads(text)
            except ValueError:
                continue
            workspace = ((data.get("tool") or {}).get("uv") or {}).get("workspace")
            if not isinstance(workspace, dict):
                continue
            rel = posixpath.relpath(sdk_path, parent) if parent != "." else sdk_path
            members = [str(m) for m in workspace.get("members") or []]
            excluded = [str(m) for m in workspace.get("exclude") or []]
            included = any(fnmatch.fnmatchcase(rel, norm(m)) for m in members)
            if included and not any(fnmatch.fnmatchcase(rel, norm(m)) for m in excluded):
                return True
            return parent
        return None


def link_form(sdk: Sdk, folder: str) -> str:
    """The workspace link a service in ``folder`` writes for ``sdk`` (the ``sdk-unused`` fix text)."""
    rel = relative(norm(sdk.path or "."), norm(folder))
    if sdk.language == "typescript":
        return f'`"{sdk.package}": "workspace:*"` (pnpm; `"file:{rel}"` with npm)'
    if sdk.language == "go":
        return f"`require {sdk.package} v0.0.0` with `replace {sdk.package} => {rel}` (or a go.work that uses both)"
    return f'`-e {rel}` (requirements), or {sdk.package} with `[tool.uv.sources] {sdk.package} = {{ path = "{rel}", editable = true }}`'


def go_work_uses(text: str) -> list[str]:
    """The directories a go.work ``use``s (single lines and blocks), by the go.mod grammar."""
    from devenv.deps import gomod

    return [line.args[0].text for line in gomod.parse(text, forgiving=True).lines if line.verb == "use" and line.args]


def _npm_admits(spec: str, version: str) -> bool:
    import nodesemver

    try:
        return nodesemver.satisfies(version, spec, loose=True)
    except ValueError:
        return False
