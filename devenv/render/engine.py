"""The Jinja environment: a user's templates next to the manifest first, then the shipped ones."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import jinja2

from devenv.errors import DevenvError
from devenv.render.context import RenderContext
from devenv.render.templatecache import bytecode_cache

TOP_TEMPLATE = "Tiltfile.tmpl"


def shipped_templates() -> Path:
    """Inside the wheel they live in devenv/_templates; in a source checkout at the top level."""
    packaged = Path(__file__).resolve().parent.parent / "_templates"
    if (packaged / TOP_TEMPLATE).is_file():
        return packaged
    return Path(__file__).resolve().parents[2]


# Every option that shapes the generated code: the compiled-template cache is keyed by them.
ENV_OPTIONS: dict = {"undefined": jinja2.StrictUndefined, "autoescape": False, "keep_trailing_newline": True, "trim_blocks": True, "lstrip_blocks": True}


_DICT_ATTRIBUTES = frozenset(dir(dict))  # what getattr() finds on a plain dict
_ABSENT = object()


class _Environment(jinja2.Environment):
    """Jinja's environment, with ``value.key`` on the context's dicts looked up without an exception.

    Jinja reads ``c.function`` as getattr(c, "function") first and c["function"] only after the
    AttributeError; the context's values are plain dicts, so every attribute in the templates
    (14,000 at 1,000 services) raised and caught one, a third of the template's run time. A name
    that a dict has as an attribute (``items``) still goes Jinja's way, so the result is the same.
    """

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            value = obj.get(attribute, _ABSENT)
            if value is not _ABSENT:
                return value
        return super().getattr(obj, attribute)


def environment(manifest_dir: Path) -> jinja2.Environment:
    search = [str(manifest_dir), str(shipped_templates())]
    return _Environment(loader=jinja2.FileSystemLoader(search), bytecode_cache=bytecode_cache(ENV_OPTIONS), **ENV_OPTIONS)


def _plain(value):
    """What dataclasses.asdict makes of a context value: dataclasses as dicts, lists and tuples
    rebuilt. Written out because asdict deep-copies every string (a third of a large render);
    exact lists, tuples and dataclasses first, as they fill the context, strings skipped inline."""
    kind = type(value)
    if kind is str:
        return value
    if kind is list:
        return [v if type(v) is str else _plain(v) for v in value]
    if kind is tuple:
        # An immutable tuple of strings is its own copy (the context's (key, value) pairs).
        if len(value) == 2 and type(value[0]) is str and type(value[1]) is str:
            return value
        return value if all(type(v) is str for v in value) else tuple(_plain(v) for v in value)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = _field_names(kind)
    if names:
        return {f: v if type(v := getattr(value, f)) is str else _plain(v) for f in names}
    return _plain_other(value)


_FIELDS: dict[type, tuple[str, ...]] = {}  # per type: its dataclass fields, () for anything else


def _field_names(kind: type) -> tuple[str, ...]:
    if issubclass(kind, (str, list, tuple, dict)):
        return ()  # as asdict: the container, not the fields, even on a dataclass
    return tuple(getattr(kind, "__dataclass_fields__", ()))


def _plain_other(value):
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {f: _plain(getattr(value, f)) for f in value.__dataclass_fields__}
    return value


def template_values(context: RenderContext) -> dict:
    return {f.name: _plain(getattr(context, f.name)) for f in fields(context)}


def _template_line(exc: BaseException) -> str:
    """``file:line`` of the innermost template frame in ``exc``'s traceback."""
    where = "template"
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _not_utf8(manifest_dir: Path) -> str | None:
    """The first template override next to the manifest that is not UTF-8."""
    candidates = [manifest_dir / TOP_TEMPLATE, *sorted((manifest_dir / "templates").rglob("*"))]
    for path in candidates:
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            return str(path)
        except OSError:
            continue
    return None


def render_template(manifest_dir: Path, context: RenderContext) -> str:
    env = environment(manifest_dir)
    try:
        template = env.get_template(TOP_TEMPLATE)
        text = template.render(**template_values(context))
    except jinja2.TemplateSyntaxError as exc:
        raise DevenvError(f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}", hint="fix the template override")
    except jinja2.UndefinedError as exc:
        raise DevenvError(f"template error: {exc.message}", hint="a template override uses a name the render does not provide")
    except jinja2.TemplateNotFound as exc:
        raise DevenvError(f"template not found: {exc.name}", hint="reinstall devenv, or add the template next to services.yaml")
    except UnicodeDecodeError as exc:
        raise DevenvError(
            f"{_not_utf8(manifest_dir) or 'a template'}: not UTF-8 text ({exc.reason} at byte {exc.start})", hint="save the template override as UTF-8"
        ) from None
    except (jinja2.TemplateError, ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        # A template override failed while running (`{{ 1/0 }}`, a bad filter argument): name it
        # and its line, from the frame Jinja maps back to the template source.
        raise DevenvError(f"{_template_line(exc)}: template error: {type(exc).__name__}: {exc}", hint="fix the template override") from None
    # Collapse the blank lines that conditional blocks leave behind, so output is tidy and stable.
    lines = text.replace("\r\n", "\n").split("\n")
    tidy: list[str] = []
    for line in lines:
        line = line.rstrip()
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).rstrip("\n") + "\n"
