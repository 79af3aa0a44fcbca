"""`siprouter db init` / `siprouter db version` on both engines, through the real command."""

from __future__ import annotations

import subprocess
import sys

from siprouter.core.db import connect, table_version


def siprouter(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "siprouter.core.main", *args],
                          capture_output=True, text=True, timeout=60)


def test_db_init_creates_the_schema_in_either_engine(any_url: str) -> None:
    r = siprouter("db", "init", "--db-url", any_url)
    assert r.returncode == 0, r.stderr
    assert "location" in r.stdout
    assert table_version(connect(any_url), "location") == 9


def test_db_init_again_reports_all_present(any_url: str) -> None:
    siprouter("db", "init", "--db-url", any_url)
    r = siprouter("db", "init", "--db-url", any_url)
    assert r.returncode == 0 and "all present" in r.stdout


def test_db_init_of_one_group(sqlite_url: str) -> None:
    r = siprouter("db", "init", "--db-url", sqlite_url, "--group", "usrloc")
    assert r.returncode == 0
    db = connect(sqlite_url)
    assert db.table_exists("location") and not db.table_exists("subscriber")


def test_db_version_lists_tables_and_versions(sqlite_url: str) -> None:
    siprouter("db", "init", "--db-url", sqlite_url)
    r = siprouter("db", "version", "--db-url", sqlite_url)
    assert "location 9" in r.stdout.splitlines()


def test_an_unreachable_database_is_one_error_line_and_status_1() -> None:
    r = siprouter("db", "init", "--db-url", "postgres://u:pw@127.0.0.1:1/x")
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("ERROR: ")
    assert "pw" not in r.stderr


def test_an_unsupported_url_is_refused() -> None:
    r = siprouter("db", "init", "--db-url", "mysql://k:p@h/d")
    assert r.returncode == 1 and "unsupported db_url" in r.stderr
