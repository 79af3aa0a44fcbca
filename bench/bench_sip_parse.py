"""Micro-benchmark: parse a typical INVITE and read Via/From/To/CSeq/Call-ID.

Run: ``python bench/bench_sip_parse.py`` (prints microseconds per message; target < 20 µs).
Also collected by pytest-benchmark: ``pytest bench/bench_sip_parse.py --benchmark-only``.
"""

from __future__ import annotations

import timeit

from siprouter.core.sip import parse_message

INVITE = (
    b"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n"
    b"Max-Forwards: 70\r\n"
    b"To: Bob <sip:bob@biloxi.example.com>\r\n"
    b'From: "Alice" <sip:alice@atlanta.example.com>;tag=1928301774\r\n'
    b"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
    b"Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY\r\n"
    b"Supported: replaces, timer\r\n"
    b"User-Agent: bench/1.0\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: 149\r\n"
    b"\r\n"
    b"v=0\r\n"
    b"o=alice 2890844526 2890844526 IN IP4 pc33.atlanta.example.com\r\n"
    b"s=-\r\n"
    b"c=IN IP4 192.0.2.101\r\n"
    b"t=0 0\r\n"
    b"m=audio 49172 RTP/AVP 0\r\n"
    b"a=rtpmap:0 PCMU/8000\r\n"
)


def parse_and_read(data: bytes = INVITE) -> object:
    """What a proxy does first with every request."""
    msg = parse_message(data)
    return (msg.top_via, msg.from_, msg.to, msg.cseq, msg.call_id)


def test_parse_invite(benchmark) -> None:  # type: ignore[no-untyped-def]
    """pytest-benchmark entry point."""
    via, from_, to, cseq, call_id = benchmark(parse_and_read)  # type: ignore[misc]
    assert via.branch == "z9hG4bK776asdhds"
    assert from_.tag == "1928301774"


def main() -> None:
    """Print the best of several timeit runs, in microseconds per message."""
    assert len(INVITE.split(b"\r\n\r\n", 1)[1]) == 149
    number = 20000
    best = min(timeit.repeat(parse_and_read, number=number, repeat=7))
    print(f"parse INVITE + Via/From/To/CSeq/Call-ID: {best / number * 1e6:.2f} µs per message")
    # A pure-interpreter yardstick, to compare machines: the figure above scales with it.
    ref = min(timeit.repeat("sum(range(100))", number=number, repeat=7))
    print(f"reference sum(range(100)): {ref / number * 1e6:.2f} µs")


if __name__ == "__main__":
    main()
