"""`parts_of` (the header lines read directly) gives what `parsed_parts` (the message's general
accessors) gives, for every torture request and for From/To tags quoted, empty or absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from siprouter.core.server.replies import ReplyParts, parsed_parts, parts_of
from siprouter.core.sip import SIPError, SIPRequest, parse_message

DATA = Path(__file__).parents[2] / "data" / "sip-torture"

BASE = (b"INVITE sip:bob@b SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa\r\n"
        b"From: <sip:alice@a>%s\r\nTo: Bob <sip:bob@b>%s\r\nCall-ID: c1\r\n"
        b"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
TAGS = [b"", b";tag=1", b';tag="q1"', b';tag="a\\"b"', b";tag", b';tag=""', b';tag="',
        b";TAG=x", b" ; tag = y"]


def _requests() -> list[tuple[str, bytes]]:
    found = []
    for path in sorted(DATA.glob("*/*.sip")):
        data = path.read_bytes()
        try:
            msg = parse_message(data)
        except SIPError:
            continue
        if isinstance(msg, SIPRequest):
            found.append((path.name, data))
    for f in TAGS:
        for t in TAGS:
            found.append((f"tags {f!r} {t!r}", BASE % (f, t)))
    return found


def _read(read, data: bytes) -> ReplyParts | tuple:
    msg = parse_message(data)
    try:
        return read(msg)
    except SIPError as exc:
        return ("error", exc.status, exc.detail)


@pytest.mark.parametrize(("name", "data"), _requests())
def test_parts_read_from_the_lines_are_the_parsed_ones(name: str, data: bytes) -> None:
    assert _read(parts_of, data) == _read(parsed_parts, data)
