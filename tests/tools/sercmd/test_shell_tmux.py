"""The shell in a real terminal: sercmd runs in a tmux pane, keys go in with send-keys and the
screen comes back with capture-pane. Waits poll the screen until something shows up (with a
deadline); nothing asserts how long anything took."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import SERCMD, RPCServer

DEADLINE = 20.0


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

    def __init__(self, tmux: str, socket_path: Path, env: dict[str, str]) -> None:
        self.base = [tmux, "-S", str(socket_path), "-f", "/dev/null"]
        self.env = env

    def start(self, command: str) -> None:
        subprocess.run([*self.base, "new-session", "-d", "-s", "t", "-x", "120", "-y", "40",
                        command], check=True, env=self.env, timeout=30)

    def send(self, *keys: str) -> None:
        subprocess.run([*self.base, "send-keys", "-t", "t", *keys], check=True, timeout=30)

    def screen(self) -> str:
        done = subprocess.run([*self.base, "capture-pane", "-p", "-t", "t"],
                              capture_output=True, text=True, timeout=30)
        return done.stdout

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

    def wait_text(self, text: str, count: int = 1) -> str:
        return self.wait_for(f"{text!r} x{count}", lambda s: s.count(text) >= count)

    def kill_server(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True, timeout=30)


@pytest.fixture
def pane(tmp_path: Path, sercmd_env: dict[str, str]) -> Iterator[Pane]:
    p = Pane(ensure_tmux(), tmp_path / "tmux.sock", sercmd_env)
    try:
        yield p
    finally:
        p.kill_server()


def test_shell_in_a_terminal(pane: Pane, rpc_server: RPCServer, sercmd_env: dict[str, str]) -> None:
    history = Path(sercmd_env["SERCMD_HISTORY"])
    pane.start(" ".join([*SERCMD, "-s", rpc_server.http]))
    prompt = f"sercmd {rpc_server.listeners['http']}> "
    screen = pane.wait_text(prompt.rstrip())  # capture-pane drops trailing spaces
    assert f"connected to {rpc_server.http}: siprouter " in screen

    # Tab on "cor": the menu lists the core methods.
    pane.send("cor", "Tab")
    screen = pane.wait_text("core.version")
    assert "core.uptime" in screen and "core.psx" in screen
    pane.send("version", "Enter")
    pane.wait_for("core.version's result", lambda s: "\nsiprouter " in s)

    # cfg.get: the group completes, then the variable; the toolbar shows the signature.
    pane.send("cfg.get reg", "Tab")
    pane.wait_text(prompt + "cfg.get registrar")
    pane.wait_text("cfg.get ‹string› ‹string› → any")
    pane.send(" default_expires", "Enter")
    pane.wait_for("the value", lambda s: "\n1800\n" in s)

    # help METHOD prints the server's help text.
    pane.send("help core.version", "Enter")
    pane.wait_text("Print version information")

    # Up recalls the last line; Enter runs it again.
    pane.send("Up")
    pane.wait_text(prompt + "help core.version", count=2)
    pane.send("Enter")
    pane.wait_text("Print version information", count=2)

    # A failing call: kamcmd's error line.
    pane.send("core.kill bad", "Enter")
    pane.wait_text("error: 400 - bad signal bad")

    # Ctrl-D on an empty line leaves; the history file kept the lines.
    pane.send("C-d")
    end = time.monotonic() + DEADLINE
    while pane.alive():
        assert time.monotonic() < end, "sercmd did not exit on Ctrl-D"
        time.sleep(0.1)
    saved = history.read_text()
    assert "+help core.version" in saved and "+core.kill bad" in saved

