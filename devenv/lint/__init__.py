"""`devenv lint`: the proto-boundary guardrail.

Only the SDKs (and the paths ``proto.allowed`` lists) may reference the proto workspace;
every other file consumes published SDKs. The pieces:

- :mod:`devenv.lint.needles`: what a reference is (the proto path as a path, a name as a
  whole token) and the fixed-string byte prefilter that keeps the scan fast.
- :mod:`devenv.lint.scan`: which files to look at (git's view of the tree, listed in the
  background by :mod:`devenv.lint.gitlisting`, or a walk that honours ``.gitignore`` files
  when there is no git); :mod:`devenv.lint.gitgrep`: the files git proves needle-free.
- :mod:`devenv.lint.rules`: one module per file context (Dockerfile, Tiltfile, package.json,
  …), each with an ``ID``, comment syntax and a ``describe()`` of a reference; plus the
  manifest rules (:mod:`devenv.lint.rules.manifest`).
- :mod:`devenv.lint.suppress`: ``devenv: allow proto-import reason="…"`` comments, and the
  ``"//devenv"`` key of JSON files, which have no comments.
- :mod:`devenv.lint.fileloop` reads every file once and keeps those with a needle;
  :mod:`devenv.lint.checker` finds one file's references; :mod:`devenv.lint.early` starts the
  file loop before the manifest is validated.
- :mod:`devenv.lint.engine`: runs it all and returns a :class:`~devenv.lint.model.LintResult`;
  :mod:`devenv.lint.formats` turns a result into text, JSON or SARIF.
"""

from __future__ import annotations

__all__ = ["Finding", "LintResult", "lint"]


def __getattr__(name: str):
    """``from devenv.lint import lint`` imports the engine (and the manifest model) only when asked:
    the early scan (:mod:`devenv.lint.early`) imports parts of this package before pydantic."""
    if name == "lint":
        from devenv.lint.engine import lint

        return lint
    if name in ("Finding", "LintResult"):
        from devenv.lint import model

        return getattr(model, name)
    raise AttributeError(f"module 'devenv.lint' has no attribute {name!r}")
