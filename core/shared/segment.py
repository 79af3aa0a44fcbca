"""A shared memory segment every process of the server maps: an mmap'd file.

`multiprocessing.shared_memory` would do, but its resource tracker unlinks a segment when any
process that merely attached to it exits (bpo-39959, Python 3.11); a file we own has no such
surprise, and its path is all a process started with `spawn` needs to find it. The file lives in
`/dev/shm` when there is one (memory, not disk), else in the temporary directory.

A `Segment` pickles as its path, so it can be handed to `multiprocessing` children under any
start method; under `fork` the child simply keeps the parent's mapping.

A segment's file is named `<prefix><pid of the maker>-<random>.shm`. A server killed with -9
cannot remove its files: the next segment made with the same prefix removes every file whose
maker is gone, so /dev/shm does not fill up over restarts (core/shared/shmstore.py sweeps its
SQLite files the same way).
"""

from __future__ import annotations

import glob
import mmap
import os
import tempfile
from collections.abc import Callable
from typing import Any


def default_directory() -> str:
    """Where segments are created unless told otherwise."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else (
        tempfile.gettempdir())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process: not ours to judge
        return True
    return True


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def sweep_dead_makers(prefix: str, suffix: str, directory: str | None = None,
                      remove: Callable[[str], None] = _unlink) -> list[str]:
    """Remove the files `<prefix><pid>-<anything><suffix>` whose maker pid is gone; the paths
    removed. Files of live processes, this one included, stay, and so do names without a pid."""
    removed = []
    folder = directory or default_directory()
    for path in glob.glob(os.path.join(glob.escape(folder), f"{glob.escape(prefix)}*-*{suffix}")):
        pid_text = os.path.basename(path)[len(prefix):].split("-")[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid() or _alive(int(pid_text)):
            continue
        remove(path)
        removed.append(path)
    return removed


class Segment:
    """`size` bytes of memory shared by every process that maps `path`."""

    def __init__(self, path: str, size: int, *, create: bool) -> None:
        self.path = path
        self.size = size
        self.owner = create
        flags = os.O_RDWR | (os.O_CREAT | os.O_EXCL if create else 0)
        fd = os.open(path, flags, 0o600)
        try:
            if create:
                os.ftruncate(fd, size)
            else:
                self.size = size = os.fstat(fd).st_size
            self._map = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        finally:
            os.close(fd)
        self.buf = memoryview(self._map)

    @classmethod
    def create(cls, size: int, prefix: str = "siprouter-", directory: str | None = None) -> Segment:
        """A new zero-filled segment with a unique name (after removing the segments of this
        prefix that dead processes left)."""
        sweep_dead_makers(prefix, ".shm", directory)
        fd, path = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}-", suffix=".shm",
                                    dir=directory or default_directory())
        os.close(fd)
        os.unlink(path)
        return cls(path, size, create=True)

    @classmethod
    def attach(cls, path: str) -> Segment:
        """Map an existing segment (its size is the file's)."""
        return cls(path, 0, create=False)

    def unlink(self) -> None:
        """Remove the file; processes that have it mapped keep their mapping."""
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def close(self) -> None:
        self.buf.release()
        self._map.close()

    def __reduce__(self) -> tuple[Any, ...]:
        return (Segment.attach, (self.path,))
