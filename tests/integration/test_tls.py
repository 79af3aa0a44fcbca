"""OPTIONS over TLS from `openssl s_client` to `examples/tls-options.cfg`: a client with a
good certificate gets 200; one whose certificate is on the CRL is refused in the handshake."""

from __future__ import annotations

import os
import select
import time
from pathlib import Path

import pytest

from .certs import Pki, make_pki
from .conftest import Process, free_port

ANSWER_TIMEOUT = 10.0


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    folder = tmp_path / "pki"
    folder.mkdir()
    return make_pki(folder)


def _server(start_siprouter, pki: Pki) -> int:
    port = free_port()
    start_siprouter("tls-options.cfg", port, "-l", f"udp:127.0.0.1:{port}",
                    "-l", f"tls:127.0.0.1:{port}",
                    "-A", f'TLS_CERT="{pki.server_cert}"', "-A", f'TLS_KEY="{pki.server_key}"',
                    "-A", f'TLS_CA="{pki.ca}"', "-A", f'TLS_CRL="{pki.crl}"')
    return port


def _options(port: int) -> bytes:
    return (f"OPTIONS sip:127.0.0.1:{port};transport=tls SIP/2.0\r\n"
            f"Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bKtls1;rport\r\n"
            f"From: <sip:tls@127.0.0.1>;tag=t1\r\nTo: <sip:127.0.0.1>\r\n"
            f"Call-ID: tls-options-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
            f"Content-Length: 0\r\n\r\n").encode()


def _s_client(openssl: str, port: int, cert: Path, key: Path, ca: Path,
              processes: list[Process]) -> str:
    """Run s_client, send an OPTIONS, return what it printed until a SIP answer, its exit
    or the time limit."""
    client = Process([openssl, "s_client", "-connect", f"127.0.0.1:{port}", "-cert", str(cert),
                      "-key", str(key), "-CAfile", str(ca), "-verify_return_error",
                      "-quiet"], pipes=True)
    processes.append(client)
    proc = client.proc
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(_options(port))
        proc.stdin.flush()
    except BrokenPipeError:
        pass
    out = b""
    deadline = time.monotonic() + ANSWER_TIMEOUT
    fd = proc.stdout.fileno()
    while time.monotonic() < deadline and b"\r\n\r\n" not in out.partition(b"SIP/2.0")[2]:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            out += chunk
    return out.decode(errors="replace")


def test_options_over_tls_with_a_good_client_certificate_gets_200(
        openssl: str, pki: Pki, tmp_path: Path, processes: list[Process],
        start_siprouter) -> None:
    port = _server(start_siprouter, pki)
    out = _s_client(openssl, port, pki.client_cert, pki.client_key, pki.ca,
                    processes)
    assert "SIP/2.0 200 OK" in out, out


def test_a_client_certificate_on_the_crl_is_refused(
        openssl: str, pki: Pki, tmp_path: Path, processes: list[Process],
        start_siprouter) -> None:
    port = _server(start_siprouter, pki)
    out = _s_client(openssl, port, pki.revoked_cert, pki.revoked_key, pki.ca,
                    processes)
    assert "SIP/2.0" not in out, out
    assert "certificate revoked" in out, out
