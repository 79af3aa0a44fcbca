"""SIP pseudo-variables as a script reads and writes them."""

from __future__ import annotations

import logging

import pytest

from siprouter.core.runtime.sipstate import Branch

from .helpers import INVITE, REPLY, run, sip_state, value, with_headers


@pytest.mark.parametrize(("pv", "expected"), [
    ("$ru", "sip:bob@biloxi.example.com:5070;transport=tcp"),
    ("$rU", "bob"),
    ("$rd", "biloxi.example.com"),
    ("$rp", 5070),
    ("$rP", "tcp"),
    ("$rz", "sip"),
    ("$rm", "INVITE"),
    ("$rv", "SIP/2.0"),
    ("$ci", "a84b4c76e66710@pc33.atlanta.example.com"),
    ("$cs", 314159),
    ("$cT", "application/sdp"),
    ("$ct", "<sip:alice@pc33.atlanta.example.com>"),
    ("$ua", "softphone/1.0"),
    ("$fu", "sip:alice@atlanta.example.com"),
    ("$fU", "alice"),
    ("$fd", "atlanta.example.com"),
    ("$fn", '"Alice"'),
    ("$ft", "1928301774"),
    ("$tu", "sip:bob@biloxi.example.com"),
    ("$tU", "bob"),
    ("$td", "biloxi.example.com"),
    ("$tn", "Bob"),
    ("$si", "198.51.100.7"),
    ("$sp", 5062),
    ("$Ri", "192.0.2.10"),
    ("$Rp", 5060),
    ("$pr", "udp"),
    ("$proto", "udp"),
    ("$mt", 1),
])
def test_request_pv_reads_the_received_message(pv: str, expected: object) -> None:
    assert value(pv) == expected


def test_to_tag_of_an_initial_request_is_null() -> None:
    assert value("$tt") is None


def test_rp_without_a_port_is_the_default_port() -> None:
    data = INVITE.replace(b"sip:bob@biloxi.example.com:5070;transport=tcp", b"sips:bob@b.example")
    assert value("$rp", data) == 5061
    assert value("$rP", data) == "udp"


def test_body_length_and_buffer_pvs() -> None:
    body = INVITE.partition(b"\r\n\r\n")[2].decode()
    assert value("$rb") == body
    assert value("$cl") == len(body)
    assert value("$ml") == len(INVITE)
    assert value("$mb") == INVITE.decode()


def test_reply_pvs_read_status_reason_and_cseq_method() -> None:
    r = run("$var(s) = $rs; $var(r) = $rr; $var(m) = $rm; $var(t) = $mt; $var(u) = $ru;", REPLY)
    assert r.vars == {"s": "180", "r": "Ringing", "m": "INVITE", "t": 2, "u": 0}


def test_hdr_reads_first_indexed_last_and_all_lines() -> None:
    data = with_headers([b"X-A: one", b"X-A: two", b"X-A: three"])
    assert value("$hdr(x-a)", data) == "one"
    assert value("$(hdr(X-A)[1])", data) == "two"
    assert value("$(hdr(X-A)[-1])", data) == "three"
    assert value("$(hdr(X-A)[*])", data) == "one,two,three"
    assert value("$hdrc(X-A)", data) == 3
    assert value("$hdr(X-Missing)", data) is None


def test_hdr_with_compact_name_reads_the_full_header() -> None:
    assert value("$hdr(v)") == value("$hdr(Via)")


def test_assigning_ru_changes_the_request_line_and_ru_reads_it() -> None:
    r = run('$ru = "sip:carol@chicago.example.com"; $var(u) = $ru; $var(o) = $ou;')
    assert r.vars["u"] == "sip:carol@chicago.example.com"
    assert r.vars["o"] == "sip:bob@biloxi.example.com:5070;transport=tcp"
    assert r.msg.serialize().startswith(b"INVITE sip:carol@chicago.example.com SIP/2.0\r\n")


def test_assigning_ru_parts_rewrites_only_that_part() -> None:
    r = run('$rU = "+4930123"; $rd = "gw.example.net"; $rp = 5080; $var(u) = $ru;')
    assert r.vars["u"] == "sip:+4930123@gw.example.net:5080;transport=tcp"


def test_assigning_null_to_ru_user_removes_the_user() -> None:
    assert run("$rU = $null; $var(u) = $ru;").vars["u"] == "sip:biloxi.example.com:5070;transport=tcp"


def test_assigning_fu_rewrites_the_from_uri_and_keeps_display_and_tag() -> None:
    r = run('$fu = "sip:anon@anonymous.invalid";')
    assert b'From: "Alice" <sip:anon@anonymous.invalid>;tag=1928301774\r\n' in r.msg.serialize()


def test_from_reads_stay_as_received_after_a_write() -> None:
    assert run('$fU = "x"; $var(r) = $fU;').vars["r"] == "alice"


def test_from_user_and_domain_writes_combine() -> None:
    r = run('$fU = "carol"; $fd = "chicago.example.com"; $fn = "Carol C";')
    assert b'From: "Carol C" <sip:carol@chicago.example.com>;tag=1928301774\r\n' in r.msg.serialize()


def test_assigning_tn_adds_a_quoted_display_name() -> None:
    r = run('$tn = "Robert";')
    assert b'To: "Robert" <sip:bob@biloxi.example.com>\r\n' in r.msg.serialize()


def test_assigning_null_to_fn_removes_the_display_name() -> None:
    r = run("$fn = $null;")
    assert b"From: <sip:alice@atlanta.example.com>;tag=1928301774\r\n" in r.msg.serialize()


def test_du_is_writable_and_its_parts_read_back() -> None:
    r = run('$du = "sip:10.0.0.5:5090;transport=tls"; $var(d) = $dd; $var(p) = $dp; '
            '$var(t) = $dP; $var(u) = $du;')
    assert r.vars == {"d": "10.0.0.5", "p": 5090, "t": "tls",
                      "u": "sip:10.0.0.5:5090;transport=tls"}
    assert r.ctx.sip is not None and r.ctx.sip.dst_uri == "sip:10.0.0.5:5090;transport=tls"


def test_du_assigned_a_constant(caplog: pytest.LogCaptureFixture) -> None:
    """`$du = "..."` is compiled for its value: a URI is checked once, anything else keeps
    the setter's behaviour (an error log each run, $du unchanged)."""
    r = run('$du = "sip:10.0.0.5:5090"; $var(a) = $du; $du = "not a uri"; $var(b) = $du; '
            '$du = ""; $var(c) = $du; $du = "sip:10.0.0.6"; $du = 0; $var(d) = $du;')
    assert r.vars == {"a": "sip:10.0.0.5:5090", "b": "sip:10.0.0.5:5090", "c": 0,
                      "d": "sip:10.0.0.6"}
    assert caplog.text.count("$du: not a URI: 'not a uri'") == 1
    assert caplog.text.count("$du: not a URI: '0'") == 1


def test_du_constant_without_sip_state_logs(caplog: pytest.LogCaptureFixture) -> None:
    from siprouter.core.cfg.parser import parse_text
    from siprouter.core.exports import default_registry
    from siprouter.core.runtime.compiler import compile_config
    from siprouter.core.runtime.context import Context, WorkerState

    config, _ = parse_text('loadmodule "pv.so"\nrequest_route { $du = "sip:10.0.0.5"; }\n',
                           "t.cfg")
    script = compile_config(config, default_registry().loaded(("pv",)))
    with caplog.at_level(logging.ERROR):
        assert script.run("request_route", Context(worker=WorkerState())) == 1
    assert "$du: no SIP state" in caplog.text


def test_assigning_null_to_du_resets_it() -> None:
    r = run('$du = "sip:10.0.0.5"; $du = $null; $var(n) = $du;')
    assert r.vars["n"] == 0 and r.ctx.sip is not None and r.ctx.sip.dst_uri == ""


def test_nh_is_the_ruri_without_du() -> None:
    r = run("$var(u) = $nh(u); $var(d) = $nh(d); $var(p) = $nh(p); $var(t) = $nh(P); "
            "$var(U) = $nh(U);")
    assert r.vars == {"u": "sip:bob@biloxi.example.com:5070;transport=tcp",
                      "d": "biloxi.example.com", "p": "5070", "t": "tcp", "U": "bob"}


def test_nh_follows_du_when_set() -> None:
    r = run('$du = "sip:10.0.0.5:5090"; $var(d) = $nh(d); $var(p) = $nh(p);')
    assert r.vars == {"d": "10.0.0.5", "p": "5090"}


def test_nh_of_a_reply_is_the_second_via() -> None:
    r = run("$var(d) = $nh(d); $var(p) = $nh(p); $var(t) = $nh(P);", REPLY)
    assert r.vars == {"d": "pc33.atlanta.example.com", "p": "5062", "t": "tcp"}


def test_branch_attributes_read_and_write_by_index() -> None:
    sip = sip_state()
    sip.branches += [Branch("sip:a@one.example"), Branch("sip:b@two.example", q=500)]
    r = run('$var(c) = $branch(count); $var(u) = $(branch(uri)[1]); $var(q) = $(branch(q)[1]);'
            '$(branch(dst_uri)[0]) = "sip:10.0.0.1"; $(branch(q)[0]) = "0.25";'
            '$(branch(flags)[0]) = 4;', sip=sip)
    assert r.vars == {"c": 2, "u": "sip:b@two.example", "q": 500}
    assert sip.branches[0] == Branch("sip:a@one.example", dst_uri="sip:10.0.0.1", q=250, flags=4)


def test_assigning_null_to_branch_uri_drops_the_branch() -> None:
    sip = sip_state()
    sip.branches += [Branch("sip:a@one.example"), Branch("sip:b@two.example")]
    run("$(branch(uri)[0]) = $null;", sip=sip)
    assert [b.uri for b in sip.branches] == ["sip:b@two.example"]


def test_ds_lists_ruri_and_branches_with_q() -> None:
    sip = sip_state()
    sip.branches.append(Branch("sip:b@two.example", q=500))
    assert value("$ds", sip=sip) == (
        "<sip:bob@biloxi.example.com:5070;transport=tcp>, <sip:b@two.example>;q=0.5")


def test_bR_lists_the_branches_with_q_only_where_set() -> None:
    # as Kamailio 5.6 prints it after append_branch("sip:b@...", "0.5"); append_branch("sip:c@...")
    sip = sip_state()
    sip.branches += [Branch("sip:b@127.0.0.1:5000", q=500), Branch("sip:c@127.0.0.1")]
    assert value("$bR", sip=sip) == "<sip:b@127.0.0.1:5000>;q=0.5, sip:c@127.0.0.1"
    assert value("$bR") is None  # no branches


def test_br_assignment_appends_a_branch() -> None:
    r = run('$br = "sip:x@y.example"; $var(b) = $br;')
    assert r.vars["b"] == "sip:x@y.example"


def test_flag_pvs_read_and_write_the_flags() -> None:
    r = run("setflag(3); $var(m) = $mf; $bf = 5; $var(b) = $bF; $sf = 2; $var(s) = $sf;")
    assert r.vars == {"m": 8, "b": "0x00000005", "s": 2}
    assert r.ctx.bflags == 5


def test_credentials_pvs_read_the_digest_username_and_realm() -> None:
    data = with_headers([b'Proxy-Authorization: Digest username="alice@atlanta.example.com", '
                         b'realm="atlanta.example.com", nonce="abc", uri="sip:bob@b", '
                         b'response="00"'])
    r = run("$var(u) = $au; $var(d) = $ad; $var(r) = $ar;", data)
    assert r.vars == {"u": "alice", "d": "atlanta.example.com", "r": "atlanta.example.com"}


def test_asserted_identity_pv_reads_the_uri() -> None:
    data = with_headers([b'P-Asserted-Identity: "Alice" <sip:+15551234@atlanta.example.com>'])
    assert value("$ai", data) == "sip:+15551234@atlanta.example.com"


def test_malformed_from_reads_null_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    data = INVITE.replace(b'From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774',
                          b"From: <sip:alice@atl anta>")
    with caplog.at_level(logging.ERROR, logger="siprouter.script"):
        assert value("$fU", data) is None
    assert len([r for r in caplog.records if "$fU" in r.getMessage()]) == 1


def test_env_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIPROUTER_TEST_ENV", "yes")
    assert value("$env(SIPROUTER_TEST_ENV)") == "yes"
