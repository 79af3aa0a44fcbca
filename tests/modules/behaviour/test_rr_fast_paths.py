"""rr's fast path for the usual in-dialog Route set (one line, only our own URI) gives what the
general path gives: same result, same message out, same $du and route parameters, same logs.
Each case runs twice, with the fast path and with it switched off."""

from __future__ import annotations

import logging

import pytest

from siprouter.modules import rr
from tests.core.runtime.sip.helpers import INVITE, run, with_headers

BYE = (
    b"BYE sip:alice@pc33.atlanta.example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKnashds7\r\n"
    b"Max-Forwards: 70\r\n"
    b"%s"
    b"From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    b"To: Alice <sip:alice@atlanta.example.com>%s\r\n"
    b"Call-ID: a84b4c76e66710\r\n"
    b"CSeq: 231 BYE\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)

SCRIPT = ('$var(r) = 0; if (loose_route()) { $var(r) = 1; } $var(du) = $du; $var(rc) = $rc; '
          'if (check_route_param("ftag=x1")) { $var(p) = 1; } '
          '$var(rdir) = $rdir(name); if (rr_next_hop_route()) { $var(nh) = 1; }')

ROUTES = [
    b"Route: <sip:192.0.2.10;lr;ftag=x1>\r\n",  # the usual shape
    b"Route: <sip:192.0.2.10;lr>\r\n",
    b"Route: <sip:192.0.2.10:5060;lr;ftag=x1>\r\n",  # our port written
    b"Route: <sip:192.0.2.10:5070;lr;ftag=x1>\r\n",  # not our port
    b"Route: <sip:192.0.2.10:99999;lr>\r\n",  # a port out of range
    b"Route: <sip:PROXY.example.com;lr;ftag=x1>\r\n",  # our name, upper case
    b"Route: <sip:192.0.2.10;r2=on;lr;ftag=x1>\r\n",  # double-rr half alone
    b"Route: <sip:192.0.2.10;LR;Ftag=x1;nat=yes>\r\n",
    b"Route:    <sip:192.0.2.10;lr;ftag=x1>   \r\n",  # spacing
    b"Route: <sip:192.0.2.10;lr;ftag=x1>;hp=1\r\n",  # a header parameter
    b"Route: Proxy <sip:192.0.2.10;lr;ftag=x1>\r\n",  # a display name
    b"Route: <sip:192.0.2.10;lr;ftag=x1>, <sip:edge.example.net;lr>\r\n",
    b"Route: <sip:192.0.2.10;lr;ftag=x1>\r\nRoute: <sip:edge.example.net;lr>\r\n",
    b"Route: <sip:edge.example.net;lr>\r\n",  # not ours: loose next hop
    b"Route: <sip:edge.example.net>\r\n",  # not ours: strict next hop
    b"Route: <sip:alice@192.0.2.10;lr>\r\n",  # a user part
    b"Route: <sips:192.0.2.10;lr>\r\n",
    b"Route: <sip:192.0.2.10;lr;ftag=x1>\r\n Route-Cont: x\r\n",
    b"Route: <sip:192.0.2.10;lr;\r\n ftag=x1>\r\n",  # folded
    b"Route: <sip:192.0.2.10..;lr>\r\n",  # a host that does not parse
    b"Route: <sip:192.0.2.10;lr;ftag=x1\r\n",  # no closing bracket
]
TO_TAGS = [b";tag=1928301774", b"", b';tag=""']


def outcome(data: bytes, caplog: pytest.LogCaptureFixture) -> tuple[object, ...]:
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        r = run(SCRIPT, data)
    return (r.code, r.vars, r.msg.serialize(),
            [(rec.levelname, rec.getMessage()) for rec in caplog.records])


@pytest.mark.parametrize("to_tag", TO_TAGS)
@pytest.mark.parametrize("route", ROUTES)
def test_loose_route_fast_path_matches_the_general_path(
        route: bytes, to_tag: bytes, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = BYE % (route, to_tag)
    rr._ROUTE_SHAPES.clear()
    fast = outcome(data, caplog)
    again = outcome(data, caplog)  # the Route's shape kept from the first run
    monkeypatch.setattr(rr, "_lone_own_route", lambda req, sip: None)
    general = outcome(data, caplog)
    assert fast == general and again == general


def test_the_kept_route_shapes_are_bounded() -> None:
    rr._ROUTE_SHAPES.clear()
    for n in range(rr._ROUTE_SHAPES_MAX + 10):
        rr._route_shape(f"<sip:192.0.2.10;lr;ftag={n}>")
    assert len(rr._ROUTE_SHAPES) <= rr._ROUTE_SHAPES_MAX


def test_loose_route_fast_path_is_taken_for_the_usual_shape(
        monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[int | None] = []
    real = rr._lone_own_route

    def spy(req: object, sip: object) -> int | None:
        taken.append(real(req, sip))  # type: ignore[arg-type]
        return taken[-1]

    monkeypatch.setattr(rr, "_lone_own_route", spy)
    r = run(SCRIPT, BYE % (ROUTES[0], TO_TAGS[0]))
    assert taken == [1]
    assert r.vars["r"] == 1 and r.vars["p"] == 1
    assert b"Route:" not in r.msg.serialize()


def test_initial_request_with_only_our_route_through_the_fast_path() -> None:
    r = run(SCRIPT, with_headers([b"Route: <sip:192.0.2.10;lr;ftag=x1>"], INVITE))
    assert r.vars["r"] == 0 and r.vars["rc"] == -1
    assert b"Route:" not in r.msg.serialize()


UDP_INVITE = INVITE.replace(b"sip:bob@biloxi.example.com:5070;transport=tcp",
                            b"sip:bob@biloxi.example.com")


def rr_lines(data: bytes) -> list[bytes]:
    return [line for line in data.split(b"\r\n") if line.startswith(b"Record-Route:")]


@pytest.mark.parametrize(("du", "expected"), [
    ("sip:203.0.113.5:5070;transport=TCP", [
        b"Record-Route: <sip:192.0.2.10;transport=tcp;r2=on;lr;ftag=1928301774>",
        b"Record-Route: <sip:192.0.2.10;r2=on;lr;ftag=1928301774>"]),
    ("sip:203.0.113.5:5070", [b"Record-Route: <sip:192.0.2.10;lr;ftag=1928301774>"]),
    ("sips:203.0.113.5", [
        b"Record-Route: <sip:192.0.2.10;transport=tls;r2=on;lr;ftag=1928301774>",
        b"Record-Route: <sip:192.0.2.10;r2=on;lr;ftag=1928301774>"]),
    ("sip:203.0.113.5:5070;transport=TCP", [
        b"Record-Route: <sip:192.0.2.10;transport=tcp;r2=on;lr;ftag=1928301774>",
        b"Record-Route: <sip:192.0.2.10;r2=on;lr;ftag=1928301774>"]),
])
def test_record_route_follows_the_transport_of_du_each_time(
        du: str, expected: list[bytes]) -> None:
    """The outbound transport kept per $du text and the address per socket give, run after
    run, what the next hop asks for."""
    for _ in range(2):
        r = run(f'$du = "{du}"; record_route();', UDP_INVITE)
        assert rr_lines(r.msg.serialize()) == expected


def test_record_route_on_another_socket_writes_that_socket() -> None:
    from siprouter.core.runtime.sipstate import ReceiveInfo, SipState, SocketInfo
    from tests.core.runtime.sip.helpers import MemorySender

    for port, written in ((5060, b"192.0.2.10"), (5080, b"192.0.2.10:5080"),
                          (5060, b"192.0.2.10")):
        sock = SocketInfo("udp", "192.0.2.10", port)
        sip = SipState(ReceiveInfo("udp", "198.51.100.7", 5062, sock), MemorySender())
        r = run("record_route();", UDP_INVITE, sip=sip)
        assert rr_lines(r.msg.serialize()) == [
            b"Record-Route: <sip:" + written + b";lr;ftag=1928301774>"]


SIPS_INVITE = INVITE.replace(b"INVITE sip:bob@biloxi.example.com:5070;transport=tcp",
                             b"INVITE sips:bob@biloxi.example.com")


@pytest.mark.parametrize(("setting", "value", "data", "expected"), [
    ("add_username", 1, UDP_INVITE,
     [b"Record-Route: <sip:bob@192.0.2.10;lr;ftag=1928301774>"]),
    ("enable_full_lr", 1, UDP_INVITE, [b"Record-Route: <sip:192.0.2.10;lr=on;ftag=1928301774>"]),
    ("append_fromtag", 0, UDP_INVITE, [b"Record-Route: <sip:192.0.2.10;lr>"]),
    ("enable_double_rr", 0, INVITE, [b"Record-Route: <sip:192.0.2.10;lr;ftag=1928301774>"]),
    ("enable_double_rr", 2, UDP_INVITE, [
        b"Record-Route: <sip:192.0.2.10;r2=on;lr;ftag=1928301774>",
        b"Record-Route: <sip:192.0.2.10;r2=on;lr;ftag=1928301774>"]),
    ("ignore_sips", 0, SIPS_INVITE, [
        b"Record-Route: <sips:192.0.2.10;transport=tls;r2=on;lr;ftag=1928301774>",
        b"Record-Route: <sips:192.0.2.10;r2=on;lr;ftag=1928301774>"]),
    ("ignore_sips", 1, SIPS_INVITE, [
        b"Record-Route: <sip:192.0.2.10;transport=tls;r2=on;lr;ftag=1928301774>",
        b"Record-Route: <sip:192.0.2.10;r2=on;lr;ftag=1928301774>"]),
])
def test_record_route_honours_the_module_parameters(
        setting: str, value: int, data: bytes, expected: list[bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rr.settings, setting, value)
    assert rr_lines(run("record_route();", data).msg.serialize()) == expected


def test_record_route_with_a_transport_param_without_value_and_a_bad_from(
        caplog: pytest.LogCaptureFixture) -> None:
    data = UDP_INVITE.replace(b"INVITE sip:bob@biloxi.example.com",
                              b"INVITE sip:bob@biloxi.example.com;transport")
    assert rr_lines(run("record_route();", data).msg.serialize()) == [
        b"Record-Route: <sip:192.0.2.10;lr;ftag=1928301774>"]
    bad = UDP_INVITE.replace(b'From: "Alice" <sip:alice@atlanta.example.com>',
                             b'From: "Alice <sip:alice@atlanta.example.com>')
    r = run("if (!record_route()) { $var(f) = 1; }", bad)
    assert r.vars == {"f": 1} and rr_lines(r.msg.serialize()) == []
    assert "record_route:" in caplog.text


@pytest.mark.parametrize(("tag", "ftag"), [
    (b";tag=abc", b";ftag=abc"), (b';tag="abc"', b";ftag=abc"), (b';tag=""', b""),
    (b";tag", b""), (b"", b""), (b';tag="a\\"b"', b';ftag=a"b'),
])
def test_record_route_ftag_is_the_from_tag_unquoted(tag: bytes, ftag: bytes) -> None:
    data = UDP_INVITE.replace(b";tag=1928301774", tag)
    assert rr_lines(run("record_route();", data).msg.serialize()) == [
        b"Record-Route: <sip:192.0.2.10;lr" + ftag + b">"]
