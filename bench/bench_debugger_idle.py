"""What the debugger module costs when it is loaded but idle (issue 7: within 5% of not loaded).

Two measurements, each without and with debugger.so loaded and idle (no cfgtrace, no
breakpoint), interleaved and best of several rounds so machine noise hits both alike:

1. the interpreter: bench_interpreter's 30-action route run by a worker's message handler;
2. a stateless relay worker's receive path in process (parse, checks, request_route with
   `forward()`, serialize; sending replaced by a no-op) for an INVITE and the 200 relayed back,
   the Python part of what the socket benchmark (bench_stateless_relay.py) measures.

For scale it also shows the relay path with the tracer installed (a breakpoint on a line no
message reaches): the cost of the traced build, paid only while a breakpoint or cfgtrace is on.

Run: ``python bench/bench_debugger_idle.py [N]`` (prints a Markdown table).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from siprouter.core.cfg.frontend import analyze_file
from siprouter.core.exports import default_registry
from siprouter.core.runtime import debugging
from siprouter.core.runtime.compiler import Script, compile_config
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.server.app import _load_runtime_extensions
from siprouter.core.server.forward import StatelessForwarder
from siprouter.core.server.identity import LocalIdentity
from siprouter.core.server.receive import Pipeline
from siprouter.core.server.responder import Responder

sys.path.insert(0, str(Path(__file__).parent))
import bench_interpreter  # noqa: E402

RELAY_CFG = """#!KAMAILIO
children=1
listen=udp:127.0.0.1:5060
auto_aliases=no
{load}loadmodule "sl.so"

request_route {{
    if (!forward("127.0.0.1", 5070)) {{
        sl_reply_error();
    }}
}}
"""

INVITE = (
    b"INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0\r\n"
    b"From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001\r\n"
    b"To: service <sip:service@127.0.0.1:5060>\r\n"
    b"Call-ID: 1-1234@127.0.0.1\r\n"
    b"CSeq: 1 INVITE\r\n"
    b"Contact: sip:sipp@127.0.0.1:5061\r\n"
    b"Max-Forwards: 70\r\n"
    b"Subject: Performance Test\r\n"
    b"Content-Type: application/sdp\r\n"
    b"Content-Length: 0\r\n\r\n")

Handler = Callable[..., Any]


def best_us(fn: Callable[[], None], n: int) -> float:
    """CPU µs per call of `fn`, best of 3 runs of `n`."""
    fn()
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - began) / n * 1e6)
    return best


def with_debugger(script: Script, handler: Handler, directory: str) -> Handler:
    """`handler` as a worker of a server with debugger.so loaded wraps it (idle)."""
    debugging.server_started(script, script.config, 1)
    wrapped = debugging.worker_started(script, WorkerState(), handler)
    assert wrapped is not handler and script.tracer is None
    return wrapped


def interpreter_handlers(directory: str) -> tuple[Handler, Handler]:
    script, worker = bench_interpreter.build()
    plain_script, _ = bench_interpreter.build()

    def run(script: Script) -> Handler:
        return lambda: script.run("request_route", Context(worker=worker))

    # The interpreter bench's module set has no debugger: attach the hooks directly.
    from siprouter.modules.debugger.server import DebugServer
    from siprouter.modules.debugger.settings import DebuggerSettings

    server = DebugServer.create(script, DebuggerSettings(), slots=2, directory=directory)
    debugged = server.attach(script).wrap(run(script))
    return run(plain_script), debugged


def relay(load_debugger: bool, directory: str) -> tuple[Script, Pipeline, list[bytes]]:
    path = Path(directory) / ("relay-dbg.cfg" if load_debugger else "relay.cfg")
    path.write_text(RELAY_CFG.format(load='loadmodule "debugger.so"\n' if load_debugger else ""))
    analysis = analyze_file(str(path))
    script = compile_config(analysis.config,
                            default_registry().loaded([m.module for m in analysis.config.modules]))
    sock = SocketInfo("udp", "127.0.0.1", 5060)
    sent: list[bytes] = []

    class NoSend:
        def send(self, proto: str, host: str, port: int, data: bytes,
                 socket: SocketInfo | None = None, *, no_connect: bool = False) -> bool:
            sent.append(data)
            return True

        def socket_for(self, proto: str, ip: str) -> SocketInfo | None:
            return sock

    transports = NoSend()
    identity = LocalIdentity([sock])
    forwarder = StatelessForwarder(transports, identity, secret="bench")  # type: ignore[arg-type]
    pipeline = Pipeline(script, WorkerState(), identity, forwarder,
                        Responder(transports, "0" * 32))  # type: ignore[arg-type]
    if load_debugger:
        pipeline.on_message = with_debugger(  # type: ignore[method-assign]
            script, pipeline.on_message, directory)
    return script, pipeline, sent


def relay_pair(pipeline: Pipeline, sent: list[bytes]) -> tuple[Handler, Handler]:
    sock = SocketInfo("udp", "127.0.0.1", 5060)
    from_uac = ReceiveInfo("udp", "127.0.0.1", 5061, sock)
    from_uas = ReceiveInfo("udp", "127.0.0.1", 5070, sock)
    pipeline.on_message(INVITE, from_uac)
    vias = b"".join(line + b"\r\n" for line in sent[-1].split(b"\r\n") if line.startswith(b"Via"))
    reply = (b"SIP/2.0 200 OK\r\n" + vias +
             b"From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001\r\n"
             b"To: service <sip:service@127.0.0.1:5060>;tag=1\r\nCall-ID: 1-1234@127.0.0.1\r\n"
             b"CSeq: 1 INVITE\r\nContact: <sip:127.0.0.1:5070;transport=UDP>\r\n"
             b"Content-Length: 0\r\n\r\n")
    sent.clear()

    def invite() -> None:
        pipeline.on_message(INVITE, from_uac)
        sent.clear()

    def answer() -> None:
        pipeline.on_message(reply, from_uas)
        sent.clear()

    return invite, answer


def compare(name: str, plain: Handler, debugged: Handler, n: int, rounds: int = 5) -> str:
    a = b = float("inf")
    for _ in range(rounds):  # interleaved, so drift and noise hit both
        a = min(a, best_us(plain, n))
        b = min(b, best_us(debugged, n))
    return f"| {name} | {a:.2f} | {b:.2f} | {(b - a) / a * 100:+.1f}% |"


def main(argv: list[str]) -> int:
    n = int(argv[1]) if len(argv) > 1 else 5000
    _load_runtime_extensions()
    rows = ["| per message | without debugger (µs CPU) | debugger loaded, idle (µs CPU) | "
            "difference |", "|---|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        plain, debugged = interpreter_handlers(tmp)
        rows.append(compare("interpreter: 30-action route", plain, debugged, n * 4))
        rows.append(compare("(noise: the same route against itself)", plain, plain, n * 4))
        _s1, p1, sent1 = relay(False, tmp)
        script2, p2, sent2 = relay(True, tmp)
        inv1, ans1 = relay_pair(p1, sent1)
        inv2, ans2 = relay_pair(p2, sent2)
        rows.append(compare("relay path: INVITE in, forwarded", inv1, inv2, n))
        rows.append(compare("relay path: 200 in, relayed upstream", ans1, ans2, n))
        # For scale: a breakpoint on the sl_reply_error line, never reached by these messages.
        from siprouter.modules.debugger.server import current

        text = (Path(tmp) / "relay-dbg.cfg").read_text().splitlines()
        unreached = next(i for i, line in enumerate(text, 1) if "sl_reply_error" in line)
        current().add_breakpoint(f"{tmp}/relay-dbg.cfg:{unreached}")
        rows.append("")
        rows.append("| per message | without debugger | breakpoint set, not reached | difference |")
        rows.append("|---|---:|---:|---:|")
        _s3, p3, sent3 = relay(False, tmp)
        inv3, _ = relay_pair(p3, sent3)
        rows.append(compare("relay path: INVITE in, forwarded", inv3, inv2, n))
        assert script2.tracer is not None
        debugging.server_stopped()
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
