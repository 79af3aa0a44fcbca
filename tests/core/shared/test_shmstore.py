"""SharedStore: one SQLite file per server run that every process of it opens."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from siprouter.core.shared.shmstore import SharedStore, remove_files, sweep_leftovers

SCHEMA = ("CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)",)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SharedStore]:
    s = SharedStore("test", SCHEMA, directory=str(tmp_path))
    yield s
    s.reset()


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_before_create_the_store_is_in_memory_with_its_schema(store: SharedStore) -> None:
    store.database().execute("INSERT INTO kv (k, v) VALUES ('a', 1)")
    assert store.path is None
    assert store.database().execute("SELECT v FROM kv") == [{"v": 1}]


def test_create_makes_a_file_named_for_the_module_and_this_process(
        store: SharedStore, tmp_path: Path) -> None:
    store.create()
    assert store.path is not None
    assert os.path.exists(store.path)
    assert os.path.basename(store.path).startswith(f"siprouter-test-{os.getpid()}-")
    assert os.path.dirname(store.path) == str(tmp_path)


def test_a_forked_child_opens_its_own_connection_to_the_same_file(store: SharedStore) -> None:
    store.create()
    parent_db = store.database()
    parent_db.execute("INSERT INTO kv (k, v) VALUES ('parent', 1)")
    pid = os.fork()
    if pid == 0:  # the child: write through the inherited store object, then leave at once
        ok = False
        try:
            db = store.database()
            db.execute("INSERT INTO kv (k, v) VALUES ('child', 2)")
            ok = db._conn is not None and db._pid == os.getpid()
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    rows = parent_db.execute("SELECT k FROM kv ORDER BY k")
    assert [r["k"] for r in rows] == ["child", "parent"]


def test_remove_file_in_the_maker_removes_the_file_and_its_wal(store: SharedStore) -> None:
    store.create()
    path = store.path
    assert path is not None
    store.database().execute("INSERT INTO kv (k, v) VALUES ('a', 1)")
    store.remove_file()
    assert not [p for p in (path, path + "-wal", path + "-shm") if os.path.exists(p)]
    assert store.url is None


def test_remove_file_in_another_process_leaves_the_file(store: SharedStore) -> None:
    store.create()
    path = store.path
    assert path is not None
    pid = os.fork()
    if pid == 0:
        try:
            store.remove_file()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert os.path.exists(path)


def test_remove_file_leaves_a_store_given_by_url(store: SharedStore, tmp_path: Path) -> None:
    given = tmp_path / "given.db"
    store.create(f"sqlite://{given}")
    store.remove_file()
    assert given.exists()


def test_sweep_removes_the_files_of_a_dead_maker(tmp_path: Path) -> None:
    leftover = tmp_path / f"siprouter-test-{_dead_pid()}-abcd1234.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{leftover}{suffix}").write_bytes(b"")
    assert sweep_leftovers("test", str(tmp_path)) == [str(leftover)]
    assert list(tmp_path.iterdir()) == []


def test_sweep_keeps_files_of_live_processes_and_of_other_modules(tmp_path: Path) -> None:
    mine = tmp_path / f"siprouter-test-{os.getpid()}-abcd1234.db"
    parent = tmp_path / f"siprouter-test-{os.getppid()}-abcd1234.db"
    other = tmp_path / f"siprouter-other-{_dead_pid()}-abcd1234.db"
    for path in (mine, parent, other):
        path.write_bytes(b"")
    assert sweep_leftovers("test", str(tmp_path)) == []
    assert mine.exists() and parent.exists() and other.exists()


def test_create_sweeps_leftovers_first(store: SharedStore, tmp_path: Path) -> None:
    leftover = tmp_path / f"siprouter-test-{_dead_pid()}-abcd1234.db"
    leftover.write_bytes(b"")
    store.create()
    assert not leftover.exists()


def test_remove_files_of_a_missing_file_is_no_error(tmp_path: Path) -> None:
    remove_files(str(tmp_path / "none.db"))
