"""acc's records as Kamailio 5.6 writes them (the expected lines are Kamailio's own output for
the same calls, from the stock kamailio.cfg's log_extra)."""

from __future__ import annotations

from datetime import datetime

import pytest

from siprouter.modules.acc import records
from siprouter.modules.acc.records import AccRecord, Columns

STOCK_EXTRA = (("src_user", "sipp"), ("src_domain", "127.0.0.1"), ("src_ip", "127.0.0.1"),
               ("dst_ouser", "alice"), ("dst_user", "alice"), ("dst_domain", "127.0.0.1"))


def answered_invite(**changes: object) -> AccRecord:
    values: dict[str, object] = dict(
        method="INVITE", from_tag="21148SIPpTag001", to_tag="21146SIPpTag011",
        call_id="1-21148@127.0.0.1", code="200", reason="OK", time=1796013353.7,
        extra=STOCK_EXTRA)
    values.update(changes)
    return AccRecord(**values)  # type: ignore[arg-type]


def test_answered_transaction_line_is_kamailios() -> None:
    assert records.log_line(records.ANSWERED, answered_invite()) == (
        "ACC: transaction answered: timestamp=1796013353;method=INVITE;"
        "from_tag=21148SIPpTag001;to_tag=21146SIPpTag011;call_id=1-21148@127.0.0.1;"
        "code=200;reason=OK;src_user=sipp;src_domain=127.0.0.1;src_ip=127.0.0.1;"
        "dst_ouser=alice;dst_user=alice;dst_domain=127.0.0.1")


def test_missed_call_line_names_the_event_and_keeps_the_reason_phrase() -> None:
    line = records.log_line(records.MISSED, answered_invite(code="486", reason="Busy Here"))
    assert line.startswith("ACC: call missed: timestamp=1796013353;method=INVITE;")
    assert ";code=486;reason=Busy Here;src_user=sipp;" in line


def test_undefined_extra_value_is_empty_in_the_line() -> None:
    # Kamailio: a BYE to a Contact without a user gives `dst_user=;`
    extra = (("dst_ouser", "alice"), ("dst_user", None), ("dst_domain", "127.0.0.1"))
    line = records.log_line(records.ANSWERED, answered_invite(method="BYE", extra=extra))
    assert line.endswith(";dst_ouser=alice;dst_user=;dst_domain=127.0.0.1")


def test_request_accounted_without_extras() -> None:
    line = records.log_line(records.REQUEST, answered_invite(code="", reason="hello", extra=()))
    assert line.endswith(";code=;reason=hello")
    assert line.startswith("ACC: request accounted: timestamp=")


@pytest.mark.parametrize(("comment", "expected"), [
    ("404 Not Found", ("404", "Not Found")),
    ("200   OK", ("200", "OK")),
    ("486", ("486", "")),
    ("Missed call", ("", "Missed call")),
    ("40 short", ("", "40 short")),
])
def test_comment_gives_code_and_reason(comment: str, expected: tuple[str, str]) -> None:
    assert records.parse_comment(comment) == expected


def test_stock_extra_definition_is_parsed_in_order() -> None:
    spec = ("src_user=$fU;src_domain=$fd;src_ip=$si;"
            "dst_ouser=$tU;dst_user=$rU;dst_domain=$rd")
    assert records.parse_extra(spec) == [
        ("src_user", "$fU"), ("src_domain", "$fd"), ("src_ip", "$si"),
        ("dst_ouser", "$tU"), ("dst_user", "$rU"), ("dst_domain", "$rd")]


@pytest.mark.parametrize("spec", ["src_user", "=$fU", "src_user=fU", "a=$fU;b"])
def test_bad_extra_definition_is_an_error_naming_the_parameter(spec: str) -> None:
    with pytest.raises(ValueError, match="acc: db_extra: bad item"):
        records.parse_extra(spec, "db_extra")


def test_db_row_has_kamailios_columns_and_a_local_datetime() -> None:
    row = records.db_row(answered_invite(extra=(("src_user", "sipp"), ("dst_user", None))))
    assert row == {
        "method": "INVITE", "from_tag": "21148SIPpTag001", "to_tag": "21146SIPpTag011",
        "callid": "1-21148@127.0.0.1", "sip_code": "200", "sip_reason": "OK",
        "time": datetime.fromtimestamp(1796013353), "src_user": "sipp", "dst_user": ""}


def test_db_row_with_renamed_columns_and_nullable_extras() -> None:
    columns = Columns(method="m", callid="cid", time="t")
    row = records.db_row(answered_invite(extra=(("dst_user", None),)), columns, nullable=True)
    assert {"m", "cid", "t", "from_tag"} <= set(row)
    assert row["dst_user"] is None


@pytest.mark.parametrize(("code", "text"), [
    (404, "Not Found"), (486, "Busy Here"), (504, "Server Time-Out"), (499, "Request Failure"),
    (299, "Successful"), (699, "Global Failure"), (42, "Unspecified"),
])
def test_error_text_is_kamailios(code: int, text: str) -> None:
    assert records.error_text(code) == text


def test_failed_filter_codes() -> None:
    assert records.parse_failed_filter("404, 407") == frozenset({404, 407})
    assert records.parse_failed_filter("not-set") == frozenset()
    with pytest.raises(ValueError, match="failed_filter"):
        records.parse_failed_filter("200")


def test_flag_minus_one_is_never_set() -> None:
    assert records.flag_set(0b110, 1) and records.flag_set(0b110, 2)
    assert not records.flag_set(0b110, 0)
    assert not records.flag_set(-1, -1)
