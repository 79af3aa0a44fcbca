"""The one RPC client, against the real management server over every transport."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from siprouter.tools.sercmd.client import (
    RPCClient,
    RPCConnectionError,
    RPCFault,
    RPCRequestError,
    find_local,
)

from .conftest import RPCServer

TRANSPORTS = ["http", "xmlrpc", "udp", "unix_stream"]


@pytest.fixture(params=TRANSPORTS)
def client(request: pytest.FixtureRequest, rpc_server: RPCServer) -> Iterator[RPCClient]:
    with RPCClient.from_url(getattr(rpc_server, request.param), timeout=10) as c:
        yield c


def test_scalar_result(client: RPCClient) -> None:
    assert client.call("core.version").startswith("siprouter ")


def test_params_keep_their_types(client: RPCClient) -> None:
    assert client.call("core.echo", "a", 1, 2.5) == ["a", 1, 2.5]


def test_struct_result(client: RPCClient) -> None:
    uptime = client.call("core.uptime")
    assert set(uptime) == {"now", "up_since", "uptime"}


def test_unknown_method_is_a_fault_with_code_and_message(client: RPCClient) -> None:
    with pytest.raises(RPCFault) as info:
        client.call("no.such_method")
    assert info.value.code == -32601
    assert "no.such_method" in info.value.message


def test_handler_fault_keeps_the_server_code(client: RPCClient) -> None:
    with pytest.raises(RPCFault) as info:
        client.call("core.kill", "bad")
    assert (info.value.code, info.value.message) == (400, "bad signal bad")


def test_client_is_reusable_after_a_fault(client: RPCClient) -> None:
    with pytest.raises(RPCFault):
        client.call("no.such_method")
    assert client.call("core.echo", 1) == [1]


def test_unix_socket_kind_is_found_out_stream(rpc_server: RPCServer) -> None:
    with RPCClient.from_url(rpc_server.unix_stream) as c:
        assert c.call("core.echo", "x") == ["x"]
        assert type(c.transport._inner).__name__ == "StreamTransport"  # type: ignore[attr-defined]


def test_unix_socket_kind_is_found_out_datagram(guarded_server: RPCServer) -> None:
    with RPCClient.from_url(guarded_server.unix_dgram) as c:
        assert c.call("core.echo", "x") == ["x"]
        assert type(c.transport._inner).__name__ == "DatagramTransport"  # type: ignore[attr-defined]


def test_token_is_sent_as_bearer(guarded_server: RPCServer) -> None:
    with RPCClient.from_url(guarded_server.http, token="s3cret") as c:
        assert c.call("core.echo", 1) == [1]


def test_missing_token_says_what_to_do(guarded_server: RPCServer) -> None:
    with RPCClient.from_url(guarded_server.http) as c, pytest.raises(RPCConnectionError,
                                                                      match="--token"):
        c.call("core.version")


def test_wrong_path_is_no_rpc_service(rpc_server: RPCServer) -> None:
    url = rpc_server.http.replace("/RPC", "/nothing")
    with RPCClient.from_url(url) as c, pytest.raises(RPCConnectionError, match="HTTP 404"):
        c.call("core.version")


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


def test_refused_connection_is_one_line_naming_the_server() -> None:
    port = _closed_port()
    with RPCClient.from_url(f"http://127.0.0.1:{port}/RPC") as c, \
            pytest.raises(RPCConnectionError) as info:
        c.call("core.version")
    assert str(info.value) == f"cannot reach http://127.0.0.1:{port}/RPC: Connection refused"


def test_silent_udp_peer_times_out() -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    try:
        with RPCClient.from_url(f"udp:127.0.0.1:{port}", timeout=0.3) as c, \
                pytest.raises(RPCConnectionError, match="no reply from udp:127.0.0.1:.* within 0.3 s"):
            c.call("core.version")
    finally:
        silent.close()


def test_missing_unix_socket() -> None:
    with RPCClient.from_url("unix:/nonexistent/rpc.sock") as c, \
            pytest.raises(RPCConnectionError, match="No such file"):
        c.call("core.version")


def test_int_too_big_for_xmlrpc_is_a_request_error(rpc_server: RPCServer) -> None:
    with RPCClient.from_url(rpc_server.xmlrpc) as c, pytest.raises(RPCRequestError):
        c.call("core.echo", 2**70)


def test_keep_alive_connection_survives_a_server_side_close(rpc_server: RPCServer) -> None:
    with RPCClient.from_url(rpc_server.http) as c:
        assert c.call("core.echo", 1) == [1]
        conn = c.transport._conn  # type: ignore[attr-defined]
        assert conn is not None and conn.sock is not None
        conn.sock.shutdown(socket.SHUT_RDWR)  # as if the server had timed the connection out
        assert c.call("core.echo", 2) == [2]


def test_find_local_uses_sercmd_url(monkeypatch: pytest.MonkeyPatch, rpc_server: RPCServer) -> None:
    monkeypatch.setenv("SERCMD_URL", rpc_server.udp)
    with find_local() as c:
        assert c.url == rpc_server.udp
        assert c.call("core.echo", 1) == [1]


def test_find_local_takes_the_first_candidate_that_answers(monkeypatch: pytest.MonkeyPatch,
                                                           rpc_server: RPCServer) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}/RPC"
    monkeypatch.setattr("siprouter.tools.sercmd.client.local_candidates",
                        lambda: [dead, rpc_server.unix_stream])
    with find_local() as c:
        assert c.url == rpc_server.unix_stream


def test_find_local_names_the_first_candidate_when_none_answers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    dead = [f"http://127.0.0.1:{_closed_port()}/RPC", "unix:/nonexistent/rpc.sock"]
    monkeypatch.setattr("siprouter.tools.sercmd.client.local_candidates", lambda: dead)
    with find_local() as c:
        assert c.url == dead[0]


def test_late_datagram_reply_to_an_earlier_request_is_skipped() -> None:
    import json
    import threading

    peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    peer.bind(("127.0.0.1", 0))

    def answer_twice() -> None:
        data, addr = peer.recvfrom(65536)
        req = json.loads(data)
        # First the reply to a request that timed out earlier, then the one asked for.
        peer.sendto(json.dumps({"jsonrpc": "2.0", "result": "stale", "id": "old"}).encode(), addr)
        peer.sendto(json.dumps({"jsonrpc": "2.0", "result": "fresh", "id": req["id"]}).encode(),
                    addr)

    t = threading.Thread(target=answer_twice)
    t.start()
    try:
        with RPCClient.from_url(f"udp:127.0.0.1:{peer.getsockname()[1]}", timeout=10) as c:
            assert c.call("core.version") == "fresh"
    finally:
        t.join(10)
        peer.close()
