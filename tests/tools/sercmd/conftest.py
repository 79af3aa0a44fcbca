"""A real siprouter management server for sercmd to talk to, and helpers to run sercmd.

The server is `python -m siprouter.core.rpc.serve -f CFG`, listening on loopback ports the
system picks (it prints `listening on KIND:ADDRESS` per listener) and on unix sockets in a
temporary folder; it is stopped by its PID.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SERCMD = [sys.executable, "-m", "siprouter.tools.sercmd"]

# The modules whose RPCs sercmd's completion and tests use: cfg groups (core, registrar),
# counters (with a script counter), and both RPC transports.
CONFIG = """#!KAMAILIO
debug=2
listen=udp:127.0.0.1:{sip_port}
run_dir="{run_dir}"
loadmodule "jsonrpcs.so"
loadmodule "xmlrpc.so"
loadmodule "counters.so"
loadmodule "kex.so"
loadmodule "cfg_rpc.so"
loadmodule "registrar.so"
loadmodule "ctl.so"
modparam("jsonrpcs", "http_listen", "127.0.0.1:0")
modparam("jsonrpcs", "dgram_socket", "{dgram}")
modparam("jsonrpcs", "stream_socket", "{run_dir}/rpc.stream")
{extra}
modparam("counters", "script_counter", "foo my test counter")
modparam("counters", "script_counter", "bar another counter")
modparam("registrar", "default_expires", 1800)
request_route {{ exit; }}
"""


@dataclass
class RPCServer:
    """A running management server and the addresses it answers on, as sercmd URLs."""

    proc: subprocess.Popen[bytes]
    listeners: dict[str, str] = field(default_factory=dict)  # kind -> "host:port" or path

    @property
    def http(self) -> str:
        return f"http://{self.listeners['http']}/RPC"

    @property
    def xmlrpc(self) -> str:
        return f"xmlrpc+http://{self.listeners['http']}/RPC2"

    @property
    def udp(self) -> str:
        return f"udp:{self.listeners['udp']}"

    @property
    def unix_stream(self) -> str:
        return f"unix:{self.listeners['unixs']}"

    @property
    def unix_dgram(self) -> str:
        return f"unix:{self.listeners['unixd']}"


def _start(tmp: Path, dgram: str, extra: str = "", want: int = 3) -> RPCServer:
    run_dir = tmp / "run"
    run_dir.mkdir(parents=True)
    cfg = tmp / "rpc.cfg"
    # The SIP listen line is only read by core.sockets_list; nothing binds it here.
    cfg.write_text(CONFIG.format(sip_port=15060, run_dir=run_dir,
                                 dgram=dgram.format(run_dir=run_dir), extra=extra))
    out, err = tmp / "stdout.txt", tmp / "stderr.txt"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen([sys.executable, "-m", "siprouter.core.rpc.serve", "-f", str(cfg)],
                                stdout=o, stderr=e, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    server = RPCServer(proc)
    deadline = time.monotonic() + 30
    while len(server.listeners) < want:
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            raise RuntimeError(f"RPC server did not start: {err.read_text()[-2000:]}")
        time.sleep(0.05)
        for line in out.read_text().splitlines():
            if line.startswith("listening on "):
                kind, _, where = line.removeprefix("listening on ").partition(":")
                server.listeners[kind] = where
    return server


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, 15)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, 9)
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def rpc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RPCServer]:
    """JSON-RPC and XML-RPC over HTTP, JSON-RPC over UDP and a unix stream socket."""
    server = _start(tmp_path_factory.mktemp("rpc"), "udp:127.0.0.1:0")
    yield server
    _stop(server.proc)


@pytest.fixture(scope="session")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RPCServer]:
    """A server whose HTTP wants a bearer token `s3cret`, with a unix datagram socket."""
    server = _start(tmp_path_factory.mktemp("rpc-guarded"), "{run_dir}/rpc.dgram",
                    extra='modparam("jsonrpcs", "http_token", "s3cret")')
    yield server
    _stop(server.proc)


@pytest.fixture
def sercmd_env(tmp_path: Path) -> dict[str, str]:
    """An environment for sercmd subprocesses: no inherited server address, token, pager or
    history file of the person running the tests."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SERCMD_") and k not in ("PAGER",)}
    env["HOME"] = str(tmp_path)
    env["SERCMD_HISTORY"] = str(tmp_path / "history")
    return env


def run_sercmd(*args: str, env: dict[str, str], stdin: str | None = None,
               timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """sercmd as a process, stdin/stdout/stderr captured (so stdout is not a terminal)."""
    return subprocess.run([*SERCMD, *args], input=stdin if stdin is not None else "",
                          capture_output=True, text=True, env=env, timeout=timeout)
