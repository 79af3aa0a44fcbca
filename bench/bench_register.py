"""Registrar benchmark: REGISTER throughput with SIPp on siprouter and on Kamailio 5.6, and the
memory each binding takes.

Both servers run the same config, examples/registrar.cfg (usrloc + registrar, `save()` with no
authentication), with the same number of workers (`children=` and `-n`, default 2), Kamailio
with `-x tlsf`, each in usrloc db_mode 0 (memory only) and db_mode 1 (write-through to an
SQLite file made by `siprouter db init --group usrloc`, so Kamailio's db_sqlite also proves the
schema; Debian's `kamailio-sqlite-modules` is installed when missing).

Throughput: SIPp's bench/sipp/register.xml with an injection file of --users distinct users
(user1..userN). A warm-up pass registers each user once, then the same search as
bench/bench_stateless_relay.py (its functions, not a copy): the rate rises by --step until a
step has 0.1% or more failed REGISTERs or SIPp could not hold the rate, then the last good and
first bad rates are bisected. Measured steps refresh the N users in turn (an update of a
binding that exists). CPU per REGISTER: all the server's processes, at --cpu-rate.

Memory for --bindings bindings:
  Kamailio: `kamcmd core.shmmem` (shared memory used, and real_used with the allocator's own
            overhead) before and after SIPp registers that many distinct users, db_mode 0.
  siprouter: bindings saved through usrloc's API in this process (db_mode 0, the cache file in
            /dev/shm): the cache file's size (database + WAL) per binding, and the RSS growth.

    python bench/bench_register.py                        # everything, as in docs/PERFORMANCE.md
    python bench/bench_register.py --only siprouter:0 --only kamailio:0 --no-memory
    python bench/bench_register.py --users 2000 --bindings 10000 --json out.json
    python bench/bench_register.py --path-only --users 5000   # CPU per REGISTER, in process
    python bench/bench_register.py --overload-memory --only siprouter:0   # memory under overload

Memory under overload (--overload-memory, siprouter only): SIPp sends --overload-rate
REGISTERs/s (well above what passes) for --overload-seconds, --overload-rounds times with
--overload-idle seconds between; every second each worker's RSS and PSS are read from
/proc/<pid>/smaps_rollup, and the cache file's size in /dev/shm. Growth that continues from
round to round is a leak; a level reached in the first round and kept is a bounded cache.

Every process started here is stopped by its PID.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench_stateless_relay import (
    Proc,
    Result,
    _tree,
    apt_install,
    cpu_seconds,
    free_port,
    need,
    no_send_pipeline,
    run_uac,
    search,
    start,
    wait_bound,
)

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "examples" / "registrar.cfg"
SCENARIO = REPO / "bench" / "sipp" / "register.xml"
KAMAILIO_MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")
SETUPS = ("kamailio:0", "kamailio:1", "siprouter:0", "siprouter:1")


def need_kamailio_sqlite() -> None:
    need("kamailio", "kamailio")
    if not (KAMAILIO_MODULES / "db_sqlite.so").exists():
        apt_install("kamailio-sqlite-modules")
    if not (KAMAILIO_MODULES / "db_sqlite.so").exists():
        sys.exit("kamailio-sqlite-modules did not install db_sqlite.so")


def users_file(work: Path, count: int) -> Path:
    path = work / f"users-{count}.csv"
    if not path.exists():
        path.write_text("SEQUENTIAL\n" + "".join(f"user{i}\n" for i in range(1, count + 1)))
    return path


def scenario(users: Path) -> tuple[str, ...]:
    return ("-sf", str(SCENARIO), "-inf", str(users))


def db_init(url: str) -> None:
    subprocess.run([sys.executable, "-m", "siprouter.core.main", "db", "init", "--db-url", url,
                    "--group", "usrloc"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)


def server_argv(kind: str, port: int, children: int, db_mode: int, db_url: str | None,
                ctl: str | None = None, shm_mb: int | None = None) -> list[str]:
    common = ["-A", f"LISTEN=udp:127.0.0.1:{port}", "-A", f"CHILDREN={children}",
              "-n", str(children), "-A", f"DBMODE={db_mode}"]
    if db_url:
        common += ["-A", f'DBURL="{db_url}"']
    if ctl:
        common += ["-A", f'CTL="unix:{ctl}"']
    if kind == "kamailio":
        return [need("kamailio", "kamailio"), "-x", "tlsf", "-f", str(CONFIG), "-DD", "-E",
                *(["-m", str(shm_mb)] if shm_mb else []), *common]
    return [sys.executable, "-m", "siprouter.core.main", "-f", str(CONFIG), *common]


def start_server(kind: str, db_mode: int, children: int, work: Path,
                 ctl: str | None = None, shm_mb: int | None = None) -> tuple[Proc, int]:
    db_url = None
    if db_mode:
        db = work / f"{kind}-mode{db_mode}.db"
        db.unlink(missing_ok=True)
        db_url = f"sqlite://{db}"
        db_init(db_url)
    port = free_port()
    proc = start(server_argv(kind, port, children, db_mode, db_url, ctl, shm_mb),
                 work / f"{kind}-mode{db_mode}.log", REPO)
    try:
        wait_bound(port, proc)
    except RuntimeError:
        proc.stop()
        raise
    return proc, port


# --- throughput ---------------------------------------------------------------------------------


def drained(pid: int, busy: float = 0.1, window: float = 0.5, limit: float = 120.0) -> None:
    """Until the server (all its processes) uses less than `busy` of a core over `window`
    seconds: a step that overloaded it leaves REGISTERs queued in its socket buffer, and the
    next step must not pay for them."""
    deadline = time.monotonic() + limit
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(window)
        now = cpu_seconds(pid)
        if now - last < busy * window:
            return
        last = now
    print(f"  (the server was still busy after {limit:.0f} s)", flush=True)


@dataclass
class Throughput:
    kind: str
    db_mode: int
    warmup_rate: float  # first registration of every user: REGISTERs/s SIPp held
    result: Result


def throughput(kind: str, db_mode: int, sipp: str, args: argparse.Namespace,
               work: Path) -> Throughput:
    users = users_file(work, args.users)
    proc, port = start_server(kind, db_mode, args.children, work)
    try:
        warm = run_uac(sipp, port, args.warmup_rate, args.users / args.warmup_rate, work, None,
                       scenario(users))
        if warm.successful < args.users:
            print(f"  warm-up: only {warm.successful}/{args.users} registered", flush=True)
        steps = argparse.Namespace(**vars(args))
        steps.start = getattr(args, f"{kind}_start")
        steps.step = getattr(args, f"{kind}_step")
        name = f"{kind} db_mode {db_mode}"
        # A first rate that fails halves until one passes; the search goes up from there.
        while steps.start > 50:
            drained(proc.pid)
            probe = run_uac(sipp, port, steps.start, args.seconds, work, proc.pid,
                            scenario(users))
            print(f"  {name}: probe {steps.start}/s -> failed {probe.failed}/{probe.calls}, "
                  f"held {probe.held_rate:.0f}/s: {'ok' if probe.passed else 'FAIL'}",
                  flush=True)
            if probe.passed:
                break
            steps.start //= 2
            steps.step = min(steps.step, steps.start)
        return Throughput(kind, db_mode, warm.sipp_rate,
                          search(name, sipp, port, proc.pid, steps, work, scenario(users),
                                 settle=lambda: drained(proc.pid)))
    finally:
        proc.stop()


# --- memory per binding -------------------------------------------------------------------------

_SHM = re.compile(r"^\s*(used|real_used):\s*(\d+)", re.M)


def shmmem(kamcmd: str, ctl: str) -> dict[str, int]:
    out = subprocess.run([kamcmd, "-s", f"unix:{ctl}", "core.shmmem"], capture_output=True,
                         text=True, check=True).stdout
    return {k: int(v) for k, v in _SHM.findall(out)}


def kamailio_memory(count: int, sipp: str, args: argparse.Namespace,
                    work: Path) -> dict[str, float]:
    """Kamailio's shared memory per binding (used, real_used) for `count` distinct users."""
    kamcmd = need("kamcmd", "kamailio")
    ctl = str(work / "kamailio.ctl")
    proc, port = start_server("kamailio", 0, args.children, work, ctl=ctl, shm_mb=1024)
    try:
        time.sleep(1.0)
        before = shmmem(kamcmd, ctl)
        rate = args.memory_rate
        step = run_uac(sipp, port, rate, count / rate, work, None,
                       scenario(users_file(work, count)))
        time.sleep(1.0)
        after = shmmem(kamcmd, ctl)
    finally:
        proc.stop()
    if step.successful < count:
        print(f"  Kamailio memory: only {step.successful}/{count} registered", flush=True)
    n = max(step.successful, 1)
    return {"bindings": step.successful,
            "used": (after["used"] - before["used"]) / n,
            "real_used": (after["real_used"] - before["real_used"]) / n}


def siprouter_memory(count: int, work: Path) -> dict[str, float]:
    """(cache bytes per binding, RSS growth bytes per binding) for `count` bindings saved
    through usrloc's API in this process."""
    from siprouter.core.db.location import Binding
    from siprouter.modules import usrloc

    cache = work / "cache.db"
    if os.access("/dev/shm", os.W_OK):
        cache = Path(tempfile.mkdtemp(dir="/dev/shm", prefix="bench-usrloc-")) / "cache.db"
    svc = usrloc.Usrloc(usrloc.UsrlocSettings(db_mode=0), cache_url=f"sqlite://{cache}")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    now = time.time()
    batch = []
    for i in range(count):
        b = Binding(aor=f"user{i}", contact=f"sip:user{i}@192.0.2.{i % 250}:{5060 + i % 1000}",
                    expires=now + 3600, callid=f"{i:08x}-bench@192.0.2.1", cseq=1,
                    user_agent="SIPp bench", socket="udp:127.0.0.1:5060")
        batch.append(usrloc.Change("insert", b))
        if len(batch) == 1000:
            svc.apply("location", batch)
            batch = []
    if batch:
        svc.apply("location", batch)
    assert svc.cache is not None
    svc.cache.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = sum(p.stat().st_size for p in cache.parent.glob(cache.name + "*"))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    svc.close()
    if cache.parent != work:
        shutil.rmtree(cache.parent, ignore_errors=True)
    return {"bindings": count, "cache": size / count,
            "rss": max(0, rss_after - rss_before) / count}


# --- memory under sustained overload ------------------------------------------------------------


def smaps_rollup(pid: int) -> dict[str, int]:
    """Rss, Pss and Anonymous of a process in kB ({} when it is gone)."""
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("Rss", "Pss", "Anonymous"):
                    out[key] = int(value.split()[0])
    except OSError:
        return {}
    return out


def overload_memory(db_mode: int, sipp: str, args: argparse.Namespace, work: Path) -> str:
    """Rounds of overload (see the module docstring); a table of each process's RSS/PSS at
    the start and at the end of every round and of every idle time after it."""
    import threading

    users = users_file(work, args.users)
    proc, port = start_server("siprouter", db_mode, args.children, work)
    marks: list[tuple[str, dict[int, dict[str, int]], int]] = []
    latest: dict[str, object] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            procs = {pid: r for pid in _tree(proc.pid) if (r := smaps_rollup(pid))}
            cache = sum(f.stat().st_size for f in Path("/dev/shm").glob(
                f"siprouter-usrloc-{proc.pid}-*"))
            latest.update(procs=procs, cache=cache)
            done.wait(1.0)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    lines = []
    try:
        time.sleep(2.0)
        marks.append(("start", latest["procs"], latest["cache"]))  # type: ignore[arg-type]
        for r in range(1, args.overload_rounds + 1):
            step = run_uac(sipp, port, args.overload_rate, args.overload_seconds, work,
                           proc.pid, scenario(users))
            lines.append(f"round {r}: {step.calls:,} REGISTERs asked at {args.overload_rate}/s, "
                         f"{step.successful:,} answered 200, {step.failed:,} failed, "
                         f"SIPp held {step.held_rate:.0f}/s")
            time.sleep(1.1)
            marks.append((f"end of round {r}", latest["procs"],  # type: ignore[arg-type]
                          latest["cache"]))  # type: ignore[arg-type]
            time.sleep(args.overload_idle)
            marks.append((f"{args.overload_idle:g} s idle after round {r}",
                          latest["procs"], latest["cache"]))  # type: ignore[arg-type]
    finally:
        done.set()
        sampler.join()
        proc.stop()
    pids = sorted(marks[0][1])
    names = ["main" if pid == proc.pid else f"process {i}" for i, pid in enumerate(pids)]
    table = ["| when | " + " | ".join(f"{n} RSS/PSS (MB)" for n in names)
             + " | cache file (MB) |", "|---" * (len(pids) + 2) + "|"]
    for when, procs, cache in marks:
        cells = [f"{procs[p]['Rss'] / 1024:.0f} / {procs[p]['Pss'] / 1024:.0f}" if p in procs
                 else "-" for p in pids]
        table.append(f"| {when} | " + " | ".join(cells) + f" | {cache / 2**20:.1f} |")
    return "\n".join([f"siprouter, db_mode {db_mode}, children={args.children}, "
                      f"{args.users:,} users:", *lines, "", *table])


# --- the REGISTER path alone, in process -------------------------------------------------------


def register_message(user: int, seq: int) -> bytes:
    """What register.xml sends for `user` (the `seq`th REGISTER of the run)."""
    return (f"REGISTER sip:127.0.0.1:5060 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4242-{seq}-0;rport\r\n"
            f"Max-Forwards: 70\r\n"
            f"From: <sip:user{user}@example.com>;tag=4242SIPpTag00{seq}\r\n"
            f"To: <sip:user{user}@example.com>\r\n"
            f"Call-ID: {seq}-4242@127.0.0.1\r\nCSeq: 1 REGISTER\r\n"
            f"Contact: <sip:user{user}@127.0.0.1:5061>\r\nExpires: 3600\r\n"
            f"Content-Length: 0\r\n\r\n").encode()


def path_only(users: int, work: Path) -> str:
    """CPU µs per REGISTER of one worker's receive path (parse, checks, script, save(), the
    200 built) with sending replaced by recording: first registrations of `users` users, then
    a refresh of each, in db_mode 0 and 1."""
    from siprouter.core.runtime.sipstate import ReceiveInfo
    from siprouter.modules import usrloc

    lines = ["| usrloc | first registration (µs/REGISTER) | refresh (µs/REGISTER) |",
             "|---|---|---|"]
    for mode in (0, 1):
        shm = Path(tempfile.mkdtemp(dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else work,
                                    prefix="bench-usrloc-"))
        db_url = None
        if mode:
            db_url = f"sqlite://{work / f'path-mode{mode}.db'}"
            db_init(db_url)
        defines = {"DBMODE": str(mode), **({"DBURL": f'"{db_url}"'} if db_url else {})}
        pipeline, sent, sock = no_send_pipeline(CONFIG, defines, ["sl", "pv", "textops",
                                                                  "usrloc", "registrar"])
        usrloc.configure({"db_mode": mode, "db_url": db_url},
                         cache_url=f"sqlite://{shm / 'cache.db'}")
        rcv = ReceiveInfo("udp", "127.0.0.1", 5061, sock)
        costs = []
        try:
            for round_ in range(2):
                msgs = [register_message(u, round_ * users + u) for u in range(1, users + 1)]
                sent.clear()
                began = time.process_time()
                for m in msgs:
                    pipeline.on_message(m, rcv)
                costs.append((time.process_time() - began) / users * 1e6)
                ok = sum(1 for d in sent if d.startswith(b"SIP/2.0 200"))
                if ok != users:
                    sys.exit(f"db_mode {mode}: {ok} of {users} REGISTERs answered 200")
        finally:
            usrloc.reset()
            shutil.rmtree(shm, ignore_errors=True)
        lines.append(f"| db_mode {mode} | {costs[0]:.0f} | {costs[1]:.0f} |")
    return "\n".join(lines)


# --- report -------------------------------------------------------------------------------------


def markdown(runs: list[Throughput], memory: dict[str, dict[str, float]],
             args: argparse.Namespace, load: tuple[float, float]) -> str:
    lines = [f"children={args.children}, {args.users:,} distinct users, {args.seconds:g} s per "
             f"step, pass: <0.1% failed REGISTERs and the rate held; load average "
             f"{load[0]:.2f} before, {load[1]:.2f} after", "",
             "| server, usrloc | highest REGISTER rate (/s) | first registration (warm-up, /s) "
             "| CPU per REGISTER (at /s) |", "|---|---|---|---|"]
    for t in runs:
        r = t.result
        cpu = f"{r.cpu_per_call_us:.0f} µs ({r.cpu_rate})" if r.cpu_per_call_us else "-"
        lines.append(f"| {t.kind}, db_mode {t.db_mode} | {r.max_rate:,} | "
                     f"{t.warmup_rate:,.0f} | {cpu} |")
    by = {(t.kind, t.db_mode): t.result for t in runs}
    ratios = []
    for mode in (0, 1):
        s, k = by.get(("siprouter", mode)), by.get(("kamailio", mode))
        if s and k and k.max_rate:
            text = f"db_mode {mode}: rate {s.max_rate / k.max_rate:.2f}"
            if s.cpu_per_call_us and k.cpu_per_call_us:
                text += f", CPU per REGISTER {s.cpu_per_call_us / k.cpu_per_call_us:.1f}x"
            ratios.append(text)
    if ratios:
        lines += ["", "siprouter / Kamailio: " + "; ".join(ratios)]
    if memory:
        lines += ["", "| memory per binding | bytes |", "|---|---|"]
        if "kamailio" in memory:
            m = memory["kamailio"]
            lines.append(f"| Kamailio, {m['bindings']:,.0f} bindings: shared memory used "
                         f"(real_used) | {m['used']:,.0f} ({m['real_used']:,.0f}) |")
        if "siprouter" in memory:
            m = memory["siprouter"]
            lines.append(f"| siprouter, {m['bindings']:,.0f} bindings: cache file in /dev/shm "
                         f"(process RSS growth) | {m['cache']:,.0f} ({m['rss']:,.0f}) |")
        if "kamailio" in memory and "siprouter" in memory and memory["kamailio"]["real_used"]:
            lines.append(f"\nsiprouter cache / Kamailio real_used: "
                         f"{memory['siprouter']['cache'] / memory['kamailio']['real_used']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", action="append", choices=SETUPS,
                   help="these setups (repeatable); default: all four")
    p.add_argument("--children", type=int, default=2)
    p.add_argument("--users", type=int, default=10_000)
    p.add_argument("--bindings", type=int, default=100_000)
    p.add_argument("--no-memory", action="store_true")
    p.add_argument("--warmup-rate", type=int, default=1000)
    p.add_argument("--memory-rate", type=int, default=5000,
                   help="REGISTERs/s while Kamailio takes its --bindings")
    p.add_argument("--siprouter-start", type=int, default=1000)
    p.add_argument("--siprouter-step", type=int, default=500)
    p.add_argument("--kamailio-start", type=int, default=4000)
    p.add_argument("--kamailio-step", type=int, default=4000)
    p.add_argument("--max", type=int, default=60000, help="highest rate tried")
    p.add_argument("--seconds", type=float, default=10.0, help="length of a step")
    p.add_argument("--bisect", type=int, default=4, help="bisection steps after a failure")
    p.add_argument("--resolution", type=int, default=100, help="stop bisecting below this")
    p.add_argument("--cpu-rate", type=int, default=500,
                   help="the common rate the CPU per REGISTER is measured at")
    p.add_argument("--json", type=Path, help="write the results here too")
    p.add_argument("--workdir", type=Path,
                   help="keep the servers' logs and databases here (default: a temporary one)")
    p.add_argument("--path-only", action="store_true",
                   help="only the in-process CPU cost of the REGISTER path (--users users)")
    p.add_argument("--overload-memory", action="store_true",
                   help="only siprouter's memory under sustained overload (--only siprouter:N "
                        "picks the db_mode; default both)")
    p.add_argument("--overload-rate", type=int, default=4000)
    p.add_argument("--overload-seconds", type=float, default=30.0)
    p.add_argument("--overload-rounds", type=int, default=3)
    p.add_argument("--overload-idle", type=float, default=15.0)
    args = p.parse_args(argv)
    if args.overload_memory:
        modes = [int(s.split(":")[1]) for s in args.only or SETUPS if s.startswith("siprouter")]
        load0 = os.getloadavg()[0]
        with tempfile.TemporaryDirectory(prefix="bench-register-") as tmp:
            for mode in modes:
                print(overload_memory(mode, need("sipp", "sip-tester"), args, Path(tmp)),
                      end="\n\n", flush=True)
        print(f"load average {load0:.2f} before, {os.getloadavg()[0]:.2f} after")
        return 0
    if args.path_only:
        with tempfile.TemporaryDirectory(prefix="bench-register-") as tmp:
            print(path_only(args.users, Path(tmp)))
        return 0
    sipp = need("sipp", "sip-tester")
    setups = args.only or list(SETUPS)
    if any(s.startswith("kamailio") for s in setups) or not args.no_memory:
        need_kamailio_sqlite()
    load0 = os.getloadavg()[0]
    runs: list[Throughput] = []
    memory: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-register-") as tmp:
        work = Path(tmp)
        if args.workdir:
            work = args.workdir.resolve()
            work.mkdir(parents=True, exist_ok=True)
        for setup in setups:
            kind, mode = setup.split(":")
            print(f"{kind}, db_mode {mode}:", flush=True)
            runs.append(throughput(kind, int(mode), sipp, args, work))
        if not args.no_memory:
            print(f"memory, {args.bindings:,} bindings:", flush=True)
            memory["kamailio"] = kamailio_memory(args.bindings, sipp, args, work)
            memory["siprouter"] = siprouter_memory(args.bindings, work)
    print()
    print(markdown(runs, memory, args, (load0, os.getloadavg()[0])))
    if args.json:
        args.json.write_text(json.dumps({"throughput": [asdict(t) for t in runs],
                                         "memory": memory}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
