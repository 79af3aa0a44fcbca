"""Benchmark: core.version round trips per second against the management server of a real
`siprouter -f` process, over JSON-RPC/HTTP (one keep-alive connection) and JSON-RPC over UDP
datagrams (one client socket), one request in flight at a time.

Run: ``python bench/bench_rpc.py [SECONDS]`` (default 3 s per transport); prints one line per
transport. Results are recorded in docs/PERFORMANCE.md, section "RPC".
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CFG = """#!KAMAILIO
children=1
listen=udp:127.0.0.1:{sip}
loadmodule "jsonrpcs.so"
modparam("jsonrpcs", "http_listen", "127.0.0.1:{http}")
modparam("jsonrpcs", "dgram_socket", "udp:127.0.0.1:{udp}")
modparam("jsonrpcs", "pretty_format", 0)
request_route {{ exit; }}
"""


def _port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(udp: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if _dgram_once(udp, timeout=0.5) is not None:
            return
        time.sleep(0.1)
    raise RuntimeError("siprouter did not start")


REQ = json.dumps({"jsonrpc": "2.0", "method": "core.version", "id": 1}).encode()


def _dgram_once(udp: int, timeout: float = 5) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(REQ, ("127.0.0.1", udp))
        try:
            return s.recv(65536)
        except TimeoutError:
            return None


def bench_http(port: int, seconds: float) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n, end = 0, time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < end:
        conn.request("POST", "/RPC", REQ, {"Content-Type": "application/json"})
        body = conn.getresponse().read()
        assert b"siprouter" in body
        n += 1
    conn.close()
    return n / (time.perf_counter() - start)


def bench_http_raw(port: int, seconds: float) -> float:
    """The same over a bare keep-alive socket: the server's side without http.client's cost."""
    raw = (b"POST /RPC HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n" % len(REQ)) + REQ
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        n, end = 0, time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < end:
            s.sendall(raw)
            data = b""
            while not data.endswith(b"}"):
                chunk = s.recv(65536)
                assert chunk
                data += chunk
            n += 1
        return n / (time.perf_counter() - start)


def bench_udp(port: int, seconds: float) -> float:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        n, end = 0, time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < end:
            s.send(REQ)
            assert b"siprouter" in s.recv(65536)
            n += 1
        return n / (time.perf_counter() - start)


def main(argv: list[str]) -> int:
    seconds = float(argv[1]) if len(argv) > 1 else 3.0
    ports = {"http": _port(socket.SOCK_STREAM), "udp": _port(socket.SOCK_DGRAM),
             "sip": _port(socket.SOCK_DGRAM)}
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "bench.cfg"
        cfg.write_text(CFG.format(**ports))
        proc = subprocess.Popen([sys.executable, "-m", "siprouter.core.main", "-f", str(cfg)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            _wait_ready(ports["udp"])
            http_rate = bench_http(ports["http"], seconds)
            raw_rate = bench_http_raw(ports["http"], seconds)
            udp_rate = bench_udp(ports["udp"], seconds)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
    print(f"core.version JSON-RPC/HTTP keep-alive (http.client): {http_rate:,.0f} round trips/s")
    print(f"core.version JSON-RPC/HTTP keep-alive (raw socket):  {raw_rate:,.0f} round trips/s")
    print(f"core.version JSON-RPC/UDP datagram:                  {udp_rate:,.0f} round trips/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
