"""Write a manifest as commented YAML: block mappings, short lists inline, a `# GUESS:` comment
on every value that was guessed, so review starts from the marks."""

from __future__ import annotations

import yaml

GUESS = "GUESS"


def _dump(value: object, unicode: bool) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=1_000_000, allow_unicode=unicode, sort_keys=False).strip()
    return text[:-3].rstrip() if text.endswith("\n...") or text == "..." or text.endswith(" ...") else text


def scalar(value: object) -> str:
    """One value in flow style, quoted as PyYAML's own emitter decides; readable UTF-8 unless
    that would not read back (NEL and line separators are line breaks to YAML)."""
    text = _dump(value, True)
    try:
        if yaml.safe_load(f"k: {text}") == {"k": value}:
            return text
    except yaml.YAMLError:
        pass
    return _dump(value, False)


def _flow(value: object) -> str:
    return scalar(value)


def _inline(value: object) -> bool:
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value) or len(_flow(value)) < 90
    if isinstance(value, dict):
        return not value or (all(not isinstance(v, (dict, list)) for v in value.values()) and len(_flow(value)) < 90)
    return True


def emit(data: dict, guesses: dict[tuple, str] | None = None, header: list[str] | None = None, notes: dict[tuple, str] | None = None) -> str:
    """YAML for ``data``; ``guesses``/``notes`` map a key path to a trailing/preceding comment."""
    guesses, notes = guesses or {}, notes or {}
    lines = [f"# {h}" if h else "#" for h in header or []]

    def walk(node: dict, path: tuple, indent: int) -> None:
        pad = "  " * indent
        for key, value in node.items():
            here = path + (key,)
            if here in notes:
                lines.extend(f"{pad}# {n}" for n in notes[here].splitlines())
            mark = f"  # {GUESS}: {guesses[here]}" if here in guesses else ""
            if isinstance(value, dict) and value and not (_inline(value) and indent >= 2):
                lines.append(f"{pad}{scalar(key)}:{mark}")
                walk(value, here, indent + 1)
            elif isinstance(value, list) and value and not _inline(value):
                lines.append(f"{pad}{scalar(key)}:{mark}")
                for item in value:
                    lines.append(f"{pad}  - {_flow(item)}")
            else:
                lines.append(f"{pad}{scalar(key)}: {_flow(value)}{mark}")
            if indent == 0:
                lines.append("")

    walk(data, (), 0)
    return "\n".join(lines).rstrip() + "\n"
