"""rr: Record-Route insertion and loose routing."""

from __future__ import annotations

from tests.core.runtime.sip.helpers import INVITE, run, sip_state, with_headers

UDP_INVITE = INVITE.replace(b"sip:bob@biloxi.example.com:5070;transport=tcp",
                            b"sip:bob@biloxi.example.com")


def rr_lines(data: bytes) -> list[bytes]:
    return [line for line in data.split(b"\r\n") if line.startswith(b"Record-Route:")]


def test_record_route_adds_our_address_with_lr_and_ftag() -> None:
    r = run("record_route();", UDP_INVITE)
    assert rr_lines(r.msg.serialize()) == [
        b"Record-Route: <sip:192.0.2.10;lr;ftag=1928301774>"]


def test_record_route_goes_before_existing_record_routes() -> None:
    data = with_headers([b"Record-Route: <sip:other.example;lr>"], UDP_INVITE)
    assert rr_lines(run("record_route();", data).msg.serialize()) == [
        b"Record-Route: <sip:192.0.2.10;lr;ftag=1928301774>",
        b"Record-Route: <sip:other.example;lr>"]


def test_record_route_params_argument_with_pvs() -> None:
    r = run('record_route(";nat=$sp");', UDP_INVITE)
    assert rr_lines(r.msg.serialize()) == [
        b"Record-Route: <sip:192.0.2.10;lr;ftag=1928301774;nat=5062>"]


def test_transport_change_adds_two_record_routes_outbound_first() -> None:
    r = run("record_route();")  # received over UDP, R-URI says transport=tcp
    assert rr_lines(r.msg.serialize()) == [
        b"Record-Route: <sip:192.0.2.10;transport=tcp;r2=on;lr;ftag=1928301774>",
        b"Record-Route: <sip:192.0.2.10;r2=on;lr;ftag=1928301774>"]


def test_add_rr_param_after_record_route_changes_the_added_header() -> None:
    r = run('record_route(); add_rr_param(";nat=yes");', UDP_INVITE)
    assert rr_lines(r.msg.serialize()) == [
        b"Record-Route: <sip:192.0.2.10;lr;ftag=1928301774;nat=yes>"]


def test_add_rr_param_before_record_route_is_used_by_it() -> None:
    r = run('add_rr_param("x=1"); record_route();', UDP_INVITE)
    assert rr_lines(r.msg.serialize()) == [
        b"Record-Route: <sip:192.0.2.10;lr;ftag=1928301774;x=1>"]


def test_record_route_preset_puts_the_given_address() -> None:
    r = run('record_route_preset("1.2.3.4:5090;p=1");', UDP_INVITE)
    assert rr_lines(r.msg.serialize()) == [
        b"Record-Route: <sip:1.2.3.4:5090;p=1;ftag=1928301774;lr>"]


def test_remove_record_route_takes_the_lines_back() -> None:
    r = run("record_route(); remove_record_route();", UDP_INVITE)
    assert rr_lines(r.msg.serialize()) == []


BYE = (
    b"BYE sip:alice@pc33.atlanta.example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 198.51.100.7:5062;branch=z9hG4bKnashds7\r\n"
    b"Max-Forwards: 70\r\n"
    b"Route: <sip:192.0.2.10;lr;ftag=1928301774;nat=yes>, <sip:edge.example.net;lr>\r\n"
    b"From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
    b"To: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
    b"Call-ID: a84b4c76e66710\r\n"
    b"CSeq: 231 BYE\r\n"
    b"Content-Length: 0\r\n"
    b"\r\n"
)


def test_loose_route_removes_our_route_and_sets_du_to_the_next() -> None:
    r = run("if (loose_route()) { $var(r) = 1; } $var(du) = $du;", BYE)
    assert r.vars == {"r": 1, "du": "sip:edge.example.net;lr"}
    assert b"\r\nRoute: <sip:edge.example.net;lr>\r\n" in r.msg.serialize()


def test_loose_route_without_route_headers_is_false() -> None:
    assert run("if (!loose_route()) { $var(r) = 1; }").vars["r"] == 1


def test_loose_route_with_only_our_route_on_an_initial_request_is_false() -> None:
    data = with_headers([b"Route: <sip:192.0.2.10;lr>"], INVITE)
    r = run("if (!loose_route()) { $var(r) = 1; }", data)
    assert r.vars["r"] == 1
    assert b"Route:" not in r.msg.serialize()


def test_loose_route_with_double_rr_removes_both_of_ours() -> None:
    data = BYE.replace(b"Route: <sip:192.0.2.10;lr;ftag=1928301774;nat=yes>, ",
                       b"Route: <sip:192.0.2.10;r2=on;lr>, <sip:192.0.2.10;transport=tcp;r2=on;lr>, ")
    r = run("loose_route(); $var(du) = $du;", data)
    assert r.vars["du"] == "sip:edge.example.net;lr"
    assert b"\r\nRoute: <sip:edge.example.net;lr>\r\n" in r.msg.serialize()


def test_next_strict_router_becomes_the_ruri() -> None:
    data = BYE.replace(b"<sip:edge.example.net;lr>", b"<sip:strict.example.net>")
    out = run("loose_route();", data).msg.serialize()
    assert out.startswith(b"BYE sip:strict.example.net SIP/2.0\r\n")
    assert out.count(b"Route:") == 1
    assert b"\r\nRoute: <sip:alice@pc33.atlanta.example.com>\r\n" in out


def test_check_route_param_and_is_direction_after_loose_route() -> None:
    r = run('loose_route(); if (check_route_param("nat=yes")) { $var(n) = 1; } '
            'if (is_direction("upstream")) { $var(d) = 1; } $var(id) = $rdir(id);', BYE)
    assert r.vars == {"n": 1, "d": 1, "id": 2}


def test_rr_next_hop_route_after_loose_route() -> None:
    assert run("loose_route(); if (rr_next_hop_route()) { $var(r) = 1; }", BYE).vars["r"] == 1


def test_route_uri_pv_reads_the_first_route() -> None:
    assert run("$var(r) = $route_uri;", BYE).vars["r"] == (
        "sip:192.0.2.10;lr;ftag=1928301774;nat=yes")


def test_record_route_on_tcp_keeps_one_header_with_transport() -> None:
    r = run("record_route();", INVITE, sip=sip_state(proto="tcp"))
    assert rr_lines(r.msg.serialize()) == [
        b"Record-Route: <sip:192.0.2.10;transport=tcp;lr;ftag=1928301774>"]
