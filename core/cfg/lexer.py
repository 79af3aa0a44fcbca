"""Lexer: preprocessed cfg text -> tokens with offsets.

A small scanner over offsets (tomllib's habit): one compiled master regex finds the next token,
and the few tokens with nesting (pseudo-variables like `$(hdr(Via)[0]{s.len})`) are finished by
hand. Tokens carry only offsets; `SourceMap.span` turns them into file:line:col when needed.
Keywords are plain `ID` tokens: the parser decides what a word means where it stands, because
Kamailio's keywords (`route`, `if`, `mod`, `eq`...) are also valid words in other places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .diagnostics import Diagnostic, diag
from .source import SourceMap


class T(StrEnum):
    ID = "identifier"
    NUMBER = "number"
    STRING = "string"
    PVAR = "pseudo-variable"
    SELECT = "select"
    IPV4 = "IPv4 address"
    IPV6 = "IPv6 address"
    OP = "operator"
    EOF = "end of file"


@dataclass(slots=True)
class Token:
    """A token; not frozen because frozen dataclasses are slow to build and lexing makes
    tens of thousands of them."""

    kind: T
    text: str  # the source text (for STRING: the decoded value; for NUMBER: the digits)
    start: int
    end: int
    quote: str = ""  # for STRING: the quote character used

    def is_op(self, *ops: str) -> bool:
        return self.kind is T.OP and self.text in ops

    def is_word(self, *words: str) -> bool:
        return self.kind is T.ID and self.text in words

    def describe(self) -> str:
        if self.kind is T.EOF:
            return "end of file"
        if self.kind is T.STRING:
            return f"string {self.quote}{self.text}{self.quote}"
        return f"'{self.text}'"


# Longest operators first. `!~ % := += -=` are not Kamailio operators: they are lexed so that
# the parser can say so and name the Kamailio spelling.
_OPERATORS = [
    "&&", "||", "==", "!=", "=~", "<=", ">=", "<<", ">>", "!~", ":=", "+=", "-=",
    "(", ")", "{", "}", "[", "]", ";", ",", "=", "<", ">", "+", "-", "*", "/", "|", "&",
    "^", "~", "!", ":", ".", "%",
]

_MASTER = re.compile(
    r"""
    (?P<ws>[ \t\r\n\f\v]+)
  | (?P<lcomment>(?:\#|//)[^\n]*)
  | (?P<bcomment>/\*)
  | (?P<ipv4>\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![\w.]))
  | (?P<hex>0[xX][0-9a-fA-F]+)
  | (?P<number>\d+(?![A-Za-z_]))
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<alnum>\d[A-Za-z0-9_]*)
  | (?P<string>["'])
  | (?P<pv>\$)
  | (?P<select>@[A-Za-z_][A-Za-z0-9_.\-]*(?:\[[^\]\n]*\][A-Za-z0-9_.\-]*)*)
  | (?P<op>"""
    + "|".join(re.escape(op) for op in _OPERATORS)
    + r""")
    """,
    re.VERBOSE,
)

_OCTAL_DIGITS = set("01234567")
_PV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "a": "\a", "\\": "\\", '"': '"', "'": "'", "0": "\0"}
_OPEN = {"(": ")", "[": "]", "{": "}"}


class Lexer:
    """Turns preprocessed text into a list of tokens plus lexical diagnostics."""

    def __init__(self, smap: SourceMap) -> None:
        self.smap = smap
        self.text = smap.text
        self.diagnostics: list[Diagnostic] = []
        self.error_offsets: list[int] = []

    def _error(self, code: str, start: int, end: int, message: str, hint: str | None = None) -> None:
        self.error_offsets.append(start)
        self.diagnostics.append(diag(code, self.smap.span(start, end), message, hint))

    def tokens(self) -> list[Token]:
        text = self.text
        out: list[Token] = []
        pos = 0
        n = len(text)
        match = _MASTER.match
        while pos < n:
            m = match(text, pos)
            if m is None:
                self._error("E111", pos, pos + 1, f"character {text[pos]!r} is not allowed here")
                pos += 1
                continue
            kind = m.lastgroup
            end = m.end()
            if kind == "ws" or kind == "lcomment":
                pass
            elif kind == "id":
                out.append(Token(T.ID, m.group(), pos, end))
            elif kind == "number":
                digits = m.group()
                if len(digits) > 1 and digits[0] == "0" and set(digits) <= _OCTAL_DIGITS:
                    # Kamailio reads a leading 0 as octal: modparam("ctl", "mode", 0660).
                    digits = str(int(digits, 8))
                out.append(Token(T.NUMBER, digits, pos, end))
            elif kind == "hex":
                out.append(Token(T.NUMBER, str(int(m.group(), 16)), pos, end))
            elif kind == "ipv4":
                out.append(Token(T.IPV4, m.group(), pos, end))
            elif kind == "alnum":
                # e.g. a route name like 1ABC: Kamailio accepts it only in route names.
                out.append(Token(T.ID, m.group(), pos, end))
            elif kind == "op":
                out.append(Token(T.OP, m.group(), pos, end))
            elif kind == "bcomment":
                end = self._block_comment_end(pos)
            elif kind == "string":
                tok, end = self._string(pos, m.group())
                if tok is not None:
                    out.append(tok)
            elif kind == "pv":
                tok, end = self._pvar(pos)
                out.append(tok)
            elif kind == "select":
                out.append(Token(T.SELECT, m.group(), pos, end))
            pos = end
        out.append(Token(T.EOF, "", n, n))
        return out

    def _block_comment_end(self, start: int) -> int:
        """Offset after the `*/` closing the comment at `start`; Kamailio's comments nest."""
        text = self.text
        depth = 0
        pos = start
        while True:
            opening = text.find("/*", pos)
            closing = text.find("*/", pos)
            if closing < 0:
                self._error("E110", start, start + 2, "block comment is never closed",
                            "close it with */")
                return len(text)
            if 0 <= opening < closing:
                depth += 1
                pos = opening + 2
                continue
            depth -= 1
            pos = closing + 2
            if depth == 0:
                return pos

    def _string(self, start: int, quote: str) -> tuple[Token | None, int]:
        text = self.text
        pos = start + 1
        parts: list[str] = []
        n = len(text)
        while True:
            q = text.find(quote, pos)
            b = text.find("\\", pos, q if q >= 0 else n)
            if q < 0:
                # Resume at the end of the line: one unclosed quote must not hide the rest of
                # the file from the parser.
                self._error("E110", start, start + 1, "string is never closed",
                            f"add the closing {quote}")
                eol = text.find("\n", start)
                eol = n if eol < 0 else eol
                return Token(T.STRING, text[start + 1 : eol], start, eol, quote), eol
            if b < 0:
                parts.append(text[pos:q])
                return Token(T.STRING, "".join(parts), start, q + 1, quote), q + 1
            parts.append(text[pos:b])
            esc = text[b + 1 : b + 2]
            if esc == "\n":
                pass  # backslash-newline continues the string on the next line
            elif esc in _ESCAPES:
                parts.append(_ESCAPES[esc])
            else:
                # Unknown escapes keep their backslash: regular expressions rely on it.
                parts.append("\\" + esc)
            pos = b + 2

    def _pvar(self, start: int) -> tuple[Token, int]:
        """`$name`, `$name(inner)` or `$(name(inner)[index]{tr...})`, brackets balanced."""
        text = self.text
        pos = start + 1
        if text.startswith("(", pos):
            end = self._balanced(pos)
            if end < 0:
                self._error("E112", start, pos + 1, "pseudo-variable '$(' is never closed",
                            "write it as $(name(inner)[index]{transformation})")
                return Token(T.PVAR, text[start:pos], start, pos + 1), pos + 1
            return Token(T.PVAR, text[start:end], start, end), end
        if text.startswith("?", pos):
            return Token(T.PVAR, "$?", start, pos + 1), pos + 1  # $? is $rc, the last retcode
        m = _PV_NAME.match(text, pos)
        if m is None:
            self._error("E112", start, start + 1, "'$' must start a pseudo-variable name",
                        "pseudo-variables look like $ru, $var(x) or $(hdr(Via)[0])")
            return Token(T.PVAR, "$", start, start + 1), start + 1
        end = m.end()
        if text.startswith("(", end):
            close = self._balanced(end)
            if close < 0:
                self._error("E112", start, end + 1, f"'{text[start:end]}(' is never closed",
                            "close the pseudo-variable's inner name with ')'")
                return Token(T.PVAR, text[start:end], start, end), end + 1
            end = close
        return Token(T.PVAR, text[start:end], start, end), end

    def _balanced(self, pos: int) -> int:
        """End offset after the bracket opened at `pos` is closed; -1 if it never is."""
        text = self.text
        stack = [_OPEN[text[pos]]]
        i = pos + 1
        n = len(text)
        while i < n:
            c = text[i]
            if c in _OPEN:
                stack.append(_OPEN[c])
            elif c == stack[-1]:
                stack.pop()
                if not stack:
                    return i + 1
            elif c == "\n" and len(stack) == 1 and stack[0] == ")":
                return -1  # a PV never spans lines; stop early for a better message
            i += 1
        return -1


def tokenize(smap: SourceMap) -> tuple[list[Token], list[Diagnostic]]:
    """Tokens of the preprocessed text, ending with an EOF token, and lexical diagnostics."""
    lexer = Lexer(smap)
    toks = lexer.tokens()
    return toks, lexer.diagnostics
