"""Fixtures for the registrar end to end: the registrar config, a PostgreSQL cluster for the
session (Debian's postgresql, started by the test), and a UDP phone that registers and
receives what the server forwards to it."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.db.pgcluster import Cluster, remove_cluster, start_cluster

CONFIG = Path(__file__).with_name("registrar.cfg")
SCENARIOS = Path(__file__).with_name("scenarios")


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        remove_cluster(cluster)


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """A new database with Kamailio's schema (made with `siprouter db init`)."""
    import subprocess
    import sys

    url = pg_cluster.create_database("reg_" + uuid.uuid4().hex[:10])
    subprocess.run([sys.executable, "-m", "siprouter.core.main", "db", "init", "--db-url", url],
                   check=True, capture_output=True, timeout=60)
    return url


class Phone:
    """A UDP user agent on 127.0.0.1: sends requests to a server, reads what comes back."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(3.0)
        self.port = int(self.sock.getsockname()[1])
        self.cseq = 0

    @property
    def contact(self) -> str:
        return f"sip:phone@127.0.0.1:{self.port}"

    def register(self, server: int, user: str, *, expires: int = 600,
                 contact: str | None = None) -> bytes:
        """REGISTER `user` at the server on port `server`; the reply."""
        self.cseq += 1
        c = contact or f"<{self.contact}>"
        self.send(server, "\r\n".join([
            "REGISTER sip:example.com SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK{uuid.uuid4().hex};rport",
            "Max-Forwards: 70",
            f"From: <sip:{user}@example.com>;tag=p{self.port}",
            f"To: <sip:{user}@example.com>",
            f"Call-ID: reg-{user}-{self.port}",
            f"CSeq: {self.cseq} REGISTER",
            f"Contact: {c}",
            f"Expires: {expires}",
            "Content-Length: 0", "", ""]).encode())
        return self.recv()

    def message(self, server: int, user: str) -> None:
        """A MESSAGE to `user` through the server (no answer awaited)."""
        self.send(server, "\r\n".join([
            f"MESSAGE sip:{user}@example.com SIP/2.0",
            f"Via: SIP/2.0/UDP 127.0.0.1:{self.port};branch=z9hG4bK{uuid.uuid4().hex};rport",
            "Max-Forwards: 70",
            f"From: <sip:caller@example.com>;tag=c{self.port}",
            f"To: <sip:{user}@example.com>",
            f"Call-ID: msg-{uuid.uuid4().hex}",
            "CSeq: 1 MESSAGE",
            "Content-Length: 0", "", ""]).encode())

    def send(self, port: int, data: bytes) -> None:
        self.sock.sendto(data, ("127.0.0.1", port))

    def recv(self) -> bytes:
        try:
            return self.sock.recv(65535)
        except TimeoutError:
            return b""

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def phones() -> Iterator[list[Phone]]:
    made: list[Phone] = []
    yield made
    for p in made:
        p.close()


def status(reply: bytes) -> int:
    """The status code of a reply (0 when there was none)."""
    parts = reply.split(b" ", 2)
    return int(parts[1]) if len(parts) > 2 and parts[0] == b"SIP/2.0" else 0
