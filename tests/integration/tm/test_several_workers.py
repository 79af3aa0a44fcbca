"""tm with two workers (`children=2`): every message of a transaction reaches the worker owning
it (modules/tm/workers.py). SIPp drives many calls, so both workers receive INVITEs, replies,
CANCELs and ACKs of transactions the other one owns; not one call may fail."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.conftest import Process, free_port

SCENARIOS = Path(__file__).parent / "scenarios"
CALLS = "200"
RATE = "50"  # calls per second: moderate, the point is ownership, not load


def _uas(sipp: str, scenario: str, port: int, tmp_path: Path,
         processes: list[Process], mode: list[str]) -> None:
    proc = Process([sipp, "-sf", str(SCENARIOS / scenario), *mode, "-i", "127.0.0.1",
                    "-p", str(port), "-nostdin"], cwd=tmp_path,
                   log=tmp_path / f"{scenario}.{port}.log")
    processes.append(proc)


def _uac(sipp: str, scenario: str, proxy: int, tmp_path: Path, mode: list[str]) -> None:
    uac = subprocess.run(
        [sipp, "-sf", str(SCENARIOS / scenario), *mode, f"127.0.0.1:{proxy}",
         "-i", "127.0.0.1", "-p", str(free_port()), "-m", CALLS, "-r", RATE,
         "-timeout", "60", "-nostdin"], cwd=tmp_path, capture_output=True, text=True,
        timeout=120)
    # SIPp exits 0 only when every call succeeded (1: some failed, 99: normal exit with none)
    assert uac.returncode == 0, uac.stdout[-3000:] + uac.stderr[-2000:]


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_two_workers_relay_full_calls(transport: str, sipp: str, tmp_path: Path,
                                      processes: list[Process], start_siprouter) -> None:
    proxy, uas = free_port(), free_port()
    mode = ["-t", "t1"] if transport == "tcp" else []
    _uas(sipp, "uas.xml", uas, tmp_path, processes, mode)
    args = ["-l", f"udp:127.0.0.1:{proxy}", "-A", f'DST_URI="sip:127.0.0.1:{uas}"',
            "-A", "CHILDREN=2"]
    if transport == "tcp":
        args += ["-l", f"tcp:127.0.0.1:{proxy}", "-A", "WITH_TCP_RELAY"]
    start_siprouter("stateful-relay.cfg", proxy, *args)
    _uac(sipp, "uac.xml", proxy, tmp_path, mode)


def test_two_workers_cancel_ringing_calls(sipp: str, tmp_path: Path,
                                          processes: list[Process], start_siprouter) -> None:
    proxy, uas = free_port(), free_port()
    _uas(sipp, "uas_cancel.xml", uas, tmp_path, processes, [])
    start_siprouter("stateful-relay.cfg", proxy, "-l", f"udp:127.0.0.1:{proxy}",
                    "-A", f'DST_URI="sip:127.0.0.1:{uas}"', "-A", "CHILDREN=2")
    _uac(sipp, "uac_cancel.xml", proxy, tmp_path, [])


def test_two_workers_serial_fork_after_486(sipp: str, tmp_path: Path,
                                           processes: list[Process], start_siprouter) -> None:
    proxy, busy, uas = free_port(), free_port(), free_port()
    _uas(sipp, "uas_busy.xml", busy, tmp_path, processes, [])
    _uas(sipp, "uas.xml", uas, tmp_path, processes, [])
    start_siprouter("stateful-relay.cfg", proxy, "-l", f"udp:127.0.0.1:{proxy}",
                    "-A", f'DST_URI="sip:127.0.0.1:{busy}"',
                    "-A", f'DST2_URI="sip:127.0.0.1:{uas}"', "-A", "WITH_SERIAL",
                    "-A", "CHILDREN=2")
    _uac(sipp, "uac.xml", proxy, tmp_path, [])
