"""Counters (Kamailio 3.1's statistics API): named, grouped integers every process adds to.

Each process writes only its own row of slots and a reader sums the rows, so an increment is one
unlocked store to memory no other process writes (Kamailio keeps per-process counters in shared
memory for the same reason). A module defines its counters once, at import:

    from siprouter.core.shared import counters
    replies_200 = counters.define("sl", "200_replies", "number of 200 replies")
    ...
    replies_200.inc()

Before `share()` the counters live in private memory (tests, tools, a one-process server). The
supervisor calls `share(processes)` before it starts workers: the layout is fixed from then on,
and each worker calls `bind(rank)` to pick its row. A process started with `spawn` re-imports
the modules (so defines the same counters) and calls `join(path, rank)`.

Layout of the shared segment (all int64, native byte order):
    header: magic, process rows, counters, length of the name table
    name table: JSON list of [group, name, doc], padded to 8 bytes
    reset row: the sum at the last reset, per counter (value = sum of rows - reset row)
    one row per process
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .segment import Segment

_MAGIC = 0x31544E4352505253  # "SRPRCNT1" little-endian
_HEADER = struct.Struct("=qqqq")
_INITIAL_CAPACITY = 64


class CounterError(LookupError):
    """No such counter or group, or a definition that cannot be made any more."""


@dataclass(frozen=True)
class CounterDef:
    """What a counter is: where it belongs, what it counts, and an optional computed value."""

    group: str
    name: str
    doc: str
    getter: Callable[[], int] | None = None

    @property
    def key(self) -> str:
        return f"{self.group}.{self.name}"


class Counter:
    """A handle on one counter; `inc` is the hot path (one indexed add)."""

    __slots__ = ("_set", "_col", "definition")

    def __init__(self, owner: CounterSet, col: int, definition: CounterDef) -> None:
        self._set = owner
        self._col = col
        self.definition = definition

    def inc(self, n: int = 1) -> None:
        """Add `n` (default 1) to this process's share of the counter."""
        s = self._set
        s._cells[s._row + self._col] += n

    def add(self, n: int) -> None:
        """Add `n` (may be negative)."""
        s = self._set
        s._cells[s._row + self._col] += n

    def get(self) -> int:
        """The value every process sees: the computed value when the counter has a getter."""
        return self._set.value(self.definition.group, self.definition.name)

    def reset(self) -> None:
        self._set.reset(self.definition.group, self.definition.name)


class CounterSet:
    """All counters of a server, in private memory until `share()`."""

    def __init__(self) -> None:
        self._defs: list[CounterDef] = []
        self._handles: dict[tuple[str, str], Counter] = {}
        self._capacity = _INITIAL_CAPACITY
        self._buffer: bytearray | None = bytearray(8 * 2 * self._capacity)
        self._cells = memoryview(self._buffer).cast("q")
        # Offsets (in cells) of the reset row and of this process's row; private layout has the
        # reset row first, then one row, each `capacity` wide.
        self._reset_row = 0
        self._row = self._capacity
        self._rows = 1
        self._width = self._capacity
        self.segment: Segment | None = None

    # --- definitions ----------------------------------------------------------------------------

    def define(self, group: str, name: str, doc: str = "",
               getter: Callable[[], int] | None = None) -> Counter:
        """Declare counter `group.name` (idempotent: the same handle for the same names)."""
        if not group or not name or "." in group:
            raise CounterError(f"bad counter name {group!r}.{name!r}")
        handle = self._handles.get((group, name))
        if handle is not None:
            return handle
        if self.segment is not None:
            raise CounterError(f"counter {group}.{name} defined after the counters were shared")
        if len(self._defs) == self._capacity:
            self._grow()
        definition = CounterDef(group, name, doc, getter)
        handle = Counter(self, len(self._defs), definition)
        self._defs.append(definition)
        self._handles[(group, name)] = handle
        return handle

    def _grow(self) -> None:
        old = self._cells
        cap = self._capacity
        self._capacity = new = cap * 2
        self._buffer = bytearray(8 * 2 * new)
        cells = memoryview(self._buffer).cast("q")
        cells[0:cap] = old[0:cap]
        cells[new:new + cap] = old[cap:2 * cap]
        old.release()
        self._cells = cells
        self._row = self._width = new

    def handle(self, group: str, name: str) -> Counter:
        """The handle of a defined counter; CounterError if there is none."""
        try:
            return self._handles[(group, name)]
        except KeyError:
            raise CounterError(f"no counter {group}.{name}") from None

    def has(self, group: str, name: str) -> bool:
        return (group, name) in self._handles

    def definitions(self) -> list[CounterDef]:
        """Every definition, sorted by group and name (the order Kamailio lists them in)."""
        return sorted(self._defs, key=lambda d: (d.group, d.name))

    def groups(self) -> list[str]:
        """Group names, sorted as Kamailio sorts them (byte order, as strcmp does)."""
        return sorted({d.group for d in self._defs})

    def names(self, group: str) -> list[str]:
        """Counter names of `group`, sorted as Kamailio sorts them; CounterError for an
        unknown group."""
        names = sorted(d.name for d in self._defs if d.group == group)
        if not names:
            raise CounterError(f"no counter group {group}")
        return names

    def doc(self, group: str, name: str) -> str:
        return self.handle(group, name).definition.doc

    # --- values ---------------------------------------------------------------------------------

    def raw(self, group: str, name: str) -> int:
        """The stored value: the sum over processes since the last reset, ignoring a getter."""
        col = self.handle(group, name)._col
        cells, width = self._cells, self._width
        total = 0
        for r in range(self._rows):
            total += cells[self._reset_row + width * (r + 1) + col]
        return total - cells[self._reset_row + col]

    def value(self, group: str, name: str) -> int:
        """The value a reader sees: the getter's when the counter has one, else the raw sum."""
        getter = self.handle(group, name).definition.getter
        if getter is not None:
            return int(getter())
        return self.raw(group, name)

    def reset(self, group: str, name: str) -> None:
        """Start counting `group.name` from zero again (for every process)."""
        col = self.handle(group, name)._col
        with self._locked():
            self._cells[self._reset_row + col] += self.raw(group, name)

    def items(self) -> Iterator[tuple[CounterDef, int]]:
        for d in self._defs:
            yield d, self.value(d.group, d.name)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if self.segment is None:
            yield
            return
        fd = os.open(self.segment.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor drops the lock

    # --- sharing --------------------------------------------------------------------------------

    def share(self, processes: int, directory: str | None = None) -> Segment:
        """Move the counters into a new shared segment with one row per process (ranks
        0..processes-1); this process keeps rank 0 and its counts so far. No definitions after."""
        if self.segment is not None:
            raise CounterError("counters are shared already")
        if processes < 1:
            raise ValueError("processes must be at least 1")
        table = json.dumps([[d.group, d.name, d.doc] for d in self._defs]).encode()
        table += b" " * (-len(table) % 8)
        n = len(self._defs)
        size = _HEADER.size + len(table) + 8 * n * (processes + 1)
        seg = Segment.create(size, prefix="siprouter-counters-", directory=directory)
        _HEADER.pack_into(seg.buf, 0, _MAGIC, processes, n, len(table))
        seg.buf[_HEADER.size:_HEADER.size + len(table)] = table
        old, old_row = self._cells, self._row
        cells = seg.buf[_HEADER.size + len(table):].cast("q")
        for col in range(n):
            cells[n + col] = old[old_row + col] - old[col]
        old.release()
        self._buffer = None
        self._install(seg, cells, n, processes)
        return seg

    def _install(self, seg: Segment, cells: memoryview, width: int, processes: int) -> None:
        self.segment = seg
        self._cells = cells
        self._width = width
        self._rows = processes
        self._reset_row = 0
        self._row = width  # rank 0

    def bind(self, rank: int) -> None:
        """Count this process's increments in row `rank` (0..processes-1)."""
        if self.segment is None:
            if rank != 0:
                raise CounterError("counters are not shared: only rank 0 exists")
            return
        if not 0 <= rank < self._rows:
            raise CounterError(f"rank {rank} out of range 0..{self._rows - 1}")
        self._row = self._width * (rank + 1)

    @property
    def processes(self) -> int:
        return self._rows

    def join(self, path: str, rank: int) -> None:
        """Use the shared segment at `path` (made by `share` in another process) as rank `rank`.
        Counters defined here must all be in it; counters only it has become known here."""
        seg = Segment.attach(path)
        magic, processes, n, table_len = _HEADER.unpack_from(seg.buf, 0)
        if magic != _MAGIC:
            seg.close()
            raise CounterError(f"{path} is not a counters segment")
        table = json.loads(bytes(seg.buf[_HEADER.size:_HEADER.size + table_len]))
        columns = {(g, nm): i for i, (g, nm, _doc) in enumerate(table)}
        missing = [d.key for d in self._defs if (d.group, d.name) not in columns]
        if missing:
            seg.close()
            raise CounterError(f"counters not in the shared segment: {', '.join(missing)}")
        local = {(d.group, d.name): d for d in self._defs}
        self._defs = []
        for i, (g, nm, doc) in enumerate(table):
            d = local.get((g, nm), CounterDef(g, nm, doc))
            self._defs.append(d)
            h = self._handles.get((g, nm))
            if h is None:
                self._handles[(g, nm)] = Counter(self, i, d)
            else:
                h._col = i
        self._cells.release()
        self._buffer = None
        cells = seg.buf[_HEADER.size + table_len:].cast("q")
        self._install(seg, cells, n, processes)
        self.bind(rank)

    def close(self) -> None:
        """Unmap the shared segment (the owner should `segment.unlink()` too)."""
        if self.segment is not None:
            self._cells.release()
            self.segment.close()


COUNTERS = CounterSet()


def define(group: str, name: str, doc: str = "", getter: Callable[[], int] | None = None) -> Counter:
    """Define a counter in the server's counter set (call at module import)."""
    return COUNTERS.define(group, name, doc, getter)
