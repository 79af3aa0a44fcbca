"""The process table every process of the server sees (core.ps): a row per process with its
pid and description. A process registers itself and gets its rank: the row it also counts in
(CounterSet.bind). A row whose process is gone is taken by the next process that registers."""

from __future__ import annotations

import fcntl
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager

from .segment import Segment

_ROW = struct.Struct("=q120s")  # pid, description (UTF-8, NUL padded)


class ProcessTableFull(RuntimeError):
    pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ProcessTable:
    """`size` rows in a shared segment."""

    def __init__(self, size: int, directory: str | None = None) -> None:
        self.size = size
        self.segment = Segment.create(_ROW.size * size, prefix="siprouter-procs-",
                                      directory=directory)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.segment.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def register(self, description: str, pid: int | None = None, rank: int | None = None) -> int:
        """Put this process (or `pid`) in a free row (or row `rank`); returns the row."""
        pid = pid or os.getpid()
        with self._locked():
            rows = [rank] if rank is not None else range(self.size)
            for r in rows:
                other, _ = _ROW.unpack_from(self.segment.buf, r * _ROW.size)
                if other in (0, pid) or not _alive(other) or rank is not None:
                    _ROW.pack_into(self.segment.buf, r * _ROW.size, pid,
                                   description.encode()[:_ROW.size - 8])
                    return r
        raise ProcessTableFull(f"no free row for {description} (table of {self.size})")

    def entries(self) -> list[tuple[int, int, str]]:
        """(rank, pid, description) of each live process, by rank."""
        out = []
        for r in range(self.size):
            pid, desc = _ROW.unpack_from(self.segment.buf, r * _ROW.size)
            if pid and _alive(pid):
                out.append((r, pid, desc.rstrip(b"\0").decode(errors="replace")))
        return out
