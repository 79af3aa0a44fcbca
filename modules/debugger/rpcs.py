"""The debugger's RPC commands: Kamailio's `dbg.*` with its replies and faults, and ours
(docs/debugger.md). Commands for a stopped worker go through its slot and wait for the answer
without blocking the RPC server (they are coroutines)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from siprouter.core.rpc.errors import RPCFault
from siprouter.core.runtime.pv import PVError, compile_pv

from . import channel as C
from .declarations import exports
from .formats import at_breakpoint, display_route
from .server import NOT_WAITING, DebugServer, current

OK = "200 ok"
PV_MAX = 256  # Kamailio's DBG_CMD_SIZE: a PV text must be shorter
WHERE_SETTLE = 0.5  # s dbg.where waits for a released worker to stop again


def _missing_pid() -> RPCFault:
    return RPCFault(500, "Missing pid parameter")


async def _settle(server: DebugServer, slot: C.Slot, limit: float | None = None) -> int:
    """The slot's state once a worker released by next/step has stopped again or run on."""
    deadline = time.monotonic() + (server.settings.wait_seconds if limit is None else limit)
    poll = min(server.settings.step_seconds, 0.002)
    while slot.cells[C.STATE] == C.STATE_NEXT and time.monotonic() < deadline:
        await asyncio.sleep(poll)
    return int(slot.cells[C.STATE])


async def _ask(server: DebugServer, slot: C.Slot, cmd: int, arg: str = "") -> str:
    await _settle(server, slot)
    return await server.ask(slot, cmd, arg)


def _row(server: DebugServer, slot: C.Slot, lines: bool) -> dict[str, Any]:
    cells = slot.cells
    action = server.action(slot)
    return {
        "entry": slot.index, "pid": int(cells[C.PID]),
        "set": int(cells[C.SET]) | (C.SET_LINES if lines else 0),
        "state": int(cells[C.STATE]), "in.pid": int(cells[C.IN_PID]),
        "in.cmd": int(cells[C.IN_CMD]),
        "route": display_route(action.route) if action else "",
        "file": action.file if action else "", "line": action.line if action else 0,
    }


@exports.rpc("dbg.ls", params=("_pid_",))
def rpc_ls(ctx: Any, pid: Any = None) -> list[dict[str, Any]]:
    """List the worker processes with their debugging state: entry, pid, set (1 cfgtrace, 2
    breakpoints, 4 line breakpoints exist), state (0 running, 1 stopped, 2 released by next),
    in.pid, in.cmd, and route/file/line of where a stopped worker stands."""
    server = current()
    lines = bool(server.channel.breakpoints()[1])
    slots = [server.slot_of(pid)] if pid is not None else server.channel.claimed()
    return [_row(server, s, lines) for s in slots]


@exports.rpc("dbg.trace", params=("_cmd_", "_pid_"))
def rpc_trace(ctx: Any, cmd: Any = None, pid: Any = None) -> str:
    """Switch the cfgtrace on or off: dbg.trace on|off [pid] (all workers without a pid)."""
    server = current()
    if cmd is None:
        raise RPCFault(500, "Config trace command missing")
    slots = [server.slot_of(pid)] if pid is not None else server.channel.claimed()
    if cmd not in ("on", "off"):
        raise RPCFault(500, "Unknown trace command")
    for s in slots:
        if cmd == "on":
            s.update_set(add=C.SET_TRACE)
        else:
            s.update_set(remove=C.SET_TRACE)
    return OK


def _pv_param(pv: Any) -> str:
    if pv is None:
        raise RPCFault(500, "pv param missing")
    text = str(pv)
    if len(text) < 2 or len(text) >= PV_MAX:
        raise RPCFault(500, "invalid pv param")
    try:
        compile_pv(text)
    except PVError as exc:
        raise RPCFault(500, f"invalid pv param: {exc}") from None
    return text


@exports.rpc("dbg.bp", params=("_cmd_", "_pid_", "_params_"))
async def rpc_bp(ctx: Any, cmd: Any = None, pid: Any = None, pv: Any = None) -> str:
    """Breakpoints and execution control: dbg.bp on|off|release [pid], keep|move|next|show
    <pid>, eval|log <pid> <pv>."""
    server = current()
    if cmd is None:
        raise RPCFault(500, "Config breakpoint command missing")
    target = server.slot_of(pid) if pid is not None else None
    everyone = server.channel.claimed()
    slots = [target] if target is not None else everyone
    if cmd == "on":
        for s in slots:
            s.update_set(add=C.SET_BREAK)
    elif cmd == "off":
        for s in slots:
            s.update_set(remove=C.SET_BREAK)
    elif cmd == "release":
        for s in slots:
            if s.cells[C.STATE] != C.STATE_WAITING:
                s.update_set(remove=C.SET_BREAK)
    elif cmd == "keep":
        if target is None:
            raise _missing_pid()
        for s in everyone:
            if s is not target:
                s.update_set(remove=C.SET_BREAK)
                if s.cells[C.STATE] != C.STATE_RUNNING:
                    s.send(C.CMD_MOVE)
    elif cmd == "move":
        if target is None:
            raise _missing_pid()
        await _move(server, target)
    elif cmd == "next":
        if target is None:
            raise _missing_pid()
        return await _ask(server, target, C.CMD_NEXT)
    elif cmd == "show":
        if target is None:
            raise _missing_pid()
        await _settle(server, target)
        action = server.action(target)
        if action is None:
            raise RPCFault(500, NOT_WAITING)
        return at_breakpoint(action)
    elif cmd in ("eval", "log"):
        if target is None:
            raise _missing_pid()
        text = _pv_param(pv)
        return await _ask(server, target, C.CMD_EVAL if cmd == "eval" else C.CMD_LOG, text)
    else:
        raise RPCFault(500, "Unknown inner command")
    return OK


async def _move(server: DebugServer, slot: C.Slot) -> None:
    """Let a stopped worker run on: its every-action breakpoints go off (line breakpoints
    stay); answered once the worker has left the breakpoint."""
    state = slot.cells[C.STATE]
    if state == C.STATE_RUNNING:
        return
    slot.update_set(remove=C.SET_BREAK)
    if state == C.STATE_WAITING:
        try:
            await server.ask(slot, C.CMD_MOVE)
        except RPCFault as fault:
            if fault.message != NOT_WAITING:  # it ran on meanwhile: that is what was asked
                raise
    else:
        slot.send(C.CMD_MOVE)  # released by next: it acts on it when it stops


_STEPS = {"into": C.CMD_NEXT, "over": C.CMD_OVER, "out": C.CMD_OUT}


@exports.rpc("dbg.step", params=("pid", "mode"))
async def rpc_step(ctx: Any, pid: Any = None, mode: Any = "into") -> str:
    """Release a stopped worker for one step: into (stop at the next action, entering routes),
    over (not inside a route() the current action calls), out (at the first action after the
    current route returns). Replies `exec [file:line] a=N n=name` (the released action)."""
    server = current()
    if pid is None:
        raise _missing_pid()
    slot = server.slot_of(pid)
    cmd = _STEPS.get(str(mode))
    if cmd is None:
        raise RPCFault(400, "step mode must be into, over or out")
    return await _ask(server, slot, cmd)


@exports.rpc("dbg.where", params=("pid",))
async def rpc_where(ctx: Any, pid: Any = None) -> dict[str, Any]:
    """Where a worker stands: {state, route, file, line, kind, name} (empty/0 when running)."""
    server = current()
    if pid is None:
        raise _missing_pid()
    slot = server.slot_of(pid)
    state = await _settle(server, slot, WHERE_SETTLE)
    action = server.action(slot)
    if action is None:
        return {"state": state, "route": "", "file": "", "line": 0, "kind": 0, "name": ""}
    return {"state": state, "route": display_route(action.route), "file": action.file,
            "line": action.line, "kind": int(action.kind), "name": action.name}


async def _json_command(pid: Any, cmd: int) -> Any:
    server = current()
    if pid is None:
        raise _missing_pid()
    return json.loads(await _ask(server, server.slot_of(pid), cmd))


@exports.rpc("dbg.stack", params=("pid",))
async def rpc_stack(ctx: Any, pid: Any = None) -> list[dict[str, Any]]:
    """The route call stack of a stopped worker, outermost first: [{route, file, line}]."""
    result: list[dict[str, Any]] = await _json_command(pid, C.CMD_STACK)
    return result


@exports.rpc("dbg.vars", params=("pid",))
async def rpc_vars(ctx: Any, pid: Any = None) -> dict[str, Any]:
    """The script variables of a stopped worker: {var: {name: value}, avp: {name: [values]},
    xavp: {name: [{field: [values]}]}} (newest first; undefined shows as <null>)."""
    result: dict[str, Any] = await _json_command(pid, C.CMD_VARS)
    return result


@exports.rpc("dbg.msg", params=("pid",))
async def rpc_msg(ctx: Any, pid: Any = None) -> str:
    """The SIP message a stopped worker runs the script for, as it would be sent now (the
    script's changes applied)."""
    server = current()
    if pid is None:
        raise _missing_pid()
    return await _ask(server, server.slot_of(pid), C.CMD_MSG)


@exports.rpc("dbg.bp_add", params=("file:line", "cond"))
def rpc_bp_add(ctx: Any, place: str, cond: str = "") -> dict[str, Any]:
    """Add a line breakpoint for every worker: dbg.bp_add <file:line> [cond]; cond is a cfg
    expression (`$rm == "OPTIONS"`). Replies {id, file, line, cond}."""
    return current().add_breakpoint(place, cond)


@exports.rpc("dbg.bp_del", params=("id",))
def rpc_bp_del(ctx: Any, bp_id: int) -> str:
    """Remove line breakpoint <id>."""
    current().delete_breakpoint(bp_id)
    return OK


@exports.rpc("dbg.bp_list", params=())
def rpc_bp_list(ctx: Any) -> list[dict[str, Any]]:
    """The line breakpoints: [{id, file, line, cond, hits}]."""
    return current().breakpoints()


@exports.rpc("dbg.source", params=("file",))
def rpc_source(ctx: Any, file: Any = None) -> Any:
    """Without a file: the cfg files the server runs (main first). With one of them: its text."""
    server = current()
    if file is None:
        return list(server.files)
    name = str(file)
    if name not in server.sources:
        raise RPCFault(403, f"{name} is not a cfg file of this server")
    return server.sources[name]
