"""The command line: --help, and bad usage as one line with exit status 2."""

from __future__ import annotations

import subprocess
import sys

DBGTUI = [sys.executable, "-m", "siprouter.tools.dbgtui"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DBGTUI, *args], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def test_help_describes_the_tool() -> None:
    r = run("--help")
    assert r.returncode == 0
    assert "usage: dbgtui" in r.stdout and "F5 continue" in r.stdout


def test_bad_url_is_one_line_and_status_2() -> None:
    r = run("-s", "ftp://example.org")
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("dbgtui: unsupported address") and r.stderr.count("\n") == 1


def test_bad_option_is_one_line_and_status_2() -> None:
    r = run("--nope")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "see dbgtui --help" in r.stderr


def test_bad_timeout_is_a_usage_error() -> None:
    r = run("-s", "http://127.0.0.1:1/RPC", "-t", "0")
    assert r.returncode == 2 and "--timeout" in r.stderr
