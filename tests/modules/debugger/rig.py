"""A debugger on a compiled script in this process: the worker runs messages in a thread, the
test drives it through the real RPC dispatcher and the real shared-memory channel."""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from siprouter.core.cfg.frontend import analyze_file
from siprouter.core.exports import RouteType, default_registry
from siprouter.core.rpc.context import ServerInfo
from siprouter.core.rpc.dispatch import Dispatcher
from siprouter.core.rpc.registry import RPCRegistry
from siprouter.core.runtime.compiler import Script, compile_config
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.sip import parse_message
from siprouter.modules.debugger import exports
from siprouter.modules.debugger.engine import WorkerDebugger
from siprouter.modules.debugger.server import DebugServer, install
from siprouter.modules.debugger.settings import DebuggerSettings

for _ext in ("sip_pvs", "sip_actions", "sip_transforms"):
    importlib.import_module(f"siprouter.core.runtime.{_ext}")

CFG = """\
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "debugger.so"

request_route {
    $var(a) = 1;
    if ($rm == "OPTIONS") {
        route(R1);
        $var(b) = 2;
    }
    $avp(x) = "last";
    exit;
}

route[R1] {
    $var(c) = 3;
    route(R2);
    $var(d) = 4;
}

route[R2] {
    $xavp(r=>f) = "v";
    return 1;
}

failure_route[FAIL] {
    $var(f) = 1;
}
"""

OPTIONS = (
    b"OPTIONS sip:bob@example.com SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
    b"From: <sip:alice@example.com>;tag=1\r\n"
    b"To: <sip:bob@example.com>\r\n"
    b"Call-ID: dbg-1\r\n"
    b"CSeq: 1 OPTIONS\r\n"
    b"Max-Forwards: 70\r\n"
    b"Content-Length: 0\r\n\r\n"
)

WAIT = 5.0  # s to wait for the worker thread to reach a state (never asserted on)


def line_of(text: str, needle: str, after: str = "") -> int:
    """The 1-based line of the first `needle` (after the line holding `after`)."""
    lines = text.splitlines()
    start = next(i for i, x in enumerate(lines) if after in x) if after else 0
    return next(i for i, x in enumerate(lines) if i >= start and needle in x) + 1


class Rig:
    """One server-side debugger, one worker (this process's pid), a message runner."""

    def __init__(self, tmp: Path, settings: DebuggerSettings | None = None,
                 cfg: str = CFG) -> None:
        self.path = tmp / "k.cfg"
        self.path.write_text(cfg)
        self.cfg = cfg
        analysis = analyze_file(str(self.path))
        loaded = default_registry().loaded([m.module for m in analysis.config.modules])
        self.script: Script = compile_config(analysis.config, loaded)
        self.settings = settings or DebuggerSettings(step_usleep=1000, step_loops=5000)
        self.server = DebugServer.create(self.script, self.settings, slots=3,
                                         directory=str(tmp))
        install(self.server)
        self.pid = os.getpid()
        self.worker: WorkerDebugger = self.server.attach(self.script, pid=self.pid)
        self.state = WorkerState()
        self.contexts: list[Context] = []
        self.handle = self.worker.wrap(self._run)
        self.dispatcher = Dispatcher(RPCRegistry([exports]), ServerInfo())
        self.thread: threading.Thread | None = None
        self.codes: list[int] = []

    @property
    def file(self) -> str:
        return str(self.path)

    def line(self, needle: str, after: str = "") -> int:
        return line_of(self.cfg, needle, after)

    def _run(self, data: bytes, route: str = "request_route",
             route_type: RouteType = RouteType.REQUEST) -> int:
        ctx = Context(parse_message(data), route_type=route_type, worker=self.state)
        self.contexts.append(ctx)
        code = self.script.run(route, ctx)
        self.codes.append(code)
        return code

    def run(self, data: bytes = OPTIONS, route: str = "request_route",
            route_type: RouteType = RouteType.REQUEST) -> int:
        """Run one message to the end in this thread."""
        return int(self.handle(data, route, route_type))

    def start(self, data: bytes = OPTIONS) -> None:
        """Run one message in the worker thread."""
        self.thread = threading.Thread(target=self.handle, args=(data,), daemon=True)
        self.thread.start()

    def finished(self) -> bool:
        """Wait for the worker thread's message to end; whether it did."""
        assert self.thread is not None
        self.thread.join(WAIT)
        return not self.thread.is_alive()

    def call(self, method: str, *params: Any) -> Any:
        return self.dispatcher.call_sync(method, list(params))

    def wait_for(self, check: Callable[[], bool]) -> bool:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if check():
                return True
            time.sleep(0.001)
        return False

    def state_is(self, state: int) -> bool:
        return self.wait_for(lambda: self.call("dbg.ls", self.pid)[0]["state"] == state)

    def close(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            try:
                self.call("dbg.bp", "move", self.pid)
            finally:
                self.thread.join(WAIT)
        self.script.set_tracer(None)
        install(None)
        self.server.close()
