"""The README's first command: `siprouter` with no -f serves the bundled default config, a
proxy + registrar. A user registers, another calls it, the call reaches the registered contact."""

from __future__ import annotations

import socket
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import REPO, Process, free_port, options_probe, udp_exchange


@pytest.fixture
def default_server(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    server = Process([sys.executable, "-m", "siprouter.core.main", "-l", f"udp:127.0.0.1:{port}"],
                     cwd=REPO, log=tmp_path / "siprouter.log")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert server.proc.poll() is None, server.output()
        if udp_exchange(port, options_probe(port, max_forwards=70), timeout=0.2):
            break
    else:
        pytest.fail(f"no answer from the default config:\n{server.output()}")
    yield port
    assert server.stop() == 0, server.output()
    assert "Traceback" not in server.output()


def request(method: str, ruri: str, port: int, *, contact: str | None = None,
            extra: str = "") -> bytes:
    tag = uuid.uuid4().hex[:8]
    lines = [
        f"{method} {ruri} SIP/2.0",
        f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{tag};rport",
        "Max-Forwards: 70",
        f"From: <sip:bob@127.0.0.1>;tag={tag}",
        f"To: <{ruri}>",
        f"Call-ID: {tag}@test",
        f"CSeq: 1 {method}",
    ]
    if contact:
        lines.append(f"Contact: <{contact}>")
    return ("\r\n".join(lines) + "\r\n" + extra + "Content-Length: 0\r\n\r\n").encode()


def status_of(answer: bytes | None) -> int | None:
    return int(answer.split(b" ", 2)[1]) if answer and answer.startswith(b"SIP/2.0") else None


def test_default_config_answers_an_options_keepalive(default_server: int) -> None:
    # An OPTIONS to the server itself (no user part) is answered, as Kamailio's default does.
    answer = udp_exchange(default_server,
                          request("OPTIONS", f"sip:127.0.0.1:{default_server}", 9))
    assert answer is not None and answer.startswith(b"SIP/2.0 200 Keepalive")


def test_call_to_an_unregistered_user_gets_100_trying_then_404(default_server: int) -> None:
    # The 404 is a stateful reply (t_newtran + t_reply), so the INVITE is first acknowledged
    # with 100 Trying, as Kamailio's default does.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as caller:
        caller.bind(("127.0.0.1", 0))
        caller.settimeout(3)
        caller.sendto(request("INVITE", f"sip:nobody@127.0.0.1:{default_server}",
                              caller.getsockname()[1]), ("127.0.0.1", default_server))
        statuses = [status_of(caller.recv(65535))]
        while statuses[-1] is not None and statuses[-1] < 200:
            statuses.append(status_of(caller.recv(65535)))
    assert statuses == [100, 404]


def test_registered_user_is_reached_at_its_contact(default_server: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as alice:
        alice.bind(("127.0.0.1", 0))
        alice.settimeout(3)
        alice_port = alice.getsockname()[1]
        contact = f"sip:alice@127.0.0.1:{alice_port}"
        alice.sendto(request("REGISTER", f"sip:alice@127.0.0.1:{default_server}", alice_port,
                             contact=contact, extra="Expires: 60\r\n"),
                     ("127.0.0.1", default_server))
        reply = alice.recv(65535)
        assert status_of(reply) == 200
        assert f"<{contact}>".encode() in reply

        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as bob:
            bob.bind(("127.0.0.1", 0))
            bob.sendto(request("INVITE", f"sip:alice@127.0.0.1:{default_server}",
                               bob.getsockname()[1]), ("127.0.0.1", default_server))
            invite = alice.recv(65535)
    first_line, _, rest = invite.partition(b"\r\n")
    assert first_line == f"INVITE {contact} SIP/2.0".encode()
    assert rest.count(b"Via: SIP/2.0/UDP") == 2  # ours on top of bob's
    assert b"Record-Route: <sip:127.0.0.1:" in rest
