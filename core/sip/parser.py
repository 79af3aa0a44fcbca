"""`parse_message`: frame one SIP message and find its line boundaries, nothing more.

The scan is one ``bytes.find(CRLF)`` loop over the header block: per line it looks for the
colon and maps the name to its canonical key with one dict lookup. Header values are left
as byte ranges; `SIPMessage` parses each on first use. Only what framing needs is checked
here: the start line, that every header line is ``token HCOLON ...``, and Content-Length.
"""

from __future__ import annotations

import re
from itertools import repeat
from typing import Any

from .errors import RemoteSIPError
from .headers import _NAME_CACHE, canonical_from_wire
from .message import SIPMessage, SIPRequest, SIPResponse
from .syntax import TOKEN_BYTES_RE, decode, encode

MAX_MESSAGE_SIZE = 65535
"""Largest message accepted by default (Kamailio's BUF_SIZE); larger ones get 513."""

_VERSION_RE = re.compile(rb"SIP/[0-9]+\.[0-9]+", re.IGNORECASE)
_CODE_RE = re.compile(rb"[1-6][0-9][0-9]")
_WS = b" \t"
# Method names as str, for the ones nearly every request has (the same interned string each
# time, no decode).
_METHODS = {m.encode(): m for m in (
    "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE", "NOTIFY",
    "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE")}


def parse_message(data: bytes, *, max_size: int = MAX_MESSAGE_SIZE) -> SIPMessage:
    """Parse one SIP message (a whole datagram, or one framed stream message).

    Returns a `SIPRequest` or a `SIPResponse`. Octets after the body (as delimited by
    Content-Length) are ignored; `SIPMessage.consumed` tells where the message ended. Without
    Content-Length the body is the rest of `data` (RFC 3261 s18.3, datagrams).

    Raises `RemoteSIPError` with the status to answer (None for a response) and the byte
    offset of the problem: 400 for malformed framing or start line, 505 for a version other
    than SIP/2.0, 513 when `data` exceeds `max_size`, 413 for an oversized Content-Length.
    """
    # Every message passes here: the start line and the header scan are inlined (one
    # Python call per message), and a start line seen before is one dict lookup.
    if len(data) > max_size:
        raise _fail("message too large", data[:4].upper() == b"SIP/", max_size, 513)
    eol = data.find(b"\r\n")
    if eol < 0:
        raise _fail("start line not terminated by CRLF", data[:4].upper() == b"SIP/",
                    len(data))
    start = _START_LINES.get(data[:eol])
    if start is None:
        start = _parse_start_line(data, eol)
    msg: SIPMessage
    method, first, second = start
    if method is None:  # a response: (None, status code, reason)
        response = SIPResponse.__new__(SIPResponse)
        response.status_code, response.reason, response.version = first, second, "SIP/2.0"
        msg = response
        is_response = True
    else:  # a request: (method, Request-URI, offset of the Request-URI)
        request = SIPRequest.__new__(SIPRequest)
        request.method, request.ruri_text, request._ruri_offset = method, first, second
        request.version = "SIP/2.0"
        msg = request
        is_response = False
    msg._start_end = eol
    hdr_start = eol + 2
    end = data.find(b"\r\n\r\n", eol)
    if end < 0:
        raise _fail("header block not terminated by an empty line", is_response, len(data))
    # Decode the block once; surrogateescape keeps every octet, so the text re-encodes to
    # the exact bytes received.
    block = data[hdr_start:end].decode("utf-8", "surrogateescape")
    folded = False
    keys: list[str | None]
    if not block:  # no header at all
        lines: list[str] = []
        keys = []
    else:
        lines = block.split("\r\n")
        # Fast path: the text before each line's colon, looked up among the spellings
        # already seen (one partition and one dict lookup per line). Anything else (folding,
        # a new or malformed name, a line without colon) is None and sends the whole block
        # down the slow path.
        get = _NAME_CACHE.get
        keys = [get(name) if colon else None
                for name, colon, _ in map(str.partition, lines, _COLON)]
        if not all(keys):
            lines, keys, folded = _scan_slow(lines, hdr_start, is_response)
    keyset = set(keys)
    dups = len(keyset) != len(keys)
    body_start = end + 4
    body_end = n = len(data)
    if "content-length" in keyset:
        i = keys.index("content-length")
        if dups and "content-length" in keys[i + 1:]:
            second = keys.index("content-length", i + 1)
            raise _fail(
                "more than one Content-Length", is_response,
                _line_start(lines, hdr_start, second), header="content-length",
            )
        line = lines[i]
        value = line[line.find(":") + 1:].strip(" \t\r\n")
        length = _LENGTHS.get(value)
        if length is None:
            if not (value.isdigit() and value.isascii()):
                raise _fail(
                    "malformed Content-Length", is_response, _line_start(lines, hdr_start, i),
                    header="content-length",
                )
            length = int(value)
        available = n - body_start
        if length > available:
            status = 413 if body_start + length > max_size else 400
            raise _fail(
                f"body shorter than Content-Length ({available} < {length})", is_response,
                n, status, header="content-length",
            )
        body_end = body_start + length
    msg._data = data
    msg._lines = lines
    msg._keys = keys  # type: ignore[assignment]  # no None left
    msg._keyset = keyset  # type: ignore[assignment]
    msg._dups = dups
    msg._folded = folded
    msg._hdr_start = hdr_start
    msg._starts = None
    msg._body_start = body_start
    msg._body_end = body_end
    msg._cache = {}
    msg._edits = None
    return msg


_COLON = repeat(":")
# Content-Length values as usually written (no leading zeros), up to what a datagram
# usually carries: one lookup instead of the digit checks and int().
_LENGTHS = {str(n): n for n in range(4096)}

# Start lines already seen (the same few methods, Request-URIs and status lines arrive over
# and over): the line's octets -> what _parse_start_line made of them. Bounded, and only
# short lines are kept, so a peer cannot make it grow without limit.
_START_LINES: dict[bytes, tuple[str | None, Any, Any]] = {}
_START_LINES_MAX = 1024
_START_LINE_CACHED_LEN = 256


def _parse_start_line(data: bytes, eol: int) -> tuple[str | None, Any, Any]:
    """(method, Request-URI text, Request-URI offset) of a request's start line or (None,
    status code, reason) of a response's; raises for a malformed one. Remembered in
    _START_LINES."""
    if data[:4].upper() == b"SIP/":
        msg: SIPMessage = _parse_status_line(data, eol)
        assert isinstance(msg, SIPResponse)
        start: tuple[str | None, Any, Any] = (None, msg.status_code, msg.reason)
    else:
        msg = _parse_request_line(data, eol)
        assert isinstance(msg, SIPRequest)
        start = (msg.method, msg.ruri_text, msg._ruri_offset)
    if eol <= _START_LINE_CACHED_LEN:
        if len(_START_LINES) >= _START_LINES_MAX:
            _START_LINES.clear()
        _START_LINES[data[:eol]] = start
    return start


def _fail(detail: str, is_response: bool, position: int, status: int = 400,
          header: str | None = None) -> RemoteSIPError:
    return RemoteSIPError(
        detail, None if is_response else status, position=position, header=header,
        reason=None if not is_response else "",
    )


def _parse_request_line(data: bytes, eol: int) -> SIPRequest:
    first = data[:eol]
    parts = first.split(b" ")
    if len(parts) != 3 or not all(parts):
        # point at the first extra or misplaced space
        pos = first.find(b"  ")
        if pos < 0:
            pos = len(first) - 1 if first.endswith(b" ") else first.rfind(b" ")
        raise _fail("Request-Line must be Method SP Request-URI SP SIP-Version", False, max(pos, 0))
    method, ruri, version = parts
    # The usual methods and the usual version spelling skip the regex and the upper().
    if method not in _METHODS and TOKEN_BYTES_RE.fullmatch(method) is None:
        raise _fail("malformed method", False, 0)
    if version != b"SIP/2.0" and version.upper() != b"SIP/2.0":
        if _VERSION_RE.fullmatch(version):
            raise _fail("SIP version not supported", False, eol - len(version), 505)
        raise _fail("malformed SIP-Version", False, eol - len(version))
    msg = SIPRequest.__new__(SIPRequest)
    msg.method = _METHODS.get(method) or method.decode("ascii")
    msg.ruri_text = decode(ruri)
    msg.version = "SIP/2.0"
    msg._ruri_offset = len(method) + 1
    msg._start_end = eol
    return msg


def _parse_status_line(data: bytes, eol: int) -> SIPResponse:
    first = data[:eol]
    parts = first.split(b" ", 2)
    version = parts[0]
    if version != b"SIP/2.0" and version.upper() != b"SIP/2.0":
        raise _fail("SIP version not supported", True, 0)
    if len(parts) < 2 or _CODE_RE.fullmatch(parts[1]) is None:
        raise _fail("malformed status code", True, len(version) + 1)
    msg = SIPResponse.__new__(SIPResponse)
    msg.status_code = int(parts[1])
    msg.reason = decode(parts[2]) if len(parts) > 2 else ""
    msg.version = "SIP/2.0"
    msg._start_end = eol
    return msg


def _line_start(lines: list[str], hdr_start: int, index: int) -> int:
    return hdr_start + sum(len(encode(line)) + 2 for line in lines[:index])


def _scan_slow(
    physical: list[str], hdr_start: int, is_response: bool
) -> tuple[list[str], list[str | None], bool]:
    """Join folded lines (a line starting with SP/HT continues the previous one; the CRLF
    stays inside the logical line), then resolve and check every name."""
    lines: list[str] = []
    folded = False
    pos = hdr_start
    for line in physical:
        if line[:1] in (" ", "\t"):
            if not lines:
                raise _fail("continuation line before any header", is_response, pos)
            lines[-1] += "\r\n" + line
            folded = True
        else:
            lines.append(line)
        pos += len(encode(line)) + 2
    keys: list[str | None] = []
    for i, line in enumerate(lines):
        colon = line.find(":")
        if colon < 0:
            raise _fail("header line without a colon", is_response, _line_start(lines, hdr_start, i))
        key = canonical_from_wire(line[:colon])
        if key is None:
            raise _fail("malformed header name", is_response, _line_start(lines, hdr_start, i))
        keys.append(key)
    return lines, keys, folded
