"""The debugger inside one worker: cfgtrace, breakpoints and the stopped-worker command loop.

The worker's script runs untraced (the compiler's plain build: no cost) until something asks
for the tracer: cfgtrace, global "every action" breakpoints (`set` bit 2), a line breakpoint
anywhere, a step in progress or log_assign. Whether that changed is checked once per message:
two integer compares against the shared slot and table generations.

Stopped, the worker polls its slot every `step_usleep` and answers commands; without a command
for `step_loops * step_usleep` it goes back to running (like `move`).

States (dbg.ls `state`): 0 running, 1 stopped at an action, 2 released by next/step and on its
way to the next stop. Kamailio keeps 2 while stopped after a `next`; we show 1 for every stop
(docs/debugger.md).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from siprouter.core.cfg import ast
from siprouter.core.loglevels import debug_threshold
from siprouter.core.runtime.compiler import Script
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import PVError, compile_pv
from siprouter.core.runtime.tracing import ActionInfo, ActionKind

from . import channel as C
from . import formats, inspection
from .conditions import Condition, ConditionError, compile_condition
from .settings import LOGGER, DebuggerSettings

Sleep = Callable[[float], None]


@dataclass
class _Step:
    """A `next`/`dbg.step` in progress: where it may stop."""

    mode: int  # CMD_NEXT (into), CMD_OVER, CMD_OUT
    ctx: Context
    depth: int  # call-stack depth where it was given

    def stops(self, ctx: Context) -> bool:
        if self.mode == C.CMD_NEXT:
            return True
        if ctx is not self.ctx:  # e.g. onsend_route run by the action being stepped over
            return False
        depth = len(ctx.call_stack)
        return depth <= self.depth if self.mode == C.CMD_OVER else depth < self.depth


@dataclass
class LineBreakpoint:
    """A breakpoint as a worker uses it."""

    id: int
    index: int  # its hits cell
    action: ActionInfo
    cond: Condition | None


class _LevelName(logging.Filter):
    """log_level_name: the level name cfgtrace lines show instead of ERROR, INFO ..."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.level_name = name

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelname = self.level_name
        return True


class WorkerDebugger:
    """The debugger of one worker (one slot), attached to its script."""

    def __init__(self, script: Script, chan: C.Channel, slot: C.Slot,
                 settings: DebuggerSettings, *, sleep: Sleep = time.sleep,
                 logger: logging.Logger = LOGGER, pid: int | None = None) -> None:
        self.script = script
        self.channel = chan
        self.slot = slot
        self.cells = slot.cells
        self.settings = settings
        self.sleep = sleep
        self.log = logger
        self.pid = pid or os.getpid()
        self.index = {a: i for i, a in enumerate(script.actions)}
        self.level = settings.python_level
        self.prefix = settings.log_prefix + "dbg_cfg_trace(): "
        self.with_file = settings.cfgtrace_format != 1
        if settings.log_level_name:
            logger.addFilter(_LevelName(settings.log_level_name))
        self._bodies: dict[ActionInfo, str] = {}
        self._conditions: dict[str, Condition | None] = {}
        # [change counter seen, something to do after each message]: read per message
        self._fast: list[Any] = [-1, bool(settings.log_assign)]
        self._bp_gen = -1
        self._ml_gen = -1
        self._trace = False
        self._break = False
        self._lines: dict[ActionInfo, LineBreakpoint] = {}
        self._step: _Step | None = None
        self._assign: tuple[Context, ActionInfo] | None = None
        self._seen = self.cells[C.IN_SEQ]

    # --- per message ------------------------------------------------------------------------

    def wrap(self, on_message: Callable[..., Any]) -> Callable[..., Any]:
        """`on_message` that first picks up debugger changes (one compare of the slot's change
        counter) and afterwards ends a step that ran off the end of the message."""
        cells, gen, fast = self.cells, C.GEN, self._fast

        def on_message_debugged(*args: Any) -> Any:
            if cells[gen] != fast[0]:
                self.sync()
            try:
                return on_message(*args)
            finally:
                if fast[1]:  # a step or log_assign started during the message
                    self.message_done()

        return on_message_debugged

    def sync(self) -> None:
        """Read the slot's `set`, the breakpoint table and the module levels; install or remove
        the tracer."""
        self._fast[0] = self.cells[C.GEN]
        flags = self.cells[C.SET]
        self._trace = bool(flags & C.SET_TRACE)
        self._break = bool(flags & C.SET_BREAK)
        if self.channel.header[C.H_BP_GEN] != self._bp_gen:
            self._load_breakpoints()
        if self.channel.header[C.H_ML_GEN] != self._ml_gen:
            self._apply_mod_levels()
        self._install()

    def _install(self) -> None:
        wanted = (self._trace or self._break or bool(self._lines) or self._step is not None
                  or bool(self.settings.log_assign))
        if wanted:
            if self.script.tracer != self.on_action:
                self.script.set_tracer(self.on_action)
        elif self.script.tracer is not None:
            self.script.set_tracer(None)

    def message_done(self) -> None:
        """The message ended: a step that did not stop in it is over."""
        self._flush_assign()
        if self._step is not None:
            self._step = None
            self.cells[C.STATE] = C.STATE_RUNNING
            self._install()
        self._fast[1] = bool(self.settings.log_assign)

    def _load_breakpoints(self) -> None:
        gen, table = self.channel.breakpoints()
        actions = self.script.actions
        lines: dict[ActionInfo, LineBreakpoint] = {}
        for row in table:
            try:
                action = actions[int(row["action"])]
            except (KeyError, IndexError, ValueError, TypeError):
                continue
            cond = self._condition(str(row.get("cond") or ""))
            if action not in lines:
                lines[action] = LineBreakpoint(int(row["id"]), int(row["index"]), action, cond)
        self._lines = lines
        self._bp_gen = gen

    def _condition(self, text: str) -> Condition | None:
        if not text:
            return None
        if text not in self._conditions:
            try:
                self._conditions[text] = compile_condition(text, self.script.loaded)
            except ConditionError as exc:  # checked by dbg.bp_add; only a changed script fails
                self.log.error("breakpoint condition %r: %s", text, exc)
                self._conditions[text] = _never
        return self._conditions[text]

    def _apply_mod_levels(self) -> None:
        gen, table = self.channel.modlevels()
        self._ml_gen = gen
        if not self.settings.mod_level_mode:
            return
        for module, (level, _facility) in table.items():
            if level is not None:
                name = "siprouter" if module == "core" else f"siprouter.{module}"
                logging.getLogger(name).setLevel(debug_threshold(int(level)))

    # --- the tracer ---------------------------------------------------------------------------

    def on_action(self, ctx: Context, info: ActionInfo) -> None:
        """Called before every action while the tracer is installed."""
        if self._assign is not None:
            self._flush_assign()
        if self._trace:
            self.trace(ctx, info)
        if self.settings.log_assign and info.kind is ActionKind.ASSIGN:
            self._assign = (ctx, info)
        step = self._step
        if step is not None:
            if step.stops(ctx):
                self.pause(ctx, info, hit=False)
                return
        elif self._break:
            self.pause(ctx, info, hit=True)
            return
        if self._lines:
            bp = self._lines.get(info)
            if bp is not None and (bp.cond is None or bp.cond(ctx)):
                self.channel.add_hit(self.slot, bp.index)
                self.pause(ctx, info, hit=True)

    def trace(self, ctx: Context, info: ActionInfo) -> None:
        """Log the cfgtrace line of `info`."""
        log = self.log
        if not log.isEnabledFor(self.level):
            return
        body = self._bodies.get(info)
        if body is None:
            body = self._bodies[info] = formats.trace_body(info, self.with_file)
        log.log(self.level, "%s%s%s", self.prefix, formats.route_type_name(ctx.route_type), body)

    def _flush_assign(self) -> None:
        pending, self._assign = self._assign, None
        if pending is None:
            return
        ctx, info = pending
        node = info.node
        if not isinstance(node, ast.AssignStmt):
            return
        text = node.target.text
        try:
            value = compile_pv(text).get(ctx)
        except Exception as exc:  # noqa: BLE001 -- a log line must not stop the message
            self.log.log(self.level, "%s:%d %s : error %s", info.file, info.line, text, exc)
            return
        self.log.log(self.level, "%s:%d %s", info.file, info.line, formats.evaluated(text, value))

    # --- stopped ------------------------------------------------------------------------------

    def pause(self, ctx: Context, info: ActionInfo, *, hit: bool) -> None:
        """Stop before `info` and serve commands until released or timed out."""
        self._step = None
        cells = self.cells
        if cells[C.IN_SEQ] != self._seen:
            # Sent while we were running (before the state says we stopped, so nothing is sent
            # meanwhile): only a `move` still means something.
            self._seen = cells[C.IN_SEQ]
            if cells[C.IN_CMD] == C.CMD_MOVE:
                self._release(self._seen)
                return
        cells[C.ACTION] = self.index.get(info, -1)
        cells[C.STATE] = C.STATE_WAITING
        if hit:
            self.log.log(self.level, "%s", formats.hit_line(self.pid, info))
        idle, loops = 0, self.settings.step_loops
        step = self.settings.step_seconds
        while True:
            seq = cells[C.IN_SEQ]
            if seq != self._seen:
                self._seen = seq
                idle = 0
                if self.execute(cells[C.IN_CMD], seq, ctx, info):
                    self.sync()  # breakpoints added while stopped count for this message too
                    return
                continue
            if idle >= loops:
                self.log.log(self.level, "breakpoint: p=[%d] no command for %.1f s: running on",
                             self.pid, self.settings.wait_seconds)
                self.slot.update_set(remove=C.SET_BREAK)
                self._release(None)
                self.sync()
                return
            self.sleep(step)
            idle += 1

    def _release(self, seq: int | None) -> None:
        cells = self.cells
        self._break = bool(cells[C.SET] & C.SET_BREAK)
        if seq is not None:  # answered first, for the same reason as in `execute`
            self.slot.reply(seq, "200 ok")
        cells[C.ACTION] = -1
        cells[C.STATE] = C.STATE_RUNNING

    def execute(self, cmd: int, seq: int, ctx: Context, info: ActionInfo) -> bool:
        """Run one command for the stopped worker; True when it releases the worker."""
        slot = self.slot
        if cmd in (C.CMD_NEXT, C.CMD_OVER, C.CMD_OUT):
            self._step = _Step(cmd, ctx, len(ctx.call_stack))
            self._fast[1] = True
            # The answer before the state: the RPC side takes "not waiting and no answer" for
            # a worker that left the breakpoint.
            slot.reply(seq, formats.executed(info))
            self.cells[C.ACTION] = -1
            self.cells[C.STATE] = C.STATE_NEXT
            return True
        if cmd == C.CMD_MOVE:
            self._release(seq)
            return True
        try:
            text = self._answer(cmd, slot.argument(), ctx, info)
        except _Fault as fault:
            slot.reply(seq, fault.message, fault.code)
        except Exception as exc:  # noqa: BLE001 -- the worker must stay stopped, not crash
            slot.reply(seq, f"cmd execution error: {type(exc).__name__}: {exc}", 500)
        else:
            slot.reply(seq, text)
        return False

    def _answer(self, cmd: int, arg: str, ctx: Context, info: ActionInfo) -> str:
        if cmd == C.CMD_SHOW:
            return formats.at_breakpoint(info)
        if cmd in (C.CMD_EVAL, C.CMD_LOG):
            text = formats.evaluated(arg, self._eval(arg, ctx))
            if cmd == C.CMD_LOG:
                self.log.log(self.level, "breakpoint eval: %s", text)
                return "200 ok"
            return text
        if cmd == C.CMD_STACK:
            return json.dumps(inspection.stack(ctx, info))
        if cmd == C.CMD_VARS:
            return json.dumps(inspection.variables(ctx))
        if cmd == C.CMD_MSG:
            msg = inspection.message_text(ctx)
            if msg is None:
                raise _Fault(404, "no SIP message in this route")
            return msg
        raise _Fault(500, "Unknown inner command")

    @staticmethod
    def _eval(text: str, ctx: Context) -> Any:
        try:
            pv = compile_pv(text)
        except PVError as exc:
            raise _Fault(500, f"invalid pv param: {exc}") from None
        try:
            return pv.get(ctx)
        except Exception as exc:  # noqa: BLE001 -- e.g. a header that does not parse
            raise _Fault(500, f"cannot evaluate {text}: {exc}") from None


class _Fault(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _never(ctx: Context) -> bool:
    return False
