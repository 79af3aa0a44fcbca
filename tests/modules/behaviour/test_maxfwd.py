"""maxfwd: hop counting with Max-Forwards."""

from __future__ import annotations

from tests.core.runtime.sip.helpers import INVITE, run

NO_MF = INVITE.replace(b"Max-Forwards: 70\r\n", b"")


def test_process_decrements_the_header_and_returns_1() -> None:
    r = run("mf_process_maxfwd_header(10); $var(rc) = $rc;")
    assert r.vars["rc"] == 1
    assert b"\r\nMax-Forwards: 69\r\n" in r.msg.serialize()


def test_process_adds_the_header_when_absent_and_returns_2() -> None:
    r = run("maxfwd_process(10); $var(rc) = $rc;", NO_MF)
    assert r.vars["rc"] == 2
    assert r.msg.serialize().split(b"\r\n\r\n")[0].endswith(b"\r\nMax-Forwards: 10")


def test_process_at_zero_returns_minus_1_so_the_script_replies_483() -> None:
    data = INVITE.replace(b"Max-Forwards: 70", b"Max-Forwards: 0")
    r = run('if (!mf_process_maxfwd_header("10") && $retcode == -1) { $var(r) = 483; }', data)
    assert r.vars["r"] == 483
    assert r.msg.serialize() == data


def test_value_above_max_limit_is_lowered_to_it() -> None:
    data = INVITE.replace(b"Max-Forwards: 70", b"Max-Forwards: 200")
    assert b"Max-Forwards: 69\r\n" in run("process_maxfwd(10);", data).msg.serialize()


def test_is_maxfwd_lt_sees_the_decremented_value() -> None:
    data = INVITE.replace(b"Max-Forwards: 70", b"Max-Forwards: 2")
    r = run("if (is_maxfwd_lt(2)) { $var(a) = 1; } mf_process_maxfwd_header(10); "
            "if (is_maxfwd_lt(2)) { $var(b) = 1; }", data)
    assert r.vars == {"b": 1}


def test_is_maxfwd_lt_without_header_is_minus_2() -> None:
    assert run("is_maxfwd_lt(5); $var(rc) = $rc;", NO_MF).vars["rc"] == -2


def test_malformed_max_forwards_is_minus_2() -> None:
    data = INVITE.replace(b"Max-Forwards: 70", b"Max-Forwards: many")
    assert run("maxfwd_process(10); $var(rc) = $rc;", data).vars["rc"] == -2
