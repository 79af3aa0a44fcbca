"""h11 framing of HTTP requests on a SIP port, without a network."""

from __future__ import annotations

from siprouter.core.transport.http_detect import (
    HttpError,
    HttpRequest,
    HttpResponse,
    HttpSession,
)


def session(max_body: int = 1000, accept_no_cl: bool = True) -> HttpSession:
    return HttpSession(max_body=max_body, accept_no_cl=accept_no_cl)


def test_a_get_is_one_request_with_its_headers():
    s = session()
    s.receive(b"GET /welcome?x=1 HTTP/1.1\r\nHost: a\r\nX-Test: Yes\r\n\r\n")
    req = s.next_request()
    assert isinstance(req, HttpRequest)
    assert (req.method, req.target, req.version, req.body) == ("GET", "/welcome?x=1", "1.1", b"")
    assert req.header("x-test") == "Yes"
    assert s.next_request() is None


def test_a_chunked_body_arrives_whole():
    s = session()
    s.receive(b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
    assert s.next_request() is None
    s.receive(b"lo\r\n6\r\n world\r\n0\r\n\r\n")
    req = s.next_request()
    assert isinstance(req, HttpRequest) and req.body == b"hello world"


def test_pipelined_requests_are_served_in_turn_on_a_kept_connection():
    s = session()
    s.receive(b"GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n")
    first = s.next_request()
    assert isinstance(first, HttpRequest) and first.target == "/a"
    out = s.respond(HttpResponse(200, "OK", "text/plain", b"one"))
    assert out.startswith(b"HTTP/1.1 200 OK\r\n") and out.endswith(b"\r\n\r\none")
    assert b"server: siprouter\r\n" in out and b"content-length: 3\r\n" in out
    assert not s.closing
    second = s.next_request()
    assert isinstance(second, HttpRequest) and second.target == "/b"


def test_an_http_10_request_closes_after_its_answer():
    s = session()
    s.receive(b"GET / HTTP/1.0\r\n\r\n")
    assert isinstance(s.next_request(), HttpRequest)
    s.respond(HttpResponse(200, "OK"))
    assert s.closing


def test_a_head_answer_has_no_body():
    s = session()
    s.receive(b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert isinstance(s.next_request(), HttpRequest)
    out = s.respond(HttpResponse(200, "OK", "text/plain", b"body"), head_only=True)
    assert out.endswith(b"\r\n\r\n") and b"content-length: 4" in out


def test_a_malformed_request_is_400_and_ends_the_connection():
    s = session()
    s.receive(b"GET / HTTP/1.1\r\nno colon here\r\n\r\n")
    err = s.next_request()
    assert isinstance(err, HttpError) and err.status == 400
    assert s.closing and s.next_request() is None


def test_a_body_over_the_limit_is_413():
    s = session(max_body=10)
    s.receive(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n")
    err = s.next_request()
    assert isinstance(err, HttpError) and err.status == 413


def test_a_chunked_body_growing_over_the_limit_is_413():
    s = session(max_body=10)
    s.receive(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"8\r\n12345678\r\n8\r\n12345678\r\n")
    err = s.next_request()
    assert isinstance(err, HttpError) and err.status == 413


def test_a_huge_header_block_is_431():
    s = session()
    s.receive(b"GET / HTTP/1.1\r\nX: " + b"a" * 20000)
    err = s.next_request()
    assert isinstance(err, HttpError) and err.status == 431


def test_without_tcp_accept_no_cl_a_request_without_length_is_411():
    s = session(accept_no_cl=False)
    s.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    err = s.next_request()
    assert isinstance(err, HttpError) and err.status == 411


def test_without_tcp_accept_no_cl_chunked_and_sized_requests_pass():
    s = session(accept_no_cl=False)
    s.receive(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi")
    assert isinstance(s.next_request(), HttpRequest)
    s.respond(HttpResponse(200, "OK"))
    s.receive(b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert isinstance(s.next_request(), HttpRequest)


def test_a_reply_h11_refuses_becomes_500_and_a_close():
    s = session()
    s.receive(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    s.next_request()
    out = s.respond(HttpResponse(200, "OK", "text/plain\r\nX: y", b""))
    assert out.startswith(b"HTTP/1.1 500 ") and s.closing
