"""Which transactions acc accounts and how (Kamailio's acc_onreply / on_missed rules), driven
through tm's callback registry with real transactions, replies and a real SQLite database."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from siprouter.core.db import Database, connect
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState, SocketInfo
from siprouter.core.server.replies import ReplyTo
from siprouter.core.sip import SIPRequest, SIPResponse, parse_message
from siprouter.core.sip.transaction import ServerTransaction
from siprouter.modules import acc
from siprouter.modules.tm import callbacks
from siprouter.modules.tm.callbacks import TmEvent
from siprouter.modules.tm.state import TmTransaction

OUR_SOCKET = SocketInfo("udp", "192.0.2.10", 5060)
FLT_ACC, FLT_ACCMISSED, FLT_ACCFAILED = 1, 2, 3
STOCK = dict(log_flag=FLT_ACC, log_missed_flag=FLT_ACCMISSED,
             failed_transaction_flag=FLT_ACCFAILED,
             log_extra="src_user=$fU;src_ip=$si;dst_user=$rU")
TAG = "our-tag"


def invite(method: str = "INVITE") -> SIPRequest:
    msg = parse_message((
        f"{method} sip:carol@192.0.2.10 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-1\r\n"
        "From: <sip:bob@example.com>;tag=from1\r\nTo: <sip:carol@example.com>\r\n"
        f"Call-ID: call-1\r\nCSeq: 7 {method}\r\nMax-Forwards: 70\r\n"
        "Content-Length: 0\r\n\r\n").encode())
    assert isinstance(msg, SIPRequest)
    return msg


def reply(code: int, reason: str, tag: str = "callee1", body: str = "") -> SIPResponse:
    msg = parse_message((
        f"SIP/2.0 {code} {reason}\r\n"
        "Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-1\r\n"
        f"From: <sip:bob@example.com>;tag=from1\r\nTo: <sip:carol@example.com>;tag={tag}\r\n"
        f"Call-ID: call-1\r\nCSeq: 7 INVITE\r\nContent-Length: {len(body)}\r\n\r\n{body}"
    ).encode())
    assert isinstance(msg, SIPResponse)
    return msg


class Event(TmEvent):
    """tm's event with the context made here instead of by a running engine."""

    def context(self) -> Context:
        rcv = ReceiveInfo("udp", "198.51.100.7", 5062, OUR_SOCKET)
        return Context(self.tm.request, flags=self.tm.flags, worker=WorkerState(),
                       sip=SipState(rcv=rcv, sender=None))  # type: ignore[arg-type]


def transaction(flags: int, method: str = "INVITE") -> TmTransaction:
    req = invite(method)
    rcv = ReceiveInfo("udp", "198.51.100.7", 5062, OUR_SOCKET)
    return TmTransaction(req, rcv, ServerTransaction(req, False, 0.0),
                         ReplyTo("udp", "198.51.100.7", 5062), TAG, flags=flags)


def bits(*flags: int) -> int:
    return sum(1 << f for f in flags)


def out(tm: TmTransaction, rpl: SIPResponse | None, code: int) -> None:
    for cb in callbacks.RESPONSE_OUT:
        cb(Event(None, tm, rpl, code))  # type: ignore[arg-type]


def failure(tm: TmTransaction, rpl: SIPResponse | None, code: int) -> None:
    for cb in callbacks.ON_FAILURE:
        cb(Event(None, tm, rpl, code))  # type: ignore[arg-type]


Lines = Callable[[], list[str]]


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> Lines:
    """The acc log lines so far."""
    caplog.set_level(logging.INFO, logger="siprouter.acc")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "siprouter.acc"]


def test_no_flag_parameter_registers_no_callback() -> None:
    assert acc.accounting.on_response_out not in callbacks.RESPONSE_OUT
    acc.configure(**STOCK)
    assert acc.accounting.on_response_out in callbacks.RESPONSE_OUT
    assert acc.accounting.on_failure in callbacks.ON_FAILURE


def test_answered_invite_is_logged_with_the_reply_to_tag(lines: Lines) -> None:
    acc.configure(**STOCK)
    out(transaction(bits(FLT_ACC)), reply(200, "OK"), 200)
    (line,) = lines()
    assert line.startswith("ACC: transaction answered: timestamp=")
    assert line.endswith(";method=INVITE;from_tag=from1;to_tag=callee1;call_id=call-1;"
                         "code=200;reason=OK;src_user=bob;src_ip=198.51.100.7;dst_user=carol")


def test_provisional_replies_are_not_accounted(lines: Lines) -> None:
    acc.configure(**STOCK)
    out(transaction(bits(FLT_ACC)), reply(180, "Ringing"), 180)
    assert lines() == []


def test_early_media_accounts_a_provisional_reply_with_a_body(lines: Lines) -> None:
    acc.configure(**STOCK, early_media=1)
    tm = transaction(bits(FLT_ACC))
    out(tm, reply(180, "Ringing"), 180)
    out(tm, reply(183, "Session Progress", body="v=0\r\n"), 183)
    (line,) = lines()
    assert ";code=183;reason=Session Progress;" in line


def test_failed_transaction_needs_the_failed_flag(lines: Lines) -> None:
    acc.configure(**STOCK)
    out(transaction(bits(FLT_ACC)), reply(486, "Busy Here"), 486)
    assert lines() == []
    out(transaction(bits(FLT_ACC, FLT_ACCFAILED)), reply(486, "Busy Here"), 486)
    (line,) = lines()
    assert ";code=486;reason=Busy Here;" in line


def test_failed_filter_codes_are_not_accounted(lines: Lines) -> None:
    acc.configure(**STOCK, failed_filter="486,404")
    out(transaction(bits(FLT_ACC, FLT_ACCFAILED)), reply(486, "Busy Here"), 486)
    assert lines() == []


def test_missed_call_is_reported_once_before_failure_route(lines: Lines) -> None:
    acc.configure(**STOCK)
    tm = transaction(bits(FLT_ACC, FLT_ACCMISSED))
    failure(tm, reply(486, "Busy Here"), 486)
    assert tm.flags == bits(FLT_ACC)  # failure_route sees the missed flag reset
    out(tm, reply(486, "Busy Here"), 486)  # the 486 goes upstream afterwards
    (line,) = lines()
    assert line.startswith("ACC: call missed: ")
    assert ";to_tag=callee1;call_id=call-1;code=486;reason=Busy Here;" in line


def test_missed_call_with_a_reply_of_our_own_has_kamailios_reason_and_our_tag(
        lines: Lines) -> None:
    acc.configure(**STOCK)
    tm = transaction(bits(FLT_ACC, FLT_ACCMISSED, FLT_ACCFAILED))
    out(tm, reply(404, "Nobody Here", tag=TAG), 404)  # t_reply("404", "Nobody Here")
    missed, answered = lines()
    assert missed.startswith("ACC: call missed: ")
    assert answered.startswith("ACC: transaction answered: ")
    for line in lines():
        assert f";to_tag={TAG};call_id=call-1;code=404;reason=Not Found;" in line


def test_timeout_without_a_reply_is_a_missed_408(lines: Lines) -> None:
    acc.configure(**STOCK)
    failure(transaction(bits(FLT_ACCMISSED)), None, 408)
    (line,) = lines()
    assert ";code=408;reason=Request Timeout;" in line


def test_cancel_is_not_accounted_unless_report_cancels(lines: Lines) -> None:
    acc.configure(**STOCK)
    out(transaction(bits(FLT_ACC), "CANCEL"), reply(200, "canceling"), 200)
    assert lines() == []
    acc.configure(**STOCK, report_cancels=1)
    out(transaction(bits(FLT_ACC), "CANCEL"), reply(200, "canceling"), 200)
    (line,) = lines()
    assert ";method=CANCEL;" in line


def test_log_level_follows_kamailios_levels(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="siprouter.acc")
    acc.configure(**STOCK, log_level=-1)
    out(transaction(bits(FLT_ACC)), reply(200, "OK"), 200)
    acc.configure(**STOCK, log_level=3)
    out(transaction(bits(FLT_ACC)), reply(200, "OK"), 200)
    assert [r.levelno for r in caplog.records] == [logging.ERROR, logging.DEBUG]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    url = f"sqlite://{tmp_path / 'acc.db'}"
    database = connect(url)
    for table in ("acc", "missed_calls"):
        database.execute(f"ALTER TABLE {table} ADD COLUMN src_user VARCHAR(64) "
                         "NOT NULL DEFAULT ''")
    acc.configure(db_flag=FLT_ACC, db_missed_flag=FLT_ACCMISSED, db_url=url,
                  db_extra="src_user=$fU")
    return database


def test_answered_and_missed_rows_land_in_kamailios_tables(db: Database) -> None:
    out(transaction(bits(FLT_ACC)), reply(200, "OK"), 200)
    failure(transaction(bits(FLT_ACC, FLT_ACCMISSED)), reply(486, "Busy Here"), 486)
    columns = ["method", "from_tag", "to_tag", "callid", "sip_code", "sip_reason", "src_user"]
    assert db.query("acc", columns) == [
        {"method": "INVITE", "from_tag": "from1", "to_tag": "callee1", "callid": "call-1",
         "sip_code": "200", "sip_reason": "OK", "src_user": "bob"}]
    assert db.query("missed_calls", columns) == [
        {"method": "INVITE", "from_tag": "from1", "to_tag": "callee1", "callid": "call-1",
         "sip_code": "486", "sip_reason": "Busy Here", "src_user": "bob"}]
    assert db.query("acc", ["time"])[0]["time"]


def test_a_missing_extra_column_is_one_error_line_and_the_call_goes_on(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    acc.configure(db_flag=FLT_ACC, db_url=acc.settings.db_url, db_extra="nowhere=$fU")
    out(transaction(bits(FLT_ACC)), reply(200, "OK"), 200)
    (record,) = [r for r in caplog.records if r.name == "siprouter.acc"]
    assert record.levelno == logging.ERROR
    assert "acc: cannot write to table acc:" in record.getMessage()
    assert "nowhere" in record.getMessage()
    assert db.count("acc") == 0
