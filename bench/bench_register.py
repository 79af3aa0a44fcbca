"""Registrar benchmark: REGISTER throughput with SIPp, and the storage each binding takes.

Throughput: a real `siprouter -f tests/integration/registrar/registrar.cfg` (one worker) on
127.0.0.1, SIPp's `register_bench.xml` registering N distinct users (user1..userN, no
authentication, Expires 3600), with at most `--window` REGISTERs in flight. Measured for usrloc
db_mode 0 (the shared-memory cache only) and db_mode 1 (write-through to an SQLite file).

Memory: B bindings saved through usrloc's API (db_mode 0, the cache file in /dev/shm) in this
process: the cache file's size (database + WAL) per binding, and this process's RSS growth.

    python bench/bench_register.py                  # 10,000 users, 100,000 bindings
    python bench/bench_register.py --users 2000 --bindings 10000

Every process started here is stopped by its PID.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "tests" / "integration" / "registrar" / "registrar.cfg"
SCENARIO = REPO / "tests" / "integration" / "registrar" / "scenarios" / "register_bench.xml"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def need_sipp() -> str:
    if shutil.which("sipp") is None:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "sip-tester"], check=True, env=env)
    path = shutil.which("sipp")
    if path is None:
        sys.exit("sipp is missing")
    return path


def wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    probe = (f"OPTIONS sip:ping@127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;"
             "branch=z9hG4bKbench;rport\r\nFrom: <sip:b@x>;tag=1\r\nTo: <sip:ping@x>\r\n"
             "Call-ID: bench-ready\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode()
    deadline = time.monotonic() + 20
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                sys.exit("siprouter exited at start")
            s.sendto(probe, ("127.0.0.1", port))
            try:
                if s.recv(4096).startswith(b"SIP/2.0 200"):
                    return
            except TimeoutError:
                pass
    sys.exit("siprouter did not answer")


def throughput(sipp: str, db_mode: int, users: int, window: int, workdir: Path) -> float:
    """REGISTERs per second for `users` distinct users against a fresh server."""
    port = free_port()
    db = workdir / f"mode{db_mode}.db"
    server = subprocess.Popen(
        [sys.executable, "-m", "siprouter.core.main", "-f", str(CONFIG), "-l",
         f"udp:127.0.0.1:{port}", "-n", "1", "-A", f"DBMODE={db_mode}", "-A",
         f'DBURL="sqlite://{db}"'], cwd=REPO, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        wait_ready(port, server)
        start = time.monotonic()
        r = subprocess.run([sipp, f"127.0.0.1:{port}", "-sf", str(SCENARIO), "-m", str(users),
                            "-r", "100000", "-l", str(window), "-i", "127.0.0.1",
                            "-p", str(free_port()), "-timeout", "300s", "-nostdin"],
                           cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.monotonic() - start
        if r.returncode != 0:
            print(f"  (SIPp reported failed calls in db_mode {db_mode}: exit {r.returncode})")
        return users / elapsed
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def memory_per_binding(count: int, workdir: Path) -> tuple[float, float]:
    """(cache bytes per binding, RSS growth bytes per binding) for `count` bindings."""
    from siprouter.core.db.location import Binding
    from siprouter.modules import usrloc

    cache = workdir / "cache.db"
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
    shutil.rmtree(cache.parent, ignore_errors=True)
    return size / count, max(0, rss_after - rss_before) / count


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--users", type=int, default=10_000)
    p.add_argument("--bindings", type=int, default=100_000)
    p.add_argument("--window", type=int, default=50, help="REGISTERs in flight at most")
    p.add_argument("--modes", default="0,1")
    args = p.parse_args(argv)
    sipp = need_sipp()
    with tempfile.TemporaryDirectory(prefix="bench-register-") as tmp:
        work = Path(tmp)
        print("| usrloc | REGISTERs/s |\n| --- | --- |")
        for mode in (int(m) for m in args.modes.split(",")):
            rate = throughput(sipp, mode, args.users, args.window, work)
            what = {0: "db_mode 0 (cache only)", 1: "db_mode 1 (write-through, SQLite)"}.get(
                mode, f"db_mode {mode}")
            print(f"| {what} | {rate:,.0f} |")
        per_binding, rss = memory_per_binding(args.bindings, work)
        print(f"\n{args.bindings:,} bindings: cache {per_binding:,.0f} bytes/binding "
              f"(SQLite file in /dev/shm), process RSS growth {rss:,.0f} bytes/binding")
    return 0


if __name__ == "__main__":
    sys.exit(main())
