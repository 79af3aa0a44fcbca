"""Recorded changes to a message (Kamailio's "lumps"), applied only on serialization.

The message's bytes are never touched. An `Edits` records, per original header line, whether
it is kept, removed or given a new value, what new lines go before which original line, a new
start line and a new body. `render` copies every untouched line's bytes as they came (CRLF,
folding and odd spacing included), the runs between edited lines as slices of the original.
"""

from __future__ import annotations

from .errors import LocalSIPError
from .syntax import encode

CRLF = b"\r\n"


class Edits:
    """The pending changes of one message.

    Attributes:
        start_line: a replacement start line (without CRLF), or None to keep it.
        values: original line index -> new value, or None to remove the line.
        inserts: original line index -> new ``Name: value`` lines to put before it; the
            index equal to the number of lines means "after the last header".
        body: a replacement body, or None to keep it.
        elements: (header key, element index) -> new value or None, for list headers
            edited element by element (the line's new value is derived from them).

    A plain class with slots (made for nearly every relayed request: a Record-Route added,
    our Route taken off)."""

    __slots__ = ("start_line", "values", "inserts", "body", "elements")

    def __init__(self) -> None:
        self.start_line: str | None = None
        self.values: dict[int, str | None] = {}
        self.inserts: dict[int, list[str]] = {}
        self.body: bytes | None = None
        self.elements: dict[tuple[str, int], str | None] = {}

    def __repr__(self) -> str:
        return (f"Edits(start_line={self.start_line!r}, values={self.values!r}, "
                f"inserts={self.inserts!r}, body={self.body!r}, elements={self.elements!r})")

    def insert(self, index: int, name: str, value: str) -> None:
        """Queue a new header line before original line `index`."""
        check_header_text(name, value)
        self.inserts.setdefault(index, []).append(f"{name}: {value}")

    def set_value(self, index: int, value: str | None) -> None:
        """Give original line `index` a new value (None removes the line)."""
        if value is not None:
            check_header_text("x", value)
        self.values[index] = value

    def __bool__(self) -> bool:
        return bool(
            self.start_line is not None or self.values or self.inserts or self.body is not None
        )


_NOT_IN_NAMES = frozenset(":\r\n \t")


def check_header_text(name: str, value: str) -> None:
    """Refuse header text that would break the framing (header injection)."""
    if not name or not _NOT_IN_NAMES.isdisjoint(name):
        raise LocalSIPError(f"invalid header name {name!r}")
    if "\r" in value or "\n" in value or "\x00" in value:
        raise LocalSIPError("header value must not contain CR, LF or NUL")


def render(
    data: bytes,
    start_line_end: int,
    lines: list[str],
    body_start: int,
    body_end: int,
    edits: Edits,
    first: bytes = b"",
) -> bytes:
    """Serialize a message from its original bytes, logical header `lines` and `edits`;
    `first` (a header line with its CRLF) goes right after the start line.

    The octets between the edited lines are copied as slices of `data`, found from the
    lines' lengths: a line's characters are its octets when the header block has as many
    characters as octets (every character then stands for one octet). Otherwise every line
    is re-encoded (`render_line_by_line`, the reference this must agree with)."""
    hdr_start = start_line_end + 2
    n = len(lines)
    if sum(map(len, lines)) + 2 * n != body_start - 2 - hdr_start:
        return render_line_by_line(data, start_line_end, lines, body_start, body_end, edits,
                                   first)
    inserts = edits.inserts
    values = edits.values
    out: list[bytes]
    if edits.start_line is None:
        out = [data[:hdr_start], first]
    else:
        out = [encode(edits.start_line), CRLF, first]
    copied = hdr_start  # the octets before this are written out (or replaced)
    at = hdr_start  # offset of line `line_no`
    line_no = 0
    for i in sorted(inserts.keys() | values.keys()) if values and inserts else \
            sorted(inserts or values):
        if i < 0 or i > n:  # no such place: ignored, as render_line_by_line does
            continue
        if i > line_no:
            at += sum(map(len, lines[line_no:i])) + 2 * (i - line_no)
            line_no = i
        out.append(data[copied:at])
        copied = at
        added = inserts.get(i)
        if added:
            for text in added:
                out += [encode(text), CRLF]
        if i < n and i in values:
            line = lines[i]
            value = values[i]
            if value is not None:
                # keep the name exactly as it was written
                out += [encode(line[:line.find(":") + 1]), b" ", encode(value), CRLF]
            copied = at + len(line) + 2
    if edits.body is None:
        out.append(data[copied:body_end])
    else:
        out += [data[copied:body_start], edits.body]
    return b"".join(out)


def render_line_by_line(
    data: bytes,
    start_line_end: int,
    lines: list[str],
    body_start: int,
    body_end: int,
    edits: Edits,
    first: bytes = b"",
) -> bytes:
    """`render` re-encoding every header line (for a header block with characters standing
    for several octets, and as the reference `render` is tested against)."""
    out: list[bytes] = []
    if edits.start_line is None:
        out.append(data[:start_line_end + 2])
    else:
        out += [encode(edits.start_line), CRLF]
    out.append(first)
    inserts = edits.inserts
    values = edits.values
    for i, line in enumerate(lines):
        added = inserts.get(i)
        if added:
            for text in added:
                out += [encode(text), CRLF]
        if i in values:
            value = values[i]
            if value is not None:
                # keep the name exactly as it was written
                out += [encode(line[:line.find(":") + 1]), b" ", encode(value), CRLF]
        else:
            out += [encode(line), CRLF]
    for text in inserts.get(len(lines), ()):
        out += [encode(text), CRLF]
    out.append(CRLF)
    out.append(data[body_start:body_end] if edits.body is None else edits.body)
    return b"".join(out)
