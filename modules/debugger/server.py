"""The debugger across the server's processes.

`DebugServer` is made in the main process once the script is compiled (before the RPC process
and the workers are forked, so all of them map its `Channel`): it holds the settings, the
script's actions, the cfg files and their text, and the breakpoint table operations the RPC
handlers use. Each worker then attaches a `WorkerDebugger` to its copy of the script.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from siprouter.core.cfg import ast
from siprouter.core.rpc.errors import RPCFault
from siprouter.core.runtime import debugging
from siprouter.core.runtime.compiler import Script
from siprouter.core.runtime.context import WorkerState

from . import channel as C
from .conditions import ConditionError, compile_condition
from .engine import WorkerDebugger
from .lines import NoSuchLine, resolve
from .settings import LOGGER, DebuggerSettings

log = logging.getLogger("siprouter.debugger")

NOT_WAITING = "Process is not waiting at a breakpoint"
EXTRA_SLOTS = 2  # beyond `children`: a worker that replaces a dead one, the main process


@dataclass
class DebugServer:
    """Everything the debugger shares between the processes of one server."""

    script: Script
    channel: C.Channel
    settings: DebuggerSettings
    files: list[str]
    sources: dict[str, str] = field(default_factory=dict)
    _locks: dict[int, threading.Lock] = field(default_factory=dict)

    @classmethod
    def create(cls, script: Script, settings: DebuggerSettings, *, slots: int,
               directory: str | None = None) -> DebugServer:
        files = list(script.config.files) or sorted({a.file for a in script.actions})
        sources = {}
        for f in files:
            try:
                with open(f, encoding="utf-8", errors="replace") as fh:
                    sources[f] = fh.read()
            except OSError:
                sources[f] = ""
        server = cls(script, C.Channel.create(slots, directory), settings, files, sources)
        server._add_anchors()
        return server

    # --- workers ------------------------------------------------------------------------------

    def attach(self, script: Script, *, pid: int | None = None,
               sleep: Callable[[float], None] = time.sleep) -> WorkerDebugger:
        """A worker's debugger on a fresh slot, with the start-up modparams applied."""
        slot = self.channel.claim(pid)
        flags = (C.SET_TRACE if self.settings.cfgtrace else 0) | (
            C.SET_BREAK if self.settings.breakpoint else 0)
        slot.update_set(add=flags)
        worker = WorkerDebugger(script, self.channel, slot, self.settings, sleep=sleep,
                                pid=pid, logger=LOGGER)
        worker.sync()
        return worker

    def slot_of(self, pid: Any) -> C.Slot:
        """The slot of worker `pid`; fault `500 No such pid`."""
        try:
            n = int(pid)
        except (TypeError, ValueError):
            raise RPCFault(500, "No such pid") from None
        slot = self.channel.find(n)
        if slot is None:
            raise RPCFault(500, "No such pid")
        return slot

    def action(self, slot: C.Slot) -> Any:
        """The action `slot`'s worker is stopped at, or None."""
        i = slot.cells[C.ACTION]
        if slot.cells[C.STATE] != C.STATE_WAITING or not 0 <= i < len(self.script.actions):
            return None
        return self.script.actions[i]

    async def ask(self, slot: C.Slot, cmd: int, arg: str = "", *,
                  need_wait: bool = True) -> str:
        """Send a command to a stopped worker and wait for its answer (faults as RPCFault)."""
        lock = self._locks.setdefault(slot.index, threading.Lock())
        deadline = time.monotonic() + self.settings.wait_seconds
        poll = min(self.settings.step_seconds, 0.002)
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise RPCFault(500, "Another command for this process is in progress")
            await asyncio.sleep(poll)
        try:
            cells = slot.cells
            if need_wait and cells[C.STATE] != C.STATE_WAITING:
                raise RPCFault(500, NOT_WAITING)
            seq = slot.send(cmd, arg)
            while True:
                answer = slot.answer_for(seq)
                if answer is not None:
                    status, text = answer
                    if status:
                        raise RPCFault(status, text)
                    return text
                if cells[C.STATE] != C.STATE_WAITING and slot.answer_for(seq) is None:
                    raise RPCFault(500, "The process left the breakpoint")
                if time.monotonic() > deadline:
                    raise RPCFault(500, "No answer from the process")
                await asyncio.sleep(poll)
        finally:
            lock.release()

    # --- line breakpoints -----------------------------------------------------------------------

    def breakpoints(self) -> list[dict[str, Any]]:
        """`{id, file, line, cond, hits}` of every breakpoint, by id."""
        _gen, table = self.channel.breakpoints()
        return [{"id": r["id"], "file": r["file"], "line": r["line"], "cond": r["cond"],
                 "hits": self.channel.total_hits(r["index"])}
                for r in sorted(table, key=lambda r: r["id"])]

    def add_breakpoint(self, place: str, cond: str = "") -> dict[str, Any]:
        """Add a line breakpoint (every worker); faults 400 (bad place or condition), 404 (no
        action there), 500 (table full)."""
        try:
            spot = resolve(place, self.files, self.script.actions)
        except NoSuchLine as exc:
            raise RPCFault(404, str(exc)) from None
        except ValueError as exc:
            raise RPCFault(400, str(exc)) from None
        cond = cond.strip()
        if cond:
            try:
                compile_condition(cond, self.script.loaded)
            except ConditionError as exc:
                raise RPCFault(400, f"bad condition: {exc}") from None
        index = self.script.actions.index(spot.action)
        return self._insert(spot.file, spot.line, cond, index)

    def _insert(self, file: str, line: int, cond: str, action: int) -> dict[str, Any]:
        chan = self.channel
        with chan.locked():
            _gen, table = chan.breakpoints()
            used = {r["index"] for r in table}
            free = next((i for i in range(C.MAX_BPS) if i not in used), None)
            if free is None:
                raise RPCFault(500, f"too many breakpoints ({C.MAX_BPS})")
            row = {"id": chan.next_id(), "file": file, "line": line, "cond": cond,
                   "index": free, "action": action}
            chan.clear_hits(free)
            chan.publish_breakpoints(table + [row])
        return {"id": row["id"], "file": file, "line": line, "cond": cond}

    def delete_breakpoint(self, bp_id: int) -> None:
        chan = self.channel
        with chan.locked():
            _gen, table = chan.breakpoints()
            rest = [r for r in table if r["id"] != bp_id]
            if len(rest) == len(table):
                raise RPCFault(404, f"no breakpoint {bp_id}")
            chan.publish_breakpoints(rest)

    def _add_anchors(self) -> None:
        """`dbg_breakpoint(1)` in the script: a breakpoint at that call from the start."""
        for i, action in enumerate(self.script.actions):
            node = action.node
            if (action.name == "dbg_breakpoint" and isinstance(node, ast.Call) and node.args
                    and isinstance(node.args[0], ast.IntLit) and node.args[0].value == 1):
                self._insert(action.file, action.line, "", i)

    # --- module log levels ----------------------------------------------------------------------

    def set_mod_level(self, module: str, level: int | None = None,
                      facility: str | None = None) -> None:
        chan = self.channel
        with chan.locked():
            _gen, table = chan.modlevels()
            old = table.get(module, [None, None])
            table[module] = [level if level is not None else old[0],
                             facility if facility is not None else old[1]]
            chan.publish_modlevels(table)

    def mod_level(self, module: str) -> tuple[int | None, str | None]:
        _gen, table = self.channel.modlevels()
        level, facility = table.get(module, [None, None])
        return level, facility

    def close(self) -> None:
        self.channel.close(unlink=True)


# --- the process-wide instance and the server hooks ---------------------------------------------

_current: DebugServer | None = None


def current() -> DebugServer:
    """The server's debugger; fault `500 Not initialized` outside a server with it loaded."""
    if _current is None:
        raise RPCFault(500, "Not initialized")
    return _current


def install(server: DebugServer | None) -> None:
    """Make `server` the process's debugger (the server hook does it; tests too)."""
    global _current
    _current = server


class ServerHooks:
    """The debugger module's part in `siprouter.core.runtime.debugging`."""

    def server_started(self, script: Script, config: ast.Config, children: int) -> None:
        settings = DebuggerSettings.from_config(config)
        server = DebugServer.create(script, settings, slots=max(1, children) + EXTRA_SLOTS)
        for level in settings.mod_levels.items():
            server.set_mod_level(level[0], level[1])
        # Compile the traced build once here, so no worker compiles it mid-traffic.
        script.set_tracer(_no_trace)
        script.set_tracer(None)
        install(server)

    def server_stopped(self) -> None:
        server = _current
        if server is not None:
            server.close()
        install(None)

    def worker_started(self, script: Script, worker: WorkerState,
                       on_message: debugging.MessageHandler) -> debugging.MessageHandler:
        server = _current
        if server is None:
            return on_message
        try:
            return server.attach(script).wrap(on_message)
        except C.ChannelFull as exc:
            log.error("debugger: %s: this worker runs without it", exc)
            return on_message


def _no_trace(ctx: Any, info: Any) -> None:
    return None


debugging.register("debugger", ServerHooks())
