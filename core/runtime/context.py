"""The execution context of one message through the script, and the worker state it lives in.

Kamailio keeps this state in several places (the sip_msg, the run_act_ctx, process globals and
shared memory); here it is two objects:

- `WorkerState`: per worker, outlives messages: `$var` values (initialised to 0, never reset
  between messages, kamailio#3114), the shared `$shv` table, `max_while_loops`, the logger and
  the clock.
- `Context`: per message run: the message, route type, `$avp` stacks and `$xavp` lists (per
  message), script flags and branch-0 flags, `$rc`, the control flags of the running route, and
  the route call stack the debugger shows.

`$shv` is shared by every worker in Kamailio (shared memory). Workers here share nothing in
memory (ARCHITECTURE: Processes and state), so `SHARED_VARS` is one table per process for now;
the pv module can swap in a store every worker sees.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from siprouter.core.cfg.source import Span
from siprouter.core.exports import RouteType

from .message import ScriptMessage
from .sipstate import SipState
from .values import Value

# Control flags of the running route (Kamailio's run_flags): set by `break` and `return`, checked
# by every block after each action, absorbed by the loop/switch or by the route call.
BREAK_F = 1
RETURN_F = 2
# `exit` / `return 0` written in the route entered (not in a called route): every block, loop
# and switch stops, nothing absorbs it; `Script.run` ends the run as for `ScriptStop`. A route
# call turns it into `ScriptStop` (the call may sit in a condition), so it never crosses one.
EXIT_F = 4

SCRIPT_LOGGER = logging.getLogger("siprouter.script")

SHARED_VARS: dict[str, Value] = {}

_new = object.__new__


class ScriptStop(Exception):  # noqa: N818 -- a control-flow signal, not an error
    """Stops the whole script: `exit`, `drop`, `return 0`, or a function that returned 0.

    Raised once per message at most, and caught where the route was entered (`Script.run`), so
    the per-action path carries no "are we exiting?" check.
    """

    drop = False  # see ScriptDrop

    # No __init__ of its own: raised for every `exit`, so built by the C constructor.


class ScriptDrop(ScriptStop):  # noqa: N818
    """`drop`: stops the script, and the caller drops the message/branch/reply."""

    drop = True


@dataclass
class WorkerState:
    """State of one worker that outlives the messages it runs."""

    vars: dict[str, Value] = field(default_factory=dict)
    shared: dict[str, Value] = field(default_factory=lambda: SHARED_VARS)
    max_while_loops: int = 100
    max_recursive_level: int = 100  # route() nesting; Kamailio allows 256, Python's stack less
    logger: logging.Logger = SCRIPT_LOGGER
    clock: Callable[[], float] = time.time


@dataclass
class XavpItem:
    """One item of an `$xavp(name)` list: fields, each a stack of values (newest last)."""

    fields: dict[str, list[Value]] = field(default_factory=dict)


class Context:
    """One message's run through the script."""

    __slots__ = (
        "msg", "route_type", "worker", "vars", "shared", "avps", "xavps", "flags", "bflags",
        "last_retcode", "run_flags", "call_stack", "log", "dropped", "exited", "_msg_time",
        "sip",
    )

    def __init__(self, msg: ScriptMessage | None = None, *,
                 route_type: RouteType = RouteType.REQUEST,
                 worker: WorkerState | None = None,
                 avps: dict[str, list[Value]] | None = None,
                 xavps: dict[str, list[XavpItem]] | None = None,
                 flags: int = 0, bflags: int = 0, sip: SipState | None = None) -> None:
        self.msg = msg
        self.route_type = route_type
        if worker is None:
            worker = WorkerState()
        self.worker = worker
        self.vars = worker.vars
        self.shared = worker.shared
        # AVP stacks, newest value last (index 0 in the script is the newest).
        self.avps: dict[str, list[Value]] = avps if avps is not None else {}
        # XAVP lists, newest item last (index 0 in the script is the newest).
        self.xavps: dict[str, list[XavpItem]] = xavps if xavps is not None else {}
        self.flags = flags  # script (message) flags 0..31
        self.bflags = bflags  # branch flags of branch 0
        self.last_retcode = 1  # $rc / $retcode / $?
        self.run_flags = 0
        # (route key, span of the call or of the entered block), outermost first: the debugger's
        # backtrace.
        self.call_stack: list[tuple[str, Span]] = []
        self.log = worker.logger
        self.dropped = False  # `drop` ran: the caller drops the message/branch/reply
        self.exited = False  # the script was stopped by exit/drop/return 0
        self._msg_time: float | None = None
        # The SIP side of the run (receive info, $du, branches, sender); None in pure tests.
        self.sip: SipState | None = sip

    @classmethod
    def for_message(cls, msg: ScriptMessage | None, route_type: RouteType, worker: WorkerState,
                    sip: SipState | None) -> Context:
        """`Context(msg, route_type=..., worker=..., sip=...)` for the server's per-message
        path, ≈ 2,700 instructions cheaper (callgrind): a class call with keywords packs them
        into a dict and unpacks them again, this one does not."""
        self = _new(cls)
        self.msg = msg
        self.route_type = route_type
        self.worker = worker
        self.vars = worker.vars
        self.shared = worker.shared
        self.avps = {}
        self.xavps = {}
        self.flags = 0
        self.bflags = 0
        self.last_retcode = 1
        self.run_flags = 0
        self.call_stack = []
        self.log = worker.logger
        self.dropped = False
        self.exited = False
        self._msg_time = None
        self.sip = sip
        return self

    @property
    def msg_time(self) -> float:
        """The time this message's run first asked for it (Kamailio's cached $TV(s))."""
        if self._msg_time is None:
            self._msg_time = self.worker.clock()
        return self._msg_time

    def now(self) -> float:
        return self.worker.clock()

    @property
    def route_name(self) -> str:
        """Key of the route running now (innermost), e.g. `route:RELAY`."""
        return self.call_stack[-1][0] if self.call_stack else ""
