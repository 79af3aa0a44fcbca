"""core.tcp_info counts the SIP TCP connections the workers hold (summed shared counters)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from .conftest import Server, free_port, start_server, stop_server


def wait_for(server: Server, want: int) -> int:
    deadline = time.monotonic() + 10
    got = -1
    while time.monotonic() < deadline:
        got = server.result("core.tcp_info")["opened_connections"]
        if got == want:
            break
        time.sleep(0.05)
    return got


def test_tcp_info_follows_connections_opening_and_closing(tmp_path: Path) -> None:
    tcp = free_port()
    server = start_server(tmp_path, extra=f"listen=tcp:127.0.0.1:{tcp}")
    assert isinstance(server, Server), server
    try:
        assert wait_for(server, 0) == 0
        peers = [socket.create_connection(("127.0.0.1", tcp)) for _ in range(3)]
        assert wait_for(server, 3) == 3
        assert server.result("cnt.get", "tcp", "current_opened_connections") == 3
        for peer in peers:
            peer.close()
        assert wait_for(server, 0) == 0
    finally:
        stop_server(server)
