"""Kamailio's binrpc (the ctl module's protocol, what kamcmd speaks): bytes in, values out, and
back; no I/O of its own.

A frame is a header and a body of records (big endian throughout):

    byte 0: magic 0xA << 4 | version 1                     -> 0xA1
    byte 1: type << 4 | (LL - 1) << 2 | (CL - 1)           type 0 request, 1 reply, 3 fault
    LL bytes: body length, CL bytes: cookie (the reply repeats the request's)

A record starts with one byte `S:1 size:3 type:4`. With S clear, `size` is the value's length;
with S set, the next `size` bytes hold the length (and a zero-length struct or array record with
S set is the end mark). Types: 0 int (32-bit two's complement, shortest form), 1 string
(0-terminated, the length counts the 0), 2 double (fixed point: value * 1000 as a 64-bit
integer; Kamailio 5.6 writes 1..8 bytes with the size in the whole nibble, negatives as 8),
3 struct, 4 array, 5 struct member name (followed by its value), 6 bytes.

A request body is the method name (a string) and the parameters; a reply body is the result as
a sequence of records; a fault body is an int code and a string message.

Values map to Python as: int <-> int, string <-> str, double <-> float, bytes <-> bytes, array
<-> list, struct <-> `Struct` (ordered members; names may repeat, as Kamailio's replies do).
Encoding also takes a dict for a struct, bool as an int, None as Kamailio's "<null string>",
integers beyond 32 bits as their decimal string (kamcmd prints the same digits), and lists
inside structs the way Kamailio's binrpc writes them (kamcmd cannot read an array there): a
struct holding the elements, single-member dicts becoming named members.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

MAGIC_VERSION = 0xA1
REQUEST, REPLY, FAULT = 0, 1, 3
T_INT, T_STR, T_DOUBLE, T_STRUCT, T_ARRAY, T_AVP, T_BYTES = 0, 1, 2, 3, 4, 5, 6
STRUCT_END = 0x80 | T_STRUCT
ARRAY_END = 0x80 | T_ARRAY
MIN_HEADER = 4  # magic, flags, one length byte, one cookie byte
NULL_STRING = "<null string>"  # what Kamailio's RPC API sends for a null string


class BinrpcError(ValueError):
    """A frame or record that does not parse. `reason` is Kamailio's wording for the problem
    ("corrupted packet", "bad record", "more data needed", ...), the peer's fault."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Struct:
    """A binrpc struct: members in order, as (name, value); name is None for the unnamed
    values Kamailio puts in the structs that stand for arrays."""

    members: tuple[tuple[str | None, Any], ...] = ()

    @classmethod
    def of(cls, mapping: dict[str, Any]) -> Struct:
        return cls(tuple(mapping.items()))

    def get(self, name: str, default: Any = None) -> Any:
        """The first member called `name`."""
        for key, value in self.members:
            if key == name:
                return value
        return default

    def as_dict(self) -> dict[str | None, Any]:
        """The members as a dict (a repeated name keeps its last value)."""
        return dict(self.members)


@dataclass(frozen=True)
class Frame:
    """One whole frame: its type, cookie and body bytes."""

    type: int
    cookie: int
    body: bytes


@dataclass(frozen=True)
class Fault:
    """A fault reply's code and message."""

    code: int
    message: str


# --- encoding ------------------------------------------------------------------------------

def _shortest(value: int, width: int) -> bytes:
    """`value` (as an unsigned `width`-byte number) without its leading zero bytes."""
    return (value & ((1 << (8 * width)) - 1)).to_bytes(width, "big").lstrip(b"\0")


def header(kind: int, body_len: int, cookie: int) -> bytes:
    """The frame header for a body of `body_len` bytes."""
    length = _shortest(body_len, 4) or b"\0"
    ck = _shortest(cookie, 4) or b"\0"
    return bytes([MAGIC_VERSION, (kind << 4) | ((len(length) - 1) << 2) | (len(ck) - 1)]) \
        + length + ck


def _int_record(value: int) -> bytes:
    raw = _shortest(value, 4)
    return bytes([(len(raw) << 4) | T_INT]) + raw


def _double_record(value: float) -> bytes | None:
    if not math.isfinite(value):
        return None
    fixed = round(value * 1000)
    if not -(1 << 63) <= fixed < (1 << 63):
        return None
    raw = _shortest(fixed, 8)
    return bytes([(len(raw) << 4) | T_DOUBLE]) + raw


def _str_record(data: bytes, kind: int = T_STR) -> bytes:
    if kind in (T_STR, T_AVP):
        data += b"\0"
    n = len(data)
    if n < 8:
        return bytes([(n << 4) | kind]) + data
    raw = _shortest(n, 4)
    return bytes([((8 | len(raw)) << 4) | kind]) + raw + data


def _scalar(value: Any) -> bytes | None:
    """The record of a scalar value, None for containers."""
    if value is None:
        return _str_record(NULL_STRING.encode())
    if isinstance(value, bool):
        return _int_record(int(value))
    if isinstance(value, int):
        if -(1 << 31) <= value < (1 << 31):
            return _int_record(value)
        return _str_record(str(value).encode())
    if isinstance(value, float):
        return _double_record(value) or _str_record(repr(value).encode())
    if isinstance(value, str):
        return _str_record(value.encode("utf-8", "surrogateescape"))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _str_record(bytes(value), T_BYTES)
    if isinstance(value, (dict, Struct, list, tuple)):
        return None
    return _str_record(str(value).encode())


def _members(value: dict[Any, Any] | Struct) -> Iterable[tuple[str | None, Any]]:
    if isinstance(value, Struct):
        return value.members
    return ((None if k is None else str(k), v) for k, v in value.items())


def _encode_value(out: bytearray, value: Any, in_struct: bool) -> None:
    """A value as a record (an unnamed one when inside a struct)."""
    rec = _scalar(value)
    if rec is not None:
        out += rec
    elif isinstance(value, (dict, Struct)):
        out.append(T_STRUCT)
        for name, member in _members(value):
            _encode_member(out, name, member)
        out.append(STRUCT_END)
    elif in_struct:  # a list where kamcmd reads no array: a struct of the elements
        out.append(T_STRUCT)
        _encode_elements(out, value)
        out.append(STRUCT_END)
    else:
        out.append(T_ARRAY)
        for item in value:
            _encode_value(out, item, False)
        out.append(ARRAY_END)


def _encode_elements(out: bytearray, items: Iterable[Any]) -> None:
    for item in items:
        if isinstance(item, dict) and len(item) == 1:
            ((name, member),) = item.items()
            _encode_member(out, str(name), member)
        else:
            _encode_value(out, item, True)


def _encode_member(out: bytearray, name: str | None, value: Any) -> None:
    if name is None:
        _encode_value(out, value, True)
        return
    out += _str_record(name.encode("utf-8", "surrogateescape"), T_AVP)
    _encode_value(out, value, True)


def encode_values(values: Iterable[Any]) -> bytes:
    """Body bytes of a sequence of top-level values."""
    out = bytearray()
    for value in values:
        _encode_value(out, value, False)
    return bytes(out)


def reply_values(result: Any) -> list[Any]:
    """The top-level records of an RPC result, as Kamailio's handlers add them: nothing for
    None, one record per element for a list (core.ps, core.psx, system.listMethods ...), else
    the one value."""
    if result is None:
        return []
    if isinstance(result, (list, tuple)):
        return list(result)
    return [result]


def encode_reply(result: Any, cookie: int) -> bytes:
    """A reply frame carrying an RPC result."""
    body = encode_values(reply_values(result))
    return header(REPLY, len(body), cookie) + body


def encode_fault(code: int, message: str, cookie: int) -> bytes:
    """A fault frame: an int code and a message."""
    body = _int_record(code) + _str_record(message.encode("utf-8", "surrogateescape"))
    return header(FAULT, len(body), cookie) + body


def encode_request(method: str, params: Iterable[Any], cookie: int) -> bytes:
    """A request frame (what kamcmd sends)."""
    body = _str_record(method.encode()) + encode_values(params)
    return header(REQUEST, len(body), cookie) + body


# --- decoding ------------------------------------------------------------------------------

def parse_header(data: bytes | bytearray | memoryview) -> tuple[int, int, int, int] | None:
    """(type, cookie, header length, body length) of the frame `data` starts with; None when
    more bytes are needed; BinrpcError when it is not a binrpc frame."""
    if len(data) < 1:
        return None
    if data[0] != MAGIC_VERSION:
        raise BinrpcError("corrupted packet", f"bad magic/version byte 0x{data[0]:02x}")
    if len(data) < 2:
        return None
    kind = data[1] >> 4
    if kind not in (REQUEST, REPLY, FAULT):
        raise BinrpcError("corrupted packet", f"unknown message type {kind}")
    ll, cl = ((data[1] >> 2) & 3) + 1, (data[1] & 3) + 1
    end = 2 + ll + cl
    if len(data) < end:
        return None
    body_len = int.from_bytes(bytes(data[2:2 + ll]), "big")
    cookie = int.from_bytes(bytes(data[2 + ll:end]), "big")
    return kind, cookie, end, body_len


class FrameReader:
    """Frames out of a byte stream: `feed(data)` returns the whole frames so far. A frame
    whose body is over `max_body` bytes, or a corrupted header, raises BinrpcError (the
    stream cannot be resynchronised: close it)."""

    def __init__(self, max_body: int = 65536) -> None:
        self.max_body = max_body
        self._buf = bytearray()

    @property
    def pending(self) -> int:
        """Bytes of an incomplete frame held."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames = []
        while True:
            head = parse_header(self._buf)
            if head is None:
                break
            kind, cookie, hlen, blen = head
            if blen > self.max_body:
                raise BinrpcError("request too large",
                                  f"{blen} bytes, the limit is {self.max_body}")
            if len(self._buf) < hlen + blen:
                break
            frames.append(Frame(kind, cookie, bytes(self._buf[hlen:hlen + blen])))
            del self._buf[:hlen + blen]
        return frames


def decode_frame(data: bytes) -> Frame:
    """Exactly one whole frame (a datagram)."""
    head = parse_header(data)
    if head is None:
        raise BinrpcError("more data needed", "truncated header")
    kind, cookie, hlen, blen = head
    if len(data) < hlen + blen:
        raise BinrpcError("more data needed", f"body of {blen} bytes, {len(data) - hlen} sent")
    return Frame(kind, cookie, data[hlen:hlen + blen])


@dataclass
class _Reader:
    data: bytes
    pos: int = 0
    records: int = field(default=0)

    def head(self) -> tuple[int, int, bool]:
        """(type, size, S-bit set) of the next record; advances past the head."""
        if self.pos >= len(self.data):
            raise BinrpcError("end of packet encountered")
        b = self.data[self.pos]
        self.pos += 1
        kind, size = b & 0xF, b >> 4
        if kind == T_DOUBLE and size <= 8:  # 5.6: the whole nibble is the size
            return kind, size, False
        if size & 8:
            n = size & 7
            raw = self.take(n)
            return kind, int.from_bytes(raw, "big"), True
        return kind, size, False

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise BinrpcError("more data needed",
                              f"record needs {n} bytes at offset {self.pos}, "
                              f"{len(self.data) - self.pos} left")
        raw = self.data[self.pos:self.pos + n]
        self.pos += n
        return raw

    def at_end(self) -> bool:
        return self.pos >= len(self.data)


def _number(raw: bytes) -> int:
    value = int.from_bytes(raw, "big")
    if len(raw) in (4, 8) and value >> (8 * len(raw) - 1):
        value -= 1 << (8 * len(raw))
    return value


def _text(raw: bytes) -> str | None:
    if not raw:
        return None  # a zero-length string record: Kamailio's null value
    if raw[-1] == 0:
        raw = raw[:-1]
    return raw.decode("utf-8", "replace")


def _read_value(r: _Reader, kind: int, size: int, ext: bool, depth: int) -> Any:
    if depth > 64:
        raise BinrpcError("bad record", "structures nested too deep")
    if kind in (T_INT, T_DOUBLE) and size > 8:
        raise BinrpcError("bad record", f"number of {size} bytes")
    if kind == T_INT:
        return _number(r.take(size))
    if kind == T_DOUBLE:
        raw = r.take(size)
        value = int.from_bytes(raw, "big")
        if len(raw) == 8 and value >> 63:
            value -= 1 << 64
        return value / 1000
    if kind == T_STR:
        return _text(r.take(size))
    if kind == T_BYTES:
        return r.take(size)
    if kind == T_STRUCT:
        if ext:
            raise BinrpcError("bad record", f"struct end without a start at offset {r.pos - 1}")
        r.take(size)
        return _read_struct(r, depth + 1)
    if kind == T_ARRAY:
        if ext:
            raise BinrpcError("bad record", f"array end without a start at offset {r.pos - 1}")
        r.take(size)
        return _read_array(r, depth + 1)
    if kind == T_AVP:
        raise BinrpcError("record doesn't match type", "struct member outside a struct")
    raise BinrpcError("record doesn't match type", f"unknown record type {kind}")


def _read_struct(r: _Reader, depth: int) -> Struct:
    members: list[tuple[str | None, Any]] = []
    while True:
        kind, size, ext = r.head()
        if kind == T_STRUCT and ext:
            return Struct(tuple(members))
        if kind == T_AVP:
            name = _text(r.take(size)) or ""
            vkind, vsize, vext = r.head()
            if vkind in (T_AVP, T_ARRAY) or (vkind == T_STRUCT and vext):
                raise BinrpcError("bad record", f"struct member {name!r} has no value")
            members.append((name, _read_value(r, vkind, vsize, vext, depth)))
        elif kind == T_ARRAY:
            raise BinrpcError("bad record", "array inside a struct")
        else:  # Kamailio's structs standing for arrays hold unnamed values
            members.append((None, _read_value(r, kind, size, ext, depth)))


def _read_array(r: _Reader, depth: int) -> list[Any]:
    items: list[Any] = []
    while True:
        kind, size, ext = r.head()
        if kind == T_ARRAY and ext:
            return items
        items.append(_read_value(r, kind, size, ext, depth))


def iter_values(body: bytes) -> Iterator[Any]:
    """The top-level values of a body, in order; BinrpcError at the first bad record."""
    r = _Reader(body)
    while not r.at_end():
        kind, size, ext = r.head()
        yield _read_value(r, kind, size, ext, 0)


def decode_values(body: bytes) -> list[Any]:
    """All top-level values of a body."""
    return list(iter_values(body))


@dataclass(frozen=True)
class Request:
    """A decoded request: method name and parameters."""

    method: str
    params: list[Any]
    cookie: int


def decode_request(frame: Frame) -> Request:
    """The method and parameters of a request frame."""
    if frame.type != REQUEST:
        raise BinrpcError("corrupted packet", "not a request")
    r = _Reader(frame.body)
    try:
        kind, size, ext = r.head()
    except BinrpcError:
        raise BinrpcError("end of packet encountered", "no method name") from None
    if kind != T_STR or ext and size == 0:
        raise BinrpcError("record doesn't match type", "the method name is not a string")
    method = _text(r.take(size)) or ""
    params = []
    while not r.at_end():
        pk, ps, pe = r.head()
        params.append(_read_value(r, pk, ps, pe, 0))
    return Request(method, params, frame.cookie)


def decode_reply(frame: Frame) -> list[Any] | Fault:
    """A reply's values, or the Fault a fault frame carries."""
    if frame.type == FAULT:
        values = decode_values(frame.body)
        code = values[0] if values and isinstance(values[0], int) else 0
        message = values[1] if len(values) > 1 and isinstance(values[1], str) else ""
        return Fault(code, message)
    if frame.type != REPLY:
        raise BinrpcError("corrupted packet", "not a reply")
    return decode_values(frame.body)

