"""Fixtures that run the real `siprouter` process and real peers (SIPp, openssl) on loopback.

Every process a test starts is stopped by its PID at the end (SIGTERM, SIGKILL after 5 s);
siprouter itself must exit cleanly (status 0) on SIGTERM. Ports are picked free per test.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
STOP_TIMEOUT = 5.0
READY_TIMEOUT = 15.0
READY_PROBES = 16  # answered probes before a server counts as ready (2 workers: each one hit)


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                try:
                    u.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return int(port)
    raise RuntimeError("no free port")


def _apt_install(*packages: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *packages], check=True, env=env,
                   timeout=600)


@pytest.fixture(scope="session")
def sipp() -> str:
    """The `sipp` binary (Debian sip-tester), installed when missing."""
    if shutil.which("sipp") is None:
        _apt_install("sip-tester")
    path = shutil.which("sipp")
    assert path, "sipp is not installed"
    return path


@pytest.fixture(scope="session")
def openssl() -> str:
    """The `openssl` command line tool, installed when missing."""
    if shutil.which("openssl") is None:
        _apt_install("openssl")
    path = shutil.which("openssl")
    assert path
    return path


def options_probe(port: int, *, host: str = "127.0.0.1", max_forwards: int = 0) -> bytes:
    """An OPTIONS that asks nothing but an answer (Max-Forwards 0: a relay answers 483)."""
    tag = uuid.uuid4().hex[:8]
    return (
        f"OPTIONS sip:ping@{host}:{port} SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {host}:9;branch=z9hG4bK{tag};rport\r\n"
        f"From: <sip:probe@{host}>;tag={tag}\r\n"
        f"To: <sip:ping@{host}>\r\n"
        f"Call-ID: probe-{tag}\r\n"
        f"CSeq: 1 OPTIONS\r\n"
        f"Max-Forwards: {max_forwards}\r\n"
        f"Content-Length: 0\r\n\r\n"
    ).encode()


def udp_exchange(port: int, data: bytes, *, timeout: float = 2.0) -> bytes | None:
    """Send one datagram to 127.0.0.1:port from a fresh socket; the first answer or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(timeout)
        s.sendto(data, ("127.0.0.1", port))
        try:
            return s.recv(65535)
        except TimeoutError:
            return None


class Process:
    """A process started by a test, stopped by its PID; in a session of its own, so that what
    it started goes with it (Kamailio's children can outlive a main process that has exited:
    two were found still running after a CI run)."""

    def __init__(self, argv: Sequence[str], *, cwd: Path | None = None,
                 log: Path | None = None, pipes: bool = False) -> None:
        """With `pipes`, stdin and stdout (stderr merged) are pipes for the test to use."""
        self.argv = list(argv)
        self.log = log
        out = subprocess.PIPE if pipes else open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
        self.proc = subprocess.Popen(self.argv, cwd=cwd,
                                     stdin=subprocess.PIPE if pipes else subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after 5 s; the exit status. Whatever it started and left
        running is killed then."""
        try:
            if self.proc.poll() is not None:
                return self.proc.returncode
            os.kill(self.pid, signal.SIGTERM)
            try:
                return self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
                return None
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)


class Siprouter(Process):
    """The real server on a config, answering on `port`."""

    def __init__(self, config: Path, port: int, args: Sequence[str], log: Path) -> None:
        super().__init__([sys.executable, "-m", "siprouter.core.main", "-f", str(config),
                          *args], cwd=REPO, log=log)
        self.port = port

    def wait_ready(self) -> None:
        """Until it has answered READY_PROBES OPTIONS over UDP (or fail with its log).
        With several workers a request goes to the worker owning its Call-ID, so one answer
        only shows that one worker serves: probes with fresh Call-IDs reach them all."""
        deadline = time.monotonic() + READY_TIMEOUT
        answered = 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"siprouter exited with {self.proc.returncode}:\n{self.output()}")
            answer = udp_exchange(self.port, options_probe(self.port), timeout=0.2)
            if answer and answer.startswith(b"SIP/2.0 "):
                answered += 1
                if answered == READY_PROBES:
                    return
        pytest.fail(f"siprouter did not answer within {READY_TIMEOUT} s:\n{self.output()}")

    def stop_cleanly(self) -> None:
        """Stop it and check it went as it should: exit status 0, no traceback."""
        code = self.stop()
        out = self.output()
        assert code == 0, f"siprouter exited with {code}:\n{out}"
        assert "Traceback" not in out, out


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Processes a test started; each is stopped at the end, whatever happened."""
    started: list[Process] = []
    yield started
    for p in reversed(started):
        p.stop()


@pytest.fixture
def start_siprouter(tmp_path: Path) -> Iterator:
    """start_siprouter(config, port, *args): a running, answering siprouter; stopped (and
    checked to exit cleanly) at the end of the test."""
    running: list[Siprouter] = []

    def start(config: Path | str, port: int, *args: str) -> Siprouter:
        path = Path(config)
        if not path.is_absolute():
            path = EXAMPLES / path
        server = Siprouter(path, port, args, tmp_path / f"siprouter-{len(running)}.log")
        running.append(server)
        server.wait_ready()
        return server

    yield start
    for server in running:
        server.stop_cleanly()
