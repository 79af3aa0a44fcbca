"""Start the real `siprouter -f CFG` with the RPC transports on free loopback ports, and talk
to it as foreign clients do (urllib/http.client, raw datagrams, xmlrpc.client)."""

from __future__ import annotations

import array
import fcntl
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

BASE = """#!KAMAILIO
#!define WITH_RPC_TEST
debug=2
children=2
listen=udp:127.0.0.1:{sip}
alias=rpc.example.com:5060
loadmodule "sl.so"
loadmodule "jsonrpcs.so"
loadmodule "xmlrpc.so"
loadmodule "counters.so"
loadmodule "kex.so"
loadmodule "cfg_rpc.so"
loadmodule "registrar.so"
loadmodule "ctl.so"
modparam("jsonrpcs", "http_listen", "{http_host}:{http}")
modparam("jsonrpcs", "dgram_socket", "udp:{udp_host}:{udp}")
modparam("jsonrpcs", "stream_socket", "{run}/rpc.sock")
modparam("jsonrpcs", "max_request_size", 4096)
modparam("jsonrpcs", "http_timeout", 5)
modparam("counters", "script_counter", "hits requests seen by the script")
modparam("registrar", "default_expires", 1800)
{extra}
request_route {{
  cnt_inc("hits");
  sl_send_reply("200", "OK");
  exit;
}}
"""


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def non_loopback_ipv4() -> str:
    """An IPv4 address of this machine that is not loopback (from the interfaces)."""
    siocgifaddr = 0x8915
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for _, name in socket.if_nameindex():
            req = array.array("B", struct.pack("256s", name.encode()[:15]))
            try:
                fcntl.ioctl(s.fileno(), siocgifaddr, req)
            except OSError:
                continue
            ip = socket.inet_ntoa(req.tobytes()[20:24])
            if not ip.startswith("127."):
                return ip
    raise RuntimeError("this machine has no non-loopback IPv4 address to test with")


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    http: int
    udp: int
    sip: int
    run: Path
    log: Path
    next_id: list[int] = field(default_factory=lambda: [0])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http}/RPC"

    def post(self, body: bytes, path: str = "/RPC", ctype: str = "application/json",
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        req = urllib.request.Request(f"http://127.0.0.1:{self.http}{path}", body,
                                     {"Content-Type": ctype, **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def call(self, method: str, *params: Any) -> dict[str, Any]:
        """A JSON-RPC request over HTTP: the whole reply object."""
        self.next_id[0] += 1
        status, body = self.post(json.dumps({"jsonrpc": "2.0", "method": method,
                                             "params": list(params),
                                             "id": self.next_id[0]}).encode())
        assert status == 200, body
        reply = json.loads(body)
        assert reply["id"] == self.next_id[0]
        return reply

    def result(self, method: str, *params: Any) -> Any:
        reply = self.call(method, *params)
        assert "error" not in reply, reply
        return reply["result"]

    def dgram(self, payload: bytes, host: str = "127.0.0.1", bind: str = "127.0.0.1",
              timeout: float = 5) -> bytes | None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((bind, 0))
            s.settimeout(timeout)
            s.sendto(payload, (host, self.udp))
            try:
                return s.recv(65536)
            except TimeoutError:
                return None

    def sip_options(self, n: int) -> None:
        """Send n OPTIONS and wait for each 200 (the script counts them)."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(10)
            port = s.getsockname()[1]
            for i in range(n):
                s.sendto((f"OPTIONS sip:rpc@127.0.0.1 SIP/2.0\r\n"
                          f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKrpc{i}\r\n"
                          f"From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:rpc@127.0.0.1>\r\n"
                          f"Call-ID: rpc-{i}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                          f"Content-Length: 0\r\n\r\n").encode(), ("127.0.0.1", self.sip))
                assert s.recv(4096).startswith(b"SIP/2.0 200")


def _workers_registered(server: Server) -> bool:
    """Both workers are in the process table (they register once forked)."""
    raw = server.dgram(b'{"jsonrpc":"2.0","method":"core.ps","id":0}', timeout=0.2)
    if raw is not None:
        ps = json.loads(raw)["result"]
    else:  # no UDP listener in this config (or the token test's HTTP): ask over HTTP
        status, body = server.post(b'{"jsonrpc":"2.0","method":"core.ps","id":0}')
        if status != 200:
            return status == 401  # the token test: it is up, and HTTP says no
        ps = json.loads(body)["result"]
    return sum(1 for d in ps[1::2] if str(d).startswith("SIP worker")) == 2


def start_server(tmp: Path, extra: str = "", http_host: str = "127.0.0.1",
                 udp_host: str = "127.0.0.1") -> Server | subprocess.CompletedProcess[bytes]:
    ports = {"http": free_port(), "udp": free_port(socket.SOCK_DGRAM),
             "sip": free_port(socket.SOCK_DGRAM)}
    run = tmp / "run"
    run.mkdir(exist_ok=True)
    cfg = tmp / "rpc.cfg"
    cfg.write_text(BASE.format(run=run, extra=extra, http_host=http_host, udp_host=udp_host,
                               **ports))
    log = tmp / "server.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "siprouter.core.main", "-f", str(cfg)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return subprocess.CompletedProcess(proc.args, proc.returncode, log.read_bytes())
        if b"started 2 workers" in log.read_bytes():
            server = Server(proc, run=run, log=log, **ports)
            if _workers_registered(server):
                return server
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the RPC process and the workers too
    proc.wait()
    raise RuntimeError(f"siprouter did not start:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        try:
            server.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start_server(tmp_path_factory.mktemp("rpc"))
    assert isinstance(started, Server), started
    yield started
    stop_server(started)


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    servers: list[Server] = []

    def go(**kw: Any) -> Any:
        started = start_server(tmp_path, **kw)
        if isinstance(started, Server):
            servers.append(started)
        return started

    yield go
    for s in servers:
        stop_server(s)


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


# Every RPC the issue lists, with parameters and what the result must look like; each transport
# test runs all of them (the state-changing ones leave the values as the config set them).
RPC_CASES: list[tuple[str, tuple[Any, ...], Callable[[Any], bool]]] = [
    ("core.version", (), lambda r: r.startswith("siprouter 0.1.0 (")),
    ("core.uptime", (), lambda r: set(r) == {"now", "up_since", "uptime"}),
    ("core.ps", (), lambda r: len(r) == 8 and "SIP worker" in " ".join(map(str, r))),
    ("core.psx", (), lambda r: len(r) == 4 and {"IDX", "PID", "DSC"} <= set(r[0])),
    ("core.info", (), lambda r: r["version"] == "siprouter 0.1.0"),
    ("core.echo", ("a", 1), lambda r: r == ["a", 1]),
    ("core.arg", (), lambda r: any("rpc.cfg" in a for a in r)),
    ("core.modules", (), lambda r: "jsonrpcs" in r and "counters" in r),
    ("core.ppdefines", (), lambda r: "WITH_RPC_TEST" in r),
    ("core.sockets_list", (),
     lambda r: r[0]["socket"]["proto"] == "udp" and r[0]["socket"]["address"] == "127.0.0.1"),
    ("core.aliases_list", (), lambda r: {"alias": {"proto": "*", "address": "rpc.example.com",
                                                   "port": 5060}} in r["aliases"]),
    ("core.tcp_info", (), lambda r: "opened_connections" in r),
    ("core.shmmem", (), lambda r: r["total"] > 0),
    ("core.udp4_raw_info", (), lambda r: r["udp4_raw"] == 0),
    ("system.listMethods", (), lambda r: "cfg.commit" in r and "cnt.get" in r),
    ("system.methodHelp", ("core.echo",), lambda r: r == "Returns back its parameters"),
    ("system.methodSignature", ("cnt.get",), lambda r: r == [["any", "string", "string"]]),
    ("cnt.grps_list", (), lambda r: "script" in r and "registrar" in r),
    ("cnt.var_list", ("script",), lambda r: r == ["hits"]),
    ("cnt.get", ("script", "hits"), lambda r: isinstance(r, int)),
    ("cnt.get_raw", ("script", "hits"), lambda r: isinstance(r, int)),
    ("cnt.grp_get_all", ("script",), lambda r: set(r) == {"hits"}),
    ("cnt.help", ("script", "hits"), lambda r: r == "requests seen by the script"),
    ("cnt.reset", ("registrar", "accepted_regs"), lambda r: r is None),
    ("stats.get_statistics", ("registrar:",), lambda r: "registrar:accepted_regs" in r),
    ("stats.fetch", ("script:",), lambda r: set(r) == {"script.hits"}),
    ("stats.reset_statistics", ("rejected_regs",), lambda r: r is None),
    ("stats.clear_statistics", ("registrar:max_contacts",),
     lambda r: r == {"registrar:max_contacts": 0}),
    ("cfg.list", (), lambda r: "core: debug" in r and "registrar: default_expires" in r),
    ("cfg.get", ("registrar", "default_expires"), lambda r: r == 1800),
    ("cfg.help", ("core", "debug"), lambda r: r == "debug level\n(parameter type is integer)"),
    ("cfg.set_now_int", ("core", "debug", 2), lambda r: r is None),
    ("cfg.seti", ("core", "debug", 2), lambda r: r is None),
    ("cfg.set_now_string", ("core", "log_facility", "LOG_DAEMON"), lambda r: r is None),
    ("cfg.sets", ("core", "log_facility", "LOG_DAEMON"), lambda r: r is None),
    ("cfg.set", ("registrar", "default_expires", 1800), lambda r: r is None),
    ("cfg.set_delayed_int", ("core", "debug", 2), lambda r: r is None),
    ("cfg.set_delayed_string", ("core", "log_facility", "LOG_DAEMON"), lambda r: r is None),
    ("cfg.diff", (), lambda r: len(r) == 2 and r[0]["variable name"] == "debug"),
    ("cfg.rollback", (), lambda r: r is None),
    ("cfg.commit", (), lambda r: r is None),
]


@pytest.fixture
def rpc_cases() -> list[tuple[str, tuple[Any, ...], Callable[[Any], bool]]]:
    """Every listed RPC: (method, params, check of the result)."""
    return RPC_CASES


@pytest.fixture(scope="session")
def outside_ip() -> str:
    """A non-loopback IPv4 address of this machine, to be a client from."""
    return non_loopback_ipv4()
