"""Kamailio 5.6's stock kamailio.cfg (Debian's, unchanged, no defines) served by the real
server: keepalive OPTIONS, REGISTER, a call to the registered user through t_relay, a call to
an unknown user, and a clean stop.

The stock config answers OPTIONS to the server itself (no user part) with "200 Keepalive",
drops User-Agents matching friendly|scanner|sipcli|sipvicious without a word, and refuses
with 403 "Not relaying" a request whose R-URI host is not ours; the requests here are made
to pass those checks, as a phone's would.
"""

from __future__ import annotations

import socket
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import READY_TIMEOUT, REPO, Process, free_port, udp_exchange


def request(method: str, ruri: str, via_port: int, *, contact: str | None = None,
            user_agent: str = "stock-test-phone/1.0", extra: str = "") -> bytes:
    """A request as a UDP phone on 127.0.0.1:via_port sends it."""
    tag = uuid.uuid4().hex[:8]
    lines = [
        f"{method} {ruri} SIP/2.0",
        f"Via: SIP/2.0/UDP 127.0.0.1:{via_port};branch=z9hG4bK{tag};rport",
        "Max-Forwards: 70",
        f"From: <sip:bob@127.0.0.1>;tag={tag}",
        f"To: <{ruri}>",
        f"Call-ID: {tag}@stock-test",
        f"CSeq: 1 {method}",
        f"User-Agent: {user_agent}",
    ]
    if contact:
        lines.append(f"Contact: <{contact}>")
    return ("\r\n".join(lines) + "\r\n" + extra + "Content-Length: 0\r\n\r\n").encode()


def status_of(answer: bytes | None) -> int | None:
    """The status code of a reply; None for anything else."""
    if not answer or not answer.startswith(b"SIP/2.0 "):
        return None
    return int(answer.split(b" ", 2)[1])


def call_id_of(message: bytes) -> bytes:
    """The Call-ID header's value."""
    for line in message.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() in (b"call-id", b"i"):
            return value.strip()
    return b""


def phone() -> socket.socket:
    """A UDP socket the test owns, bound on loopback, reads time out after 3 s."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(3)
    return sock


@pytest.fixture(scope="module")
def stock_server(stock_kamailio_cfg: Path,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """siprouter serving the stock config on UDP; its port. Stopped by PID at the end, and
    checked to exit 0 without a traceback."""
    port = free_port()
    log = tmp_path_factory.mktemp("stock") / "siprouter.log"
    server = Process([sys.executable, "-m", "siprouter.core.main", "-f",
                      str(stock_kamailio_cfg), "-l", f"udp:127.0.0.1:{port}"],
                     cwd=REPO, log=log)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            assert server.proc.poll() is None, f"siprouter exited:\n{server.output()}"
            keepalive = request("OPTIONS", f"sip:127.0.0.1:{port}", 9)
            if udp_exchange(port, keepalive, timeout=0.2) is not None:
                break
            if time.monotonic() > deadline:
                pytest.fail(f"no answer from the stock config:\n{server.output()}")
        yield port
    finally:
        code = server.stop()
    out = server.output()
    assert code == 0, f"siprouter exited with {code}:\n{out}"
    assert "Traceback" not in out, out
    assert "no implementation" not in out, out


def test_options_keepalive_is_answered_200(stock_server: int) -> None:
    with phone() as ua:
        ua.sendto(request("OPTIONS", f"sip:127.0.0.1:{stock_server}", ua.getsockname()[1]),
                  ("127.0.0.1", stock_server))
        answer = ua.recv(65535)
    assert answer.startswith(b"SIP/2.0 200 Keepalive\r\n")


def test_scanner_user_agent_is_dropped(stock_server: int) -> None:
    # A scanner's OPTIONS gets nothing; the phone's that follows on the same socket is the
    # first answer that arrives.
    with phone() as ua:
        own = ua.getsockname()[1]
        scan = request("OPTIONS", f"sip:127.0.0.1:{stock_server}", own,
                       user_agent="friendly-scanner")
        ping = request("OPTIONS", f"sip:127.0.0.1:{stock_server}", own)
        ua.sendto(scan, ("127.0.0.1", stock_server))
        ua.sendto(ping, ("127.0.0.1", stock_server))
        answer = ua.recv(65535)
    assert status_of(answer) == 200
    assert call_id_of(answer) == call_id_of(ping)


def test_request_for_another_domain_is_not_relayed(stock_server: int) -> None:
    with phone() as ua:
        ua.sendto(request("INVITE", "sip:carol@example.com", ua.getsockname()[1]),
                  ("127.0.0.1", stock_server))
        answer = ua.recv(65535)
    assert answer.startswith(b"SIP/2.0 403 Not relaying\r\n")


def test_registered_user_is_called_at_its_contact(stock_server: int) -> None:
    with phone() as alice, phone() as bob:
        alice_port = alice.getsockname()[1]
        contact = f"sip:alice@127.0.0.1:{alice_port}"
        alice.sendto(request("REGISTER", f"sip:alice@127.0.0.1:{stock_server}", alice_port,
                             contact=contact, extra="Expires: 60\r\n"),
                     ("127.0.0.1", stock_server))
        reply = alice.recv(65535)
        assert status_of(reply) == 200, reply
        assert f"Contact: <{contact}>".encode() in reply

        invite = request("INVITE", f"sip:alice@127.0.0.1:{stock_server}", bob.getsockname()[1])
        bob.sendto(invite, ("127.0.0.1", stock_server))
        trying = bob.recv(65535)
        relayed = alice.recv(65535)
    assert status_of(trying) == 100
    first_line, _, rest = relayed.partition(b"\r\n")
    assert first_line == f"INVITE {contact} SIP/2.0".encode()
    assert call_id_of(relayed) == call_id_of(invite)
    assert rest.count(b"Via: SIP/2.0/UDP") == 2  # the proxy's on top of bob's
    assert f"Record-Route: <sip:127.0.0.1:{stock_server};lr>".encode() in rest


def test_call_to_unknown_user_gets_100_then_404(stock_server: int) -> None:
    with phone() as bob:
        bob.sendto(request("INVITE", f"sip:nobody@127.0.0.1:{stock_server}",
                           bob.getsockname()[1]), ("127.0.0.1", stock_server))
        statuses = [status_of(bob.recv(65535))]
        while statuses[-1] is not None and statuses[-1] < 200:
            statuses.append(status_of(bob.recv(65535)))
    assert statuses == [100, 404]
