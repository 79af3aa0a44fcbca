"""acc_log_request, acc_db_request and acc_request in a compiled script, and the start-up
checks of acc's parameters (modparams applied the way the server applies them)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from siprouter.core.cfg.parser import parse_text
from siprouter.core.db import connect
from siprouter.core.exports import default_registry
from siprouter.core.runtime import modinit
from siprouter.core.runtime.compiler import compile_config
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState, SocketInfo
from siprouter.core.sip import parse_message

MODULES = ("sl", "pv", "acc")
OUR_SOCKET = SocketInfo("udp", "192.0.2.10", 5060)
BYE = (b"BYE sip:carol@192.0.2.10 SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bK-1\r\n"
       b"From: <sip:bob@example.com>;tag=from1\r\nTo: <sip:carol@example.com>;tag=to1\r\n"
       b"Call-ID: call-2\r\nCSeq: 8 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n")


def run(modparams: str, body: str) -> int:
    """Start the modules with `modparams` and run `body` as request_route for the BYE."""
    loads = "".join(f'loadmodule "{m}.so"\n' for m in MODULES)
    config, diags = parse_text(f"{loads}{modparams}\nrequest_route {{\n{body}\n}}\n", "t.cfg")
    assert not [d for d in diags if d.is_error], diags
    loaded = default_registry().loaded(MODULES)
    script = compile_config(config, loaded)
    modinit.init_modules(config, loaded.modules)
    rcv = ReceiveInfo("udp", "198.51.100.7", 5062, OUR_SOCKET)
    ctx = Context(parse_message(BYE), worker=WorkerState(vars={}, shared={}),
                  sip=SipState(rcv=rcv, sender=None))  # type: ignore[arg-type]
    return script.run("request_route", ctx)


@pytest.fixture(autouse=True)
def _no_module_env_left() -> Iterator[None]:
    yield
    config, _ = parse_text("", "empty.cfg")
    modinit.init_modules(config, [])


@pytest.fixture
def lines(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="siprouter.acc")
    return caplog


EXTRA = 'modparam("acc", "log_extra", "src_user=$fU;dst_user=$rU")\n'


def test_acc_log_request_logs_the_request_with_the_comments_code(
        lines: pytest.LogCaptureFixture) -> None:
    assert run(EXTRA, 'acc_log_request("404 Not Found");') == 1
    (line,) = [r.getMessage() for r in lines.records if r.name == "siprouter.acc"]
    assert line.startswith("ACC: request accounted: timestamp=")
    assert line.endswith(";method=BYE;from_tag=from1;to_tag=to1;call_id=call-2;code=404;"
                         "reason=Not Found;src_user=bob;dst_user=carol")


def test_acc_log_request_comment_may_hold_pseudo_variables(
        lines: pytest.LogCaptureFixture) -> None:
    assert run("", '$var(code) = "487"; acc_log_request("$var(code) Cancelled by $fU");') == 1
    (line,) = [r.getMessage() for r in lines.records if r.name == "siprouter.acc"]
    assert line.endswith(";code=487;reason=Cancelled by bob")


def test_acc_db_request_writes_to_the_named_table(tmp_path: Path) -> None:
    url = f"sqlite://{tmp_path / 'acc.db'}"
    params = f'modparam("acc", "db_url", "{url}")\n'
    assert run(params, 'acc_db_request("Missed call", "missed_calls");') == 1
    db = connect(url)
    (row,) = db.query("missed_calls", ["method", "from_tag", "to_tag", "callid", "sip_code",
                                       "sip_reason"])
    assert row == {"method": "BYE", "from_tag": "from1", "to_tag": "to1", "callid": "call-2",
                   "sip_code": "", "sip_reason": "Missed call"}


def test_acc_request_logs_and_writes(tmp_path: Path, lines: pytest.LogCaptureFixture) -> None:
    url = f"sqlite://{tmp_path / 'acc.db'}"
    assert run(f'modparam("acc", "db_url", "{url}")\n', 'acc_request("200 OK", "acc");') == 1
    assert connect(url).count("acc", {"sip_code": "200", "callid": "call-2"}) == 1
    assert any(r.getMessage().startswith("ACC: request accounted: ") for r in lines.records)


def test_acc_db_request_without_db_url_fails_with_a_reason(
        caplog: pytest.LogCaptureFixture) -> None:
    assert run("", 'if (!acc_db_request("x", "acc")) { return 2; }') == 2
    assert "acc_db_request: db support not configured" in caplog.text


def test_acc_db_request_to_a_table_that_is_not_there_fails(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite://{tmp_path / 'acc.db'}"
    body = 'if (!acc_db_request("x", "nosuchtable")) { return 2; }'
    assert run(f'modparam("acc", "db_url", "{url}")\n', body) == 2
    assert "acc: cannot write to table nosuchtable" in caplog.text


@pytest.mark.parametrize(("modparam", "message"), [
    ('modparam("acc", "log_facility", "LOG_NOWHERE")', "unknown syslog facility"),
    ('modparam("acc", "log_extra", "src_user")', "acc: log_extra: bad item 'src_user'"),
    ('modparam("acc", "db_extra", "a=$nosuchpv")', "acc: db_extra: a:"),
    ('modparam("acc", "log_flag", 40)', "acc: log_flag: flag 40 is not 0..31"),
    ('modparam("acc", "failed_filter", "abc")', "failed_filter"),
    ('modparam("acc", "db_url", "oracle://x/y")', "acc: db_url:"),
])
def test_bad_parameters_stop_the_start_with_a_clear_error(modparam: str, message: str) -> None:
    with pytest.raises(ValueError, match="acc") as exc:
        run(modparam, "exit;")
    assert message in str(exc.value)
