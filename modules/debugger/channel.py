"""The debugger's shared memory: one slot per worker and the server-wide breakpoint table.

Kamailio's model: a worker stopped at a breakpoint is blocked inside the script, so nothing can
call into it. The RPC process writes a command into the worker's slot and polls for the answer;
the stopped worker polls its slot every `step_usleep`. Everything both sides need lives in one
`Segment` created by the main process before it forks the RPC process and the workers.

Layout (int64 cells, native byte order):

    header     magic, slots, bp generation, bp table length, next bp id, mod-level generation,
               mod-level table length, spare
    bp table   JSON list of breakpoints (TABLE_SIZE bytes), written under a seqlock
    mod levels JSON object {module: [level, facility]} (MODLEVEL_SIZE bytes), same
    hits       MAX_BPS cells per slot: how often each breakpoint stopped that worker
    slots      SLOT_CELLS cells, then IN_SIZE bytes of command argument, OUT_SIZE bytes of answer

A command: the RPC side writes the argument, `in.cmd`, `in.pid`, then bumps `in.seq`. The worker
answers with the text, `out.status` and `out.len`, then sets `out.seq` to the sequence it
answered. Each side writes its own cells only, except `set` (the RPC side, and the worker when it times
out) and the seqlocked tables (the RPC side, serialised by a file lock). Every change a worker
must notice bumps its slot's `gen`, which the worker compares once per message.
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from siprouter.core.shared.segment import Segment

_MAGIC = 0x31474244_50525253  # "SRPRDBG1"-ish tag
HEADER_CELLS = 8
H_MAGIC, H_SLOTS, H_BP_GEN, H_BP_LEN, H_NEXT_ID, H_ML_GEN, H_ML_LEN = range(7)

TABLE_SIZE = 64 * 1024
MODLEVEL_SIZE = 16 * 1024
MAX_BPS = 128

SLOT_CELLS = 16
(PID, SET, STATE, IN_PID, IN_CMD, IN_SEQ, OUT_SEQ, OUT_STATUS, OUT_LEN, ACTION,
 IN_LEN, GEN) = range(12)
IN_SIZE = 4096
OUT_SIZE = 256 * 1024
SLOT_SIZE = SLOT_CELLS * 8 + IN_SIZE + OUT_SIZE

# `set` bits (Kamailio's): cfgtrace on, every-action breakpoints on, line breakpoints exist.
SET_TRACE = 1
SET_BREAK = 2
SET_LINES = 4

# `state` (Kamailio's numbers): running, stopped at an action, released by next/step.
STATE_RUNNING = 0
STATE_WAITING = 1
STATE_NEXT = 2

# Commands (`in.cmd`): Kamailio's numbers first, ours after.
CMD_NOP, CMD_ERR, CMD_READ, CMD_NEXT, CMD_MOVE, CMD_SHOW, CMD_EVAL, CMD_LOG = range(8)
CMD_OVER, CMD_OUT, CMD_STACK, CMD_VARS, CMD_MSG = range(8, 13)


class ChannelFull(RuntimeError):
    """Every slot is taken by a live process."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Slot:
    """One worker's cells and buffers."""

    def __init__(self, buf: memoryview, index: int) -> None:
        self.index = index
        self.cells = buf[:SLOT_CELLS * 8].cast("q")
        self.inbuf = buf[SLOT_CELLS * 8:SLOT_CELLS * 8 + IN_SIZE]
        self.outbuf = buf[SLOT_CELLS * 8 + IN_SIZE:SLOT_SIZE]

    # --- the RPC side ----------------------------------------------------------------------

    def update_set(self, add: int = 0, remove: int = 0) -> None:
        """Change the `set` bits; the worker sees it at its next message."""
        cells = self.cells
        cells[SET] = (cells[SET] | add) & ~remove
        cells[GEN] += 1

    def changed(self) -> None:
        """Make the worker re-read everything at its next message (one compare per message
        otherwise)."""
        self.cells[GEN] += 1

    def send(self, cmd: int, arg: str = "", sender: int = 0) -> int:
        """Post a command; returns its sequence number (the answer carries it)."""
        data = arg.encode()[:IN_SIZE]
        cells = self.cells
        self.inbuf[:len(data)] = data
        cells[IN_LEN] = len(data)
        cells[IN_CMD] = cmd
        cells[IN_PID] = sender or os.getpid()
        seq = cells[IN_SEQ] + 1
        cells[IN_SEQ] = seq  # last: the worker acts when it sees a new sequence
        return seq

    def answer_for(self, seq: int) -> tuple[int, str] | None:
        """(status, text) when the worker has answered command `seq`, else None."""
        cells = self.cells
        if cells[OUT_SEQ] != seq:
            return None
        n = max(0, min(cells[OUT_LEN], OUT_SIZE))
        return cells[OUT_STATUS], bytes(self.outbuf[:n]).decode(errors="replace")

    # --- the worker side -------------------------------------------------------------------

    def argument(self) -> str:
        n = max(0, min(self.cells[IN_LEN], IN_SIZE))
        return bytes(self.inbuf[:n]).decode(errors="replace")

    def reply(self, seq: int, text: str, status: int = 0) -> None:
        """Answer command `seq` (status 0: ok; else a fault code with `text` its message)."""
        data = text.encode()
        if len(data) > OUT_SIZE:
            status, data = 500, f"reply too large ({len(data)} bytes)".encode()
        cells = self.cells
        self.outbuf[:len(data)] = data
        cells[OUT_LEN] = len(data)
        cells[OUT_STATUS] = status
        cells[IN_CMD] = CMD_NOP
        cells[OUT_SEQ] = seq  # last


class Channel:
    """The debugger segment of one server."""

    def __init__(self, segment: Segment) -> None:
        self.segment = segment
        buf = segment.buf
        self.header = buf[:HEADER_CELLS * 8].cast("q")
        if self.header[H_MAGIC] != _MAGIC:
            raise ValueError(f"{segment.path} is not a debugger segment")
        self.nslots = self.header[H_SLOTS]
        off = HEADER_CELLS * 8
        self._table = buf[off:off + TABLE_SIZE]
        off += TABLE_SIZE
        self._modlevels = buf[off:off + MODLEVEL_SIZE]
        off += MODLEVEL_SIZE
        self.hits = buf[off:off + MAX_BPS * self.nslots * 8].cast("q")
        off += MAX_BPS * self.nslots * 8
        self.slots = [Slot(buf[off + i * SLOT_SIZE:off + (i + 1) * SLOT_SIZE], i)
                      for i in range(self.nslots)]

    @classmethod
    def create(cls, nslots: int, directory: str | None = None) -> Channel:
        size = (HEADER_CELLS * 8 + TABLE_SIZE + MODLEVEL_SIZE + MAX_BPS * nslots * 8
                + nslots * SLOT_SIZE)
        seg = Segment.create(size, prefix="siprouter-debugger-", directory=directory)
        struct.pack_into("=qq", seg.buf, 0, _MAGIC, nslots)
        channel = cls(seg)
        channel.header[H_NEXT_ID] = 1
        channel._write_json(channel._table, H_BP_GEN, H_BP_LEN, [])
        channel._write_json(channel._modlevels, H_ML_GEN, H_ML_LEN, {})
        return channel

    def close(self, unlink: bool = False) -> None:
        if unlink:
            self.segment.unlink()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise writers across processes (slot claims, table updates)."""
        fd = os.open(self.segment.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # --- slots -----------------------------------------------------------------------------

    def claim(self, pid: int | None = None) -> Slot:
        """A free slot for this process (or `pid`): a new worker starts with clean cells."""
        pid = pid or os.getpid()
        with self.locked():
            for slot in self.slots:
                other = slot.cells[PID]
                if other in (0, pid) or not _alive(other):
                    cells = slot.cells
                    for i in range(SLOT_CELLS):
                        if i not in (IN_SEQ, OUT_SEQ, GEN):
                            cells[i] = 0
                    cells[OUT_SEQ] = cells[IN_SEQ]
                    cells[ACTION] = -1
                    for b in range(MAX_BPS):
                        self.hits[slot.index * MAX_BPS + b] = 0
                    cells[PID] = pid
                    return slot
        raise ChannelFull(f"no free debugger slot ({self.nslots} slots)")

    def find(self, pid: int) -> Slot | None:
        """The slot of a live worker `pid`."""
        if pid <= 0:
            return None
        for slot in self.slots:
            if slot.cells[PID] == pid:
                return slot
        return None

    def claimed(self) -> list[Slot]:
        return [s for s in self.slots if s.cells[PID]]

    # --- breakpoint table and module levels ---------------------------------------------------

    @property
    def bp_generation(self) -> int:
        return self.header[H_BP_GEN]

    def breakpoints(self) -> tuple[int, list[dict[str, Any]]]:
        """(generation, breakpoints) as last published."""
        return self._read_json(self._table, H_BP_GEN, H_BP_LEN, [])

    def publish_breakpoints(self, table: list[dict[str, Any]]) -> None:
        self._write_json(self._table, H_BP_GEN, H_BP_LEN, table)
        for slot in self.slots:
            slot.changed()

    def next_id(self) -> int:
        """A new breakpoint id (call under `locked`)."""
        n = self.header[H_NEXT_ID]
        self.header[H_NEXT_ID] = n + 1
        return n

    def modlevels(self) -> tuple[int, dict[str, list[Any]]]:
        return self._read_json(self._modlevels, H_ML_GEN, H_ML_LEN, {})

    def publish_modlevels(self, table: dict[str, list[Any]]) -> None:
        self._write_json(self._modlevels, H_ML_GEN, H_ML_LEN, table)
        for slot in self.slots:
            slot.changed()

    def add_hit(self, slot: Slot, index: int) -> None:
        self.hits[slot.index * MAX_BPS + index] += 1

    def total_hits(self, index: int) -> int:
        return sum(self.hits[s * MAX_BPS + index] for s in range(self.nslots))

    def clear_hits(self, index: int) -> None:
        for s in range(self.nslots):
            self.hits[s * MAX_BPS + index] = 0

    def _read_json(self, region: memoryview, gen_cell: int, len_cell: int,
                   empty: Any) -> tuple[int, Any]:
        header = self.header
        for _ in range(1000):
            gen = header[gen_cell]
            if gen & 1:
                continue  # being written
            n = max(0, min(header[len_cell], len(region)))
            data = bytes(region[:n])
            if header[gen_cell] == gen:
                try:
                    return gen, json.loads(data) if data else empty
                except ValueError:
                    return gen, empty
        return header[gen_cell], empty

    def _write_json(self, region: memoryview, gen_cell: int, len_cell: int, value: Any) -> None:
        data = json.dumps(value).encode()
        if len(data) > len(region):
            raise ValueError("debugger table full")
        header = self.header
        gen = header[gen_cell]
        header[gen_cell] = gen + 1  # odd: readers wait
        region[:len(data)] = data
        header[len_cell] = len(data)
        header[gen_cell] = gen + 2
