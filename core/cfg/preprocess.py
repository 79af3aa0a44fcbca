"""The cfg preprocessor: directives, defines and includes -> one text plus a source map.

Kamailio runs its preprocessor inside the flex lexer; we run it as a stage of its own so that the
linter, the grapher and the server all see the same text. The output is the text the lexer reads:
directive lines and inactive `#!ifdef` branches become empty lines (their newlines stay, so line
numbers survive), `include_file` statements become the included text, and identifiers that name a
`#!define` become its value. The `SourceMap` maps every output offset back to file:line:col.

Semantics follow Kamailio 5.x `cfg.lex`/`ppcfg.c` (3.1 configs are a subset):
- directives start a line with `#!` or `!!`; `#` followed by anything else is a comment;
- define names are replaced only in code: never inside strings, comments or pseudo-variables;
  a name defined without a value expands to nothing; values are expanded where used, so they
  see the defines of that moment;
- `#!subst` rules rewrite string literals, pseudo-variable text and include paths that follow
  (Kamailio runs `pp_subst_run` on STRING and PVAR tokens and on include file names).

The scanner is one compiled regex that finds only the things that matter (directive lines,
strings, comments, pseudo-variables, include and loadmodule statements). Text is copied in bulk
slices; stretches between directive lines that mention no defined name (most of a config) are
skipped in one regex call, so a 10,000-line config costs milliseconds, not a Python loop per
character.
"""

from __future__ import annotations

import bisect
import itertools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .diagnostics import Diagnostic, diag
from .source import Segment, SourceMap, Span

__all__ = [
    "BUILTIN_DEFINES",
    "Define",
    "MAX_EXPANSION_DEPTH",
    "MAX_INCLUDE_DEPTH",
    "PreprocessResult",
    "parse_cli_define",
    "preprocess_file",
    "preprocess_text",
]

MAX_INCLUDE_DEPTH = 10  # Kamailio's MAX_INCLUDE_DEPTH: files nested below the main one
MAX_EXPANSION_DEPTH = 10  # nested define expansions (Kamailio has none and loops forever)
BUILTIN_DEFINES = ("KAMAILIO_5", "KAMAILIO_5_6", "SIPROUTER")

MODES = {"KAMAILIO": "KAMAILIO", "OPENSER": "KAMAILIO", "SER": "SER",
         "MAXCOMPAT": "MAXCOMPAT", "ALL": "MAXCOMPAT"}


@dataclass
class Define:
    """One entry of the define table."""

    name: str
    value: str | None  # None = defined without value
    span: Span | None  # where it was defined (None for built-ins / command line)


@dataclass
class PreprocessResult:
    """Everything the later stages need: the text, where it came from, and what went wrong."""

    text: str  # preprocessed text: what the lexer reads
    source_map: SourceMap  # source_map.text is text; maps every offset back
    defines: dict[str, Define]  # the define table at the end
    files: list[str]  # every file read, main file first (absolute or as given)
    diagnostics: list[Diagnostic]
    mode: str | None  # "KAMAILIO", "SER", "MAXCOMPAT" from a mode line, else None
    loaded_modules: list[str]  # names seen in active `loadmodule "x.so"` lines, in order


# --------------------------------------------------------------------------------------------
# Regular expressions, compiled once.

# Pseudo-variable arguments: up to three levels of parentheses are matched here; deeper nesting
# is finished by `_paren_end` (Kamailio counts parentheses, and a PV never spans lines). Loops are
# unrolled (`a*(?:b a*)*`): per-character alternation is several times slower in `re`.
_ARGS1 = r"\([^()\n]*\)"
_ARGS2 = r"\([^()\n]*(?:" + _ARGS1 + r"[^()\n]*)*\)"
_ARGS = r"\([^()\n]*(?:" + _ARGS2 + r"[^()\n]*)*\)"

# Statements that only count at the start of a line.
_LINE_START = r"""
      (?P<pp>[ \t]*(?P<ppfx>\#!|!!|//!)(?=[A-Za-z_]))
    | (?P<inc>[ \t]*(?P<inckw>include_file|import_file)(?!\w))
    | (?P<lm>[ \t]*loadmodulex?[ \t]+(?=["']))
"""
_FIRST_LINE = re.compile(_LINE_START, re.VERBOSE | re.ASCII)

# Every branch starts with a literal character so that `re` can skip to candidates in C; the
# line-start branches therefore begin with the newline before the line (see _FIRST_LINE).
_MASTER = re.compile(
    r"""
      \n(?:""" + _LINE_START + r""")
    | \$(?P<pv>(?P<pva>""" + _ARGS + r""")
              |(?:(?:[ft][rud]?|g)\.)?[A-Za-z_]\w*(?P<pvb>""" + _ARGS + r""")?
              |)
    | "(?P<dq>[^"\\]*(?:\\[\s\S][^"\\]*)*)"
    | "(?P<dqopen>)
    | '(?P<sq>[^']*)'
    | '(?P<sqopen>)
    | /(?P<slash>[/*])
    | \#(?P<lc>[^\n]*)
    | @(?P<sel>[A-Za-z_][\w.]*(?:\[[^\]\n]*\][\w.]*)*)
    """,
    re.VERBOSE | re.ASCII,
)

# Inside an inactive #!ifdef branch Kamailio looks only for the conditional directives.
_SKIP = re.compile(r"\n[ \t]*(?:\#!|!!)(?:ifdef|ifndef|else|endif)(?!\w)")

# Where the define table may change next: code up to there needs checking only if it mentions
# a defined name at all (most stretches of a config do not).
_REGION_END = re.compile(r"\n[ \t]*(?:\#!|!!|//!|include_file|import_file|loadmodule)")

# In such a stretch, with no #!subst rules either, text is copied verbatim: this consumes it in
# one call, stopping where Python must look (block comments, unterminated quotes, PVs with deep
# nesting, and the lines _REGION_END stops at).
_VERBATIM = re.compile(
    r"""(?:
        [^\n"'$/\#]+
      | "[^"\\]*(?:\\[\s\S][^"\\]*)*"
      | '[^']*'
      | \#[^\n]*
      | //[^\n]*
      | /(?![/*])
      | \$(?:""" + _ARGS + r"""|(?:(?:[ft][rud]?|g)\.)?[A-Za-z_]\w*(?:""" + _ARGS + r""")?)?(?!\()
      | \n(?![ \t]*(?:\#!|!!|//!|include_file|import_file|loadmodule))
    )*""",
    re.VERBOSE | re.ASCII,
)

# A define value is re-read by the lexer where it is used: the same tokens matter there.
_VALUE_TOKENS = re.compile(
    r"""
      (?P<pv>\$(?:""" + _ARGS + r"""|(?:(?:[ft][rud]?|g)\.)?[A-Za-z_]\w*(?:""" + _ARGS + r""")?)?)
    | (?P<dq>"[^"\\]*(?:\\[\s\S][^"\\]*)*")
    | (?P<sq>'[^']*')
    | (?P<bc>/\*[\s\S]*?(?:\*/|\Z))
    | (?P<lc>(?:\#|//)[\s\S]*)
    | (?P<sel>@[A-Za-z_][\w.]*)
    | (?P<id>\b[A-Za-z_]\w*)
    """,
    re.VERBOSE | re.ASCII,
)

_IDENT = re.compile(r"\b[A-Za-z_]\w*", re.ASCII)
_NAME = re.compile(r"[A-Za-z_]\w*", re.ASCII)
_NAME_FULL = re.compile(r"[A-Za-z_]\w*\Z", re.ASCII)
_COMMENT_EDGE = re.compile(r"/\*|\*/")
_PAREN = re.compile(r"[()\n]")
_STRING_AT = re.compile(r""""[^"\\]*(?:\\[\s\S][^"\\]*)*"|'[^']*'""")
_DQ_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_QUOTED = re.compile(r""""(?:[^"\\\n]|\\.)*"|'[^'\n]*'""")
_POSIX_CLASSES = {
    "[:alpha:]": "a-zA-Z", "[:digit:]": "0-9", "[:alnum:]": "a-zA-Z0-9",
    "[:upper:]": "A-Z", "[:lower:]": "a-z", "[:space:]": r" \t\r\n\f\v",
    "[:blank:]": r" \t", "[:xdigit:]": "0-9A-Fa-f", "[:punct:]": r"!-/:-@\[-`{-~",
}
_STRING_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "a": "\a", "\\": "\\", '"': '"'}
# Writing a value back as a "literal": newlines stay escapes so output lines stay source lines.
_ENCODE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
# Kamailio's STRING1 escapes; a single octal digit is left alone (it would eat subst back refs).
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{1,2}|[0-7]{2,3}|[\s\S])")


# --------------------------------------------------------------------------------------------
# Small pure helpers.


def parse_cli_define(arg: str) -> tuple[str, str | None]:
    """Split a `-A` argument into (name, value): `NAME`, `NAME=1`, `NAME="s"`.

    Like Kamailio the value is kept as written (quotes included) because it is inserted into the
    config text as-is; `NAME=` defines NAME without a value. Raises ValueError when NAME is not an
    identifier, so that argparse can report it as a usage error.
    """
    name, sep, value = arg.partition("=")
    if not _NAME_FULL.match(name):
        raise ValueError(f"invalid define name {name!r} in -A {arg!r}")
    return name, (value if sep and value else None)


def _paren_end(text: str, pos: int) -> int:
    """End of the balanced parentheses opening at `pos`; an unclosed one stops at the line end."""
    depth = 0
    for m in _PAREN.finditer(text, pos):
        ch = m.group()
        if ch == "\n":
            return m.start()
        depth += 1 if ch == "(" else -1
        if depth == 0:
            return m.end()
    return len(text)


def _block_comment_end(text: str, pos: int) -> int:
    """End of a `/* */` comment whose opener ends at `pos`; Kamailio nests them."""
    depth = 1
    for m in _COMMENT_EDGE.finditer(text, pos):
        depth += 1 if m.group() == "/*" else -1
        if depth == 0:
            return m.end()
    return len(text)


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def _unescape(body: str) -> str:
    """Decode a double-quoted cfg string body the way Kamailio's STRING1 state does."""
    if "\\" not in body:
        return body
    return _ESCAPE.sub(_decode_escape, body)


def _decode_escape(m: re.Match[str]) -> str:
    esc = m.group()[1:]
    if esc[0] == "x" and len(esc) > 1:
        return chr(int(esc[1:], 16))
    if esc[0] in "01234567" and len(esc) > 1:
        return chr(int(esc, 8) & 0xFF)
    if esc == "\n":  # an escaped newline continues the string
        return ""
    return _STRING_ESCAPES.get(esc, m.group())


def _encode_string(value: str, quote: str) -> str:
    """A string literal the lexer decodes back to `value` (after #!subst changed it)."""
    if quote == "'" and "'" not in value:
        return "'" + value + "'"  # Kamailio reads single-quoted text raw
    return '"' + value.translate(_ENCODE) + '"'


def _quoted_value(token: str) -> str:
    """The value of a quoted token (`"..."` decoded, `'...'` raw as Kamailio keeps it)."""
    if token.startswith('"'):
        return _unescape(token[1:-1])
    return token[1:-1]


def _module_name(path: str) -> str:
    """`/usr/lib/kamailio/modules/tm.so` -> `tm` (the name Kamailio builds MOD_ defines from)."""
    base = path.rstrip("/").rsplit("/", 1)[-1]
    return base[:-3] if base.endswith(".so") else base


def _read_source(path: str) -> str:
    """Read a config file; CRLF becomes LF (columns are unchanged, `\\r` is blank to Kamailio)."""
    with open(path, "rb") as fh:
        data = fh.read()
    # utf-8-sig: a byte-order mark is not part of line 1 for the operator's editor either.
    return data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")


# --------------------------------------------------------------------------------------------
# #!subst rules.


@dataclass(frozen=True)
class _Subst:
    """One compiled `#!subst` rule: regex, replacement pieces (text or group number), count."""

    regex: re.Pattern[str]
    pieces: tuple[str | int, ...]
    count: int  # 0 = every match ('g' flag), 1 = the first only

    def apply(self, text: str) -> str:
        return self.regex.sub(self._replace, text, count=self.count)

    def _replace(self, m: re.Match[str]) -> str:
        return "".join(p if isinstance(p, str) else (m.group(p) or "") for p in self.pieces)


@dataclass(frozen=True)
class _SubstParts:
    """A parsed `/re/repl/flags` expression, before compiling."""

    regex: str
    repl: str
    flags: str


def _split_subst(expr: str) -> _SubstParts | str:
    """Split `<sep>re<sep>repl<sep>flags`; returns an error message when it is malformed."""
    if len(expr) < 3:
        return "expected /regex/replacement/flags"
    sep = expr[0]
    if sep == "\\":
        return "a backslash cannot be the separator"
    fields: list[str] = []
    start = i = 1
    while i < len(expr) and len(fields) < 2:
        if expr[i] == "\\":
            i += 2
            continue
        if expr[i] == sep:
            fields.append(expr[start:i])
            start = i + 1
        i += 1
    if len(fields) < 2:
        return f"separator {sep!r} not found after the {'regex' if not fields else 'replacement'}"
    return _SubstParts(fields[0], fields[1], expr[start:])


def _posix_to_python(regex: str, sep: str) -> str:
    """POSIX ERE -> Python: bracket classes like [:digit:] and an escaped separator."""
    for posix, py in _POSIX_CLASSES.items():
        regex = regex.replace(posix, py)
    return regex.replace("\\" + sep, re.escape(sep))


def _repl_pieces(repl: str, sep: str, groups: int) -> tuple[str | int, ...] | str:
    """Replacement text -> pieces; `\\N` is a back reference. Returns an error message if bad."""
    pieces: list[str | int] = []
    buf: list[str] = []
    i = 0
    while i < len(repl):
        ch = repl[i]
        if ch == "\\" and i + 1 < len(repl):
            nxt = repl[i + 1]
            i += 2
            if nxt.isdigit():
                if int(nxt) > groups:
                    return f"back reference \\{nxt} but the regex has {groups} group(s)"
                pieces.append("".join(buf))
                buf = []
                pieces.append(int(nxt))
            else:
                buf.append({"n": "\n", "t": "\t", "r": "\r"}.get(nxt, nxt) if nxt != sep else sep)
            continue
        buf.append(ch)
        i += 1
    pieces.append("".join(buf))
    return tuple(p for p in pieces if p != "")


def _compile_subst(parts: _SubstParts, sep: str) -> _Subst | str:
    """Compile a split subst expression; returns an error message when it cannot be used."""
    flags = 0
    count = 1
    for flag in parts.flags:
        if flag == "i":
            flags |= re.IGNORECASE
        elif flag == "g":
            count = 0
        elif flag == "s":
            flags |= re.MULTILINE
        else:
            return f"unknown flag {flag!r} (use g, i or s)"
    if not flags & re.MULTILINE:
        flags |= re.DOTALL  # POSIX '.' matches a newline unless REG_NEWLINE ('s') is set
    if not parts.regex:
        return "empty regex"
    try:
        regex = re.compile(_posix_to_python(parts.regex, sep), flags)
    except re.error as exc:
        return f"bad regex {parts.regex!r}: {exc}"
    pieces = _repl_pieces(parts.repl, sep, regex.groups)
    if isinstance(pieces, str):
        return pieces
    return _Subst(regex, pieces, count)


# --------------------------------------------------------------------------------------------
# Source files and the output being built.


class _Source:
    """One file's text and the arithmetic from offsets to line:column (done only on demand)."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = text
        self._starts: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        if self._starts is None:
            # Line i+1 starts after line i and its newline; computed in C, once per file.
            lengths = map((1).__add__, map(len, self.text.split("\n")[:-1]))
            self._starts = [0, *itertools.accumulate(lengths)]
        idx = bisect.bisect_right(self._starts, offset) - 1
        return idx + 1, offset - self._starts[idx] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(max(end, start))
        return Span(self.name, line, col, end_line, end_col)


class _Output:
    """Output text plus its source map; consecutive copies from one file share a segment."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.smap = SourceMap()
        self._src: _Source | None = None  # the output continues `_src` at offset `_at`...
        self._at = -1  # ...so copying from there needs no new segment

    def _continue_from(self, src: _Source, start: int) -> None:
        if self._src is not src or self._at != start:
            line, col = src.position(start)
            self.smap.add(Segment(self.length, src.name, line, col))

    def copy(self, src: _Source, start: int, end: int) -> None:
        """Copy `src.text[start:end]` verbatim."""
        if start >= end:
            return
        self._continue_from(src, start)
        self.pieces.append(src.text[start:end])
        self.length += end - start
        self._src, self._at = src, end

    def replace(self, src: _Source, start: int, end: int, text: str) -> None:
        """Emit `text` in place of `src.text[start:end]`; it maps to where the original began."""
        self._continue_from(src, start)
        self.pieces.append(text)
        self.length += len(text)
        # Only the start is exact; what follows needs a fresh segment.
        self._src, self._at = (src, end) if len(text) == end - start else (None, -1)

    def blank(self, src: _Source, start: int, end: int) -> None:
        """Replace lines `start..end` by their newlines, so later lines keep their numbers.

        `start` is a line start: output lines stay aligned with source lines, so a plain
        segment that began before still maps what follows.
        """
        count = src.text.count("\n", start, end)
        if count:
            self._continue_from(src, start)
            self.pieces.append("\n" * count)
            self.length += count
            self._src, self._at = src, end
        elif self._src is src and self._at == start:
            self._at = end

    def expansion(self, src: _Source, start: int, end: int, name: str, value: str) -> None:
        """Emit a define's value in place of its use at `src.text[start:end]`."""
        if value:
            line, col = src.position(start)
            self.smap.add(Segment(self.length, src.name, line, col, expansion=name,
                                  length=end - start))
            self.pieces.append(value)
            self.length += len(value)
        self._src, self._at = None, -1

    def break_continuity(self) -> None:
        self._src, self._at = None, -1

    def finish(self) -> SourceMap:
        self.smap.text = "".join(self.pieces)
        return self.smap


# --------------------------------------------------------------------------------------------
# The preprocessor.


@dataclass
class _Frame:
    """One open `#!ifdef`/`#!ifndef`."""

    directive: _Directive
    name: str
    taken: bool  # the branch in effect at this level is active
    seen_else: bool = False

    @property
    def keyword(self) -> str:
        return self.directive.keyword


@dataclass
class _Directive:
    """A directive line split up: prefix, keyword and the text after it."""

    src: _Source
    start: int  # line start
    kw_start: int
    kw_end: int
    line_end: int  # offset of the '\n' (or end of text)
    prefix: str
    keyword: str

    @property
    def span(self) -> Span:
        """From the prefix to the end of the line; computed only when someone reports it."""
        return self.src.span(self.kw_start - len(self.prefix), self.line_end)

    @property
    def rest(self) -> str:
        """The text after the keyword, up to the end of the line."""
        return self.src.text[self.kw_end:self.line_end]


# Where a define was used: (file, start, end); turned into a Span only for a diagnostic.
_Use = tuple[_Source, int, int]


@dataclass
class _State:
    """Shared across all files of one run."""

    defines: dict[str, Define]
    env: Mapping[str, str]
    builtin: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    mode: str | None = None
    loaded_modules: list[str] = field(default_factory=list)
    substs: list[_Subst] = field(default_factory=list)
    chain: list[tuple[str, str]] = field(default_factory=list)  # (realpath, name) being read


class _Preprocessor:
    """Runs the directives of one main file and its includes into one `_Output`."""

    def __init__(self, state: _State) -> None:
        self.st = state
        self.out = _Output()
        self._cache: dict[str, str] = {}  # define name -> fully expanded value
        self._version = 0  # bumped whenever defines or subst rules change
        self._names = re.compile("(?!)")
        self._names_version = -1
        self._reported_loops: set[str] = set()

    # -- define table ------------------------------------------------------------------------

    def _changed(self) -> None:
        # Expansions depend on the define table and the subst rules of the moment.
        self._cache.clear()
        self._version += 1

    def _set_define(self, name: str, value: str | None, span: Span | None) -> None:
        self.st.defines[name] = Define(name, value, span)
        self._changed()

    def _define(self, kind: str, name: str, value: str | None, span: Span) -> None:
        """#!define / #!trydef / #!redefine (and the defines made by defenv and substdef)."""
        old = self.st.defines.get(name)
        if old is not None and kind == "trydef":
            return
        if old is not None and kind == "define":
            where = f" at {old.span}" if old.span else " (built-in or command line)"
            self._error("E106", span, f"{name} is already defined{where}",
                        "use #!redefine to change it, or #!trydef to define it only if missing")
            return
        self._set_define(name, value, span)

    # -- diagnostics ---------------------------------------------------------------------------

    def _error(self, code: str, span: Span, message: str, hint: str | None = None) -> None:
        self.st.diagnostics.append(diag(code, span, message, hint))

    # -- one file ------------------------------------------------------------------------------

    def run(self, src: _Source) -> None:
        """Preprocess one file into the output; #!ifdef nesting is checked per file.

        Offsets `pos`, `pending` and `gap` walk the text: the next search starts at `pos`,
        `text[pending:]` is not yet in the output, `text[gap:]` is not yet checked for define
        names. Directive lines are resumed at their newline, so the next line start is found by
        the newline branches of _MASTER.
        """
        text = src.text
        n = len(text)
        out = self.out
        frames: list[_Frame] = []
        active = True
        pending = pos = gap = 0
        region_end = -1  # up to region_end, code needs define checks only if `hot`
        hot = False
        names = self._names_regex()
        version = -1
        search = _MASTER.search
        first = _FIRST_LINE.match(text)
        while pos < n or first:
            if not active:
                skip = _SKIP.search(text, pos)
                if skip is None:
                    out.blank(src, pos, n)
                    pending = pos = n
                    break
                out.blank(src, pos, skip.start() + 1)
                d = self._split_directive(src, skip.start() + 1)
                self._conditional(src, d, frames)
                active = all(f.taken for f in frames)
                out.blank(src, d.start, d.line_end)
                pending = pos = gap = d.line_end
                region_end = -1
                continue
            if pos >= region_end or version != self._version:
                names = self._names_regex()
                region_end, hot = self._region(text, pos, names)
                version = self._version
            if first is not None:
                m: re.Match[str] | None = first
                first = None
            else:
                if not hot and not self.st.substs:
                    # Never past region_end: beyond it, names were not checked.
                    verbatim = _VERBATIM.match(text, pos, region_end)
                    pos = gap = verbatim.end()  # type: ignore[union-attr]
                m = search(text, pos)
            stop = m.start() if m else n
            # A gap may run past region_end (the line there was no token): check it then too.
            # The names regex may also hit inside a longer word: _expand_code looks closer.
            if gap < stop and (hot or stop > region_end) and names.search(text, gap, stop):
                out.copy(src, pending, gap)
                self._expand_code(src, gap, stop)
                pending = stop
            if m is None:
                break
            kind = m.lastgroup
            start, end = m.start(), m.end()
            if kind == "pv":
                if m.group("pva") is None and m.group("pvb") is None and text.startswith("(", end):
                    end = _paren_end(text, end)
                if self.st.substs:
                    pending = self._subst_token(src, pending, start, end, whole=True)
            elif kind == "dq" or kind == "sq":
                if self.st.substs:
                    pending = self._subst_token(src, pending, start, end, whole=False)
            elif kind == "lc" or kind == "sel":
                pass
            elif kind == "slash":
                end = _block_comment_end(text, end) if text[start + 1] == "*" else _line_end(
                    text, end)
            elif kind == "dqopen" or kind == "sqopen":
                end = _line_end(text, end)  # unterminated: the lexer reports it; resync here
            elif kind == "lm":
                sm = _STRING_AT.match(text, end)
                if sm is not None:
                    start, end = sm.start(), sm.end()
                    if self.st.substs:
                        pending = self._subst_token(src, pending, start, end, whole=False)
                    self._loadmodule(src, start, end)
            elif kind == "inc":
                start = m.start("inc")
                out.copy(src, pending, start)
                end = pending = self._include(src, m.group("inckw"), start, m.end("inckw"))
            else:  # "pp"
                d = self._split_directive(src, m.start("pp"))
                if d.prefix == "!!" and d.keyword not in _DIRECTIVES:
                    pos = gap = m.end("ppfx")  # `!!name` at a line start is a double negation
                    continue
                if d.prefix == "//!" and d.keyword not in MODES:
                    pos = gap = d.line_end  # a plain // comment
                    continue
                out.copy(src, pending, d.start)
                end = pending = self._directive(src, d, frames)
                active = all(f.taken for f in frames)
            pos = gap = end
        out.copy(src, pending, n)
        for frame in frames:
            opened = " ".join(filter(None, (f"#!{frame.keyword}", frame.name)))
            self._error("E101", frame.directive.span, f"{opened} opened here is never closed",
                        f"add #!endif before the end of {src.name}")

    @staticmethod
    def _region(text: str, pos: int, names: re.Pattern[str]) -> tuple[int, bool]:
        """Where the next stretch without directives ends, and whether it mentions a define.

        The stretch starts with the line at `pos` (which may itself be a directive) so that the
        scan always makes progress.
        """
        rm = _REGION_END.search(text, pos + 1)
        end = rm.start() if rm else len(text)
        return end, names.search(text, pos, end) is not None

    def _names_regex(self) -> re.Pattern[str]:
        """A regex finding defined names (possibly inside longer words), rebuilt on change.

        It has no leading \\b on purpose: starting with plain literals lets `re` skip to
        candidates in C, and callers re-check word boundaries.
        """
        if self._names_version != self._version:
            names = sorted((n for n in self.st.defines if _NAME_FULL.match(n)), key=len,
                           reverse=True)
            body = "|".join(names) if names else "(?!)"
            self._names = re.compile(f"(?:{body})(?!\\w)", re.ASCII)
            self._names_version = self._version
        return self._names

    def _subst_token(self, src: _Source, pending: int, start: int, end: int, whole: bool) -> int:
        """Run the #!subst rules on a PV (`whole`) or a string's value; returns `pending`."""
        token = src.text[start:end]
        new = self._subst(token) if whole else self._subst_string(token)
        if new == token:
            return pending
        self.out.copy(src, pending, start)
        self.out.replace(src, start, end, new)
        return end

    # -- code: define expansion ----------------------------------------------------------------

    def _expand_code(self, src: _Source, start: int, end: int) -> None:
        """Copy plain code, replacing define names by their values."""
        text = src.text
        defines = self.st.defines
        last = start
        for m in _IDENT.finditer(text, start, end):
            name = m.group()
            if name not in defines:
                continue
            self.out.copy(src, last, m.start())
            use = (src, m.start(), m.end())
            self.out.expansion(src, m.start(), m.end(), name, self._expansion(name, use))
            last = m.end()
        self.out.copy(src, last, end)

    def _expansion(self, name: str, use: _Use) -> str:
        cached = self._cache.get(name)
        if cached is None:
            cached = self._expand_value(name, (name,), use)
            self._cache[name] = cached
        return cached

    def _expand_value(self, name: str, stack: tuple[str, ...], use: _Use) -> str:
        """The value of `name` as the lexer will see it: nested defines expanded, substs run."""
        value = self.st.defines[name].value
        if not value:
            return ""
        parts: list[str] = []
        last = 0
        for m in _VALUE_TOKENS.finditer(value):
            kind = m.lastgroup
            if kind == "id":
                inner = m.group()
                if inner not in self.st.defines:
                    continue
                if inner in stack or len(stack) >= MAX_EXPANSION_DEPTH:
                    self._report_loop(stack, inner, use)
                    continue
                parts.append(value[last:m.start()])
                parts.append(self._expand_value(inner, stack + (inner,), use))
                last = m.end()
            elif self.st.substs and kind in ("pv", "dq", "sq"):
                token = m.group()
                new = self._subst(token) if kind == "pv" else self._subst_string(token)
                if new != token:
                    parts.append(value[last:m.start()])
                    parts.append(new)
                    last = m.end()
        parts.append(value[last:])
        return "".join(parts)

    def _report_loop(self, stack: tuple[str, ...], inner: str, use: _Use) -> None:
        if stack[0] in self._reported_loops:
            return
        self._reported_loops.add(stack[0])
        chain = " -> ".join(stack + (inner,))
        if inner in stack:
            message = f"#!define {stack[0]} expands into itself ({chain}); left unexpanded"
        else:
            message = (f"#!define {stack[0]} nests deeper than {MAX_EXPANSION_DEPTH} "
                       f"expansions ({chain})")
        src, start, end = use
        self._error("E104", src.span(start, end), message,
                    "Kamailio would loop forever on this define")

    def _subst(self, text: str) -> str:
        for rule in self.st.substs:
            text = rule.apply(text)
        return text

    def _subst_string(self, token: str) -> str:
        """Kamailio runs the rules on the decoded value; the result is written back as a literal."""
        value = _quoted_value(token)
        new = self._subst(value)
        return token if new == value else _encode_string(new, token[0])

    # -- loadmodule ----------------------------------------------------------------------------

    def _loadmodule(self, src: _Source, start: int, end: int) -> None:
        token = src.text[start:end]
        name = _module_name(_quoted_value(self._subst_string(token)))
        if not name:
            return
        self.st.loaded_modules.append(name)
        if self.st.builtin and f"MOD_{name}" not in self.st.defines:
            self._set_define(f"MOD_{name}", None, src.span(start, end))

    # -- includes ------------------------------------------------------------------------------

    def _include(self, src: _Source, keyword: str, start: int, kw_end: int) -> int:
        """Replace an include_file/import_file statement by the file; returns where to go on."""
        text = src.text
        line_end = _line_end(text, kw_end)
        pm = _DQ_STRING.search(text, kw_end, line_end)
        if pm is None or text[kw_end:pm.start()].strip():
            self._error("E104", src.span(start, line_end),
                        f"{keyword} needs a file name in double quotes",
                        f'write {keyword} "file.cfg"')
            return line_end
        rest = text[pm.end():line_end].lstrip()
        if rest and not rest.startswith(("#", "//", "/*")):
            self._error("E104", src.span(pm.end(), line_end),
                        f"unexpected text after the {keyword} file name",
                        "only a comment may follow; Kamailio rejects e.g. a trailing ';'")
        path_span = src.span(pm.start(), pm.end())
        path = _quoted_value(self._subst(pm.group()))
        self._read_include(src, keyword, path, path_span)
        return pm.end()

    def _read_include(self, src: _Source, keyword: str, path: str, span: Span) -> None:
        if not path:
            self._error("E104", span, f"{keyword} with an empty file name")
            return
        candidates = [path]
        if not os.path.isabs(path):
            beside = os.path.normpath(os.path.join(os.path.dirname(src.name), path))
            candidates = [beside] if beside == path else [beside, path]
        chain_names = [name for _, name in self.st.chain]
        for candidate in candidates:
            real = os.path.realpath(candidate)
            if not os.path.exists(candidate):
                continue
            if any(real == r for r, _ in self.st.chain):
                self._error("E103", span,
                            "include cycle: " + " -> ".join(chain_names + [candidate]),
                            f"remove the {keyword} that closes the loop")
                return
            if len(self.st.chain) > MAX_INCLUDE_DEPTH:
                self._error("E103", span,
                            f"include depth limit of {MAX_INCLUDE_DEPTH} exceeded: "
                            + " -> ".join(chain_names + [candidate]))
                return
            try:
                content = _read_source(candidate)
            except (OSError, ValueError) as exc:
                if keyword == "include_file":
                    self._error("E102", span, f"cannot read included file {candidate}: {exc}")
                return
            self._run_child(_Source(candidate, content), real)
            return
        if keyword == "include_file":
            tried = " or ".join(candidates)
            self._error("E102", span, f"included file {path} not found (tried {tried})",
                        "relative paths are looked up beside the including file, then in the "
                        "current directory; use import_file for optional files")

    def _run_child(self, child: _Source, real: str) -> None:
        if child.name not in self.st.files:
            self.st.files.append(child.name)
        self.st.chain.append((real, child.name))
        try:
            self.run(child)
        finally:
            self.st.chain.pop()
        self.out.break_continuity()

    # -- directives ----------------------------------------------------------------------------

    @staticmethod
    def _split_directive(src: _Source, start: int) -> _Directive:
        text = src.text
        i = start
        while text[i] in " \t":
            i += 1
        prefix = "//!" if text.startswith("//!", i) else text[i:i + 2]
        kw_start = i + len(prefix)
        km = _NAME.match(text, kw_start)
        kw_end = km.end() if km else kw_start
        return _Directive(src, start, kw_start, kw_end, _line_end(text, kw_end), prefix,
                          text[kw_start:kw_end])

    def _directive(self, src: _Source, d: _Directive, frames: list[_Frame]) -> int:
        """Run one directive line; blank it in the output and return where its newline is."""
        rest = d.rest
        end = d.line_end
        if rest and rest[0] not in " \t":
            self._error("E104", d.span, f"malformed directive {d.prefix}{d.keyword}{rest.split()[0]}",
                        "a directive name is followed by a blank")
        elif d.keyword in _CONDITIONALS:
            self._conditional(src, d, frames)
        elif d.keyword in MODES:
            if rest.strip():
                self._error("E104", d.span, f"{d.prefix}{d.keyword} takes nothing after it")
            else:
                self.st.mode = MODES[d.keyword]
        elif d.keyword in _INCLUDES:
            return self._include(src, d.keyword, d.start, d.kw_end)
        elif d.keyword in _DEFINES:
            end = self._define_directive(src, d)
        else:
            handler = _HANDLERS.get(d.keyword)
            if handler is None:
                self._error("E104", d.span, f"unknown preprocessor directive {d.prefix}{d.keyword}",
                            _UNKNOWN_HINTS.get(d.keyword, "known: " + ", ".join(_KNOWN)))
            else:
                handler(self, src, d, rest.strip())
        self.out.blank(src, d.start, end)
        return end

    def _conditional(self, src: _Source, d: _Directive, frames: list[_Frame]) -> None:
        """#!ifdef / #!ifndef / #!else / #!endif (also inside inactive branches)."""
        rest = d.rest
        if d.keyword in ("ifdef", "ifndef"):
            nm = _NAME.match(rest.strip())
            name = nm.group() if nm else ""
            if not name:
                self._error("E104", d.span, f"{d.prefix}{d.keyword} needs a name")
            elif rest.strip()[len(name):].startswith("-"):
                self._error("E104", d.span, f"'-' is not allowed in the name after #!{d.keyword}")
            defined = name in self.st.defines
            taken = bool(name) and (defined if d.keyword == "ifdef" else not defined)
            frames.append(_Frame(d, name, taken))
            return
        if d.keyword == "ifexp":
            self._error("E104", d.span, "#!ifexp needs Kamailio 6.0; its branch is skipped")
            frames.append(_Frame(d, "", False))
            return
        if rest.strip():
            self._error("E104", d.span,
                        f"text after {d.prefix}{d.keyword}: Kamailio reads this line as a "
                        f"comment, not as {d.prefix}{d.keyword}",
                        "put the comment on a line of its own")
        if not frames:
            self._error("E101", d.span, f"{d.prefix}{d.keyword} without #!ifdef or #!ifndef",
                        "Kamailio: different number of preprocessor directives")
            return
        frame = frames[-1]
        if d.keyword == "endif":
            frames.pop()
            return
        if frame.seen_else:
            self._error("E101", d.span,
                        f"second #!else for the #!{frame.keyword} {frame.name} at line "
                        f"{frame.directive.span.line}")
        frame.seen_else = True
        frame.taken = not frame.taken

    def _define_directive(self, src: _Source, d: _Directive) -> int:
        """#!define NAME [value] with `\\` line continuation; returns where its last line ends."""
        text = src.text
        n = len(text)
        body_start = d.kw_end
        while body_start < d.line_end and text[body_start] in " \t":
            body_start += 1
        nm = _NAME.match(text, body_start, d.line_end)
        # The value may continue over lines ending in a backslash; those lines are consumed.
        line_end = d.line_end
        pieces = [text[nm.end() if nm else body_start:line_end]]
        while pieces[-1].endswith("\\") and line_end < n:
            pieces[-1] = pieces[-1][:-1]
            next_end = _line_end(text, line_end + 1)
            pieces.append(text[line_end + 1:next_end])
            line_end = next_end
        end = line_end
        if nm is None:
            self._error("E104", d.span, f"{d.prefix}{d.keyword} needs a name",
                        f"{d.prefix}{d.keyword} NAME [value]")
            return end
        value = "".join(pieces).strip()
        if text.startswith("-", nm.end()):
            self._error("E104", d.span, f"'-' is not allowed in the define name {nm.group()}-...")
            return end
        self._define(_DEFINES[d.keyword], nm.group(), value or None, src.span(nm.start(), nm.end()))
        return end

    def _undef(self, src: _Source, d: _Directive, rest: str) -> None:
        if not _NAME_FULL.match(rest):
            self._error("E104", d.span, f"{d.prefix}{d.keyword} needs one name")
            return
        if self.st.defines.pop(rest, None) is not None:
            self._changed()

    def _subst_directive(self, src: _Source, d: _Directive, rest: str) -> None:
        """#!subst, #!substdef, #!substdefs "/regex/replacement/flags"."""
        if _QUOTED.fullmatch(rest) is None:
            self._error("E104", d.span, f"{d.prefix}{d.keyword} needs one quoted expression",
                        f'{d.prefix}{d.keyword} "/regex/replacement/flags"')
            return
        expr = _quoted_value(rest)
        parts = _split_subst(expr)
        rule = _compile_subst(parts, expr[0]) if not isinstance(parts, str) else parts
        if isinstance(rule, str):
            self._error("E104", d.span, f"bad {d.prefix}{d.keyword} expression {rest}: {rule}")
            return
        self.st.substs.append(rule)
        self._changed()
        if d.keyword == "subst" or isinstance(parts, str):
            return
        value: str | None = parts.repl
        if d.keyword == "substdefs":
            value = f'"{parts.repl}"'
        self._define("define", parts.regex, value or None, d.span)

    def _defenv_directive(self, src: _Source, d: _Directive, rest: str) -> None:
        """#!defenv ID=ENVVAR (and the s/try variants): define ID from the environment."""
        if not rest or len(rest.split()) != 1:
            self._error("E104", d.span, f"{d.prefix}{d.keyword} needs one ID=ENVVAR (or ENVVAR)")
            return
        name, sep, var = rest.partition("=")
        if not sep:
            var = name
        if not _NAME_FULL.match(name) or not var:
            self._error("E104", d.span, f"malformed {d.prefix}{d.keyword} {rest}",
                        f"{d.prefix}{d.keyword} ID=ENVVAR")
            return
        raw = self.st.env.get(var)
        if raw is None:
            if not d.keyword.startswith("try"):
                self._error("E105", d.span,
                            f"{d.prefix}{d.keyword} {rest}: environment variable {var} is not set",
                            f"set {var}, or use #!try{d.keyword} to leave {name} undefined")
            return
        value: str | None = f'"{raw}"' if d.keyword.endswith("s") else (raw or None)
        self._define("define", name, value, d.span)

    def _unsupported(self, src: _Source, d: _Directive, rest: str) -> None:
        self._error("E104", d.span, f"{d.prefix}{d.keyword} is not supported by siprouter",
                    "define the value directly with #!define")


_CONDITIONALS = frozenset({"ifdef", "ifndef", "else", "endif", "ifexp"})
_DEFINES = {"define": "define", "def": "define", "trydef": "trydef", "trydefine": "trydef",
            "redefine": "redefine", "redef": "redefine"}
_INCLUDES = frozenset({"include_file", "import_file"})
_HANDLERS = {
    "undef": _Preprocessor._undef,
    "tryundef": _Preprocessor._undef,
    "subst": _Preprocessor._subst_directive,
    "substdef": _Preprocessor._subst_directive,
    "substdefs": _Preprocessor._subst_directive,
    "defenv": _Preprocessor._defenv_directive,
    "defenvs": _Preprocessor._defenv_directive,
    "trydefenv": _Preprocessor._defenv_directive,
    "trydefenvs": _Preprocessor._defenv_directive,
    "defexp": _Preprocessor._unsupported,
    "defexps": _Preprocessor._unsupported,
}
_DIRECTIVES = frozenset(_HANDLERS.keys() | _CONDITIONALS | _DEFINES.keys() | _INCLUDES)
_KNOWN = sorted(_DIRECTIVES - {"defexp", "defexps", "ifexp"})
_UNKNOWN_HINTS = {
    "if": "Kamailio has no #!if: use #!ifdef NAME",
    "elif": "Kamailio has no #!elif: nest #!ifdef inside #!else",
    "include": 'use include_file "file.cfg"',
    "ifexp": "#!ifexp needs Kamailio 6.0",
}


# --------------------------------------------------------------------------------------------
# Public entry points.


def _initial_defines(defines: Mapping[str, str | None] | None, builtin: bool) -> dict[str, Define]:
    table: dict[str, Define] = {}
    if builtin:
        for name in BUILTIN_DEFINES:
            table[name] = Define(name, None, None)
    for name, value in (defines or {}).items():
        table[name] = Define(name, value, None)
    return table


def _run(name: str, text: str | None, defines: Mapping[str, str | None] | None, builtin: bool,
         env: Mapping[str, str] | None, error: str | None = None) -> PreprocessResult:
    state = _State(_initial_defines(defines, builtin), os.environ if env is None else env, builtin)
    pre = _Preprocessor(state)
    pre.out.smap.add(Segment(0, name, 1, 1))
    state.files.append(name)
    if text is None:
        state.diagnostics.append(diag("E102", Span(name, 1, 1, 1, 1),
                                      f"cannot read config file {name}: {error}"))
    else:
        state.chain.append((os.path.realpath(name), name))
        pre.run(_Source(name, text))
    smap = pre.out.finish()
    return PreprocessResult(smap.text, smap, state.defines, state.files, state.diagnostics,
                            state.mode, state.loaded_modules)


def preprocess_file(path: str, defines: Mapping[str, str | None] | None = None, *,
                    builtin: bool = True, env: Mapping[str, str] | None = None
                    ) -> PreprocessResult:
    """Preprocess the config file at `path` (and everything it includes).

    `defines` are command-line defines (`-A`), set before the file starts; `builtin` adds
    KAMAILIO_5, KAMAILIO_5_6, SIPROUTER and a MOD_<name> per loaded module; `env` replaces
    os.environ for #!defenv. Never raises on bad input: an unreadable file is an E102 diagnostic.
    """
    try:
        text: str | None = _read_source(path)
        error = None
    except (OSError, ValueError) as exc:
        text, error = None, getattr(exc, "strerror", None) or str(exc)
    return _run(path, text, defines, builtin, env, error)


def preprocess_text(text: str, file: str = "<string>",
                    defines: Mapping[str, str | None] | None = None, *, builtin: bool = True,
                    env: Mapping[str, str] | None = None) -> PreprocessResult:
    """Preprocess config `text` as if read from `file` (used in spans and for relative includes)."""
    return _run(file, text.replace("\r\n", "\n"), defines, builtin, env)
