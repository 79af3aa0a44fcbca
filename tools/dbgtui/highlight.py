"""A small regex highlighter for Kamailio cfg text, line by line.

The debugger shows the server's source, which only has to look right: names of things come from
the cfg front-end on the server, so a lexer-grade colouring is not needed here (and no tree-sitter
grammar is). Block comments span lines, so `highlight_lines` carries that one bit of state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.style import Style
from rich.text import Text

KEYWORDS = frozenset("""
if else while switch case default break return exit drop route request_route reply_route
onreply_route failure_route branch_route onsend_route event_route branch_failure_route
error_route local_route loadmodule loadpath modparam include_file import_file and or not
""".split())

STYLES: dict[str, Style] = {
    "comment": Style(color="bright_black", italic=True),
    "directive": Style(color="magenta"),
    "string": Style(color="green"),
    "pv": Style(color="cyan"),
    "keyword": Style(color="yellow", bold=True),
    "number": Style(color="bright_magenta"),
    "route_name": Style(color="bright_blue", bold=True),
    "function": Style(color="bright_white"),
}

_TOKEN = re.compile(r"""
  (?P<bcomment>/\*)
| (?P<directive>^\s*(?:\#!|!!)[A-Za-z_]+)
| (?P<comment>\#.*$|//.*$)
| (?P<string>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?)
| (?P<pv>\$\((?:[^()]|\([^()]*\))*\)|\$[A-Za-z_?][\w.]*(?:\([^)]*\))?(?:\[[^\]]*\])?)
| (?P<route_name>(?<=\[)[A-Za-z_][\w:\-.]*(?=\]))
| (?P<word>[A-Za-z_][\w.]*)(?P<call>\s*\()?
| (?P<number>\b\d+\b)
""", re.X)


def highlight_line(line: str, in_comment: bool = False) -> tuple[Text, bool]:
    """`line` as styled Text, and whether a block comment is still open at its end."""
    text = Text(line)
    pos = 0
    if in_comment:
        end = line.find("*/")
        if end < 0:
            text.stylize(STYLES["comment"])
            return text, True
        pos = end + 2
        text.stylize(STYLES["comment"], 0, pos)
    while pos < len(line):
        m = _TOKEN.search(line, pos)
        if m is None:
            break
        kind = m.lastgroup if m.lastgroup != "call" else "word"
        if m["bcomment"]:
            end = line.find("*/", m.end())
            if end < 0:
                text.stylize(STYLES["comment"], m.start())
                return text, True
            text.stylize(STYLES["comment"], m.start(), end + 2)
            pos = end + 2
            continue
        if m["word"] is not None:
            word = m["word"]
            if word in KEYWORDS:
                text.stylize(STYLES["keyword"], m.start("word"), m.end("word"))
            elif m["call"]:
                text.stylize(STYLES["function"], m.start("word"), m.end("word"))
        elif kind is not None:
            text.stylize(STYLES[kind], m.start(), m.end())
        pos = max(m.end(), pos + 1)
    return text, False


def highlight_lines(lines: Iterable[str]) -> list[Text]:
    """Every line styled, block comments carried across lines."""
    out = []
    in_comment = False
    for line in lines:
        text, in_comment = highlight_line(line, in_comment)
        out.append(text)
    return out


def spans_of(text: Text) -> list[tuple[str, str]]:
    """(substring, style) pairs of a highlighted line: what tests look at."""
    return [(text.plain[s.start:s.end], str(s.style)) for s in text.spans]
