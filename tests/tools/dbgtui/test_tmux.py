"""dbgtui in a real terminal: tmux runs `dbgtui -s URL` against a real server; capture-pane shows
the source pane with the server's script and the workers list; F9 over send-keys sets a
breakpoint mark; q quits. Waits poll the screen with a deadline; nothing is timed."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import DEADLINE, DebugServer


def ensure_tmux() -> str:
    """tmux, installed with apt-get when this machine lacks it."""
    found = shutil.which("tmux")
    if found is None:
        subprocess.run(["apt-get", "install", "-y", "tmux"], check=True, capture_output=True,
                       timeout=600)
        found = shutil.which("tmux")
    assert found, "tmux is needed for the terminal test and could not be installed"
    return found


class Pane:
    """One tmux session on a private socket, 120x40, running one command."""

    def __init__(self, tmux: str, socket_path: Path) -> None:
        self.base = [tmux, "-S", str(socket_path), "-f", "/dev/null"]

    def start(self, command: str, env: dict[str, str]) -> None:
        subprocess.run([*self.base, "new-session", "-d", "-s", "t", "-x", "120", "-y", "40",
                        command], check=True, env=env, timeout=30)

    def send(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "t", *keys], check=True, timeout=30)

    def screen(self) -> str:
        return subprocess.run([*self.base, "capture-pane", "-p", "-t", "t"],
                              capture_output=True, text=True, timeout=30).stdout

    def alive(self) -> bool:
        return subprocess.run([*self.base, "has-session", "-t", "t"],
                              capture_output=True, timeout=30).returncode == 0

    def wait_for(self, what: str, cond: Callable[[str], bool]) -> str:
        end = time.monotonic() + DEADLINE
        while True:
            screen = self.screen()
            if cond(screen):
                return screen
            if time.monotonic() > end:
                raise AssertionError(f"never saw {what}; the screen was:\n{screen}")
            time.sleep(0.1)

    def kill_server(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=30)


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    p = Pane(ensure_tmux(), tmp_path / "tmux.sock")
    try:
        yield p
    finally:
        p.kill_server()


def test_dbgtui_in_tmux_shows_source_and_workers(pane: Pane, debug_server: DebugServer,
                                                 tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERCMD_")}
    env["TERM"] = "xterm-256color"
    done = tmp_path / "exit-status"
    cmd = (f"{shlex.quote(sys.executable)} -m siprouter.tools.dbgtui -s "
           f"{shlex.quote(debug_server.url)}; echo $? > {shlex.quote(str(done))}; sleep 60")
    pane.start(cmd, env)

    screen = pane.wait_for("the source pane and the workers list",
                           lambda s: "Source — dbg.cfg" in s and "request_route {" in s
                           and "Workers" in s and "running" in s)
    assert 'loadmodule "debugger.so"' in screen
    assert "F5" in screen.upper() or "f5" in screen  # the footer's keys

    line = debug_server.line_of("$var(caller) = $fU;")
    pane.send("Home", *["Down"] * (line - 1), "F9")
    mark = re.compile(rf"●\s*{line} +\$var\(caller\)")
    pane.wait_for("the breakpoint mark", lambda s: mark.search(s) is not None)
    assert [b.line for b in debug_server.session().breakpoints()] == [line]

    pane.send("q")
    pane.wait_for("dbgtui to quit", lambda s: done.exists())
    assert done.read_text().strip() == "0"
    after = pane.screen()
    assert "Traceback" not in after

