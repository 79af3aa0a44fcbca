"""Telling HTTP from SIP by a stream's first octets."""

from __future__ import annotations

import pytest

from siprouter.core.transport.http_detect import Sniffer, looks_like_http


@pytest.mark.parametrize("head", [
    b"GET / HTTP/1.1\r\n", b"POST /RPC HTTP/1.0\r\n", b"PUT /xcap-root/x HTTP/1.1\r\n",
    b"DELETE /a?b=c HTTP/1.1\r\n", b"HEAD /welcome HTTP/1.1\r\n", b"OPTIONS * HTTP/1.1\r\n",
    b"OPTIONS /x HTTP/1.1\n", b"GET http://example.com/ HTTP/1.1\r\n",
])
def test_an_http_request_line_is_http(head):
    assert looks_like_http(head + b"Host: x\r\n") is True


@pytest.mark.parametrize("head", [
    b"OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n", b"INVITE sip:a@b SIP/2.0\r\n",
    b"SIP/2.0 200 OK\r\n", b"\r\n\r\n", b"GET / HTTP/2.0\r\n", b"GET / SIP/2.0\r\n",
    b"REGISTER sip:x", b"get / HTTP/1.1\r\n",
])
def test_sip_and_anything_else_is_not(head):
    assert looks_like_http(head) is False


@pytest.mark.parametrize("head", [b"G", b"GE", b"OPTIONS", b"OPTIONS sip:a@b", b"POST /RPC HT"])
def test_a_prefix_of_a_request_line_waits_for_more(head):
    assert looks_like_http(head) is None


def test_a_first_line_too_long_to_judge_is_left_to_sip():
    assert looks_like_http(b"GET /" + b"a" * 9000) is False


def test_the_sniffer_hands_back_every_octet_once_it_knows():
    sniffer = Sniffer()
    assert sniffer.feed(b"PO") == (None, b"")
    assert sniffer.feed(b"ST /RPC HTTP/1.1\r") == (None, b"")
    assert sniffer.feed(b"\nHost: a\r\n") == (True, b"POST /RPC HTTP/1.1\r\nHost: a\r\n")


def test_the_sniffer_says_sip_for_a_sip_options():
    sniffer = Sniffer()
    assert sniffer.feed(b"OPTIONS sip:a@b SIP/2.0") == (None, b"")
    verdict, data = sniffer.feed(b"\r\n")
    assert verdict is False and data == b"OPTIONS sip:a@b SIP/2.0\r\n"
