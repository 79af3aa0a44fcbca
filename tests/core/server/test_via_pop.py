"""Taking our Via off a reply's octets."""

from __future__ import annotations

import re
from typing import NamedTuple

from siprouter.core.server.via_pop import sent_by
from siprouter.core.sip import parse_message

HEAD = b"SIP/2.0 200 OK\r\n"
TAIL = b"To: <sip:a@b>;tag=1\r\nContent-Length: 0\r\n\r\n"


def test_our_via_alone_on_its_line_goes_with_its_line() -> None:
    data = HEAD + b"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n" \
        b"v: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2\r\n" + TAIL
    popped = pop_top_via(data)
    assert popped is not None
    assert popped.top == "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1"
    assert popped.second == "SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2"
    assert popped.data == HEAD + b"v: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2\r\n" + TAIL


def test_our_via_first_in_a_list_leaves_the_rest_of_the_line() -> None:
    data = HEAD + b"VIA : SIP/2.0/UDP 127.0.0.1;branch=a , SIP/2.0/UDP h2;branch=b\r\n" + TAIL
    popped = pop_top_via(data)
    assert popped is not None and popped.second == "SIP/2.0/UDP h2;branch=b"
    assert popped.data == HEAD + b"VIA : SIP/2.0/UDP h2;branch=b\r\n" + TAIL


def test_folded_via_lines_take_the_general_path() -> None:
    data = HEAD + b"Via: SIP/2.0/UDP 127.0.0.1;branch=a\r\n  ;x=y\r\n" + TAIL
    assert pop_top_via(data) is None


def test_sent_by_of_plain_vias() -> None:
    assert sent_by("SIP/2.0/UDP 127.0.0.1:5060;branch=x") == ("127.0.0.1", 5060)
    assert sent_by("SIP/2.0/TLS [::1];branch=x") == ("::1", None)
    assert sent_by("SIP / 2.0 / UDP host") is None


class PoppedVia(NamedTuple):
    """The first and second Via values (text) and the message without the first."""

    top: str
    second: str | None
    data: bytes


# The oracle below: the same cut made by searching the octets, independently of the parsed
# header lines `split_top_via` works from.
_VIA_LINE = re.compile(rb"\r\n(?:via|v)[ \t]*:", re.IGNORECASE)


def _pop_from_octets(data: bytes) -> PoppedVia | None:
    end = data.find(b"\r\n\r\n")
    lines = []
    for m in _VIA_LINE.finditer(data, 0, end + 2):
        eol = data.find(b"\r\n", m.end())
        if data[eol + 2:eol + 3] in (b" ", b"\t"):
            return None
        lines.append((m.start() + 2, m.end(), eol))
        if len(lines) == 2:
            break
    if not lines:
        return None
    start, vstart, eol = lines[0]
    value = data[vstart:eol]
    if b'"' in value:
        return None
    first, comma, rest = value.partition(b",")
    top = first.strip().decode("utf-8", "surrogateescape")
    if comma and rest.strip():
        second_raw: bytes | None = rest.split(b",", 1)[0].strip()
        new = b"".join((data[:vstart], b" ", rest.lstrip(b" \t"), data[eol:]))
    else:
        second_raw = None
        if len(lines) > 1:
            value2 = data[lines[1][1]:lines[1][2]]
            if b'"' in value2:
                return None
            second_raw = value2.split(b",", 1)[0].strip()
        new = data[:start] + data[eol + 2:]
    second = second_raw.decode("utf-8", "surrogateescape") if second_raw else None
    return PoppedVia(top, second, new)


def pop_top_via(data: bytes) -> PoppedVia | None:
    split = parse_message(data).split_top_via()
    return None if split is None else PoppedVia(*split)


def _pop_both(data: bytes) -> tuple[object, object]:
    return _pop_from_octets(data), pop_top_via(data)


def test_popping_from_the_parsed_lines_gives_the_same_answers() -> None:
    second = b"v: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2\r\n"
    for vias in (
        b"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n" + second,
        b"VIA : SIP/2.0/UDP 127.0.0.1;branch=a , SIP/2.0/UDP h2;branch=b\r\n",
        b"Via:SIP/2.0/UDP 127.0.0.1;branch=a,\t \r\n" + second,
        b"Via: SIP/2.0/UDP 127.0.0.1;branch=a\r\n",
        b"To: <sip:x@y>\r\nvia:  SIP/2.0/UDP 127.0.0.1;branch=a, ,SIP/2.0/UDP c\r\n" + second,
        b'Via: SIP/2.0/UDP 127.0.0.1;branch=a;x="q"\r\n' + second,
        b'Via: SIP/2.0/UDP 127.0.0.1;branch=a\r\nVia: SIP/2.0/UDP h;x="q"\r\n',
        "Via: SIP/2.0/UDP h\u00e9;branch=a, SIP/2.0/UDP \u00e9\r\n".encode() + second,
        b"From: <sip:a@b>\r\n",
        # the Via line after others, lists of three, octets that are not ASCII before it
        b"To: <sip:x@y>\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=a ,\t SIP/2.0/UDP h2;branch=b\r\n",
        b"Via: SIP/2.0/UDP 127.0.0.1;branch=a,SIP/2.0/UDP b, SIP/2.0/UDP c\r\n" + second,
        "Via: SIP/2.0/UDP h\u00e9;branch=a,  \r\n".encode() + second,
        "To: <sip:\u00e9@y>\r\nv:SIP/2.0/UDP h;branch=a, SIP/2.0/UDP \u00e9;x=1\r\n".encode(),
        "To: <sip:\u00e9@y>\r\nVia: SIP/2.0/UDP h;branch=a\r\n".encode() + second,
    ):
        data = HEAD + vias + TAIL
        old, new = _pop_both(data)
        assert old == new, vias
    # a folded line anywhere leaves it to the general path
    old, new = _pop_both(HEAD + b"Via: SIP/2.0/UDP 127.0.0.1;branch=a\r\n" + second +
                         b"Subject: a\r\n b\r\n" + TAIL)
    assert new is None and old is not None
