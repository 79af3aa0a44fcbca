"""What the toggle tests share: the bundled config, a fresh SQLite database with Kamailio's
tables, SIP requests built by hand, and reading answers from a UDP socket."""

from __future__ import annotations

import socket
import subprocess
import sys
import uuid
from pathlib import Path

from tests.integration.conftest import REPO

CONFIG = REPO / "examples" / "siprouter.cfg"


def make_db(tmp_path: Path) -> str:
    """A fresh SQLite database with every table (`siprouter db init`); its URL."""
    url = f"sqlite://{tmp_path / 'siprouter.db'}"
    subprocess.run([sys.executable, "-m", "siprouter.core.main", "db", "init", "--db-url", url],
                   cwd=REPO, check=True, capture_output=True, timeout=60)
    return url


def request(method: str, ruri: str, *, via: str, from_uri: str, to_uri: str | None = None,
            contact: str | None = None, transport: str = "UDP", extra: str = "") -> bytes:
    """One request with fresh tags; `via` is host:port of the sender."""
    tag = uuid.uuid4().hex[:8]
    lines = [f"{method} {ruri} SIP/2.0",
             f"Via: SIP/2.0/{transport} {via};branch=z9hG4bK{tag};rport",
             "Max-Forwards: 70",
             f"From: <{from_uri}>;tag={tag}",
             f"To: <{to_uri or ruri}>",
             f"Call-ID: {tag}@test",
             f"CSeq: 1 {method}"]
    if contact:
        lines.append(f"Contact: <{contact}>")
    return ("\r\n".join(lines) + "\r\n" + extra + "Content-Length: 0\r\n\r\n").encode()


def status_of(answer: bytes | None) -> int | None:
    """The status code of a reply, None for anything else."""
    if not answer or not answer.startswith(b"SIP/2.0 "):
        return None
    return int(answer.split(b" ", 2)[1])


def final_reply(sock: socket.socket, timeout: float = 5.0) -> bytes | None:
    """The first final (>= 200) reply arriving on `sock` (provisional ones skipped)."""
    sock.settimeout(timeout)
    while True:
        try:
            data = sock.recv(65535)
        except TimeoutError:
            return None
        code = status_of(data)
        if code is not None and code >= 200:
            return data


def first_request(sock: socket.socket, timeout: float = 5.0) -> bytes | None:
    """The first request (not a reply) arriving on `sock`."""
    sock.settimeout(timeout)
    while True:
        try:
            data = sock.recv(65535)
        except TimeoutError:
            return None
        if not data.startswith(b"SIP/2.0"):
            return data


def udp_socket(host: str = "127.0.0.1") -> socket.socket:
    """A UDP socket bound to a free port on `host`."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, 0))
    return s
