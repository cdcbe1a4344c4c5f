"""The manifest's path rules: every path it names stays inside the repository, and the ones a
build or a deploy reads exist, can be read, and are what they claim to be (a chart has its
Chart.yaml). Symlink loops and folders devenv may not enter are reported by path, never raised.

A mixin of :class:`devenv.manifest.validate.Checker`, which provides ``m``, ``root``,
``_root_text``, the resolution caches and ``problem``.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Iterator
from pathlib import Path as FsPath
from typing import TYPE_CHECKING

from devenv.errors import Problem
from devenv.manifest.model import Manifest, Service
from devenv.manifest.plainyaml import UNWRITABLE

if TYPE_CHECKING:
    from devenv.manifest.positions import LoadedYaml


class PathRules:
    m: Manifest
    loaded: LoadedYaml
    root: FsPath
    _root_text: str
    _real_folders: dict[str, str]
    _resolved: dict[str, str]

    def problem(self, path: tuple, message: str, hint: str = "", *, key: bool = False, severity: str = "error") -> Problem:
        raise NotImplementedError  # the Checker's

    # -- files ------------------------------------------------------------------------------
    def _path_fields(self) -> Iterator[tuple[tuple, str, bool]]:
        """(path in manifest, relative path, must exist)."""
        if self.m.proto:
            yield ("proto", "path"), self.m.proto.path, False  # may be absent (see proto_exists)
            for i, p in enumerate(self.m.proto.allowed):
                yield ("proto", "allowed", i), p, False
        for name, reg in self.m.registries.items():
            if reg.ca_file:
                yield ("registries", name, "ca_file"), reg.ca_file, False
        for name, sdk in self.m.sdks.items():
            if sdk.path:
                yield ("sdks", name, "path"), sdk.path, False
            if sdk.generated:
                yield ("sdks", name, "generated"), sdk.generated, False
            for step, spec in sdk.steps.items():
                for i, dep in enumerate(spec.deps):
                    yield ("sdks", name, "steps", step, "deps", i), dep, False
        for name, svc in self.m.services.items():
            yield from self._service_paths(name, svc)

    def _service_paths(self, name: str, svc: Service) -> Iterator[tuple[tuple, str, bool]]:
        base = ("services", name)
        if svc.context:
            yield base + ("context",), svc.context, True
        if svc.image and svc.context:
            yield base + ("dockerfile",), svc.dockerfile or f"{svc.context}/Dockerfile", True
        for i, p in enumerate(svc.k8s):
            yield base + ("k8s", i), p, True
        if svc.helm:
            yield base + ("helm", "chart"), svc.helm.chart, True
            for i, p in enumerate(svc.helm.values):
                yield base + ("helm", "values", i), p, True
        for i, p in enumerate(svc.only):
            yield base + ("only", i), os.path.join(svc.context or ".", p), False
        for i, step in enumerate(svc.live_update):
            sync = getattr(step, "sync", None)
            if sync:
                yield base + ("live_update", i, "sync", "from"), sync.from_, False

    def _real(self, relative: str) -> str:
        """``realpath(root/relative)``, resolving each folder once: thousands of services share
        a few folders, and a full resolve costs one lstat per path component."""
        folder, base = os.path.split(relative)
        if base in ("", ".", ".."):
            return os.path.realpath(os.path.join(self._root_text, relative))
        full = os.path.join(self._real_folder(folder), base)
        return os.path.realpath(full) if os.path.islink(full) else full

    def _real_folder(self, folder: str) -> str:
        """The real path of a folder under the root, from its parent's (cached): one lstat per
        folder, not one per component of every path below it."""
        real = self._real_folders.get(folder)
        if real is None:
            real = self._real_folders[folder] = self._real(folder) if folder else os.path.realpath(self._root_text)
        return real

    def _inside_root(self, relative: str) -> str | None:
        """The real path of ``relative`` when it stays inside the manifest's folder, else None."""
        if os.path.isabs(relative):
            return None
        full = self._resolved.get(relative)
        if full is None:
            full = self._resolved[relative] = self._real(relative)
        return full if within(full, self._root_text) else None

    def paths(self) -> Iterator[Problem]:
        for path, relative, must_exist in self._path_fields():
            if UNWRITABLE.search(relative):
                continue  # a NUL or lone surrogate: the loader reported it at its place, and no system call takes it
            full = self._inside_root(relative)
            if full is None:
                yield self.problem(path, f"'{relative}' leaves the repository", "paths are relative to the manifest's folder and stay inside it")
            elif must_exist:
                yield from self._readable(path, relative, full)

    def proto_exists(self) -> Iterator[Problem]:
        """A checkout may lack the proto workspace (`devenv sdk guard` reports that), so here a
        missing one is a warning with a did-you-mean; lint, whose guardrail it would silently
        turn off, refuses to run without it."""
        if not self.m.proto:
            return
        full = self._inside_root(self.m.proto.path)
        if full is None:
            return
        try:
            os.stat(full)  # through symlinks: a dangling link or a loop is no workspace either
        except FileNotFoundError:
            close = _did_you_mean(FsPath(full))
            yield self.problem(
                ("proto", "path"),
                f"'{self.m.proto.path}' does not exist",
                f"did you mean '{close}'?" if close else "lint cannot check the proto boundary without it",
                severity="warning",
            )
        except OSError as exc:
            yield self.problem(
                ("proto", "path"),
                f"'{self.m.proto.path}' cannot be used: {exc.strerror or exc}",
                "fix the symlink or the permissions; lint cannot check the proto boundary without it",
                severity="warning",
            )

    def _readable(self, path: tuple, relative: str, full_text: str) -> Iterator[Problem]:
        """Exists, and is not a symlink loop or behind a folder devenv may not enter."""
        try:
            info = os.stat(full_text)
        except FileNotFoundError:
            close = _did_you_mean(FsPath(full_text))
            hint = f"did you mean '{close}'?" if close else f"create it, or fix the path (relative to {self.root.name}/)"
            yield self.problem(path, f"'{relative}' does not exist", hint)
            return
        except OSError as exc:
            yield self.problem(path, f"'{relative}' cannot be used: {exc.strerror or exc}", "fix the symlink or the permissions")
            return
        special = _special_kind(info.st_mode)
        wrong = _wrong_kind(path, stat.S_ISDIR(info.st_mode))
        if special:  # render would block on a FIFO, or read a device without end
            yield self.problem(path, f"'{relative}' is {special}, not a file or folder", "point it at a regular file")
        elif wrong:  # Tilt would fail on it at load or build time, far from this line
            yield self.problem(path, f"'{relative}' is {wrong}", "point it at a file in it")
        elif not os.access(full_text, os.R_OK | (os.X_OK if stat.S_ISDIR(info.st_mode) else 0)):
            yield self.problem(path, f"'{relative}' cannot be read: permission denied", "fix its permissions")
        elif path[-2:] == ("helm", "chart") and stat.S_ISDIR(info.st_mode) and not os.path.isfile(os.path.join(full_text, "Chart.yaml")):
            yield self.problem(path, f"'{relative}' has no Chart.yaml, so it is not a Helm chart", "point helm.chart at the folder that holds Chart.yaml")


def _wrong_kind(path: tuple, is_dir: bool) -> str | None:
    """Why a path is the wrong kind for its key: a Dockerfile, k8s file or helm values file that
    is a folder; None when it fits. (A build context that is a file is already reported by its
    Dockerfile, which cannot be under it.)"""
    wants_file = path[-1] == "dockerfile" or path[-2] == "k8s" or path[-3:-1] == ("helm", "values")
    if wants_file and is_dir:
        return "a folder, not a file"
    return None


def _special_kind(mode: int) -> str | None:
    """What a path is when it is neither a regular file nor a folder, else None."""
    kinds = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), None)


def within(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or lies below it (both real, absolute paths)."""
    return path == folder or path.startswith(folder if folder.endswith(os.sep) else folder + os.sep)


def _did_you_mean(full: FsPath) -> str | None:
    """The entry next to a missing path that it most likely meant (a typo, or the wrong case)."""
    try:
        siblings = os.listdir(full.parent)
    except OSError:
        return None
    lowered = {s.lower(): s for s in siblings}
    if full.name.lower() in lowered:
        return lowered[full.name.lower()]
    close = difflib.get_close_matches(full.name, siblings, n=1, cutoff=0.75)
    return close[0] if close else None
