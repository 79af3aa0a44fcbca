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
