"""Taking our Via off a reply's octets."""

from __future__ import annotations

from siprouter.core.server.via_pop import pop_top_via, sent_by

HEAD = b"SIP/2.0 200 OK\r\n"
TAIL = b"To: <sip:a@b>;tag=1\r\nContent-Length: 0\r\n\r\n"


def test_our_via_alone_on_its_line_goes_with_its_line() -> None:
    data = HEAD + b"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n" \
        b"v: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2\r\n" + TAIL
    popped = pop_top_via(data)
    assert popped is not None
    assert popped.top == "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1"
    assert popped.second == "SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2"
    assert popped.data == HEAD + b"v: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bK2\r\n" + TAIL


def test_our_via_first_in_a_list_leaves_the_rest_of_the_line() -> None:
    data = HEAD + b"VIA : SIP/2.0/UDP 127.0.0.1;branch=a , SIP/2.0/UDP h2;branch=b\r\n" + TAIL
    popped = pop_top_via(data)
    assert popped is not None and popped.second == "SIP/2.0/UDP h2;branch=b"
    assert popped.data == HEAD + b"VIA : SIP/2.0/UDP h2;branch=b\r\n" + TAIL


def test_folded_via_lines_take_the_general_path() -> None:
    data = HEAD + b"Via: SIP/2.0/UDP 127.0.0.1;branch=a\r\n  ;x=y\r\n" + TAIL
    assert pop_top_via(data) is None


def test_sent_by_of_plain_vias() -> None:
    assert sent_by("SIP/2.0/UDP 127.0.0.1:5060;branch=x") == ("127.0.0.1", 5060)
    assert sent_by("SIP/2.0/TLS [::1];branch=x") == ("::1", None)
    assert sent_by("SIP / 2.0 / UDP host") is None
