"""tm's transaction callbacks (modules/tm/callbacks.py): registration, isolation of a failing
callback, and whether the reply of an event is tm's own."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.server.replies import ReplyTo
from siprouter.core.sip import SIPRequest, SIPResponse, parse_message
from siprouter.core.sip.transaction import ServerTransaction
from siprouter.modules.tm import callbacks
from siprouter.modules.tm.callbacks import TmEvent
from siprouter.modules.tm.state import TmTransaction

INVITE = (b"INVITE sip:carol@192.0.2.10 SIP/2.0\r\n"
          b"Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-1\r\n"
          b"From: <sip:bob@example.com>;tag=from1\r\nTo: <sip:carol@example.com>\r\n"
          b"Call-ID: cb-1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")


def transaction() -> TmTransaction:
    req = parse_message(INVITE)
    assert isinstance(req, SIPRequest)
    rcv = ReceiveInfo("udp", "198.51.100.7", 5062, SocketInfo("udp", "192.0.2.10", 5060))
    return TmTransaction(req, rcv, ServerTransaction(req, False, 0.0),
                         ReplyTo("udp", "198.51.100.7", 5062), "ours")


def reply(tag: str) -> SIPResponse:
    msg = parse_message((
        "SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-1\r\n"
        f"From: <sip:bob@example.com>;tag=from1\r\nTo: <sip:carol@example.com>;tag={tag}\r\n"
        "Call-ID: cb-1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n").encode())
    assert isinstance(msg, SIPResponse)
    return msg


@pytest.fixture
def kind() -> Iterator[list[callbacks.Callback]]:
    """A callback list of its own, so the module's lists stay as other tests left them."""
    yield []


def test_every_callback_runs_once_even_when_one_fails(
        kind: list[callbacks.Callback], caplog: pytest.LogCaptureFixture) -> None:
    seen: list[int] = []

    def broken(ev: TmEvent) -> None:
        raise RuntimeError("boom")

    def record(ev: TmEvent) -> None:
        seen.append(ev.code)

    callbacks.register(kind, broken)
    callbacks.register(kind, record)
    callbacks.register(kind, record)  # twice: still once
    with caplog.at_level(logging.ERROR, logger="siprouter.tm"):
        callbacks.run(kind, None, transaction(), reply("x"), 486)  # type: ignore[arg-type]
    assert seen == [486]
    assert "tm callback" in caplog.text and "boom" in caplog.text
    callbacks.unregister(kind, record)
    callbacks.run(kind, None, transaction(), reply("x"), 486)  # type: ignore[arg-type]
    assert seen == [486]


def test_a_reply_with_our_to_tag_or_none_is_local() -> None:
    tm = transaction()
    assert TmEvent(None, tm, reply("ours"), 486).local  # type: ignore[arg-type]
    assert TmEvent(None, tm, None, 408).local  # type: ignore[arg-type]
    assert not TmEvent(None, tm, reply("callee"), 486).local  # type: ignore[arg-type]

