"""Core actions that rewrite the Request-URI and manage branches."""

from __future__ import annotations

import pytest

from siprouter.core.runtime.sip_pvs import marks
from siprouter.core.runtime.sipstate import Branch

from .helpers import INVITE, REPLY, run, sip_state

START = b"INVITE sip:bob@biloxi.example.com:5070;transport=tcp SIP/2.0\r\n"


def request_line(body: str) -> bytes:
    return run(body).msg.serialize().partition(b"\r\n")[0]


@pytest.mark.parametrize(("action", "line"), [
    ('seturi("sip:carol@chicago.example.com")', b"INVITE sip:carol@chicago.example.com SIP/2.0"),
    ('rewriteuri("sip:carol@chicago.example.com")',
     b"INVITE sip:carol@chicago.example.com SIP/2.0"),
    ('sethost("10.1.1.1")', b"INVITE sip:bob@10.1.1.1:5070;transport=tcp SIP/2.0"),
    ('rewritehostport("gw.example:5099")', b"INVITE sip:bob@gw.example:5099;transport=tcp SIP/2.0"),
    ('sethostport("gw.example")', b"INVITE sip:bob@gw.example;transport=tcp SIP/2.0"),
    ('sethostporttrans("gw.example:5061;transport=tls")',
     b"INVITE sip:bob@gw.example:5061;transport=tls SIP/2.0"),
    ('setuser("carol")', b"INVITE sip:carol@biloxi.example.com:5070;transport=tcp SIP/2.0"),
    ('setuserpass("carol:secret")',
     b"INVITE sip:carol:secret@biloxi.example.com:5070;transport=tcp SIP/2.0"),
    ('setport("6000")', b"INVITE sip:bob@biloxi.example.com:6000;transport=tcp SIP/2.0"),
    ('prefix("00")', b"INVITE sip:00bob@biloxi.example.com:5070;transport=tcp SIP/2.0"),
    ("strip(1)", b"INVITE sip:ob@biloxi.example.com:5070;transport=tcp SIP/2.0"),
    ("strip_tail(2)", b"INVITE sip:b@biloxi.example.com:5070;transport=tcp SIP/2.0"),
    ("userphone()", b"INVITE sip:bob@biloxi.example.com:5070;transport=tcp;user=phone SIP/2.0"),
])
def test_uri_action_rewrites_the_request_line(action: str, line: bytes) -> None:
    assert request_line(action + ";") == line


def test_rewrites_apply_in_sequence() -> None:
    assert request_line('strip(1); prefix("+49"); sethost("gw.example");') == (
        b"INVITE sip:+49ob@gw.example:5070;transport=tcp SIP/2.0")


def test_ru_reads_the_rewritten_uri() -> None:
    assert run('sethost("gw.example"); $var(u) = $ru;').vars["u"] == (
        "sip:bob@gw.example:5070;transport=tcp")


def test_revert_uri_restores_the_received_request_line() -> None:
    r = run('seturi("sip:x@y.example"); revert_uri(); $var(u) = $ru;')
    assert r.vars["u"] == "sip:bob@biloxi.example.com:5070;transport=tcp"
    assert r.msg.serialize() == INVITE


def test_strip_more_than_the_user_is_false_and_changes_nothing() -> None:
    r = run("if (strip(10)) { $var(r) = 1; } else { $var(r) = -1; }")
    assert r.vars["r"] == -1
    assert r.msg.serialize().startswith(START)


def test_uri_action_on_a_reply_is_false_not_an_error() -> None:
    r = run('if (sethost("x.example")) { $var(r) = 1; } else { $var(r) = -1; }', REPLY)
    assert r.vars["r"] == -1


def test_append_branch_without_uri_copies_branch_zero() -> None:
    sip = sip_state()
    run('$du = "sip:10.0.0.9"; setbflag(2); append_branch();', sip=sip)
    assert sip.branches == [Branch("sip:bob@biloxi.example.com:5070;transport=tcp",
                                   dst_uri="sip:10.0.0.9", flags=4)]


def test_append_branch_with_uri_and_q() -> None:
    sip = sip_state()
    run('append_branch("sip:alt@backup.example", "0.3");', sip=sip)
    assert sip.branches == [Branch("sip:alt@backup.example", q=300)]


def test_append_branch_with_a_bad_uri_is_false() -> None:
    sip = sip_state()
    r = run('if (!append_branch("not a uri")) { $var(r) = 1; }', sip=sip)
    assert r.vars["r"] == 1 and sip.branches == []


def test_remove_branch_and_clear_branches() -> None:
    sip = sip_state()
    sip.branches += [Branch("sip:a@x"), Branch("sip:b@x"), Branch("sip:c@x")]
    run("remove_branch(1);", sip=sip)
    assert [b.uri for b in sip.branches] == ["sip:a@x", "sip:c@x"]
    run("clear_branches();", sip=sip)
    assert sip.branches == []


def test_force_rport_and_add_local_rport_are_recorded_for_the_sender() -> None:
    sip = sip_state()
    run("force_rport(); add_local_rport();", sip=sip)
    assert sip.force_rport and marks(sip).local_rport


def test_len_gt_compares_the_message_size() -> None:
    r = run(f"if (len_gt({len(INVITE) - 1})) {{ $var(a) = 1; }} "
            f"if (!len_gt({len(INVITE)})) {{ $var(b) = 1; }}")
    assert r.vars == {"a": 1, "b": 1}


def test_isflagset_sees_setflag() -> None:
    r = run("setflag(7); if (isflagset(7)) { $var(r) = 1; } resetflag(7); "
            "if (!isflagset(7)) { $var(s) = 1; }")
    assert r.vars == {"r": 1, "s": 1}
