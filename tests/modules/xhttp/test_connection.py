"""A SIP stream connection that turns out to carry HTTP, in memory: detection, keep-alive,
errors, and SIP going on as before."""

from __future__ import annotations

from tests.modules.xhttp.rig import connect, load

CFG = """
loadmodule "xhttp.so"
loadmodule "pv.so"
tcp_accept_no_cl=yes
request_route { exit; }
event_route[xhttp:request] {
    xhttp_reply("200", "OK", "text/plain", "$rm $hu [$rb]");
}
"""

OPTIONS = (b"OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.7;branch=z9hG4bK1\r\n"
           b"Call-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")


def test_an_http_request_in_pieces_is_answered_and_the_connection_kept():
    conn, transport = connect(load(CFG))
    for piece in (b"GE", b"T /a HTTP/1.1\r\nHo", b"st: x\r\n\r\n"):
        conn.data_received(piece)
    assert transport.out.endswith(b"\r\n\r\nGET /a [<null>]")  # an empty $rb is $null
    conn.data_received(b"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
    assert transport.out.endswith(b"\r\n\r\nPOST /b [hi]")
    assert transport.out.count(b"HTTP/1.1 200 OK") == 2 and not transport.closed


def test_malformed_http_gets_400_and_a_close():
    conn, transport = connect(load(CFG))
    conn.data_received(b"GET / HTTP/1.1\r\nbad header\r\n\r\n")
    assert transport.out.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert transport.closed


def test_without_tcp_accept_no_cl_a_get_is_refused_with_411():
    conn, transport = connect(load(CFG), accept_no_cl=False)
    conn.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert transport.out.startswith(b"HTTP/1.1 411 Length Required\r\n")


def test_sip_on_a_port_serving_http_still_reaches_the_sip_path():
    pipeline = load(CFG)
    conn, transport = connect(pipeline)
    conn.data_received(OPTIONS[:20])
    conn.data_received(OPTIONS[20:])
    assert pipeline.sip == [OPTIONS] and transport.out == b""


def test_a_connection_that_started_as_sip_stays_sip():
    pipeline = load(CFG)
    conn, transport = connect(pipeline)
    get = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    conn.data_received(OPTIONS)
    conn.data_received(get)
    assert pipeline.sip == [OPTIONS, get] and transport.out == b""
