"""SIPp calls through `examples/stateless-relay.cfg`: uac -> siprouter -> uas, UDP and TCP."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .conftest import Process, free_port

CALLS = "20"
# Two workers of a stateless relay may reorder what a peer sent back to back (a 180 and a 200,
# an ACK and a BYE); SIPp must not abort a call for that, UDP never promised order.
TOLERATE_REORDERING = ["-default_behaviors", "all,-abortunexp"]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_sipp_calls_pass_through_the_relay(transport: str, sipp: str, tmp_path: Path,
                                           processes: list[Process],
                                           start_siprouter) -> None:
    proxy, uas_port, uac_port = free_port(), free_port(), free_port()
    mode = ["-t", "t1"] if transport == "tcp" else []
    uas = Process([sipp, "-sn", "uas", *mode, "-i", "127.0.0.1", "-p", str(uas_port),
                   "-nostdin", *TOLERATE_REORDERING], cwd=tmp_path, log=tmp_path / "uas.log")
    processes.append(uas)
    args = ["-l", f"udp:127.0.0.1:{proxy}", "-A", f"DST_PORT={uas_port}"]
    if transport == "tcp":
        args += ["-l", f"tcp:127.0.0.1:{proxy}", "-A", "WITH_TCP_RELAY"]
    start_siprouter("stateless-relay.cfg", proxy, *args)
    uac = subprocess.run(
        [sipp, "-sn", "uac", *mode, f"127.0.0.1:{proxy}", "-i", "127.0.0.1",
         "-p", str(uac_port), "-m", CALLS, "-r", "10", "-timeout", "30", "-nostdin",
         *TOLERATE_REORDERING],
        cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert uac.returncode == 0, uac.stdout[-3000:] + uac.stderr[-2000:]


def test_relay_answers_a_request_it_cannot_forward_with_the_reason(start_siprouter) -> None:
    from .conftest import options_probe, udp_exchange

    port = free_port()
    start_siprouter("stateless-relay.cfg", port, "-l", f"udp:127.0.0.1:{port}",
                    "-A", f"DST_PORT={free_port()}")
    answer = udp_exchange(port, options_probe(port, max_forwards=0))
    assert answer is not None and answer.startswith(b"SIP/2.0 483 Too Many Hops")


def test_the_relay_works_over_ipv6(start_siprouter) -> None:
    import socket

    port = free_port()
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as uas, \
            socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as client:
        uas.bind(("::1", 0))
        client.bind(("::1", 0))
        uas.settimeout(5)
        client.settimeout(5)
        start_siprouter("stateless-relay.cfg", port, "-l", f"udp:127.0.0.1:{port}",
                        "-l", f"udp:[::1]:{port}", "-A", 'DST_HOST="::1"',
                        "-A", f"DST_PORT={uas.getsockname()[1]}")
        me = client.getsockname()[1]
        client.sendto((f"OPTIONS sip:bob@[::1]:{port} SIP/2.0\r\n"
                       f"Via: SIP/2.0/UDP [::1]:{me};branch=z9hG4bKv6;rport\r\n"
                       "From: <sip:a@[::1]>;tag=1\r\nTo: <sip:b@[::1]>\r\nCall-ID: v6\r\n"
                       "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
                       ).encode(), ("::1", port))
        data, proxy = uas.recvfrom(65535)
        lines = data.decode().split("\r\n")
        assert lines[1].startswith(f"Via: SIP/2.0/UDP [::1]:{port};branch=z9hG4bK")
        vias = "".join(line + "\r\n" for line in lines if line.startswith("Via"))
        uas.sendto((f"SIP/2.0 200 OK\r\n{vias}From: <sip:a@[::1]>;tag=1\r\n"
                    "To: <sip:b@[::1]>;tag=2\r\nCall-ID: v6\r\nCSeq: 1 OPTIONS\r\n"
                    "Content-Length: 0\r\n\r\n").encode(), proxy)
        assert client.recv(65535).startswith(b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP [::1]:")


def test_a_second_server_on_the_same_port_exits_with_a_clear_error(start_siprouter,
                                                                   tmp_path: Path) -> None:
    import sys

    from .conftest import REPO, options_probe, udp_exchange

    port = free_port()
    start_siprouter("stateless-relay.cfg", port, "-l", f"udp:127.0.0.1:{port}",
                    "-A", f"DST_PORT={free_port()}", "-n", "2")
    second = subprocess.run(
        [sys.executable, "-m", "siprouter.core.main", "-f", "examples/stateless-relay.cfg",
         "-l", f"udp:127.0.0.1:{port}", "-A", f"DST_PORT={free_port()}", "-n", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert second.returncode == 1
    assert (f"ERROR: cannot listen on udp:127.0.0.1:{port}: Address already in use"
            in second.stderr), second.stderr
    assert "Traceback" not in second.stderr
    answer = udp_exchange(port, options_probe(port, max_forwards=0))
    assert answer is not None and answer.startswith(b"SIP/2.0 483")
