"""What dbgtui knows of a server: the debugger RPCs (docs/debugger.md) as typed calls.

`DebugSession` wraps sercmd's `RPCClient` (the project's one RPC client) and turns replies into
the dataclasses below. Calls block: the app makes them from Textual thread workers. Failures are
the client's `RPCFault` (the server said no) and `RPCConnectionError` (no usable answer);
`ReplyError` is a reply we cannot read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from siprouter.tools.sercmd.client import RPCClient, RPCError

StepMode = Literal["into", "over", "out"]

# dbg.ls `state` (reference 2.4): 0 running, 1 waiting at a breakpoint, 2 released by `next`.
STATE_RUNNING, STATE_PAUSED, STATE_STEPPING = 0, 1, 2
STATE_NAMES = {STATE_RUNNING: "running", STATE_PAUSED: "paused", STATE_STEPPING: "stepping"}
# dbg.ls `set` bits.
SET_TRACE, SET_BREAK = 1, 2

_LOCATION = re.compile(r"^(?P<what>at bkp|exec) \[(?P<file>.*):(?P<line>\d+)\]"
                       r"(?: a=(?P<a>-?\d+))?(?: n=(?P<name>.*))?$")
_EVAL = re.compile(r" : t=(?P<t>str|int|null)(?: v=(?P<v>.*))?$", re.S)


class ReplyError(RPCError):
    """The server answered, but not in the shape the debugger contract promises."""


@dataclass(frozen=True)
class Location:
    """An action of the script: `at bkp [file:line] a=N n=name` (about to run, `show`) or
    `exec [file:line] ...` (just released, `next`/`dbg.step`)."""

    file: str
    line: int
    kind: int | None = None
    name: str = ""
    executed: bool = False


@dataclass(frozen=True)
class Worker:
    """One process slot of `dbg.ls`."""

    entry: int
    pid: int
    set: int = 0
    state: int = STATE_RUNNING
    description: str = ""
    route: str = ""
    file: str = ""
    line: int = 0

    @property
    def paused(self) -> bool:
        """Stopped at a breakpoint: where, stack, vars, msg and eval make sense."""
        return self.state == STATE_PAUSED

    @property
    def state_name(self) -> str:
        return STATE_NAMES.get(self.state, f"state {self.state}")

    @property
    def tracing(self) -> bool:
        return bool(self.set & SET_TRACE)

    @property
    def breaking(self) -> bool:
        """Global breakpoints on: it stops at its next action."""
        return bool(self.set & SET_BREAK)


@dataclass(frozen=True)
class Breakpoint:
    """A line breakpoint of `dbg.bp_list` (server-wide: every worker stops there)."""

    id: int
    file: str
    line: int
    cond: str = ""
    hits: int = 0


@dataclass(frozen=True)
class Where:
    """`dbg.where <pid>`: what a worker is doing."""

    state: int
    route: str = ""
    file: str = ""
    line: int = 0
    kind: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Frame:
    """One level of `dbg.stack <pid>` (outermost first)."""

    route: str
    file: str
    line: int


@dataclass(frozen=True)
class Vars:
    """`dbg.vars <pid>`: script variables, AVPs and XAVPs of the message being run."""

    var: Mapping[str, Any] = field(default_factory=dict)
    avp: Mapping[str, Any] = field(default_factory=dict)
    xavp: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EvalResult:
    """`dbg.bp eval <pid> <pv>`: `$pv : t=str v=...`, `t=int v=5` or `t=null`."""

    pv: str
    type: Literal["str", "int", "null"]
    value: str | int | None

    def display(self) -> str:
        """The value as the eval pane shows it."""
        if self.type == "null":
            return "<null>"
        if self.type == "int":
            return str(self.value)
        return repr(self.value) if self.value == "" else str(self.value)


# --- parsing: pure functions over replies ---------------------------------------------------------


def _text(reply: Any, what: str) -> str:
    """A reply that should be one string (Kamailio adds one `s`; some clients wrap it in a list)."""
    if isinstance(reply, list) and len(reply) == 1:
        reply = reply[0]
    if not isinstance(reply, str):
        raise ReplyError(f"{what}: expected a string, got {reply!r}")
    return reply.strip()


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def parse_location(reply: Any) -> Location:
    """`at bkp [file:line] a=N n=name` or `exec [file:line] a=N n=name` as a Location."""
    text = _text(reply, "location")
    m = _LOCATION.match(text)
    if m is None:
        raise ReplyError(f"not a location: {text!r}")
    kind = int(m["a"]) if m["a"] is not None else None
    return Location(m["file"], int(m["line"]), kind, (m["name"] or "").strip(),
                    executed=m["what"] == "exec")


def parse_eval(reply: Any, pv: str | None = None) -> EvalResult:
    """An eval reply as an EvalResult. With `pv` (what was asked) the value may itself contain
    ` : t=`; without it the last ` : t=` separates the two."""
    text = _text(reply, "eval")
    if pv is not None and text.startswith(pv + " : t="):
        head, rest = pv, text[len(pv):]
        m = _EVAL.match(rest)
    else:
        found = list(re.finditer(r" : t=(?:str|int|null)", text))
        m = _EVAL.match(text, found[-1].start()) if found else None
        head = text[:found[-1].start()] if found else ""
    if m is None:
        raise ReplyError(f"not an eval reply: {text!r}")
    t = m["t"]
    if t == "null":
        return EvalResult(head, "null", None)
    v = m["v"] if m["v"] is not None else ""
    if t == "int":
        try:
            return EvalResult(head, "int", int(v))
        except ValueError:
            raise ReplyError(f"eval: t=int with value {v!r}") from None
    return EvalResult(head, "str", v)


def parse_workers(reply: Any) -> list[Worker]:
    """`dbg.ls` (a list of structs; one struct when asked for one pid)."""
    rows = [reply] if isinstance(reply, dict) else reply
    if not isinstance(rows, list):
        raise ReplyError(f"dbg.ls: expected a list, got {reply!r}")
    out = []
    for row in rows:
        if not isinstance(row, dict):
            raise ReplyError(f"dbg.ls: expected structs, got {row!r}")
        out.append(Worker(entry=_int(row.get("entry")), pid=_int(row.get("pid")),
                          set=_int(row.get("set")), state=_int(row.get("state")),
                          description=str(row.get("in.cmd") or row.get("description") or ""),
                          route=str(row.get("route") or ""), file=str(row.get("file") or ""),
                          line=_int(row.get("line"))))
    return out


def parse_breakpoint(row: Any) -> Breakpoint:
    """One `{id, file, line, cond[, hits]}` struct."""
    if not isinstance(row, dict) or "id" not in row:
        raise ReplyError(f"expected a breakpoint, got {row!r}")
    return Breakpoint(_int(row["id"]), str(row.get("file") or ""), _int(row.get("line")),
                      str(row.get("cond") or ""), _int(row.get("hits")))


def parse_where(reply: Any) -> Where:
    """`dbg.where` struct."""
    if not isinstance(reply, dict):
        raise ReplyError(f"dbg.where: expected a struct, got {reply!r}")
    kind = reply.get("kind")
    return Where(_int(reply.get("state")), str(reply.get("route") or ""),
                 str(reply.get("file") or ""), _int(reply.get("line")),
                 _int(kind) if kind is not None else None, str(reply.get("name") or ""))


def parse_stack(reply: Any) -> list[Frame]:
    """`dbg.stack` (outermost first)."""
    if not isinstance(reply, list):
        raise ReplyError(f"dbg.stack: expected a list, got {reply!r}")
    return [Frame(str(r.get("route") or ""), str(r.get("file") or ""), _int(r.get("line")))
            for r in reply if isinstance(r, dict)]


def parse_vars(reply: Any) -> Vars:
    """`dbg.vars`: `{var: {...}, avp: {...}, xavp: {...}}`."""
    if not isinstance(reply, dict):
        raise ReplyError(f"dbg.vars: expected a struct, got {reply!r}")

    def part(name: str) -> dict[str, Any]:
        value = reply.get(name)
        return dict(value) if isinstance(value, dict) else {}

    return Vars(part("var"), part("avp"), part("xavp"))


def pv_names(pv_classes: Iterable[str], vars_seen: Iterable[str] = ()) -> list[str]:
    """What the eval box completes: `$name` / `$name(` per PV class, `$var(x)` per variable."""
    out: set[str] = set()
    for name in pv_classes:
        out.add(f"${name}")
    out.update(f"$var({v})" for v in vars_seen)
    return sorted(out)


# --- the session -----------------------------------------------------------------------------------


class DebugSession:
    """The debugger RPCs of one server, typed. Blocking; safe to call from several threads
    (the client serialises calls)."""

    def __init__(self, client: RPCClient) -> None:
        self.client = client

    @classmethod
    def from_url(cls, url: str, timeout: float = 5.0, token: str | None = None) -> DebugSession:
        """A session for `url` (sercmd's URL forms); URLError if it is not one."""
        return cls(RPCClient.from_url(url, timeout, token))

    @property
    def url(self) -> str:
        return self.client.url

    def call(self, method: str, *params: Any) -> Any:
        """A raw call (for the few replies we show as they come)."""
        return self.client.call(method, *params)

    def close(self) -> None:
        self.client.close()

    # processes
    def workers(self) -> list[Worker]:
        """Every process slot (`dbg.ls`)."""
        return parse_workers(self.call("dbg.ls"))

    def where(self, pid: int) -> Where:
        return parse_where(self.call("dbg.where", pid))

    def show(self, pid: int) -> Location:
        """The action a paused worker is about to run (`dbg.bp show`)."""
        return parse_location(self.call("dbg.bp", "show", pid))

    def stack(self, pid: int) -> list[Frame]:
        return parse_stack(self.call("dbg.stack", pid))

    def vars(self, pid: int) -> Vars:
        return parse_vars(self.call("dbg.vars", pid))

    def message(self, pid: int) -> str:
        """The SIP message the worker runs the script for."""
        reply = self.call("dbg.msg", pid)
        return reply if isinstance(reply, str) else str(reply)

    def eval(self, pid: int, pv: str) -> EvalResult:
        return parse_eval(self.call("dbg.bp", "eval", pid, pv), pv)

    # execution control
    def step(self, pid: int, mode: StepMode) -> Location:
        """Run one action (into), one action not entering route() (over), or to the caller
        (out); the reply names the action released."""
        return parse_location(self.call("dbg.step", pid, mode))

    def resume(self, pid: int) -> None:
        """Continue to the next line breakpoint (`dbg.bp move`: also clears the global mode)."""
        self.call("dbg.bp", "move", pid)

    def pause(self, pid: int) -> None:
        """Stop `pid` at its next action (`dbg.bp on <pid>`)."""
        self.call("dbg.bp", "on", pid)

    def trace(self, on: bool, pid: int | None = None) -> None:
        """cfgtrace on or off, for one worker or all."""
        args: tuple[Any, ...] = ("on" if on else "off",) + ((pid,) if pid is not None else ())
        self.call("dbg.trace", *args)

    # line breakpoints
    def breakpoints(self) -> list[Breakpoint]:
        reply = self.call("dbg.bp_list")
        if not isinstance(reply, list):
            raise ReplyError(f"dbg.bp_list: expected a list, got {reply!r}")
        return [parse_breakpoint(r) for r in reply]

    def add_breakpoint(self, file: str, line: int, cond: str = "") -> Breakpoint:
        params: tuple[Any, ...] = (f"{file}:{line}",) + ((cond,) if cond else ())
        return parse_breakpoint(self.call("dbg.bp_add", *params))

    def delete_breakpoint(self, bp_id: int) -> None:
        self.call("dbg.bp_del", bp_id)

    # source and completion data
    def source_files(self) -> list[str]:
        """The cfg files the server runs (main file first, then includes)."""
        reply = self.call("dbg.source")
        if not isinstance(reply, list):
            raise ReplyError(f"dbg.source: expected a list, got {reply!r}")
        return [str(f) for f in reply]

    def source(self, file: str) -> str:
        reply = self.call("dbg.source", file)
        return _text(reply, "dbg.source") if not isinstance(reply, str) else reply

    def modules(self) -> list[str]:
        reply = self.call("core.modules")
        return [str(m) for m in reply] if isinstance(reply, list) else []
