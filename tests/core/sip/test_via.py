"""Via values: parsing, building, branches, received/rport, reply routing."""

from __future__ import annotations

import pytest

from siprouter.core.sip import (
    BRANCH_MAGIC,
    LocalSIPError,
    RemoteSIPError,
    build_via,
    fill_received_rport,
    new_branch,
    parse_message,
    parse_via,
    reply_target,
    stateless_branch,
)

from .helpers import INVITE, invite, replace_line


def test_via_components() -> None:
    via = parse_via("SIP/2.0/udp Host.Example.com:5062;branch=z9hG4bKx;rport;received=192.0.2.1")
    assert (via.protocol, via.transport, via.host, via.port) == (
        "SIP/2.0", "UDP", "host.example.com", 5062,
    )
    assert via.branch == "z9hG4bKx" and via.has_rport and via.rport is None
    assert via.received == "192.0.2.1"


def test_via_with_lws_everywhere() -> None:
    via = parse_via("SIP  / 2.0  / TCP     spindle.example.com :  5060 ;  branch  =   z9hG4bK9")
    assert (via.transport, via.host, via.port, via.branch) == (
        "TCP", "spindle.example.com", 5060, "z9hG4bK9",
    )


def test_via_ipv6_sent_by() -> None:
    via = parse_via("SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKa")
    assert (via.host, via.port) == ("[2001:db8::9:1]", 6050)


def test_via_other_protocol_version_is_505() -> None:
    with pytest.raises(RemoteSIPError) as info:
        parse_via("SIP/7.0/UDP h;branch=z9hG4bKa")
    assert info.value.status == 505


def test_via_without_sent_by_is_400() -> None:
    with pytest.raises(RemoteSIPError):
        parse_via("SIP/2.0/UDP")


def test_via_received_must_be_an_address() -> None:
    with pytest.raises(RemoteSIPError):
        parse_via("SIP/2.0/UDP h;received=example.com")


def test_via_rport_must_be_numeric() -> None:
    with pytest.raises(RemoteSIPError):
        parse_via("SIP/2.0/UDP h;rport=x")


def test_via_str_renders_the_value() -> None:
    assert str(parse_via("SIP/2.0/UDP h:5060;branch=z9hG4bKa;rport")) == (
        "SIP/2.0/UDP h:5060;branch=z9hG4bKa;rport"
    )


def test_build_via_brackets_ipv6_and_adds_rport() -> None:
    via = build_via("udp", "2001:db8::1", 5060, branch="z9hG4bKabc", rport=True)
    assert str(via) == "SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKabc;rport"


def test_build_via_rejects_a_bad_branch() -> None:
    with pytest.raises(LocalSIPError):
        build_via("UDP", "h", branch="a b")


def test_new_branch_has_the_magic_cookie_and_is_unique() -> None:
    first, second = new_branch(), new_branch()
    assert first.startswith(BRANCH_MAGIC) and first != second
    assert new_branch("abc") == "z9hG4bKabc"


def test_stateless_branch_is_stable_across_retransmissions() -> None:
    assert stateless_branch(invite()) == stateless_branch(parse_message(INVITE))  # type: ignore[arg-type]


def test_stateless_branch_of_cancel_equals_the_invites() -> None:
    cancel = invite(INVITE.replace(b"INVITE sip", b"CANCEL sip", 1).replace(
        b"314159 INVITE", b"314159 CANCEL"))
    assert stateless_branch(cancel) == stateless_branch(invite())


def test_stateless_branch_differs_per_target() -> None:
    msg = invite()
    assert stateless_branch(msg, target="sip:a@x") != stateless_branch(msg, target="sip:a@y")


def test_stateless_branch_without_cookie_hashes_the_rfc2543_fields() -> None:
    old = INVITE.replace(b"branch=z9hG4bK776asdhds;", b"")
    other_call = old.replace(b"a84b4c76e66710@", b"zzz@")
    branch = stateless_branch(invite(old))
    assert branch.startswith(BRANCH_MAGIC)
    assert branch != stateless_branch(invite(other_call))


def test_received_is_added_when_source_differs_from_sent_by() -> None:
    msg = invite(replace_line(b";rport", b""))
    via = fill_received_rport(msg, "192.0.2.7", 5060)
    assert via is not None and via.received == "192.0.2.7" and not via.has_rport
    assert b";branch=z9hG4bK776asdhds;received=192.0.2.7\r\n" in msg.serialize()


def test_rport_is_filled_with_the_source_port_and_received_added() -> None:
    msg = invite()
    via = fill_received_rport(msg, "192.0.2.7", 40000)
    assert via is not None and via.rport == 40000 and via.received == "192.0.2.7"
    top = msg.apply_changes().top_via
    assert top is not None and (top.rport, top.received) == (40000, "192.0.2.7")


def test_nothing_changes_when_source_matches_sent_by_without_rport() -> None:
    msg = invite(replace_line(b"pc33.atlanta.example.com;branch", b"192.0.2.7;branch").replace(
        b";rport", b""))
    fill_received_rport(msg, "192.0.2.7", 5060)
    assert not msg.has_changes


def test_force_rport_fills_rport_even_if_not_asked() -> None:
    msg = invite(replace_line(b";rport", b""))
    via = fill_received_rport(msg, "192.0.2.7", 5070, force_rport=True)
    assert via is not None and via.rport == 5070


def test_received_for_ipv6_source_is_written_without_brackets() -> None:
    via = fill_received_rport(invite(), "[2001:db8::1]", 5060)
    assert via is not None and via.received == "2001:db8::1"


def test_reply_target_uses_received_and_rport() -> None:
    via = parse_via("SIP/2.0/UDP h:5070;branch=z9hG4bKa;received=192.0.2.1;rport=40000")
    assert tuple(reply_target(via)) == ("UDP", "192.0.2.1", 40000)


def test_reply_target_uses_sent_by_port_without_rport() -> None:
    via = parse_via("SIP/2.0/UDP h:5070;branch=z9hG4bKa;received=192.0.2.1")
    assert tuple(reply_target(via)) == ("UDP", "192.0.2.1", 5070)


def test_reply_target_defaults_the_port_by_transport() -> None:
    assert reply_target(parse_via("SIP/2.0/UDP h")).port == 5060
    assert reply_target(parse_via("SIP/2.0/TLS h")).port == 5061


def test_reply_target_maddr_wins() -> None:
    via = parse_via("SIP/2.0/UDP h;maddr=239.255.255.1;received=192.0.2.1;rport=4000")
    assert tuple(reply_target(via)) == ("UDP", "239.255.255.1", 5060)


def test_reply_target_strips_ipv6_brackets() -> None:
    assert reply_target(parse_via("SIP/2.0/UDP [2001:db8::1]:5062")).host == "2001:db8::1"
