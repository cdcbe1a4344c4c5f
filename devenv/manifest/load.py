"""Find, read, parse and validate `services.yaml`; every problem is collected, none raised alone."""

from __future__ import annotations

import os
import stat
import typing
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, TypeAdapter, ValidationError

from devenv.errors import DevenvError, Location, ManifestError, Problem, escape
from devenv.manifest import construct, validate
from devenv.manifest.model import SECTIONS, Manifest
from devenv.manifest.positions import LoadedYaml, load_yaml
from devenv.manifest.schema_errors import broken_paths, problems_from
from devenv.util.fsutil import PREFIX_LIMIT, read_prefix, read_stream

MANIFEST_NAME = "services.yaml"


@dataclass
class LoadedManifest:
    manifest: Manifest
    path: Path  # absolute
    display: str  # how messages name the file
    text: str
    positions: LoadedYaml
    warnings: list[Problem] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def sha256(self) -> str:
        """The parsed document's digest (:mod:`devenv.manifest.digest`)."""
        from devenv.manifest.digest import document_sha256

        return document_sha256(self.positions.data)


STDIN = "-"


def reads_stdin(explicit: str | os.PathLike | None) -> bool:
    """``-f -``, or ``-f`` naming whatever stdin is (``/dev/stdin``, ``/dev/fd/0``, a pipe)."""
    if explicit is None:
        return False
    if str(explicit) == STDIN:
        return True
    try:
        return os.path.samestat(os.stat(explicit), os.fstat(0))
    except (OSError, ValueError):
        return False


def find_manifest(explicit: str | os.PathLike | None = None, cwd: Path | None = None) -> Path:
    """``-f`` when given; else ``./services.yaml``; else the nearest one in a parent folder."""
    cwd = cwd or Path.cwd()
    if explicit:
        path = Path(explicit)
        try:
            if path.is_dir():
                path = path / MANIFEST_NAME
            info = path.stat()
        except FileNotFoundError:
            raise DevenvError(f"manifest not found: {explicit}", hint="check the path given to -f/--manifest") from None
        except OSError as exc:
            raise DevenvError(
                f"cannot read {explicit}: {exc.strerror or exc}", hint="a symlink loop or a folder you may not enter: check the path given to -f"
            ) from None
        if not stat.S_ISREG(info.st_mode):
            raise DevenvError(f"{explicit} is not a regular file", hint="pass a services.yaml file to -f, or `-f -` to read stdin")
        return path.absolute()
    for folder in (cwd, *cwd.parents):
        candidate = folder / MANIFEST_NAME
        if candidate.is_file():
            return candidate
    raise DevenvError(f"no {MANIFEST_NAME} in {cwd} or any parent folder", hint="run from inside the repository, or pass -f path/to/services.yaml")


def display_name(path: Path, cwd: Path | None = None) -> str:
    """How messages name ``path``: relative to ``cwd`` when inside it, control characters escaped
    (a file name with a newline must not forge a line of output)."""
    cwd = cwd or Path.cwd()
    try:
        return escape(str(path.relative_to(cwd)))
    except ValueError:
        return escape(str(path))


def load_manifest(explicit: str | os.PathLike | None = None, *, cwd: Path | None = None) -> LoadedManifest:
    """Find, read and check the manifest; ``-f -`` (or ``-f /dev/stdin``) reads it from stdin,
    with the current folder as its root. At most :data:`PREFIX_LIMIT` bytes are read."""
    if reads_stdin(explicit):
        path, display = (cwd or Path.cwd()).absolute() / MANIFEST_NAME, "<stdin>"
        try:
            data = read_stream(0, name="stdin")
        except OSError as exc:
            raise DevenvError(f"cannot read the manifest from stdin: {exc.strerror or exc}") from None
    else:
        path = find_manifest(explicit, cwd)
        display = display_name(path, cwd)
        try:
            data, truncated = read_prefix(path)
        except OSError as exc:
            raise DevenvError(f"cannot read {display}: {exc.strerror or exc}", hint="check the file's permissions") from None
        if truncated:
            raise DevenvError(f"{display} is larger than {PREFIX_LIMIT // (1024 * 1024)} MiB: not a manifest", hint="check the path given to -f")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError([Problem(Location(display, 1, 1), "", f"not UTF-8 text ({exc.reason} at byte {exc.start})")])
    return parse_manifest(text, path, display)


def parse_manifest(text: str, path: Path, display: str) -> LoadedManifest:
    loaded = load_yaml(text, display)
    problems = list(loaded.problems)
    if loaded.data is None and not problems:
        problems.append(Problem(Location(display, 1, 1), "", "the manifest is empty", "start from `version: 1` and `project: <name>`"))
    if problems and loaded.data is None:
        raise ManifestError(problems)
    if not isinstance(loaded.data, dict):
        raise ManifestError([Problem(Location(display, 1, 1), "", "the manifest must be a mapping of keys (version, project, services, …)")])
    broken: frozenset = frozenset()
    # A YAML problem already makes the manifest invalid: pydantic's messages then, as for every invalid one.
    built = None if problems else construct.build(Manifest, loaded.data)
    if built is not None:
        manifest = typing.cast(Manifest, built)
    else:
        try:
            manifest = Manifest.model_validate(loaded.data)
        except ValidationError as exc:
            problems.extend(problems_from(exc, loaded, Manifest))
            broken = broken_paths(exc, loaded, Manifest)
            manifest = _partial_manifest(loaded.data)
    findings = validate.check(manifest, loaded, path.parent, broken)
    problems.extend(p for p in findings if p.severity == "error")
    if problems:
        raise ManifestError(sorted(problems, key=lambda p: (p.location.line, p.location.col)))
    warnings = [p for p in findings if p.severity != "error"]
    return LoadedManifest(manifest, path, display, text, loaded, warnings)


def _partial_manifest(data: dict) -> Manifest:
    """The parts of an invalid manifest that are valid, so cross-key rules still run on them."""
    fields: dict = {}
    for name, info in Manifest.model_fields.items():
        if name not in data:
            continue
        value = data[name]
        if name in SECTIONS and isinstance(value, dict):
            item_type = typing.get_args(info.annotation)[1]
            # Names YAML read as numbers or booleans (`1:`, `no:`) were reported by the schema;
            # keep them out of the cross-key rules, which work on strings.
            fields[name] = {k: v for k, v in ((k, _try(item_type, v)) for k, v in value.items() if isinstance(k, str)) if v is not None}
        else:
            parsed = _try(info.annotation, value)
            if parsed is not None:
                fields[name] = parsed
    return Manifest.model_construct(**fields)


def _try(annotation, value):
    """Validate ``value``, dropping the keys that fail (a few rounds) so the rest still counts."""
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    for _ in range(8):
        try:
            if is_model:
                return annotation.model_validate(value)
            return TypeAdapter(annotation).validate_python(value)
        except ValidationError as exc:
            if not (is_model and isinstance(value, dict)):
                return None
            bad = {e["loc"][0] for e in exc.errors() if e["loc"] and e["type"] != "missing"}
            if not bad or not bad & set(value):
                return None
            value = {k: v for k, v in value.items() if k not in bad}
    return None
