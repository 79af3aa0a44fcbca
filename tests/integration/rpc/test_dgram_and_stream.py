"""JSON-RPC over the UDP datagram socket and the unix stream socket of a running siprouter."""

from __future__ import annotations

import json
import socket


def _req(method, *params, id_=1):
    return json.dumps({"jsonrpc": "2.0", "method": method, "params": list(params),
                       "id": id_}).encode()


def test_every_listed_rpc_answers_over_udp(server, rpc_cases):
    wrong = []
    for i, (method, params, check) in enumerate(rpc_cases):
        raw = server.dgram(_req(method, *params, id_=i))
        reply = json.loads(raw) if raw else None
        if not reply or reply.get("id") != i or "error" in reply or not check(reply["result"]):
            wrong.append((method, reply))
    assert wrong == []


def test_malformed_json_over_udp_gets_a_parse_error(server):
    assert json.loads(server.dgram(b"{oops"))["error"]["code"] == -32700


def test_unknown_method_and_wrong_params_over_udp(server):
    assert json.loads(server.dgram(_req("nope.nope")))["error"]["code"] == -32601
    assert json.loads(server.dgram(_req("cfg.seti", "core")))["error"]["code"] == -32602


def test_an_oversize_datagram_gets_an_invalid_request_reply(server):
    reply = json.loads(server.dgram(_req("core.echo", "y" * 5000)))
    assert reply["error"]["code"] == -32600
    assert "too large" in reply["error"]["message"]


def test_a_notification_over_udp_gets_no_reply(server):
    note = b'{"jsonrpc":"2.0","method":"core.version"}'
    assert server.dgram(note, timeout=1) is None
    assert json.loads(server.dgram(_req("core.version")))["result"].startswith("siprouter")


def test_the_unix_stream_socket_answers_one_line_per_request(server):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(str(server.run / "rpc.sock"))
        s.sendall(_req("core.echo", "a", id_=1) + b"\n" + b"{broken\n" + _req("nope", id_=3) + b"\n")
        data = b""
        while data.count(b"\n") < 3:
            chunk = s.recv(65536)
            assert chunk
            data += chunk
    first, second, third = (json.loads(line) for line in data.splitlines())
    assert first["result"] == ["a"]
    assert second["error"]["code"] == -32700
    assert third["error"]["code"] == -32601


def test_a_unix_datagram_socket_replies_to_the_bound_sender(launch, tmp_path):
    srv = launch(extra=f'modparam("jsonrpcs", "dgram_socket", "{tmp_path}/run/rpc_dgram.sock")')
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.bind(str(tmp_path / "client.sock"))
        s.settimeout(10)
        s.sendto(_req("core.echo", "u"), str(tmp_path / "run" / "rpc_dgram.sock"))
        assert json.loads(s.recv(65536))["result"] == ["u"]
        s.sendto(b"not json", str(tmp_path / "run" / "rpc_dgram.sock"))
        assert json.loads(s.recv(65536))["error"]["code"] == -32700
    assert srv.proc.poll() is None
