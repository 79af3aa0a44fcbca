"""HTTP on the real server's SIP TCP port: the 3.1 welcome page, a chunked POST, JSON-RPC via
jsonrpc_dispatch(), XML-RPC via dispatch_rpc(), SIP on the same port, and a cfg change over
JSON-RPC that the registrar's next REGISTER obeys."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import uuid
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.certs import make_pki
from tests.integration.conftest import free_port, options_probe, udp_exchange

CONFIG = Path(__file__).with_name("xhttp.cfg")


@pytest.fixture
def port(start_siprouter) -> int:
    """A running server with UDP and TCP on one port; the port."""
    sip = free_port()
    start_siprouter(CONFIG, sip, "-l", f"udp:127.0.0.1:{sip}", "-l", f"tcp:127.0.0.1:{sip}",
                    "-A", f'HTTP_RPC="127.0.0.1:{free_port()}"')
    return sip


@pytest.fixture
def web(port: int) -> Iterator[http.client.HTTPConnection]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    yield conn
    conn.close()


def rpc(web: http.client.HTTPConnection, method: str, *params: object) -> dict:
    body = json.dumps({"jsonrpc": "2.0", "method": method, "params": list(params), "id": 1})
    web.request("POST", "/RPC", body, {"Content-Type": "application/json"})
    resp = web.getresponse()
    assert resp.status == 200
    return json.loads(resp.read())


def test_the_welcome_page_names_the_client_and_other_urls_get_404(web):
    web.request("GET", "/welcome")
    resp = web.getresponse()
    local_port = web.sock.getsockname()[1]
    assert resp.status == 200 and resp.getheader("Content-Type") == "text/html"
    assert resp.getheader("Server") == "siprouter"
    assert f"[127.0.0.1:{local_port}]".encode() in resp.read()
    web.request("GET", "/nothing/here")  # the same, kept connection
    resp = web.getresponse()
    assert resp.status == 404 and resp.read() == b"<html><body>Page not found</body></html>"
    assert web.sock.getsockname()[1] == local_port


def test_a_chunked_post_reaches_the_script_whole(web):
    web.request("POST", "/echo", body=iter([b"hello ", b"chunked ", b"world"]),
                headers={"X-Test": "yes"}, encode_chunked=True)
    resp = web.getresponse()
    assert resp.status == 200 and resp.read() == b"POST /echo yes [hello chunked world]"


def test_jsonrpc_dispatch_answers_core_version_on_the_sip_port(web):
    reply = rpc(web, "core.version")
    assert reply["result"].startswith("siprouter ")


def test_jsonrpc_exec_reads_back_through_jsonrpl(web):
    web.request("GET", "/exec")
    assert web.getresponse().read() == b"200 OK"


def test_dispatch_rpc_answers_xmlrpc_client(port):
    proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/RPC2")
    assert proxy.core.version().startswith("siprouter ")
    assert proxy.core.echo("a", "b") == ["a", "b"]  # the same kept connection
    with pytest.raises(xmlrpc.client.Fault) as fault:
        proxy.no.such()
    assert fault.value.faultCode == -32601


def test_sip_over_the_same_tcp_port_still_gets_answers(port, web):
    web.request("GET", "/welcome")
    assert web.getresponse().read()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(options_probe(port).replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP"))
        assert s.recv(65535).startswith(b"SIP/2.0 200 OK\r\n")


def test_malformed_http_gets_400_and_the_server_serves_on(port):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nthis is no header\r\n\r\n")
        answer = s.recv(65535)
        assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
        assert s.recv(65535) == b""  # closed by the server
    assert udp_exchange(port, options_probe(port)).startswith(b"SIP/2.0 200 OK")


def register_without_expires(port: int) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(5)
        me = s.getsockname()[1]
        s.sendto("\r\n".join([
            "REGISTER sip:example.com SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK{uuid.uuid4().hex};rport",
            "Max-Forwards: 70",
            "From: <sip:alice@example.com>;tag=a1",
            "To: <sip:alice@example.com>",
            f"Call-ID: reg-{uuid.uuid4().hex}",
            "CSeq: 1 REGISTER",
            f"Contact: <sip:alice@127.0.0.1:{me}>",
            "Content-Length: 0", "", ""]).encode(), ("127.0.0.1", port))
        return s.recv(65535)


def test_default_expires_set_over_jsonrpc_applies_to_the_next_register(port, web):
    assert b";expires=3600" in register_without_expires(port)  # the module's default
    assert rpc(web, "cfg.set_now_int", "registrar", "default_expires", 60)["result"] is None
    assert rpc(web, "cfg.get", "registrar", "default_expires")["result"] == 60
    for _ in range(4):  # every worker: each one picks the change up for its next message
        reply = register_without_expires(port)
        assert reply.startswith(b"SIP/2.0 200 OK\r\n")
        assert b";expires=60" in reply


def test_https_on_the_sip_tls_port_is_served_too(start_siprouter, tmp_path):
    folder = tmp_path / "pki"
    folder.mkdir()
    pki = make_pki(folder)
    sip = free_port()
    start_siprouter(CONFIG, sip, "-l", f"udp:127.0.0.1:{sip}", "-l", f"tls:127.0.0.1:{sip}",
                    "-A", f'HTTP_RPC="127.0.0.1:{free_port()}"',
                    "-A", f'TLS_CERT="{pki.server_cert}"', "-A", f'TLS_KEY="{pki.server_key}"')
    context = ssl.create_default_context(cafile=str(pki.ca))
    context.check_hostname = False
    conn = http.client.HTTPSConnection("127.0.0.1", sip, timeout=5, context=context)
    try:
        assert rpc(conn, "core.version")["result"].startswith("siprouter ")
        conn.request("GET", "/welcome")
        assert conn.getresponse().status == 200
    finally:
        conn.close()
