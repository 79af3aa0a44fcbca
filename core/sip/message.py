"""SIP messages: lazily parsed views over the bytes received, plus recorded edits.

`parse_message` (in `parser`) finds the start line and each header line's boundaries once. A
header's value is decoded and parsed the first time someone asks for it (`vias`, `from_`,
`cseq` ...), then cached. Parse errors found that late are raised as `RemoteSIPError` with
the byte offset in the message, exactly as if they had been found up front.

Edits (`add_header`, `set_ruri`, `set_body` ...) are recorded, not applied: the parsed views
keep showing the message as received (as Kamailio's do until ``msg_apply_changes``);
`serialize` renders the edits and `apply_changes` returns a freshly parsed message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

from .address import NameAddr, parse_name_addr
from .edits import Edits, check_header_text, render
from .errors import LocalSIPError, RemoteSIPError, SIPError
from .headers import LIST_HEADERS, HeaderField, canonical_name, display_name
from .scalars import _CALL_IDS, _CSEQ_CACHE, CSeq, parse_call_id, parse_cseq, parse_digits
from .syntax import decode, encode, split_commas
from .uri import _URI_CACHE, URI, SipURI, parse_uri
from .via import Via, parse_via

T = TypeVar("T")
_FOLD_RE = re.compile(r"[ \t]*\r\n[ \t]+")
_MISSING = object()
_BLANKS = " \t\r\n\x0b\x0c"  # what bytes.strip() strips, for text standing for octets
_CORE_KEYS = frozenset(("via", "call-id", "cseq", "from", "to"))  # see core_parts



class SIPMessage:
    """A request or a response. Use `SIPRequest` / `SIPResponse` to tell them apart."""

    __slots__ = (
        "_data", "_start_end", "_lines", "_keys", "_keyset", "_dups", "_folded", "_hdr_start",
        "_starts", "_body_start", "_body_end", "_cache", "_edits",
    )

    is_request: bool = False

    _data: bytes
    _start_end: int  # offset of the start line's CRLF
    _lines: list[str]  # logical header lines (folds kept inside), without CRLF
    _keys: list[str]  # canonical key of each line
    _keyset: set[str]  # the keys present: membership without comparing along the list
    _dups: bool  # some key has more than one line (else every present key counts once)
    _folded: bool  # some line continues over several physical lines
    _hdr_start: int  # offset of the first header line
    _starts: list[int] | None  # offset of each line, computed when first needed
    _body_start: int
    _body_end: int
    _cache: dict[str, object]
    _edits: Edits | None

    # ------------------------------------------------------------------ raw access

    @property
    def raw(self) -> bytes:
        """The message's octets as received (trailing octets past the body excluded)."""
        return self._data[:self._body_end]

    @property
    def consumed(self) -> int:
        """How many octets of the input this message occupied."""
        return self._body_end

    @property
    def body(self) -> bytes:
        """The body as received, cut to Content-Length."""
        return self._data[self._body_start:self._body_end]

    @property
    def start_line(self) -> str:
        """The first line, without CRLF."""
        return decode(self._data[:self._start_end])

    def _error(self, err: SIPError, value: str = "", value_start: int = 0,
               key: str | None = None) -> SIPError:
        """Turn a value-relative error into one positioned in the message."""
        if err.position is not None and value_start:
            rel = min(err.position, len(value))
            err.position = value_start + (rel if value.isascii() else len(encode(value[:rel])))
        if err.header is None:
            err.header = key
        if not self.is_request:
            err.status = None
            err.reason = ""
        return err

    # ------------------------------------------------------------------ headers, generic

    def _line_starts(self) -> list[int]:
        starts = self._starts
        if starts is None:
            starts = []
            pos = self._hdr_start
            for line in self._lines:
                starts.append(pos)
                pos += (len(line) if line.isascii() else len(encode(line))) + 2
            self._starts = starts
        return starts

    def _value(self, i: int) -> str:
        """Value of line `i`: stripped, each fold's CRLF turned into two spaces so offsets
        in it match offsets in the line (see `_value_offset`)."""
        line = self._lines[i]
        if self._folded:
            return line[line.find(":") + 1:].strip(" \t\r\n").replace("\r\n", "  ")
        return line[line.find(":") + 1:].strip(" \t")

    def _value_offset(self, i: int) -> int:
        """Offset in the message of the first character of `_value(i)`."""
        line = self._lines[i]
        colon = line.find(":")
        rest = line[colon + 1:]
        head = line[:colon + 1 + len(rest) - len(rest.lstrip(" \t\r\n"))]
        return self._line_starts()[i] + (len(head) if head.isascii() else len(encode(head)))

    def _public_value(self, i: int) -> str:
        """Value of line `i` as a script sees it: stripped, each fold one space."""
        line = self._lines[i]
        text = line[line.find(":") + 1:].strip(" \t\r\n")
        return _FOLD_RE.sub(" ", text) if self._folded else text

    def _indices(self, key: str) -> list[int]:
        if key not in self._keyset:
            return []
        keys = self._keys
        if not self._dups:
            return [keys.index(key)]
        return [i for i, k in enumerate(keys) if k == key]

    @property
    def headers(self) -> list[HeaderField]:
        """Every header line, in order."""
        out = []
        starts = self._line_starts()
        for i, line in enumerate(self._lines):
            out.append(HeaderField(
                self._keys[i], line[:line.find(":")].rstrip(" \t"),
                self._public_value(i), starts[i], self._value_offset(i),
                starts[i] + len(encode(line)),
            ))
        return out

    @property
    def header_keys(self) -> list[str]:
        """The canonical key of every header line, in order (`"via"`, `"call-id"` ...), as
        received; for callers that test several headers at once. Do not change it."""
        return self._keys

    @property
    def header_key_set(self) -> set[str]:
        """The canonical keys present, as a set (membership tests without walking the
        lines). Do not change it."""
        return self._keyset

    def header_line(self, index: int) -> str:
        """Header line `index` (of `header_keys`) as received: name, colon and value, folds
        kept, without its CRLF."""
        return self._lines[index]

    @property
    def has_folded_lines(self) -> bool:
        """True when some header line continues over several physical lines."""
        return self._folded

    @property
    def repeats_a_header(self) -> bool:
        """True when some header has more than one line (when False, every header present
        has exactly one)."""
        return self._dups

    def has_header(self, name: str) -> bool:
        """True if at least one line of that header (any spelling) is present."""
        return canonical_name(name) in self._keyset

    def header_count(self, name: str) -> int:
        """Number of lines of that header."""
        key = canonical_name(name)
        if key not in self._keyset:
            return 0
        return self._keys.count(key) if self._dups else 1

    def header(self, name: str) -> str | None:
        """Value of the first line of the header (any case, compact forms), or None.

        Values are stripped and each LWS fold reads as one space."""
        key = canonical_name(name)
        return self._public_value(self._keys.index(key)) if key in self._keyset else None

    def header_all(self, name: str) -> list[str]:
        """Values of every line of the header, in order (not comma-split)."""
        return [self._public_value(i) for i in self._indices(canonical_name(name))]

    def header_values(self, name: str) -> list[str]:
        """Values of the header, comma lists split for list headers (Via, Contact, Accept
        ...), one per line for the others."""
        key = canonical_name(name)
        if key not in LIST_HEADERS:
            return self.header_all(key)
        return [
            text[s:e] for text in self.header_all(key) for s, e in split_commas(text) if s < e
        ]

    def _list_items(self, key: str) -> list[tuple[str, int, int]]:
        """(element, line index, element offset in message) for each element of a list
        header; empty elements raise 400."""
        out = []
        for i in self._indices(key):
            value = self._value(i)
            for s, e in split_commas(value):
                if s == e:
                    raise self._error(
                        RemoteSIPError(f"empty element in {key} list", position=s),
                        value, self._value_offset(i), key,
                    )
                out.append((value[s:e], i, s))
        return out

    def _item_offset(self, value_line: int, relative: int) -> int:
        value = self._value(value_line)
        base = self._value_offset(value_line)
        return base + (relative if value.isascii() else len(encode(value[:relative])))

    def _parse_list(self, key: str, parser: Callable[[str], T]) -> list[T]:
        cached = self._cache.get(key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        out = []
        for text, i, rel in self._list_items(key):
            try:
                out.append(parser(text))
            except SIPError as err:
                raise self._error(err, text, self._item_offset(i, rel), key) from None
        self._cache[key] = out
        return out

    def _parse_single(self, key: str, parser: Callable[[str], T]) -> T | None:
        cache = self._cache
        if key in cache:
            return cache[key]  # type: ignore[return-value]
        if key not in self._keyset:
            cache[key] = None
            return None
        keys = self._keys
        i = keys.index(key)
        if self._dups and keys.count(key) > 1:
            second = keys.index(key, i + 1)
            raise self._error(
                RemoteSIPError(
                    f"more than one {display_name(key)} header",
                    position=self._line_starts()[second],
                ),
                key=key,
            )
        if self._folded:
            value = self._value(i)
        else:  # _value(i), inlined: every request has a few of these
            line = self._lines[i]
            value = line[line.find(":") + 1:].strip(" \t")
        try:
            result = parser(value)
        except SIPError as err:
            raise self._error(err, value, self._value_offset(i), key) from None
        cache[key] = result
        return result

    def locate_value(self, name: str, index: int = 0) -> tuple[str, int] | None:
        """The `index`-th value of a header (elements for list headers, lines for others)
        and its offset in the message, or None; for positioning errors found by callers."""
        key = canonical_name(name)
        if key in LIST_HEADERS:
            items = self._list_items(key)
            if index >= len(items):
                return None
            text, line, rel = items[index]
            return text, self._item_offset(line, rel)
        found = self._indices(key)
        return (self._value(found[index]), self._value_offset(found[index])) if index < len(
            found) else None

    def split_top_via(self) -> tuple[str, str | None, bytes] | None:
        """The first Via value, the second (None when there is none) and the octets as
        received without the first value (its line goes when it was alone on it), found from
        the header lines; for relaying a reply. None when the message has edits or no Via, or
        for a layout left to the general path: folded lines, a quoted string in a Via line.

        Values are stripped as `bytes.strip` strips; nothing is parsed or checked here."""
        if self._folded or self._edits or "via" not in self._keyset:
            return None
        keys = self._keys
        i = keys.index("via")
        line = self._lines[i]
        if '"' in line:  # not in the name: a token
            return None
        colon = line.find(":")
        data = self._data
        end = self._body_end
        if i == 0:  # the usual place: the line starts the header block
            start = self._hdr_start
        else:
            # The line's octets start where "CRLF name:" first occurs: no earlier line has
            # this name (it would be a Via line too), and no line holds a CRLF (none is
            # folded). A name is a token: ASCII.
            start = data.find(b"\r\n" + line[:colon + 1].encode(), self._start_end,
                              self._body_start) + 2
        vstart = start + colon + 1
        comma = line.find(",", colon)
        if comma >= 0:
            rest = line[comma + 1:]
            second_text = rest.partition(",")[0].strip(_BLANKS)
            if second_text or rest.strip(_BLANKS):
                first = line[colon + 1:comma]
                if line.isascii():  # character offsets are octet offsets
                    cut = vstart + comma - colon + len(rest) - len(rest.lstrip(" \t"))
                    new = b"".join((data[:vstart], b" ", data[cut:end]))
                else:
                    eol = start + len(encode(line))
                    new = b"".join((data[:vstart], b" ", encode(rest.lstrip(" \t")),
                                    data[eol:end]))
                return first.strip(_BLANKS), second_text or None, new
            first = line[colon + 1:comma]
        else:
            first = line[colon + 1:]
        eol = start + (len(line) if line.isascii() else len(encode(line)))
        second: str | None = None
        if self._dups and "via" in keys[i + 1:]:
            line2 = self._lines[keys.index("via", i + 1)]
            value2 = line2[line2.find(":") + 1:]
            if '"' in value2:
                return None
            second = value2.split(",", 1)[0].strip(_BLANKS)
        new = data[:start] + data[eol + 2:end]
        return first.strip(_BLANKS), second or None, new

    def position_in(self, located: tuple[str, int], relative: int) -> int:
        """Offset in the message of character `relative` of a value from `locate_value`."""
        text, offset = located
        return offset + (relative if text.isascii() else len(encode(text[:relative])))

    # ------------------------------------------------------------------ headers, typed

    @property
    def vias(self) -> list[Via]:
        """Every Via value, top first."""
        return self._parse_list("via", parse_via)

    @property
    def top_via(self) -> Via | None:
        """The topmost Via value (only that one is parsed), or None."""
        cache = self._cache
        top = cache.get("@top_via")
        if top is not None:
            return top  # type: ignore[return-value]
        if "via" in cache:
            vias: list[Via] = cache["via"]  # type: ignore[assignment]
            return vias[0] if vias else None
        if "via" not in self._keyset:
            return None
        i = self._keys.index("via")
        value = self._value(i)
        if "," in value:
            s, e = split_commas(value)[0]
            text = value[s:e]
        else:
            s, text = 0, value
        try:
            top = parse_via(text)
        except SIPError as err:
            raise self._error(err, value[s:], self._value_offset(i) + s, "via") from None
        cache["@top_via"] = top
        return top

    @property
    def from_(self) -> NameAddr | None:
        """The From header, or None when absent."""
        cache = self._cache  # read many times per message: a kept value without a call
        if "from" in cache:
            return cache["from"]  # type: ignore[return-value]
        return self._parse_single("from", parse_name_addr)

    @property
    def to(self) -> NameAddr | None:
        """The To header, or None when absent."""
        cache = self._cache  # read many times per message: a kept value without a call
        if "to" in cache:
            return cache["to"]  # type: ignore[return-value]
        return self._parse_single("to", parse_name_addr)

    @property
    def call_id(self) -> str | None:
        """The Call-ID, or None when absent."""
        cache = self._cache  # read many times per message: a kept value without a call
        if "call-id" in cache:
            return cache["call-id"]  # type: ignore[return-value]
        return self._parse_single("call-id", parse_call_id)

    @property
    def cseq(self) -> CSeq | None:
        """The CSeq, or None when absent."""
        cache = self._cache  # read many times per message: a kept value without a call
        if "cseq" in cache:
            return cache["cseq"]  # type: ignore[return-value]
        return self._parse_single("cseq", parse_cseq)

    @property
    def max_forwards(self) -> int | None:
        """Max-Forwards (0..255), or None when absent."""
        cache = self._cache  # read again by every forward: the cached value without a call
        if "max-forwards" in cache:
            return cache["max-forwards"]  # type: ignore[return-value]
        return self._parse_single("max-forwards", _parse_max_forwards)

    @property
    def content_length(self) -> int | None:
        """Content-Length as given, or None when absent (then the body is the rest of the
        datagram)."""
        return self._parse_single("content-length", _parse_content_length)

    @property
    def expires(self) -> int | None:
        """The Expires header in seconds, or None when absent."""
        return self._parse_single("expires", _parse_expires)

    @property
    def content_type(self) -> str | None:
        """Content-Type value as written, or None."""
        return self.header("content-type")

    @property
    def contact_star(self) -> bool:
        """True for ``Contact: *`` (REGISTER removing every binding)."""
        return [v.strip() for v in self.header_all("contact")] == ["*"]

    @property
    def contacts(self) -> list[NameAddr]:
        """Every Contact value (empty for ``Contact: *``)."""
        if self.contact_star:
            return []
        return self._parse_list("contact", parse_name_addr)

    @property
    def routes(self) -> list[NameAddr]:
        """Every Route value, in order."""
        return self._parse_list("route", parse_name_addr)

    @property
    def record_routes(self) -> list[NameAddr]:
        """Every Record-Route value, in order."""
        return self._parse_list("record-route", parse_name_addr)

    # ------------------------------------------------------------------ edits

    @property
    def edits(self) -> Edits:
        """The pending edits (created on first use)."""
        if self._edits is None:
            self._edits = Edits()
        return self._edits

    @property
    def has_changes(self) -> bool:
        """True when serialize() would differ from the bytes received."""
        return bool(self._edits)

    def add_header(self, name: str, value: str, *, first: bool = False) -> None:
        """Add a header line after the last header (or before the first with `first`)."""
        check_header_text(name, value)
        self.edits.insert(0 if first else len(self._lines), name, value)

    def remove_header(self, name: str) -> int:
        """Remove every line of the header; returns how many were removed."""
        found = self._indices(canonical_name(name))
        for i in found:
            self.edits.set_value(i, None)
        return len(found)

    def replace_header(self, name: str, value: str) -> None:
        """Give the header exactly one line with `value`: the first line's value is replaced
        (its name keeps its spelling), other lines go; added at the end when absent."""
        key = canonical_name(name)
        found = self._indices(key)
        if not found:
            self.add_header(display_name(key) if name == key else name, value)
            return
        self.edits.set_value(found[0], value)
        for i in found[1:]:
            self.edits.set_value(i, None)

    def replace_header_value(self, name: str, index: int, value: str | None) -> None:
        """Replace (or with None remove) the `index`-th element of a list header, counted
        over every line of it as received; the other elements of its line are kept as
        written (or as already replaced). The line goes when no element is left."""
        key = canonical_name(name)
        items = self._list_items(key)
        if not 0 <= index < len(items):
            raise LocalSIPError(f"{display_name(key)} has no element {index}")
        if value is not None:
            check_header_text("x", value)
        overrides = self.edits.elements
        overrides[(key, index)] = value
        line = items[index][1]
        elements = []
        for n, (text, i, _) in enumerate(items):
            if i == line:
                current = overrides.get((key, n), text)
                if current is not None:
                    elements.append(current)
        self.edits.set_value(line, ", ".join(elements) if elements else None)

    def remove_header_value(self, name: str, index: int) -> None:
        """Remove the `index`-th element of a list header (its line goes if it was alone)."""
        self.replace_header_value(name, index, None)

    def prepend_via(self, via: Via | str) -> None:
        """Put a Via line on top of the existing Vias (proxying a request)."""
        self.edits.insert(self._keys.index("via") if "via" in self._keyset else 0, "Via",
                          via if via.__class__ is str else str(via))

    def prepend_record_route(self, value: NameAddr | str) -> None:
        """Put a Record-Route line before the existing ones (or first among the headers)."""
        at = self._keys.index("record-route") if "record-route" in self._keyset else 0
        self.edits.insert(at, "Record-Route", value if value.__class__ is str else str(value))

    def set_body(self, body: bytes, content_type: str | None = None) -> None:
        """Replace the body; Content-Length follows, Content-Type too when given."""
        edits = self.edits
        edits.body = body
        self.replace_header("content-length", str(len(body)))
        if content_type is not None:
            self.replace_header("content-type", content_type)

    def serialize(self) -> bytes:
        """The message as it is to be sent: the received bytes with the edits applied."""
        if not self._edits:
            return self._data[:self._body_end]
        return render(
            self._data, self._start_end, self._lines, self._body_start, self._body_end,
            self._edits,
        )

    def serialize_with_first_line(self, line: bytes) -> bytes:
        """`serialize()` with `line` (a header line and its CRLF) put first among the
        headers (a proxy's own Via)."""
        if not self._edits:
            data = self._data
            eol = self._start_end + 2
            return b"".join((data[:eol], line, data[eol:self._body_end]))
        return render(
            self._data, self._start_end, self._lines, self._body_start, self._body_end,
            self._edits, line,
        )

    def apply_changes(self) -> SIPMessage:
        """A new message parsed from `serialize()` (textopsx ``msg_apply_changes``)."""
        from .parser import parse_message

        return parse_message(self.serialize())

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.start_line!r}>"


class SIPRequest(SIPMessage):
    """A request: method, Request-URI, version."""

    __slots__ = ("method", "ruri_text", "version", "_ruri_offset")

    is_request = True

    method: str
    ruri_text: str
    version: str
    _ruri_offset: int

    def core_parts(self) -> tuple[URI, CSeq, str, str] | None:
        """What the core checks in every request, in one call, for the usual layout (Via,
        Call-ID, CSeq, From and To present, no header repeated, no folded line, one value
        on the first Via line): parses and keeps, as the properties would, the Request-URI,
        the top Via, CSeq, Max-Forwards and Call-ID, and returns the Request-URI, the CSeq
        and the From and To lines as received (name, colon and value).

        None for any other layout, or when one of them does not parse: the properties then
        tell which, raising with the position."""
        keyset = self._keyset
        if self._dups or self._folded or not keyset.issuperset(_CORE_KEYS):
            return None
        keys = self._keys
        lines = self._lines
        cache = self._cache
        # The values seen lately are looked up here in the parsers' own caches (the same
        # lookup the parser starts with, without its call).
        try:
            uri: URI | None = cache.get("@ruri")  # type: ignore[assignment]
            if uri is None:
                text = self.ruri_text
                uri = cache["@ruri"] = _URI_CACHE.get(text) or parse_uri(text, self._ruri_offset)
            line = lines[keys.index("via")]
            value = line[line.find(":") + 1:].strip(" \t")
            if "," in value:
                return None
            if "@top_via" not in cache:
                cache["@top_via"] = parse_via(value)
            line = lines[keys.index("cseq")]
            text = line[line.find(":") + 1:].strip(" \t")
            cseq = cache["cseq"] = _CSEQ_CACHE.get(text) or parse_cseq(text)
            if "max-forwards" in keyset:
                line = lines[keys.index("max-forwards")]
                text = line[line.find(":") + 1:].strip(" \t")
                hops = _MAX_FORWARDS.get(text)
                cache["max-forwards"] = hops if hops is not None else _parse_max_forwards(text)
            else:
                cache["max-forwards"] = None
            line = lines[keys.index("call-id")]
            text = line[line.find(":") + 1:].strip(" \t")
            cache["call-id"] = text if text in _CALL_IDS else parse_call_id(text)
        except SIPError:
            return None
        return uri, cseq, lines[keys.index("from")], lines[keys.index("to")]

    @property
    def ruri(self) -> URI:
        """The Request-URI, parsed on first use."""
        cached = self._cache.get("@ruri")
        if cached is None:
            try:
                cached = parse_uri(self.ruri_text, self._ruri_offset)
            except SIPError as err:
                raise self._error(err) from None
            self._cache["@ruri"] = cached
        return cached  # type: ignore[return-value]

    def set_ruri(self, uri: URI | str) -> None:
        """Rewrite the Request-URI (Kamailio ``$ru = ...``, ``rewriteuri``)."""
        text = str(uri)
        if any(c in text for c in " \t\r\n") or not text:
            raise LocalSIPError(f"invalid Request-URI {text!r}")
        self.edits.start_line = f"{self.method} {text} {self.version}"
        self._cache["@new_ruri"] = uri if not isinstance(uri, str) else None

    @property
    def ruri_text_as_sent(self) -> str | None:
        """The Request-URI's text when no edit changed the start line (the Request-URI goes
        as received), else None."""
        edits = self._edits
        return self.ruri_text if edits is None or edits.start_line is None else None

    @property
    def new_ruri(self) -> URI:
        """The Request-URI as it will be sent (after `set_ruri` & co)."""
        edits = self._edits
        if edits is None or edits.start_line is None:
            return self.ruri
        cached = self._cache.get("@new_ruri")
        if cached is None:
            cached = parse_uri(edits.start_line.split(" ")[1])
            self._cache["@new_ruri"] = cached
        return cached  # type: ignore[return-value]

    def _sip_ruri(self) -> SipURI:
        uri = self.new_ruri
        if not isinstance(uri, SipURI):
            raise LocalSIPError(f"Request-URI {uri} is not a SIP URI")
        return uri

    def set_ruri_user(self, user: str | None) -> None:
        """Rewrite the Request-URI's user (``$rU``); None removes the userinfo."""
        self.set_ruri(self._sip_ruri().replace(user=user))

    def set_ruri_host(self, host: str) -> None:
        """Rewrite the Request-URI's host (``$rd``)."""
        self.set_ruri(self._sip_ruri().replace(host=host))

    def set_ruri_port(self, port: int | None) -> None:
        """Rewrite the Request-URI's port (``$rp``); None removes it."""
        self.set_ruri(self._sip_ruri().replace(port=port))


class SIPResponse(SIPMessage):
    """A response: version, status code, reason phrase."""

    __slots__ = ("status_code", "reason", "version")

    is_request = False

    status_code: int
    reason: str
    version: str

    def set_status(self, code: int, reason: str) -> None:
        """Change the status line (textopsx ``change_reply_status``)."""
        if not 100 <= code <= 699:
            raise LocalSIPError(f"status code {code} out of range")
        check_header_text("x", reason)
        self.edits.start_line = f"{self.version} {code} {reason}"


# The usual spellings of Max-Forwards values: one lookup instead of parse_digits.
_MAX_FORWARDS = {str(n): n for n in range(256)}


def _parse_max_forwards(text: str) -> int:
    value = _MAX_FORWARDS.get(text)
    return value if value is not None else parse_digits(text, "max-forwards", 255)


def _parse_content_length(text: str) -> int:
    return parse_digits(text, "content-length")


def _parse_expires(text: str) -> int:
    return parse_digits(text, "expires")
