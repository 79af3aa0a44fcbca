"""examples/registrar.cfg (the registrar benchmark's config) runs on siprouter and on real
Kamailio 5.6 alike: a REGISTER gets its 200 with the binding, and in db_mode 1 the binding is
in the SQLite file `siprouter db init` made, written by either server (Kamailio's db_sqlite
included, so our schema is the one it expects)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import _apt_install, free_port

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "examples" / "registrar.cfg"
DB_SQLITE = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules/db_sqlite.so")
WAIT = 15.0  # bound on waiting for the server to answer, not a measure


@pytest.fixture(scope="module")
def kamailio() -> str:
    """Real Kamailio with its db_sqlite module (Debian packages), installed when missing."""
    if shutil.which("kamailio") is None or not DB_SQLITE.exists():
        _apt_install("kamailio", "kamailio-sqlite-modules")
    path = shutil.which("kamailio")
    assert path and DB_SQLITE.exists()
    return path


def register(port: int, user: str) -> str:
    """Send a REGISTER for `user` (retransmitted until the server answers); the reply."""
    tag = uuid.uuid4().hex[:8]
    msg = (f"REGISTER sip:127.0.0.1:{port} SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK{tag};rport\r\n"
           f"Max-Forwards: 70\r\nFrom: <sip:{user}@example.com>;tag={tag}\r\n"
           f"To: <sip:{user}@example.com>\r\nCall-ID: {tag}@test\r\nCSeq: 1 REGISTER\r\n"
           f"Contact: <sip:{user}@127.0.0.1:5999>\r\nExpires: 600\r\n"
           f"Content-Length: 0\r\n\r\n").encode()
    deadline = time.monotonic() + WAIT
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.3)
        while time.monotonic() < deadline:
            s.sendto(msg, ("127.0.0.1", port))
            try:
                return s.recv(65535).decode()
            except TimeoutError:
                continue
    raise AssertionError(f"no reply from the server on port {port}")


@pytest.fixture(params=["siprouter", "kamailio"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """(port, SQLite file) of the server named by the param running examples/registrar.cfg in
    db_mode 1 with two workers."""
    db = tmp_path / "location.db"
    url = f"sqlite://{db}"
    subprocess.run([sys.executable, "-m", "siprouter.core.main", "db", "init", "--db-url", url,
                    "--group", "usrloc"], check=True, capture_output=True, timeout=60)
    port = free_port()
    args = ["-A", f"LISTEN=udp:127.0.0.1:{port}", "-A", "CHILDREN=2", "-n", "2",
            "-A", "DBMODE=1", "-A", f'DBURL="{url}"']
    if request.param == "kamailio":
        argv = [request.getfixturevalue("kamailio"), "-x", "tlsf", "-f", str(CONFIG), "-DD",
                "-E", *args]
    else:
        argv = [sys.executable, "-m", "siprouter.core.main", "-f", str(CONFIG), *args]
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 -- closed below
    # A session of its own, so its workers are stopped with it (Kamailio's children outlive a
    # main process that is killed).
    proc = subprocess.Popen(argv, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        yield port, db
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # any worker still lingering
        log.close()


def test_both_servers_register_and_write_our_location_schema(server: tuple[int, Path]) -> None:
    port, db = server
    reply = register(port, "alice")
    assert reply.startswith("SIP/2.0 200"), reply
    assert "<sip:alice@127.0.0.1:5999>;expires=" in reply
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT username, contact FROM location").fetchall()
    assert rows == [("alice", "sip:alice@127.0.0.1:5999")]


@pytest.mark.parametrize("define", ["CHILDREN=1", "CTL=\"unix:/tmp/registrar-cfg-check.ctl\""])
def test_the_config_checks_clean_on_both(kamailio: str, define: str) -> None:
    for argv in ([kamailio, "-c", "-x", "tlsf", "-f", str(CONFIG), "-A", define],
                 [sys.executable, "-m", "siprouter.core.main", "-c", "-f", str(CONFIG),
                  "-A", define]):
        done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "config file ok" in done.stdout + done.stderr
