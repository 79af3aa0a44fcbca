"""Stream framing by Content-Length: what a TCP/TLS connection's bytes become."""

from __future__ import annotations

from siprouter.core.transport.framing import Broken, Frame, Ping, StreamFramer


def msg(body: bytes = b"", cl: bytes | None = None, method: bytes = b"OPTIONS") -> bytes:
    length = str(len(body)).encode() if cl is None else cl
    return (method + b" sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
            b"Content-Length: " + length + b"\r\n\r\n" + body)


def test_a_whole_message_is_one_frame() -> None:
    assert StreamFramer().feed(msg(b"hello")) == [Frame(msg(b"hello"))]


def test_two_messages_in_one_read_are_two_frames() -> None:
    data = msg(b"one") + msg(b"two!")
    assert StreamFramer().feed(data) == [Frame(msg(b"one")), Frame(msg(b"two!"))]


def test_a_message_split_anywhere_is_framed_once_complete() -> None:
    data = msg(b"body bytes")
    for cut in range(1, len(data)):
        framer = StreamFramer()
        assert framer.feed(data[:cut]) == []
        assert framer.feed(data[cut:]) == [Frame(data)]


def test_double_crlf_is_a_ping_and_a_lone_crlf_is_skipped() -> None:
    framer = StreamFramer()
    assert framer.feed(b"\r\n\r\n") == [Ping()]
    assert framer.feed(b"\r\n" + msg()) == [Frame(msg())]


def test_compact_content_length_is_understood() -> None:
    data = b"OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\n\r\nxy"
    assert StreamFramer().feed(data) == [Frame(data)]


def test_missing_content_length_breaks_the_stream_with_400() -> None:
    data = b"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n"
    [event] = StreamFramer().feed(data)
    assert isinstance(event, Broken) and event.status == 400 and event.head == data


def test_tcp_accept_no_cl_takes_a_missing_content_length_as_no_body() -> None:
    data = b"GET / HTTP/1.0\r\nHost: x\r\n\r\n"
    assert StreamFramer(accept_no_cl=True).feed(data) == [Frame(data)]


def test_negative_or_repeated_content_length_breaks_the_stream() -> None:
    [neg] = StreamFramer().feed(msg(cl=b"-999"))
    assert isinstance(neg, Broken) and neg.status == 400
    twice = msg(b"x").replace(b"Content-Length: 1", b"Content-Length: 1\r\nl: 1")
    [dup] = StreamFramer().feed(twice)
    assert isinstance(dup, Broken) and "more than one" in dup.detail


def test_a_message_over_the_size_limit_breaks_the_stream_with_513() -> None:
    [event] = StreamFramer(max_size=100).feed(msg(b"x" * 200))
    assert isinstance(event, Broken) and event.status == 513


def test_endless_headers_break_the_stream_once_past_the_limit() -> None:
    framer = StreamFramer(max_size=100)
    assert framer.feed(b"OPTIONS sip:a@b SIP/2.0\r\n") == []
    [event] = framer.feed(b"X-Long: " + b"y" * 200)
    assert isinstance(event, Broken) and event.status == 513


def test_nothing_is_framed_after_the_stream_broke() -> None:
    framer = StreamFramer()
    framer.feed(msg(cl=b"bad"))
    assert framer.broken
    assert framer.feed(msg()) == []


def test_a_short_body_waits_for_more_octets() -> None:
    framer = StreamFramer()
    data = msg(b"0123456789")
    assert framer.feed(data[:-3]) == []
    assert framer.pending == len(data) - 3
