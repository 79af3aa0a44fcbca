"""RFC 3261 lexical pieces shared by the header parsers: tokens, quoted strings, escapes,
comma lists and ``;name=value`` parameter lists.

Everything works on ``str`` decoded from the wire with UTF-8 + ``surrogateescape`` (see
`decode`), so any octet survives a round trip. Functions that can fail return or raise with
an offset *relative to the string they were given*; callers add the header's base offset.
"""

from __future__ import annotations

import re

from .errors import RemoteSIPError

#: RFC 3261 ``token`` characters.
TOKEN_CHARS = "A-Za-z0-9\\-.!%*_+`'~"
TOKEN_RE = re.compile(f"[{TOKEN_CHARS}]+")
TOKEN_BYTES_RE = re.compile(f"[{TOKEN_CHARS}]+".encode())

#: ``quoted-string``: qdtext or quoted-pair (``\`` followed by any octet but CR/LF/8-bit).
QUOTED_RE = re.compile(r'"((?:[^"\\\r\n]|\\[\x00-\x09\x0b\x0c\x0e-\x7f])*)"')
_QUOTED_PAIR_RE = re.compile(r"\\(.)", re.DOTALL)

_ESCAPE_RE = re.compile(r"%([0-9A-Fa-f]{2})")

# A value splitter: skip quoted strings and <...> while looking for top-level commas. An
# unterminated quote or bracket swallows the rest of the value (it is then reported by the
# value's own parser, with the right position).
_SPLIT_RE = re.compile(r'"(?:[^"\\]|\\.)*"?|<[^>]*>?|,', re.DOTALL)

# One generic parameter: `;` name [ `=` ( quoted-string / anything up to a separator ) ].
# The value class is broad on purpose: RFC 5118 asks us to accept `received=2001:db8::1`
# although `:` is not a token character.
_PARAM_RE = re.compile(
    f'[ \\t]*;[ \\t]*([{TOKEN_CHARS}]+)'
    r'(?:[ \t]*=[ \t]*("(?:[^"\\]|\\.)*"|[^\s;,"?<>]+))?[ \t]*',
    re.DOTALL,
)


def decode(raw: bytes) -> str:
    """Decode wire octets to ``str`` without losing any of them."""
    return raw.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    """Inverse of `decode`."""
    return text.encode("utf-8", "surrogateescape")


def is_token(text: str) -> bool:
    """True if `text` is a non-empty RFC 3261 token."""
    return TOKEN_RE.fullmatch(text) is not None


def unescape(text: str) -> str:
    """Decode ``%HH`` escapes (once); octets are decoded as UTF-8 with surrogateescape."""
    if "%" not in text:
        return text
    raw = _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)
    # chr() above yields code points < 256; re-read them as octets so UTF-8 sequences
    # written as escapes (%C3%A9) come out as one character.
    try:
        return raw.encode("latin-1").decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # non-ASCII characters were present unescaped
        return raw


def unquote(quoted_body: str) -> str:
    """Resolve quoted-pairs in the inside of a quoted string (quotes already removed)."""
    return _QUOTED_PAIR_RE.sub(r"\1", quoted_body) if "\\" in quoted_body else quoted_body


def quote(text: str) -> str:
    """Make a quoted-string of `text`."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def split_commas(value: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the comma-separated elements of a header value.

    Commas inside quoted strings and angle brackets do not split. Surrounding whitespace is
    excluded from each span; an empty element yields an empty span (the caller decides
    whether that is an error).
    """
    if "," not in value:
        return [_strip_span(value, 0, len(value))]
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SPLIT_RE.finditer(value):
        if m.group() == ",":
            spans.append(_strip_span(value, start, m.start()))
            start = m.end()
    spans.append(_strip_span(value, start, len(value)))
    return spans


def _strip_span(value: str, start: int, end: int) -> tuple[int, int]:
    while start < end and value[start] in " \t":
        start += 1
    while end > start and value[end - 1] in " \t":
        end -= 1
    return start, end


def parse_params(
    text: str, pos: int, base: int, what: str, header: str | None
) -> tuple[dict[str, str | None], int]:
    """Parse ``*( ";" name [ "=" value ] )`` from ``text[pos:]`` up to the end of `text`.

    Returns the parameters (names lower-cased, values as written, quoted strings with their
    quotes) and the offset where parsing stopped. Raises `RemoteSIPError` (400) if anything
    but parameters and whitespace follows; `base` is the offset of `text` in the message.
    """
    params: dict[str, str | None] = {}
    end = len(text)
    while pos < end:
        m = _PARAM_RE.match(text, pos)
        if m is None:
            rest = pos
            while rest < end and text[rest] in " \t":
                rest += 1
            if rest == end:
                return params, end
            raise RemoteSIPError(
                f"malformed parameter in {what}", position=base + rest, header=header
            )
        params[m.group(1).lower()] = m.group(2)
        pos = m.end()
    return params, pos


def param_value(value: str | None) -> str | None:
    """A parameter's value with quotes and quoted-pairs resolved."""
    if value is not None and value.startswith('"') and value.endswith('"') and len(value) > 1:
        return unquote(value[1:-1])
    return value


def format_params(params: dict[str, str | None]) -> str:
    """Render parameters as ``;name=value;flag``."""
    return "".join(f";{k}" if v is None else f";{k}={v}" for k, v in params.items())
