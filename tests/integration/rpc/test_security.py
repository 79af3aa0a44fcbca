"""Who may talk to the management server, and that nobody can stall it."""

from __future__ import annotations

import json
import os
import signal
import socket
import urllib.error
import urllib.request

import pytest

from siprouter.core.rpc.config import DEFAULT_HTTP


def _version_over(host: str, port: int, source: str | None = None, token: str | None = None):
    with socket.create_connection((host, port), timeout=10,
                                  source_address=(source, 0) if source else None) as s:
        body = b'{"jsonrpc":"2.0","method":"core.version","id":1}'
        auth = f"Authorization: Bearer {token}\r\n".encode() if token else b""
        s.sendall(b"POST /RPC HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth
                  + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return int(data.split(b" ", 2)[1]) if data else None


def test_by_default_a_non_loopback_client_cannot_reach_the_listeners(server, outside_ip):
    outside = outside_ip
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((outside, server.http), timeout=10)
    assert server.dgram(b'{"jsonrpc":"2.0","method":"core.version","id":1}', host=outside,
                        bind=outside, timeout=1) is None


def test_the_default_http_listener_is_loopback():
    assert DEFAULT_HTTP.startswith("127.0.0.1:")


def test_a_wildcard_listener_without_an_access_list_does_not_start(launch):
    result = launch(http_host="0.0.0.0")
    assert result.returncode == 1
    assert b"allow_from" in result.stdout


def test_an_access_list_refuses_everyone_else_with_403_and_no_datagram_reply(launch,
                                                                            outside_ip):
    outside = outside_ip
    srv = launch(http_host="0.0.0.0", udp_host="0.0.0.0",
                 extra='modparam("jsonrpcs", "allow_from", "198.51.100.0/24")')
    assert _version_over(outside, srv.http, source=outside) == 403
    assert srv.dgram(b'{"jsonrpc":"2.0","method":"core.version","id":1}', host=outside,
                     bind=outside, timeout=1) is None
    assert _version_over("127.0.0.1", srv.http) == 200


def test_an_allowed_network_gets_answers(launch, outside_ip):
    outside = outside_ip
    srv = launch(http_host="0.0.0.0", extra=f'modparam("jsonrpcs", "allow_from", "{outside}/32")')
    assert _version_over(outside, srv.http, source=outside) == 200


def test_a_token_is_required_when_configured(launch):
    srv = launch(extra='modparam("jsonrpcs", "http_token", "s3cret")')
    assert _version_over("127.0.0.1", srv.http) == 401
    assert _version_over("127.0.0.1", srv.http, token="wrong") == 401
    assert _version_over("127.0.0.1", srv.http, token="s3cret") == 200


def test_a_slow_client_does_not_block_others(server):
    with socket.create_connection(("127.0.0.1", server.http), timeout=10) as slow:
        slow.sendall(b"POST /RPC HTTP/1.1\r\nHost: x\r\nContent-Len")  # and then nothing
        assert server.result("core.version").startswith("siprouter")
        assert server.result("core.echo", 1) == [1]


def test_an_oversize_header_block_is_refused(server):
    with socket.create_connection(("127.0.0.1", server.http), timeout=10) as s:
        s.sendall(b"POST /RPC HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n")
        assert s.recv(100).split(b" ")[1] == b"431"


def test_rpc_answers_while_every_worker_is_stopped(server):
    workers = [pid for pid, desc in zip(*[iter(server.result("core.ps"))] * 2, strict=True)
               if desc.startswith("SIP worker")]
    assert len(workers) == 2
    for pid in workers:
        os.kill(pid, signal.SIGSTOP)
    try:
        assert server.result("core.version").startswith("siprouter")
        assert server.result("cfg.get", "core", "debug") == 2
    finally:
        for pid in workers:
            os.kill(pid, signal.SIGCONT)


def test_core_kill_stops_the_server(launch):
    srv = launch()
    assert srv.call("core.kill")["result"] is None
    assert srv.proc.wait(30) == 0
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(urllib.request.Request(
            srv.url, json.dumps({"jsonrpc": "2.0", "method": "core.version", "id": 1}).encode()),
            timeout=5)
