"""Stateless relay benchmark: SIPp uac -> proxy -> SIPp uas over UDP on 127.0.0.1.

The same config (examples/stateless-relay.cfg) runs on siprouter and on Kamailio 5.6 (Debian
package `kamailio`, installed here when missing, started with `-x tlsf`), both with the same
number of workers. For each proxy, and for uac -> uas with no proxy in between, the call rate
goes up step by step until a step has 0.1% or more failed calls or SIPp cannot hold the rate,
then the last good and first bad rates are bisected. Each proxy's CPU per call is measured at
one common rate from /proc/<pid>/stat of all its processes. Results print as a Markdown table
and as JSON (--json FILE).

    python bench/bench_stateless_relay.py --children 2
    python bench/bench_stateless_relay.py --only siprouter --start 500 --step 500
    python bench/bench_stateless_relay.py --only floor --only siprouter   # against the floor

The floor (bench/floor_relay.py) is a relay that only adds and strips a Via on uvloop: the
least a Python relay spends per message, with the same workers and socket set-up.

Everything runs on loopback; every process started here is stopped by its PID.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "examples" / "stateless-relay.cfg"
# Two workers may reorder what a peer sent back to back (180/200, ACK/BYE), with Kamailio as
# with siprouter; SIPp must not abort a call for that (UDP never promised order).
TOLERATE_REORDERING = ["-default_behaviors", "all,-abortunexp"]
FAILED_LIMIT = 0.001  # a rate passes with fewer than 0.1% failed calls
HELD_RATE = 0.95  # ... and when SIPp placed the calls at 95% of the asked rate or better


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def apt_install(package: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], check=True, env=env)


def need(binary: str, package: str) -> str:
    if shutil.which(binary) is None:
        apt_install(package)
    path = shutil.which(binary)
    if path is None:
        sys.exit(f"{binary} is missing and {package} did not install it")
    return path


# --- CPU of a process tree --------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def cpu_seconds(root: int) -> float:
    """User + system CPU time of a process and all its descendants so far."""
    total = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


# --- the peers and the proxies ------------------------------------------------------------


@dataclass
class Proc:
    popen: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self) -> None:
        if self.popen.poll() is not None:
            return
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.popen.wait(5)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.popen.wait()


def start(argv: list[str], log: Path, cwd: Path) -> Proc:
    with open(log, "wb") as out:
        return Proc(subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                     stderr=subprocess.STDOUT, cwd=cwd))


def wait_bound(port: int, proc: Proc, timeout: float = 20.0) -> None:
    """Until the proxy holds udp port (binding it ourselves fails), plus a moment for its
    workers to start reading."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"the proxy exited with {proc.popen.returncode}")
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                time.sleep(1.0)
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on udp port {port}")


def proxy_argv(kind: str, port: int, uas_port: int, children: int) -> list[str]:
    common = ["-A", f"LISTEN=udp:127.0.0.1:{port}", "-A", f"DST_PORT={uas_port}",
              "-A", f"CHILDREN={children}", "-n", str(children)]
    if kind == "floor":
        return [sys.executable, str(REPO / "bench" / "floor_relay.py"), str(port), str(uas_port),
                str(children)]
    if kind == "kamailio":
        return [need("kamailio", "kamailio"), "-x", "tlsf", "-f", str(CONFIG), "-DD", "-E",
                *common]
    return [sys.executable, "-m", "siprouter.core.main", "-f", str(CONFIG), *common]


# --- one SIPp run -------------------------------------------------------------------------


@dataclass
class Step:
    rate: int
    calls: int
    successful: int
    failed: int
    seconds: float
    sipp_rate: float = 0.0  # SIPp's own cumulative call rate (calls placed per second)
    proxy_cpu: float | None = None

    @property
    def failed_ratio(self) -> float:
        return self.failed / self.calls if self.calls else 1.0

    @property
    def held_rate(self) -> float:
        return self.sipp_rate

    @property
    def passed(self) -> bool:
        done = self.successful + self.failed
        return (done >= self.calls and self.failed_ratio < FAILED_LIMIT
                and self.held_rate >= HELD_RATE * self.rate)


_ROW = re.compile(r"^\s*(Successful call|Failed call)\s*\|\s*\d+\s*\|\s*(\d+)", re.M)
_RATE = re.compile(r"^\s*Call Rate\s*\|[^|]*\|\s*([\d.]+) cps", re.M)


def run_uac(sipp: str, target_port: int, rate: int, seconds: float, work: Path,
            proxy_pid: int | None, scenario: tuple[str, ...] = ("-sn", "uac")) -> Step:
    calls = max(int(rate * seconds), 1)
    argv = [sipp, *scenario, f"127.0.0.1:{target_port}", "-i", "127.0.0.1",
            "-p", str(free_port()), "-r", str(rate), "-m", str(calls), "-l", str(rate * 4),
            "-timeout", str(int(seconds * 2 + 20)), "-nostdin", *TOLERATE_REORDERING]
    cpu0 = cpu_seconds(proxy_pid) if proxy_pid else None
    began = time.monotonic()
    done = subprocess.run(argv, cwd=work, capture_output=True, text=True)
    elapsed = time.monotonic() - began
    cpu = cpu_seconds(proxy_pid) - cpu0 if proxy_pid and cpu0 is not None else None
    counts = {name: int(n) for name, n in _ROW.findall(done.stdout)}
    rates = _RATE.findall(done.stdout)
    # SIPp's last screen counts every call; -l (calls at once) makes SIPp place calls more
    # slowly when the proxy falls behind, which its cumulative call rate shows.
    return Step(rate, calls, counts.get("Successful call", 0), counts.get("Failed call", calls),
                elapsed, float(rates[-1]) if rates else 0.0, cpu)


@dataclass
class Result:
    name: str
    max_rate: int = 0
    steps: list[Step] = field(default_factory=list)
    cpu_rate: int | None = None
    cpu_per_call_us: float | None = None
    cpu_share: float | None = None  # of one core, at cpu_rate


def search(name: str, sipp: str, target: int, pid: int | None, args: argparse.Namespace,
           work: Path, scenario: tuple[str, ...] = ("-sn", "uac"),
           settle: Callable[[], None] | None = None) -> Result:
    """The highest rate `scenario` (SIPp arguments; default its built-in uac) passes at;
    `settle` runs before each step (e.g. until the proxy has drained what a failed step left
    in its socket buffer)."""
    result = Result(name)

    def step_at(rate: int) -> Step:
        if settle is not None:
            settle()
        return run_uac(sipp, target, rate, args.seconds, work, pid, scenario)

    good, bad = 0, None
    rate = args.start
    while rate <= args.max:
        step = step_at(rate)
        result.steps.append(step)
        print(f"  {name}: {rate}/s -> failed {step.failed}/{step.calls}, held "
              f"{step.held_rate:.0f}/s: {'ok' if step.passed else 'FAIL'}", flush=True)
        if not step.passed:
            bad = rate
            break
        good = rate
        rate += args.step
    if bad is not None:
        for _ in range(args.bisect):
            if bad - good <= args.resolution:
                break
            mid = (good + bad) // 2
            step = step_at(mid)
            result.steps.append(step)
            print(f"  {name}: {mid}/s -> failed {step.failed}/{step.calls}, held "
                  f"{step.held_rate:.0f}/s: {'ok' if step.passed else 'FAIL'}", flush=True)
            if step.passed:
                good = mid
            else:
                bad = mid
    result.max_rate = good
    if pid is not None and args.cpu_rate:
        step = step_at(args.cpu_rate)
        if step.proxy_cpu is not None and step.successful:
            result.cpu_rate = args.cpu_rate
            result.cpu_per_call_us = step.proxy_cpu / step.successful * 1e6
            result.cpu_share = step.proxy_cpu / (step.calls / step.sipp_rate) \
                if step.sipp_rate else None
    return result


def bench(kind: str, sipp: str, args: argparse.Namespace, work: Path) -> Result:
    uas_port = free_port()
    uas = start([sipp, "-sn", "uas", "-i", "127.0.0.1", "-p", str(uas_port), "-nostdin",
                 *TOLERATE_REORDERING],
                work / f"uas-{kind}.log", work)
    proxy: Proc | None = None
    try:
        time.sleep(0.5)
        if kind == "none":
            return search("no proxy", sipp, uas_port, None, args, work)
        port = free_port()
        proxy = start(proxy_argv(kind, port, uas_port, args.children), work / f"{kind}.log",
                      REPO)
        wait_bound(port, proxy)
        return search(kind, sipp, port, proxy.pid, args, work)
    finally:
        if proxy is not None:
            proxy.stop()
        uas.stop()


# --- the receive path alone, in process ---------------------------------------------------------

SIPP_INVITE = (
    b"INVITE sip:service@127.0.0.1:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-1234-1-0\r\n"
    b"From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001\r\n"
    b"To: service <sip:service@127.0.0.1:5060>\r\n"
    b"Call-ID: 1-1234@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
    b"Contact: sip:sipp@127.0.0.1:5061\r\nMax-Forwards: 70\r\nSubject: Performance Test\r\n"
    b"Content-Type: application/sdp\r\nContent-Length:   129\r\n\r\n"
    b"v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
    b"t=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n")


def no_send_pipeline(config: Path, defines: dict[str, str],
                     modules: list[str]) -> tuple[Any, list[bytes], Any]:
    """One worker's receive pipeline for `config` on udp:127.0.0.1:5060 whose sending only
    records the datagrams: (pipeline, the datagrams sent, its socket)."""
    from siprouter.core.cfg.frontend import analyze_file
    from siprouter.core.exports import default_registry
    from siprouter.core.runtime.compiler import compile_config
    from siprouter.core.runtime.context import WorkerState
    from siprouter.core.runtime.sipstate import SocketInfo
    from siprouter.core.server.app import _load_runtime_extensions
    from siprouter.core.server.forward import StatelessForwarder
    from siprouter.core.server.identity import LocalIdentity
    from siprouter.core.server.receive import Pipeline
    from siprouter.core.server.responder import Responder

    _load_runtime_extensions()
    analysis = analyze_file(str(config), defines)
    script = compile_config(analysis.config, default_registry().loaded(modules))
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
    forwarder = StatelessForwarder(transports, identity, secret="bench")
    responder = Responder(transports, "0" * 32)
    forwarder.replier = responder.reply  # as core/server/worker.py wires them
    pipeline = Pipeline(script, WorkerState(), identity, forwarder, responder)
    return pipeline, sent, sock


def path_only(n: int = 20000) -> str:
    """CPU µs per message of one worker's receive path (parse, checks, script, forward) for
    SIPp's INVITE and the 200 coming back, with sending replaced by a no-op: the Python part of
    the per-message cost, without sockets or the event loop."""
    from siprouter.core.runtime.sipstate import ReceiveInfo

    pipeline, sent, sock = no_send_pipeline(CONFIG, {"DST_PORT": "5070"}, ["sl"])
    from_uac = ReceiveInfo("udp", "127.0.0.1", 5061, sock)
    from_uas = ReceiveInfo("udp", "127.0.0.1", 5070, sock)
    pipeline.on_message(SIPP_INVITE, from_uac)
    vias = b"".join(line + b"\r\n" for line in sent[-1].split(b"\r\n")
                    if line.startswith(b"Via"))
    reply = (b"SIP/2.0 200 OK\r\n" + vias +
             b"From: sipp <sip:sipp@127.0.0.1:5061>;tag=1234SIPpTag001\r\n"
             b"To: service <sip:service@127.0.0.1:5060>;tag=1\r\nCall-ID: 1-1234@127.0.0.1\r\n"
             b"CSeq: 1 INVITE\r\nContact: <sip:127.0.0.1:5070;transport=UDP>\r\n"
             b"Content-Length: 0\r\n\r\n")
    lines = []
    for name, data, rcv in (("INVITE in, forwarded", SIPP_INVITE, from_uac),
                            ("200 in, relayed upstream", reply, from_uas)):
        best = float("inf")
        for _ in range(3):
            began = time.process_time()
            for _ in range(n):
                pipeline.on_message(data, rcv)
            best = min(best, (time.process_time() - began) / n * 1e6)
        lines.append(f"| {name} | {best:.0f} |")
    return "\n".join(["| message | CPU µs per message (best of 3) |", "|---|---|", *lines])


def markdown(results: list[Result], args: argparse.Namespace) -> str:
    by = {r.name: r for r in results}
    lines = [f"children={args.children}, {args.seconds:g} s per step, pass: <0.1% failed "
             f"calls and the rate held", "",
             "| | highest call rate (calls/s) | CPU per call at the common rate | CPU at that "
             "rate (share of one core) |", "|---|---|---|---|"]
    for r in results:
        cpu = f"{r.cpu_per_call_us:.0f} µs ({r.cpu_rate}/s)" if r.cpu_per_call_us else "-"
        share = f"{r.cpu_share * 100:.0f}%" if r.cpu_share is not None else "-"
        lines.append(f"| {r.name} | {r.max_rate} | {cpu} | {share} |")
    if "siprouter" in by and "kamailio" in by and by["kamailio"].max_rate:
        s, k = by["siprouter"], by["kamailio"]
        lines.append("")
        lines.append(f"siprouter / Kamailio call rate: {s.max_rate / k.max_rate:.2f}")
        if s.cpu_per_call_us and k.cpu_per_call_us:
            lines.append(f"siprouter / Kamailio CPU per call: "
                         f"{s.cpu_per_call_us / k.cpu_per_call_us:.1f}")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--children", type=int, default=2)
    p.add_argument("--only", choices=("siprouter", "kamailio", "none", "floor"), action="append",
                   help="bench only these (repeatable); default: none, siprouter, kamailio; "
                   "floor: bench/floor_relay.py, the least a Python relay does")
    p.add_argument("--start", type=int, default=500, help="first call rate")
    p.add_argument("--step", type=int, default=500, help="rate increase per step")
    p.add_argument("--max", type=int, default=20000, help="highest rate tried")
    p.add_argument("--seconds", type=float, default=5.0, help="length of a step")
    p.add_argument("--bisect", type=int, default=3, help="bisection steps after a failure")
    p.add_argument("--resolution", type=int, default=100, help="stop bisecting below this")
    p.add_argument("--cpu-rate", type=int, default=1000,
                   help="the common rate the CPU per call is measured at")
    p.add_argument("--json", type=Path, help="write the results here too")
    p.add_argument("--path-only", action="store_true",
                   help="only the in-process cost of the receive path per message")
    args = p.parse_args()
    if args.path_only:
        print(path_only())
        return 0
    sipp = need("sipp", "sip-tester")
    kinds = args.only or ["none", "siprouter", "kamailio"]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-relay-") as tmp:
        for kind in kinds:
            print(f"{kind}:", flush=True)
            results.append(bench(kind, sipp, args, Path(tmp)))
    print()
    print(markdown(results, args))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
