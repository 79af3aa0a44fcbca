"""tm's own replies (the 100 Trying of every INVITE, t_reply, 408/487 ...) are built from
header lines read once (`parts_of`'s quick read) and the top Via made when the transaction
was (`reply_octets`): the octets must be exactly those of the stateless reply builder
(`build_reply`) on the message's general accessors, for every layout a request may have."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from siprouter.core.server.replies import (
    ReplyParts,
    build_reply,
    parsed_parts,
    parts_of,
    received_via,
    reply_octets,
)
from siprouter.core.sip import SIPError, SIPRequest, parse_message

REQUESTS = {
    "sipp": (
        b"INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-1-0\r\n"
        b"From: sipp <sip:sipp@127.0.0.1:5061>;tag=4242SIPpTag001\r\n"
        b"To: <sip:service@127.0.0.1:5060>\r\nCall-ID: 1-4242@127.0.0.1\r\n"
        b"CSeq: 1 INVITE\r\nContact: <sip:sipp@127.0.0.1:5061>\r\n"
        b"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"),
    "two via lines, rport, to tag": (
        b"BYE sip:bob@10.0.0.2 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bKa\r\n"
        b"Max-Forwards: 70\r\n"
        b"Via:   SIP/2.0/TCP 10.0.0.9;branch=z9hG4bKb  \r\n"
        b"From: <sip:alice@a>;tag=1\r\nTo: <sip:bob@b>;tag=99\r\nCall-ID: c2\r\n"
        b"CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n"),
    "compact forms": (
        b"MESSAGE sip:bob@b SIP/2.0\r\n"
        b"v: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKc\r\n"
        b"f: <sip:alice@a>;tag=2\r\nt: <sip:bob@b>\r\ni: c3\r\n"
        b"CSeq: 3 MESSAGE\r\nl: 0\r\n\r\n"),
    "vias in one line": (
        b"INVITE sip:bob@b SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKd, SIP/2.0/UDP 10.0.0.8;branch=z9hG4bKe\r\n"
        b"From: <sip:alice@a>;tag=3\r\nTo: <sip:bob@b>\r\nCall-ID: c4\r\n"
        b"CSeq: 4 INVITE\r\nContent-Length: 0\r\n\r\n"),
    "folded lines": (
        b"INVITE sip:bob@b SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKf\r\n"
        b"From: <sip:alice@a>\r\n ;tag=4\r\nTo: <sip:bob@b>\r\nCall-ID: c5\r\n"
        b"CSeq: 5 INVITE\r\nContent-Length: 0\r\n\r\n"),
    "no Call-ID, no CSeq, blanks": (
        b"OPTIONS sip:bob@b SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKg\r\n"
        b"From: <sip:alice@a>;tag=5\r\nTo: \t<sip:bob@b>\t\r\nVia: \r\n"
        b"Content-Length: 0\r\n\r\n"),
}
BROKEN = {
    "two To lines, no Call-ID, no CSeq": (
        b"OPTIONS sip:bob@b SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKg\r\n"
        b"From: <sip:alice@a>;tag=5\r\nTo: \t<sip:bob@b>\t\r\nTo: <sip:carol@c>\r\n"
        b"Content-Length: 0\r\n\r\n"),
}


def _request(name: str) -> SIPRequest:
    msg = parse_message(REQUESTS.get(name) or BROKEN[name])
    assert isinstance(msg, SIPRequest)
    return msg


def _read(read: Callable[[SIPRequest], ReplyParts], msg: SIPRequest) -> object:
    try:
        return read(msg)
    except SIPError as exc:
        return ("error", exc.status, str(exc))


@pytest.mark.parametrize("name", [*REQUESTS, "two To lines, no Call-ID, no CSeq"])
def test_header_values_read_from_the_lines_are_those_the_core_reads(name: str) -> None:
    assert _read(parts_of, _request(name)) == _read(parsed_parts, _request(name))


@pytest.mark.parametrize("name", REQUESTS)
@pytest.mark.parametrize(("code", "reason", "tag", "headers", "force"), [
    (100, "trying -- your call is important to us", "tm-ab12", (), False),
    (404, "Not Found", "tm-ab12", ("Warning: 399 x \"y\"",), True),
    (200, "OK\r\nInjected: yes", None, (), False),
    (487, "Request Terminated", "", (), True),
])
def test_a_local_reply_has_the_octets_of_a_stateless_one(
        name: str, code: int, reason: str, tag: str | None, headers: tuple[str, ...],
        force: bool) -> None:
    msg = _request(name)
    parts = parts_of(msg)
    assert msg.top_via is not None
    top = received_via(msg.top_via, "192.0.2.7", 5999, force)
    expected, _ = build_reply(parsed_parts(msg), code, reason, src_ip="192.0.2.7",
                              src_port=5999, tag=tag, force_rport=force, headers=headers)
    assert reply_octets(parts, str(top), code, reason, tag, headers) == expected
