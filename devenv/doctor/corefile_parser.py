"""Parsing a Corefile: the token stream with ``import`` spliced in place (files, globs, snippets)
and the server blocks read from it (:func:`devenv.doctor.corefile.parse` is the entry point)."""

from __future__ import annotations

import fnmatch
import posixpath
from typing import Mapping

from devenv.doctor.corefile_syntax import COREFILE_PATH, MAX_IMPORT_DEPTH, CorefileError, Directive, ServerBlock, Token, resolve_path, tokenize

# -- the parser ------------------------------------------------------------------------------------


class Parser:
    def __init__(self, files: Mapping[str, str]):
        self.files = files
        self.snippets: dict[str, list[Token]] = {}
        self.unmatched: list[str] = []
        self.imported: list[str] = []  # every import pattern, in order (per server block: see below)
        self.origins = 0
        self.crossed: tuple[Token, Token] | None = None

    # token stream with lookahead; imports are spliced in place
    def run(self, text: str, file: str) -> list[ServerBlock]:
        self.tokens = tokenize(text, file)
        self.pos = 0
        servers: list[ServerBlock] = []
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            if tok.text == "import" and self._line_start(self.pos):
                self._splice_import(self.pos)
                continue
            if self._is_snippet(tok):
                self._define_snippet()
                continue
            servers.append(self._server_block())
        return servers

    def _line_start(self, i: int) -> bool:
        if i == 0:
            return True
        prev, cur = self.tokens[i - 1], self.tokens[i]
        return prev.file != cur.file or prev.origin != cur.origin or prev.end_line < cur.line

    def _is_snippet(self, tok: Token) -> bool:
        return len(tok.text) > 2 and tok.text.startswith("(") and tok.text.endswith(")")

    def _define_snippet(self) -> None:
        name_tok = self.tokens[self.pos]
        name = name_tok.text[1:-1]
        self.pos += 1
        if self.pos >= len(self.tokens) or self.tokens[self.pos].text != "{":
            raise CorefileError(name_tok.file, name_tok.line, f"snippet ({name}) must be followed by '{{'")
        self.pos += 1
        depth = 1
        body: list[Token] = []
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            self.pos += 1
            if tok.text == "{":
                depth += 1
            elif tok.text == "}":
                depth -= 1
                if depth == 0:
                    self.snippets[name] = body
                    return
            body.append(tok)
        raise CorefileError(name_tok.file, name_tok.line, f"snippet ({name}): missing '}}'")

    def _splice_import(self, i: int) -> None:
        """Replace ``import X`` (at token ``i``) by the tokens of the snippet or files it names."""
        tok = self.tokens[i]
        count = 0
        for t in self.tokens[i + 1 :]:
            if t.file != tok.file or t.origin != tok.origin or t.line != tok.end_line:
                break
            count += 1
        args = self.tokens[i + 1 : i + 1 + count]
        if len(args) != 1:
            raise CorefileError(tok.file, tok.line, "import takes exactly one argument (a file, glob or snippet)")
        pattern = args[0].text
        if tok.depth >= MAX_IMPORT_DEPTH:
            raise CorefileError(tok.file, tok.line, f"import {pattern}: imports nest deeper than {MAX_IMPORT_DEPTH} (a cycle?)")
        self.imported.append(pattern)
        spliced: list[Token] = []
        self.origins += 1
        origin = self.origins
        if pattern in self.snippets:
            spliced = [Token(t.text, t.file, t.line, t.quoted, tok.depth + 1, origin) for t in self.snippets[pattern]]
        else:
            base = posixpath.dirname(tok.file) if tok.file.startswith("/") else posixpath.dirname(COREFILE_PATH)
            path = resolve_path(base, pattern)
            if any(c in path for c in "*?["):
                matched = sorted(p for p in self.files if fnmatch.fnmatchcase(p, path))
                if not matched:
                    self.unmatched.append(pattern)
            else:
                matched = [path] if path in self.files else []
                if not matched:
                    raise CorefileError(tok.file, tok.line, f"import {pattern}: no such file")
            for path in matched:
                self.origins += 1
                spliced.extend(Token(t.text, t.file, t.line, t.quoted, tok.depth + 1, self.origins) for t in tokenize(self.files[path], path))
        self.tokens[i : i + 1 + count] = spliced

    def _server_block(self) -> ServerBlock:
        first = self.tokens[self.pos]
        keys: list[str] = []
        expecting = False
        while True:
            tok = self.tokens[self.pos]
            if tok.text == "{":
                if expecting:
                    raise CorefileError(tok.file, tok.line, "expected another address after ',' but found '{'")
                break
            if tok.text == "}":
                raise CorefileError(tok.file, tok.line, "unexpected '}': no block is open")
            text = tok.text
            for part in filter(None, text.split(",")):
                keys.append(part)
            expecting = text.endswith(",")
            self.pos += 1
            if self.pos >= len(self.tokens):
                if expecting:
                    raise CorefileError(tok.file, tok.line, "expected another address after ','")
                break
            if not expecting and self._line_start(self.pos):
                break
        before = len(self.imported)
        if self.pos < len(self.tokens) and self.tokens[self.pos].text == "{":
            self.pos += 1
            directives = self._lines(closing=True, opener=first)
        else:  # a single server block without braces: the rest of the file is its body
            directives = self._lines(closing=False, opener=first)
        imports = tuple(self.imported[before:])
        return ServerBlock(tuple(keys), tuple(directives), first.file, first.line, imports)

    def _lines(self, *, closing: bool, opener: Token) -> list[Directive]:
        lines: list[Directive] = []
        while self.pos < len(self.tokens):
            tok = self.tokens[self.pos]
            if tok.text == "}":
                if not closing:
                    raise CorefileError(tok.file, tok.line, "unexpected '}': no block is open")
                if (tok.file, tok.origin) != (opener.file, opener.origin) and not self.crossed:
                    self.crossed = (opener, tok)  # a block opened in one file, closed in another
                self.pos += 1
                return lines
            if tok.text == "{":
                raise CorefileError(tok.file, tok.line, "unexpected '{': a block must follow a directive")
            if tok.text == "import" and self._line_start(self.pos):
                self._splice_import(self.pos)
                continue
            lines.append(self._directive())
        if closing:
            if self.crossed:  # the real culprit: its '}' is missing, so it took someone else's
                culprit, closer = self.crossed
                raise CorefileError(
                    culprit.file,
                    culprit.line,
                    f"'{culprit.text}' opens a block that is not closed in this file (it takes the '}}' at {closer.file}:{closer.line})",
                )
            raise CorefileError(opener.file, opener.line, f"'{opener.text}': missing '}}' (unexpected end of file)")
        return lines

    def _directive(self) -> Directive:
        head = self.tokens[self.pos]
        self.pos += 1
        args: list[str] = []
        block: tuple[Directive, ...] | None = None
        while self.pos < len(self.tokens) and not self._line_start(self.pos):
            tok = self.tokens[self.pos]
            if tok.text == "{":
                self.pos += 1
                block = tuple(self._lines(closing=True, opener=head))
                break
            if tok.text == "}":
                break  # closes the enclosing block (e.g. `foo }` on one line)
            args.append(tok.text)
            self.pos += 1
        return Directive(head.text, tuple(args), head.file, head.line, block)
