"""tls.list and tls.info show the TLS connections the SIP workers hold, from the RPC process."""

from __future__ import annotations

import json
import socket
import ssl
import sys
import time
import urllib.request
from pathlib import Path

from tests.integration.certs import make_pki
from tests.integration.conftest import Process, free_port, options_probe, udp_exchange

CONFIG = """
enable_tls=yes
children=2
listen=udp:127.0.0.1:{sip}
listen=tls:127.0.0.1:{sip}
loadmodule "sl.so"
loadmodule "tls.so"
loadmodule "jsonrpcs.so"
modparam("jsonrpcs", "http_listen", "127.0.0.1:{http}")
modparam("tls", "certificate", "{cert}")
modparam("tls", "private_key", "{key}")
request_route {{
	sl_send_reply("200", "OK");
}}
"""


def rpc(port: int, method: str) -> object:
    body = json.dumps({"jsonrpc": "2.0", "method": method, "id": 1}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/RPC", body,
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())["result"]


def wait_for(port: int, count: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 10
    conns: list[dict[str, object]] = []
    while time.monotonic() < deadline:
        conns = rpc(port, "tls.list")  # type: ignore[assignment]
        if len(conns) == count:
            break
        time.sleep(0.05)
    return conns


def test_tls_list_shows_each_established_connection(tmp_path: Path) -> None:
    (tmp_path / "pki").mkdir()
    pki = make_pki(tmp_path / "pki")
    sip, http = free_port(), free_port()
    cfg = tmp_path / "tls.cfg"
    cfg.write_text(CONFIG.format(sip=sip, http=http, cert=pki.server_cert, key=pki.server_key))
    server = Process([sys.executable, "-m", "siprouter.core.main", "-f", str(cfg)],
                     log=tmp_path / "siprouter.log")
    try:
        deadline = time.monotonic() + 20
        while udp_exchange(sip, options_probe(sip), timeout=0.2) is None:
            assert time.monotonic() < deadline, server.output()
        assert wait_for(http, 0) == []
        context = ssl.create_default_context(cafile=str(pki.ca))
        context.check_hostname = False
        raw = socket.create_connection(("127.0.0.1", sip))
        client = context.wrap_socket(raw)
        conns = wait_for(http, 1)
        assert len(conns) == 1
        (conn,) = conns
        assert conn["dst_port"] == sip
        assert conn["src_port"] == client.getsockname()[1]
        assert conn["cipher"] == client.cipher()[0]
        assert rpc(http, "tls.info")["opened_connections"] == 1  # type: ignore[index]
        client.close()
        assert wait_for(http, 0) == []
    finally:
        assert server.stop() == 0, server.output()
