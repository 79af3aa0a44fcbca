"""Bindings that outlive a process and are shared between nodes: two servers on one
PostgreSQL (db_mode 3), restarts (kill -9 too) with db_mode 1, 2 and 3, and a database that
goes away and comes back."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.core.db.pgcluster import Cluster
from tests.integration.conftest import Siprouter, free_port
from tests.integration.registrar.conftest import CONFIG, Phone, status


def node(start_siprouter, db_mode: int, url: str) -> int:
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-A", f"DBMODE={db_mode}",
                    "-A", f'DBURL="{url}"')
    return port


def unmanaged(tmp_path: Path, db_mode: int, url: str, port: int, name: str) -> Siprouter:
    """A server the test stops itself (kill -9 included)."""
    server = Siprouter(CONFIG, port, ["-l", f"udp:127.0.0.1:{port}", "-A", f"DBMODE={db_mode}",
                                      "-A", f'DBURL="{url}"'], tmp_path / f"{name}.log")
    server.wait_ready()
    return server


def reached(phone: Phone, server: int, user: str) -> bool:
    """Does a MESSAGE to `user` through `server` arrive at `phone`?"""
    phone.message(server, user)
    got = phone.recv()
    return got.startswith(b"MESSAGE sip:phone@127.0.0.1")


def test_a_user_registered_through_node_a_is_reached_through_node_b(
        start_siprouter, pg_url: str, phones: list[Phone]) -> None:
    a = node(start_siprouter, 3, pg_url)
    b = node(start_siprouter, 3, pg_url)
    alice = Phone()
    phones.append(alice)
    assert status(alice.register(a, "alice")) == 200
    assert reached(alice, b, "alice")


def test_an_unregister_through_node_b_is_seen_by_node_a(
        start_siprouter, pg_url: str, phones: list[Phone]) -> None:
    a = node(start_siprouter, 3, pg_url)
    b = node(start_siprouter, 3, pg_url)
    alice = Phone()
    phones.append(alice)
    alice.register(a, "alice")
    assert status(alice.register(b, "alice", expires=0)) == 200
    caller = Phone()
    phones.append(caller)
    caller.message(a, "alice")
    assert status(caller.recv()) == 404


def _survives_kill(tmp_path: Path, phones: list[Phone], db_mode: int, url: str,
                   sig: signal.Signals) -> None:
    port = free_port()
    server = unmanaged(tmp_path, db_mode, url, port, "first")
    alice = Phone()
    phones.append(alice)
    try:
        assert status(alice.register(port, "alice")) == 200
    finally:
        os.kill(server.pid, sig)
        server.proc.wait(timeout=10)
    again = unmanaged(tmp_path, db_mode, url, port, "second")
    try:
        assert reached(alice, port, "alice")
    finally:
        again.stop()


def test_db_mode_1_bindings_survive_kill_9(tmp_path: Path, phones: list[Phone]) -> None:
    _survives_kill(tmp_path, phones, 1, f"sqlite://{tmp_path / 'loc.db'}", signal.SIGKILL)


def test_db_mode_3_bindings_survive_kill_9(tmp_path: Path, pg_url: str,
                                           phones: list[Phone]) -> None:
    _survives_kill(tmp_path, phones, 3, pg_url, signal.SIGKILL)


def test_db_mode_2_bindings_survive_a_clean_restart(tmp_path: Path,
                                                    phones: list[Phone]) -> None:
    _survives_kill(tmp_path, phones, 2, f"sqlite://{tmp_path / 'loc.db'}", signal.SIGTERM)


def test_db_mode_0_bindings_do_not_survive_a_restart(tmp_path: Path,
                                                     phones: list[Phone]) -> None:
    port = free_port()
    server = unmanaged(tmp_path, 0, "sqlite:///nonexistent/unused.db", port, "first")
    alice = Phone()
    phones.append(alice)
    alice.register(port, "alice")
    server.stop()
    again = unmanaged(tmp_path, 0, "sqlite:///nonexistent/unused.db", port, "second")
    try:
        alice.message(port, "alice")
        assert status(alice.recv()) == 404
    finally:
        again.stop()


def test_a_database_that_goes_away_gives_500_then_works_again(
        start_siprouter, pg_cluster: Cluster, pg_url: str, tmp_path: Path,
        phones: list[Phone]) -> None:
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-A", "DBMODE=3", "-A",
                    f'DBURL="{pg_url}"')
    alice = Phone()
    phones.append(alice)
    assert status(alice.register(port, "alice")) == 200
    pg_cluster.stop()
    try:
        assert status(alice.register(port, "alice")) == 500
        alice.message(port, "alice")
        assert status(alice.recv()) == 500  # lookup() -3: the script says so
    finally:
        pg_cluster.start()
    deadline = time.monotonic() + 30  # the next try is due after the back-off (<= 10 s)
    while status(alice.register(port, "alice")) != 200 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert status(alice.register(port, "alice")) == 200
    log = (tmp_path / "siprouter-0.log").read_text()
    down = [line for line in log.splitlines() if "unavailable" in line and "siprouter.db" in line]
    assert len(down) == 1, log
