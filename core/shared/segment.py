"""A shared memory segment every process of the server maps: an mmap'd file.

`multiprocessing.shared_memory` would do, but its resource tracker unlinks a segment when any
process that merely attached to it exits (bpo-39959, Python 3.11); a file we own has no such
surprise, and its path is all a process started with `spawn` needs to find it. The file lives in
`/dev/shm` when there is one (memory, not disk), else in the temporary directory.

A `Segment` pickles as its path, so it can be handed to `multiprocessing` children under any
start method; under `fork` the child simply keeps the parent's mapping.
"""

from __future__ import annotations

import mmap
import os
import tempfile
from typing import Any


def default_directory() -> str:
    """Where segments are created unless told otherwise."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else (
        tempfile.gettempdir())


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
        """A new zero-filled segment with a unique name."""
        fd, path = tempfile.mkstemp(prefix=prefix, suffix=".shm", dir=directory or default_directory())
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
