"""Command lines into RPC parameters, typed the way kamcmd types them.

kamcmd sends an argument as an int when strtol reads all of it, else as a double when strtod
does, else as a string; `s:` in front forces a string (`s:1` is the string "1"). We do the same
with two deliberate differences, both because JSON cannot carry what strtod would make of them:
`inf`/`nan` and C hex floats (`0x10`) stay strings. In the shell, quoting also forces a string
(`core.echo "12"`) and keeps spaces inside one argument; quoting is the shell's job on the
command line, so there only `s:` counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

STRING_PREFIX = "s:"
_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?\Z")

Param = int | float | str


class ArgError(ValueError):
    """A line that cannot be split into words (an unclosed quote)."""


@dataclass(frozen=True)
class Word:
    """One word of a shell line; `quoted` when any part of it was in quotes."""

    text: str
    quoted: bool = False


def type_arg(text: str) -> Param:
    """`text` as kamcmd would send it: int, else float, else string (`s:` forces string)."""
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    if text.startswith(STRING_PREFIX):
        return text[len(STRING_PREFIX):]
    return text


def type_word(word: Word) -> Param:
    """A shell word as a parameter: quoted words are strings exactly as written."""
    return word.text if word.quoted else type_arg(word.text)


def split_line(line: str) -> list[Word]:
    """Split a shell line on blanks; '...' is literal, "..." allows \\" and \\\\ inside."""
    words: list[Word] = []
    buf: list[str] = []
    quoted = in_word = False
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch in " \t\r\n":
            if in_word:
                words.append(Word("".join(buf), quoted))
                buf, quoted, in_word = [], False, False
            i += 1
            continue
        in_word = True
        if ch in "'\"":
            end = _closing_quote(line, i)
            body = line[i + 1:end]
            if ch == '"':
                body = re.sub(r'\\(["\\])', r"\1", body)
            buf.append(body)
            quoted = True
            i = end + 1
            continue
        buf.append(ch)
        i += 1
    if in_word:
        words.append(Word("".join(buf), quoted))
    return words


def _closing_quote(line: str, start: int) -> int:
    quote = line[start]
    i = start + 1
    while i < len(line):
        if quote == '"' and line[i] == "\\" and i + 1 < len(line):
            i += 2
            continue
        if line[i] == quote:
            return i
        i += 1
    raise ArgError(f"unclosed {quote} quote")
