"""Shared memory segments: the file a server's processes map, and what a killed server leaves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from siprouter.core.shared.segment import Segment


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_segment_is_named_after_its_maker(tmp_path: Path) -> None:
    seg = Segment.create(64, prefix="siprouter-cfg-", directory=str(tmp_path))
    try:
        assert Path(seg.path).name.startswith(f"siprouter-cfg-{os.getpid()}-")
        assert Path(seg.path).suffix == ".shm"
    finally:
        seg.close()
        seg.unlink()


def test_a_new_segment_removes_those_a_killed_server_left(tmp_path: Path) -> None:
    left = tmp_path / f"siprouter-cfg-{_dead_pid()}-abcd1234.shm"
    live = tmp_path / f"siprouter-cfg-{os.getppid()}-abcd1234.shm"
    other = tmp_path / f"siprouter-counters-{_dead_pid()}-abcd1234.shm"
    unnamed = tmp_path / "siprouter-cfg-0wdi037x.shm"  # older naming: no maker to check
    for path in (left, live, other, unnamed):
        path.write_bytes(b"\0" * 8)
    seg = Segment.create(64, prefix="siprouter-cfg-", directory=str(tmp_path))
    try:
        assert not left.exists()
        assert live.exists() and other.exists() and unnamed.exists()
    finally:
        seg.close()
        seg.unlink()


def test_a_killed_server_leaves_nothing_behind_after_the_next_start(tmp_path: Path) -> None:
    code = ("import signal, os\n"
            "from siprouter.core.shared.segment import Segment\n"
            f"Segment.create(64, prefix='siprouter-cfg-', directory={str(tmp_path)!r})\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n")
    subprocess.run([sys.executable, "-c", code], check=False)
    assert len(list(tmp_path.iterdir())) == 1  # the killed process could not clean up
    seg = Segment.create(64, prefix="siprouter-cfg-", directory=str(tmp_path))
    try:
        assert [p.name for p in tmp_path.iterdir()] == [Path(seg.path).name]
    finally:
        seg.close()
        seg.unlink()
