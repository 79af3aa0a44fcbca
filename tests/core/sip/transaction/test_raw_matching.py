"""Responses matched to client transactions from the octets of their top Via (the relay's
fast path) find the same transaction the parsed Via would, and fall back to the parse for
every other layout."""

from __future__ import annotations

import pytest

from siprouter.core.sip import SIPResponse, parse_message
from siprouter.core.sip.transaction import ClientTransaction, TransactionTable
from siprouter.core.sip.transaction.raw import branch_of, top_via_value

OURS = "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKours.1"
THEIRS = "SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKtheirs"
INVITE = ("INVITE sip:bob@203.0.113.5 SIP/2.0\r\n"
          f"Via: {OURS}\r\nVia: {THEIRS}\r\n"
          "From: <sip:alice@a>;tag=1\r\nTo: <sip:bob@b>\r\nCall-ID: raw-1\r\n"
          "CSeq: 1 INVITE\r\nMax-Forwards: 69\r\nContent-Length: 0\r\n\r\n").encode()
TAIL = ("From: <sip:alice@a>;tag=1\r\nTo: <sip:bob@b>;tag=2\r\nCall-ID: raw-1\r\n"
        "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")


def table_with_invite() -> tuple[TransactionTable, ClientTransaction]:
    table = TransactionTable()
    tx = ClientTransaction.from_wire(INVITE, "INVITE", "z9hG4bKours.1", "INVITE", False, 0.0)
    table.add(tx)
    tx.send_request(0.0)
    return table, tx


def reply(vias: str) -> SIPResponse:
    msg = parse_message(("SIP/2.0 180 Ringing\r\n" + vias + TAIL).encode())
    assert isinstance(msg, SIPResponse)
    return msg


@pytest.mark.parametrize("vias", [
    f"Via: {OURS}\r\nVia: {THEIRS}\r\n",  # as sent
    f"Via: {OURS}, {THEIRS}\r\n",  # one line (SIPp's [last_Via:])
    f"v: {OURS}\r\nv: {THEIRS}\r\n",  # compact form
    f"Via:   {OURS} ,{THEIRS}\r\n",  # blanks around the value
    f"Via: {OURS};received=192.0.2.99\r\nVia: {THEIRS}\r\n",  # the peer added received
    f"Via: SIP/2.0/UDP 192.0.2.1:5060;Branch=z9hG4bKours.1\r\nVia: {THEIRS}\r\n",  # name case
    f"Via: SIP/2.0/UDP 192.0.2.1:5060\r\n ;branch=z9hG4bKours.1\r\nVia: {THEIRS}\r\n",  # folded
])
def test_a_response_carrying_our_via_finds_its_transaction_in_any_layout(vias: str) -> None:
    table, tx = table_with_invite()
    assert table.find_client(reply(vias)) is tx


def test_a_response_with_our_branch_under_another_sent_by_is_still_matched_by_branch() -> None:
    table, tx = table_with_invite()
    got = reply(f"Via: SIP/2.0/UDP 192.0.2.2:5070;branch=z9hG4bKours.1\r\nVia: {THEIRS}\r\n")
    assert table.find_client(got) is tx  # s17.1.3: branch and CSeq method only


def test_a_response_with_another_branch_is_stray() -> None:
    table, _ = table_with_invite()
    assert table.find_client(reply(f"Via: {THEIRS}\r\n")) is None


def test_a_continuation_line_that_looks_like_a_via_is_not_the_top_via() -> None:
    data = (b"SIP/2.0 200 OK\r\nSubject: x\r\n via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKno\r\n"
            b"Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKyes\r\n\r\n")
    value = top_via_value(data)
    assert value == b"SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKyes"
    assert branch_of(value) == "z9hG4bKyes"


def test_no_via_or_a_folded_one_gives_nothing_to_read_raw() -> None:
    assert top_via_value(b"SIP/2.0 200 OK\r\nTo: <sip:b@b>\r\n\r\n") is None
    assert top_via_value(b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n ;branch=z9hG4bKx\r\n\r\n") is None


@pytest.mark.parametrize("line", [
    b"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa\r\n",
    b"Via:SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa \t\r\n",
    b"Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa , SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb\r\n",
    b"Via: SIP/2.0/UDP 10.0.0.1\r\n\t;branch=z9hG4bKa\r\n",
    b"Via:\r\n",
])
def test_a_via_first_among_the_headers_reads_as_one_further_down(line: bytes) -> None:
    # the first header line has a quicker path; it must read what the general one reads
    first = b"SIP/2.0 200 OK\r\n" + line + b"To: <sip:b@b>\r\n\r\n"
    further = b"SIP/2.0 200 OK\r\nSubject: s\r\n" + line + b"To: <sip:b@b>\r\n\r\n"
    assert top_via_value(first) == top_via_value(further)
