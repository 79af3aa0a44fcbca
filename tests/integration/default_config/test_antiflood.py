"""WITH_ANTIFLOOD: a burst from one source IP is detected by pike and the IP banned (its
requests dropped unanswered) until the ipban item expires; then it is answered again. The
burst comes from 127.0.0.2: like Kamailio's, the config never checks the server's own
addresses (127.0.0.1 here)."""

from __future__ import annotations

import time
from pathlib import Path

from tests.integration.conftest import free_port
from tests.integration.default_config.helpers import CONFIG, request, status_of, udp_socket

BAN_SECONDS = 3


def keepalive(port: int, via: str) -> bytes:
    return request("OPTIONS", f"sip:127.0.0.1:{port}", via=via, from_uri="sip:probe@127.0.0.2")


def test_a_burst_is_banned_then_allowed_again(start_siprouter, tmp_path: Path) -> None:
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-A", "WITH_ANTIFLOOD",
                    "-A", "PIKE_SAMPLING=1", "-A", "PIKE_DENSITY=3", "-A", "PIKE_LATENCY=2",
                    "-A", f'IPBAN_TABLE="ipban=>size=8;autoexpire={BAN_SECONDS};"')
    with udp_socket("127.0.0.2") as s:
        via = f"127.0.0.2:{s.getsockname()[1]}"
        # Below the density: answered. (Waited for generously: the first message a fresh
        # server handles can take longer than 0.2 s on a loaded machine, which failed CI once.)
        s.settimeout(5.0)
        s.sendto(keepalive(port, via), ("127.0.0.1", port))
        assert status_of(s.recv(65535)) == 200
        s.settimeout(0.2)
        time.sleep(1.1)  # a new sampling unit: the burst below starts from zero
        for _ in range(12):
            s.sendto(keepalive(port, via), ("127.0.0.1", port))
        answers = 0
        try:
            while True:
                s.recv(65535)
                answers += 1
        except TimeoutError:
            pass
        # At most the density per unit is answered (twice that if the burst spans two units).
        assert answers <= 6
        # Banned: the next request is dropped.
        s.settimeout(0.5)
        s.sendto(keepalive(port, via), ("127.0.0.1", port))
        try:
            dropped = s.recv(65535) is None
        except TimeoutError:
            dropped = True
        assert dropped
        # After the ban expires the IP is answered again (asked once a second, well below the
        # density, so the asking is no flood).
        deadline = time.monotonic() + BAN_SECONDS + 10
        answered = False
        while time.monotonic() < deadline and not answered:
            time.sleep(1.0)
            s.sendto(keepalive(port, via), ("127.0.0.1", port))
            try:
                answered = status_of(s.recv(65535)) == 200
            except TimeoutError:
                pass
        assert answered


def test_the_servers_own_address_is_never_banned(start_siprouter) -> None:
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-A", "WITH_ANTIFLOOD",
                    "-A", "PIKE_DENSITY=3")
    with udp_socket() as s:
        via = f"127.0.0.1:{s.getsockname()[1]}"
        s.settimeout(2)
        for _ in range(10):
            s.sendto(keepalive(port, via), ("127.0.0.1", port))
            assert status_of(s.recv(65535)) == 200
