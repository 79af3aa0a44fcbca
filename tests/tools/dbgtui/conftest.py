"""A real `siprouter -f` with the debugger module for dbgtui to drive, and helpers.

The server runs one SIP worker (so the worker a breakpoint stops is known), JSON-RPC over HTTP on
a loopback port the system picks (HTTP only, so no run_dir: the script holds no temporary path
and looks the same in every run), and a small script whose lines the tests name by content.
A raw UDP OPTIONS (fixed Call-ID, branch and tags) makes the worker run the script. Everything
started here is stopped by its PID.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from siprouter.tools.dbgtui.session import DebugSession
from siprouter.tools.sercmd.client import RPCError

SIPROUTER = [sys.executable, "-c",
             "import sys; from siprouter.core.main import main; sys.exit(main())"]
LISTENING = re.compile(r"management listening on http:(\S+)")
DEADLINE = 20.0  # a hang guard for waits, never an assertion about speed

# The SIP address is given with -l, so no port the system picks shows in the source pane.
SCRIPT = """#!KAMAILIO
debug=2
children=1

loadmodule "debugger.so"
loadmodule "jsonrpcs.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "textops.so"

modparam("jsonrpcs", "http_listen", "127.0.0.1:0")
modparam("jsonrpcs", "transport", 1)

request_route {
    $var(caller) = $fU;
    $var(count) = 5;
    route(CHECK);
    if (is_method("OPTIONS")) {
        sl_send_reply("200", "Alive");
        exit;
    }
    sl_send_reply("404", "Not here");
}

route[CHECK] {
    xlog("L_INFO", "checking $rm from $fu\\n");
    $var(count) = $var(count) + 1;
}
"""

OPTIONS = (
    "OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKdbgtui1;rport\r\n"
    "From: <sip:alice@127.0.0.1>;tag=dbgtui1\r\n"
    "To: <sip:ping@127.0.0.1>\r\n"
    "Call-ID: dbgtui-snapshot-1\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Max-Forwards: 70\r\n"
    "Content-Length: 0\r\n\r\n"
)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DebugServer:
    """A running siprouter with debugger.so."""

    proc: subprocess.Popen[bytes]
    url: str
    cfg: Path
    sip_port: int

    def line_of(self, text: str) -> int:
        """The 1-based line of the script whose stripped text starts with `text`."""
        for n, line in enumerate(self.cfg.read_text().splitlines(), 1):
            if line.strip().startswith(text):
                return n
        raise AssertionError(f"no line {text!r} in the script")

    def session(self) -> DebugSession:
        return DebugSession.from_url(self.url)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, 15)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, 9)
            proc.wait(timeout=15)


def start_server(tmp: Path, debugger: bool = True) -> DebugServer:
    """siprouter -f on the dbgtui script, once its management listener is up (without
    debugger.so when `debugger` is false)."""
    cfg = tmp / "dbg.cfg"
    sip_port = free_udp_port()
    script = SCRIPT
    if not debugger:
        script = script.replace('loadmodule "debugger.so"\n', "")
    cfg.write_text(script)
    err = tmp / "stderr.txt"
    with open(err, "wb") as e:
        proc = subprocess.Popen([*SIPROUTER, "-f", str(cfg), "-l", f"udp:127.0.0.1:{sip_port}"],
                                stdout=subprocess.DEVNULL, stderr=e, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    deadline = time.monotonic() + 30
    while not (found := LISTENING.search(err.read_text())):
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            raise RuntimeError(f"siprouter did not start: {err.read_text()[-2000:]}")
        time.sleep(0.05)
    return DebugServer(proc, f"http://{found.group(1)}/RPC", cfg, sip_port)


def release_workers(server: DebugServer) -> None:
    """Delete the breakpoints and let stopped workers run on, so the server stops at once
    (a worker waiting at a breakpoint would hold up its shutdown)."""
    session = DebugSession.from_url(server.url, timeout=2.0)
    try:
        for bp in session.breakpoints():
            session.delete_breakpoint(bp.id)
        for worker in session.workers():
            if worker.state != 0:
                session.resume(worker.pid)
    except RPCError:
        pass  # the server is going down anyway
    finally:
        session.close()


@pytest.fixture
def debug_server(tmp_path: Path) -> Iterator[DebugServer]:
    """A fresh server per test: breakpoints and paused workers never leak between tests."""
    server = start_server(tmp_path)
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            release_workers(server)
        _stop(server.proc)


class SipPeer:
    """A UDP socket that sends the fixed OPTIONS and can read the reply."""

    def __init__(self, server: DebugServer) -> None:
        self.server = server
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(DEADLINE)

    def send_options(self) -> None:
        """The OPTIONS; its Via names port 9 (so the message text never varies) and asks for
        rport, so the reply still comes back to this socket."""
        self.sock.sendto(OPTIONS.encode(),
                         ("127.0.0.1", self.server.sip_port))

    def reply(self) -> str:
        data, _ = self.sock.recvfrom(65536)
        return data.decode()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def plain_server(tmp_path: Path) -> Iterator[DebugServer]:
    """The same script on a server that has not loaded debugger.so."""
    server = start_server(tmp_path, debugger=False)
    try:
        yield server
    finally:
        _stop(server.proc)


@pytest.fixture
def sip_peer(debug_server: DebugServer) -> Iterator[SipPeer]:
    peer = SipPeer(debug_server)
    try:
        yield peer
    finally:
        peer.close()


async def wait_until(pilot: Pilot[Any], what: str, cond: Callable[[], bool]) -> None:
    """Let the app run until `cond()` holds; fail naming `what` if it never does."""
    end = time.monotonic() + DEADLINE
    while not cond():
        if time.monotonic() > end:
            raise AssertionError(f"never saw {what}")
        await pilot.pause(0.05)


async def in_thread(fn: Callable[[], Any]) -> Any:
    """Run a blocking call (e.g. a check through a second RPC session) off the event loop."""
    return await asyncio.to_thread(fn)


def run_async(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test on its own event loop (the project has no asyncio pytest plugin);
    fixtures still reach it by name."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))  # type: ignore[arg-type]

    return wrapper


class StablePids(DebugSession):
    """The real server's session, with each process shown as pid 1000+entry (and mapped back on
    the way out), so a snapshot does not change with the pids the system hands out. Everything
    else on screen is what the server sent."""

    def __init__(self, session: DebugSession) -> None:
        super().__init__(session.client)
        self.real: dict[int, int] = {}

    def call(self, method: str, *params: Any) -> Any:
        sent = tuple(self.real.get(p, p) if isinstance(p, int) else p for p in params)
        reply = super().call(method, *sent)
        if method == "dbg.ls" and isinstance(reply, list):
            rows = []
            for row in reply:
                shown = 1000 + int(row.get("entry", 0))
                self.real[shown] = int(row.get("pid", 0))
                rows.append(dict(row, pid=shown))
            return rows
        return reply
