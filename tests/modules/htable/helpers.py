"""A compiled request_route on a fake clock, run on an OPTIONS from a given source address:
how the htable and pike tests drive a config."""

from __future__ import annotations

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import default_registry
from siprouter.core.runtime.compiler import compile_config
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState
from siprouter.core.sip import parse_message
from tests.modules.registrar.helpers import OUR_SOCKET, FakeForwarder


class Clock:
    """A settable clock for the worker (seconds); starts at a unit boundary."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Script:
    """A compiled request_route around `body` with a fake clock; a test module sets the
    modules to load and the request to run on."""

    MODULES: tuple[str, ...] = ()
    MESSAGE = b""

    def __init__(self, body: str) -> None:
        loads = "".join(f'loadmodule "{m}.so"\n' for m in self.MODULES)
        config, diags = parse_text(loads + f"request_route {{\n{body}\n}}\n", "t.cfg")
        assert not [d for d in diags if d.is_error], diags
        self.script = compile_config(config, default_registry().loaded(self.MODULES))
        self.clock = Clock()
        self.worker = WorkerState(vars={}, shared={}, clock=self.clock)

    def run(self, src_ip: str = "198.51.100.7") -> Context:
        sip = SipState(rcv=ReceiveInfo("udp", src_ip, 5062, OUR_SOCKET), sender=None,
                       forwarder=FakeForwarder())
        ctx = Context(parse_message(self.MESSAGE), worker=self.worker, sip=sip)
        self.script.run("request_route", ctx)
        return ctx
