"""The receive path and stateless forwarding, as a peer sees them: what goes out, where."""

from __future__ import annotations

from siprouter.core.sip import parse_message

from .conftest import request

RELAY = 'loadmodule "sl.so"\nrequest_route {\n  if (!forward("10.0.0.9", 5080)) {\n' \
        '    sl_reply_error();\n  }\n}\n'
REPLY_200 = 'loadmodule "sl.so"\nrequest_route {\n  sl_send_reply("200", "OK");\n}\n'


def test_forward_puts_our_via_on_top_and_sends_to_the_target(server_for) -> None:
    server = server_for(RELAY)
    [out] = server.receive(request(), src=("198.51.100.7", 5070))
    assert (out.proto, out.host, out.port) == ("udp", "10.0.0.9", 5080)
    msg = parse_message(out.data)
    top, second = msg.vias
    assert (top.host, top.port) == ("127.0.0.1", 5060) and top.is_rfc3261_branch()
    assert second.received == "198.51.100.7"  # its sent-by is not where it came from


def test_a_retransmission_is_forwarded_with_the_same_branch(server_for) -> None:
    server = server_for(RELAY)
    first = parse_message(server.receive(request())[0].data).vias[0].branch
    again = parse_message(server.receive(request())[0].data).vias[0].branch
    assert first == again


def test_forward_goes_to_the_request_uri_and_its_transport(server_for) -> None:
    server = server_for('request_route {\n  forward();\n}\n')
    [out] = server.receive(request(ruri="sip:bob@10.1.1.1:5999;transport=tcp"))
    assert (out.proto, out.host, out.port) == ("tcp", "10.1.1.1", 5999)


def test_over_tcp_the_senders_via_gets_rport_so_the_reply_finds_the_connection(
        server_for) -> None:
    server = server_for(RELAY)
    [out] = server.receive(request(), proto="tcp", src=("192.0.2.1", 40000))
    assert parse_message(out.data).vias[1].rport == 40000


def test_max_forwards_zero_is_answered_483_not_forwarded(server_for) -> None:
    server = server_for(RELAY)
    [out] = server.receive(request(max_forwards=0))
    assert out.data.startswith(b"SIP/2.0 483 Too Many Hops")
    assert (out.host, out.port) == ("192.0.2.1", 5070)


def test_forwarding_to_ourselves_is_a_loop(server_for) -> None:
    server = server_for('loadmodule "sl.so"\nrequest_route {\n'
                        '  if (!forward("127.0.0.1", 5060)) { sl_reply_error(); }\n}\n')
    [out] = server.receive(request())
    assert out.data.startswith(b"SIP/2.0 483 ")


def test_a_send_failure_is_what_sl_reply_error_answers(server_for) -> None:
    server = server_for(RELAY)
    server.transports.refuse.add(("10.0.0.9", 5080))
    [out] = server.receive(request())
    assert out.data.startswith(
        b"SIP/2.0 477 Unfortunately error on sending to next hop occurred (477/SL)")


def test_a_dropped_request_is_not_forwarded(server_for) -> None:
    server = server_for('request_route {\n  drop;\n  forward("10.0.0.9", 5080);\n}\n')
    assert server.receive(request()) == []


def test_onsend_route_can_drop_what_forward_sends(server_for) -> None:
    server = server_for('request_route {\n  forward("10.0.0.9", 5080);\n}\n'
                        'onsend_route {\n  drop;\n}\n')
    assert server.receive(request()) == []


def test_sl_send_reply_answers_with_a_stable_to_tag(server_for) -> None:
    server = server_for(REPLY_200)
    [one] = server.receive(request())
    [two] = server.receive(request())
    reply = parse_message(one.data)
    assert reply.status_code == 200 and reply.to is not None and reply.to.tag
    assert reply.to.tag.startswith("f" * 32 + "-")
    assert one.data == two.data


def test_the_ack_for_our_stateless_reply_ends_here(server_for) -> None:
    server = server_for(RELAY)
    ack = request("ACK", to_tag=";tag=" + "f" * 32 + "-1234")
    assert server.receive(ack) == []


def test_only_the_ack_whose_to_tag_is_ours_ends_here(server_for) -> None:
    server = server_for(RELAY)
    ours = "f" * 32
    plain = request("ACK", to_tag=";tag=other-1")
    named = plain.replace(b"To: <", b'To: "' + ours.encode() + b'" <')  # prefix, not tag
    compact = request("ACK", to_tag=";tag=" + ours + "-9").replace(b"To:", b"t :")
    assert len(server.receive(plain)) == 1
    assert len(server.receive(named)) == 1
    assert server.receive(compact) == []


def test_a_malformed_request_gets_400_at_its_source(server_for) -> None:
    server = server_for(RELAY)
    bad = request().replace(b"CSeq: 1 OPTIONS", b"CSeq: 1 INVITE")
    [out] = server.receive(bad)
    assert out.data.startswith(b"SIP/2.0 400 Bad Request")
    assert (out.host, out.port) == ("192.0.2.1", 5070)


def test_an_unparsable_request_still_gets_its_status(server_for) -> None:
    server = server_for(RELAY)
    bad = request().replace(b"SIP/2.0\r\nVia", b"SIP/7.0\r\nVia", 1)
    [out] = server.receive(bad)
    assert out.data.startswith(b"SIP/2.0 505 ")


def test_garbage_is_dropped_without_a_reply(server_for) -> None:
    server = server_for(RELAY)
    assert server.receive(b"\x00\xff garbage \r\n\r\n") == []


def test_proxy_require_gets_420_with_unsupported(server_for) -> None:
    server = server_for(RELAY)
    [out] = server.receive(request(extra="Proxy-Require: foo\r\n"))
    assert out.data.startswith(b"SIP/2.0 420 ") and b"Unsupported: foo\r\n" in out.data


def test_a_reply_loses_our_via_and_goes_to_the_next_one(server_for) -> None:
    server = server_for(RELAY)
    reply = (b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKours\r\n"
             b"Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKabc;received=192.0.2.9\r\n"
             b"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\n"
             b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
    [out] = server.receive(reply, src=("10.0.0.9", 5080))
    assert (out.host, out.port) == ("192.0.2.9", 5070)
    assert out.data.count(b"Via:") == 1 and b"ours" not in out.data


def test_a_reply_whose_top_via_is_not_ours_is_dropped(server_for) -> None:
    server = server_for(RELAY)
    reply = (b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKx\r\n"
             b"Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bKy\r\n"
             b"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\n"
             b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
    assert server.receive(reply) == []


def test_reply_route_drop_keeps_the_reply(server_for) -> None:
    server = server_for(RELAY + "reply_route {\n  drop;\n}\n")
    reply = (b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKours\r\n"
             b"Via: SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKabc\r\n"
             b"From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\n"
             b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
    assert server.receive(reply) == []


def test_our_branch_hashes_the_senders_via_as_received_not_as_filled(server_for) -> None:
    # RFC 2543 and RFC 3261 senders, with a Via that gets received/rport filled in (from
    # another address, rport asked for, over TCP) and one left as it is: the branch is
    # stateless_branch() of the request as received, to the next hop.
    from siprouter.core.sip import SIPRequest, stateless_branch

    server = server_for(RELAY)
    for via in ("SIP/2.0/UDP 192.0.2.1:5070;branch=abc", "SIP/2.0/UDP 192.0.2.1:5070",
                "SIP/2.0/UDP 192.0.2.1:5070;rport;branch=xyz",
                "SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKabc;rport",
                "SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKabc"):
        for proto, src in (("udp", ("192.0.2.1", 5070)), ("udp", ("198.51.100.7", 5070)),
                           ("tcp", ("192.0.2.1", 40000))):
            data = request(via=via)
            [out] = server.receive(data, proto=proto, src=src)
            received = parse_message(data)
            assert isinstance(received, SIPRequest)
            expected = stateless_branch(received, target="udp:10.0.0.9:5080", secret="s")
            assert parse_message(out.data).vias[0].branch == expected, (via, proto, src)
