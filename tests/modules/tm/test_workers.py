"""Which worker owns a message, and the hand-over between workers (modules/tm/workers.py)."""

from __future__ import annotations

import threading
import time
from typing import Any

from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.server.hooks import PreForkEnv
from siprouter.core.transport.sockets import bind
from siprouter.modules.tm.workers import (
    Dispatcher,
    WorkerLinks,
    branch_suffix,
    decode_handoff,
    encode_handoff,
    make_links,
    owner_of,
    owner_of_call_id,
    rank_in_branch,
)

SHARED = SocketInfo("udp", "127.0.0.1", 5060)


def request(method: str, call_id: str, branch: str = "z9hG4bKc1") -> bytes:
    return (f"{method} sip:bob@example.com SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 10.0.0.1:5060;branch={branch}\r\n"
            "From: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 {method}\r\nMax-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n").encode()


def reply(call_id: str, top_branch: str) -> bytes:
    return ("SIP/2.0 180 Ringing\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:40000;branch={top_branch}\r\n"
            "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKc1\r\n"
            "From: <sip:alice@example.com>;tag=a\r\nTo: <sip:bob@example.com>;tag=b\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n").encode()


def test_owner_of_a_call_id_is_the_same_everywhere_and_in_range() -> None:
    owners = {owner_of_call_id(f"call-{i}", 3) for i in range(100)}
    assert owners == {0, 1, 2}
    assert owner_of_call_id("abc", 4) == owner_of_call_id("abc", 4)


def test_invite_cancel_and_ack_of_one_call_have_one_owner() -> None:
    owners = {owner_of(request(m, "same-call"), 4) for m in ("INVITE", "CANCEL", "ACK")}
    assert owners == {owner_of_call_id("same-call", 4)}


def test_reply_owner_is_the_rank_in_our_branch() -> None:
    for rank in range(3):
        assert owner_of(reply("x", "z9hG4bKabc" + branch_suffix(rank)), 3) == rank


def test_reply_without_a_rank_falls_back_to_the_call_id() -> None:
    assert owner_of(reply("y", "z9hG4bKabc"), 3) == owner_of_call_id("y", 3)


def test_rank_in_branch_ignores_other_shapes() -> None:
    assert rank_in_branch("z9hG4bKabc.7", 8) == 7
    assert rank_in_branch("z9hG4bKabc.8", 8) is None
    assert rank_in_branch("z9hG4bK.abc", 8) is None
    assert rank_in_branch(".1", 8) is None
    assert rank_in_branch("z9hG4bKabc", 8) is None


def test_malformed_message_has_no_owner() -> None:
    assert owner_of(b"garbage\r\n\r\n", 2) is None
    assert owner_of(b"INVITE sip:a@b SIP/2.0\r\nVia: x\r\n\r\n", 2) is None


def test_handoff_packet_round_trips_and_rejects_mangled_ones() -> None:
    rcv = ReceiveInfo("udp", "192.0.2.1", 5062, SHARED)
    assert decode_handoff(encode_handoff(1, rcv, b"SIP data\n")) == \
        (1, "192.0.2.1", 5062, b"SIP data\n")
    assert decode_handoff(b"no header") is None
    assert decode_handoff(b"x 1.2.3.4 5\nSIP") is None


def _links(children: int) -> tuple[WorkerLinks, list[SocketInfo]]:
    shared = bind(SocketInfo("udp", "127.0.0.1", 0))
    env = PreForkEnv(script=None, sockets=[shared], children=children)  # type: ignore[arg-type,unused-ignore]
    links = make_links(env)
    shared.sock.close()
    return links, [shared.info]


def _close(links: WorkerLinks) -> None:
    for a, b in [*links.pairs, *links.answers]:
        a.close()
        b.close()
    for own in links.private:
        for bs in own.values():
            bs.sock.close()


def test_each_worker_gets_its_own_udp_socket_on_the_shared_address() -> None:
    links, shared = _links(2)
    try:
        ports = {own[shared[0]].info.port for own in links.private}
        assert len(ports) == 2 and shared[0].port not in ports
    finally:
        _close(links)


def test_a_request_owned_by_the_other_worker_is_handed_over_and_delivered_there() -> None:
    links, shared = _links(2)
    try:
        call_id = next(c for c in (f"c{i}" for i in range(50)) if owner_of_call_id(c, 2) == 1)
        got: list[tuple[bytes, ReceiveInfo]] = []
        first, second = Dispatcher(0, links, shared), Dispatcher(1, links, shared)
        second.deliver = lambda data, rcv: got.append((data, rcv))
        data = request("INVITE", call_id)
        rcv = ReceiveInfo("udp", "192.0.2.9", 5099, shared[0])
        assert first.claim(data, rcv)
        second.drain()
        assert got == [(data, ReceiveInfo("udp", "192.0.2.9", 5099, shared[0]))]
        assert not second.claim(data, rcv)  # its own: stays
    finally:
        _close(links)


def test_a_query_runs_in_the_worker_asked_and_its_answer_comes_back() -> None:
    links, shared = _links(3)
    try:
        asker, busy, owner = (Dispatcher(i, links, shared) for i in range(3))
        asked: list[tuple[int, str]] = []
        busy.queries["t_cancel_callid"] = lambda n, cid: asked.append((1, cid)) or -1
        owner.queries["t_cancel_callid"] = lambda n, cid: asked.append((2, cid)) or n
        stop = threading.Event()

        def serve() -> None:  # the other two workers' loops, reading their hand-over sockets
            while not stop.is_set():
                busy.drain()
                owner.drain()
                time.sleep(0.001)

        loop = threading.Thread(target=serve)
        loop.start()
        try:
            assert asker.ask(2, "t_cancel_callid", [7, "call-a"]) == 7
            assert asker.ask_all("t_cancel_callid", [1, "call-b"]) == 1
            assert asker.ask(2, "no-such-query", []) == -1
        finally:
            stop.set()
            loop.join()
        assert asked == [(2, "call-a"), (1, "call-b"), (2, "call-b")]
    finally:
        _close(links)


def test_a_worker_that_does_not_answer_costs_the_asker_a_bounded_wait() -> None:
    links, shared = _links(2)
    try:
        asker = Dispatcher(0, links, shared)  # worker 1 never reads: no answer, no hang
        assert asker.ask(1, "t_cancel_callid", ["x"], timeout=0.2) is None
        assert asker.ask_all("t_cancel_callid", ["x"]) == -1
    finally:
        _close(links)


def test_messages_on_a_private_socket_or_a_stream_stay_where_they_are() -> None:
    links, shared = _links(2)
    try:
        first = Dispatcher(0, links, shared)
        call_id = next(c for c in (f"c{i}" for i in range(50)) if owner_of_call_id(c, 2) == 1)
        data = request("INVITE", call_id)
        own: Any = links.private[0][shared[0]].info
        assert not first.claim(data, ReceiveInfo("udp", "192.0.2.9", 5099, own))
        tcp = SocketInfo("tcp", "127.0.0.1", shared[0].port)
        assert not first.claim(data, ReceiveInfo("tcp", "192.0.2.9", 5099, tcp, 3))
    finally:
        _close(links)


def test_a_request_is_owned_by_its_call_id_however_the_header_is_written() -> None:
    head = b"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nInfo: i: not this\r\n"
    tail = b"CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n"
    for line in (b"Call-ID: the-call\r\n", b"i: the-call\r\n", b"CALL-ID :  the-call \r\n"):
        assert owner_of(head + line + tail, 5) == owner_of_call_id("the-call", 5)


def test_a_request_with_two_call_ids_is_owned_as_the_parser_reads_it() -> None:
    data = (b"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCall-ID: one\r\n"
            b"Call-ID: two\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n")
    assert owner_of(data, 5) == owner_of_call_id("one", 5)


def test_a_compact_call_id_before_a_long_one_is_read_as_the_parser_reads_it() -> None:
    data = (b"BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\ni: one\r\n"
            b"Call-ID: two\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n")
    assert owner_of(data, 5) == owner_of_call_id("one", 5)
