"""The shell's prompt_toolkit session fed keys through a pipe (no terminal), against the real
server: completion on Tab, history recall with Up and Ctrl-R, argument hints in the toolbar,
F1 help, built-ins, a failing call, and switching servers with `connect`."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from siprouter.tools.sercmd.client import RPCClient
from siprouter.tools.sercmd.output import Output
from siprouter.tools.sercmd.servers import Servers
from siprouter.tools.sercmd.shell import Shell, open_history

from .conftest import RPCServer

UP, CTRL_R, F1, TAB, ENTER = "\x1b[A", "\x12", "\x1bOP", "\t", "\r"
DEADLINE = 10.0  # seconds to wait for the shell to get somewhere; not a timing assertion


class Harness:
    """A shell on a pipe, with its printed output in a string."""

    def __init__(self, shell: Shell, keys: PipeInput, screen: io.StringIO) -> None:
        self.shell = shell
        self.keys = keys
        self.screen = screen

    @property
    def buffer_text(self) -> str:
        return self.shell.session.default_buffer.text

    def completions(self) -> list[str]:
        """The menu's entries (as shown: once the common part is inserted, the completions
        themselves only carry the rest)."""
        state = self.shell.session.default_buffer.complete_state
        return [c.display_text for c in state.completions] if state else []

    async def until(self, what: str, cond: Callable[[], object]) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + DEADLINE
        while not cond():
            if loop.time() > end:
                raise AssertionError(f"shell never got to: {what} (buffer {self.buffer_text!r}, "
                                     f"output {self.screen.getvalue()[-300:]!r})")
            await asyncio.sleep(0.01)

    def prompt(self) -> asyncio.Task[str]:
        return asyncio.ensure_future(self.shell.session.prompt_async(self.shell.prompt_text))

    async def line(self, keys: str) -> str:
        """Type `keys` (ending in Enter) at a fresh prompt, run the line, return it."""
        task = self.prompt()
        self.keys.send_text(keys)
        text = await asyncio.wait_for(task, DEADLINE)
        self.shell.execute(text)
        return text


def make_shell(url: str, keys: PipeInput, screen: io.StringIO,
               history_file: Path | None = None, fmt: str | None = None) -> Shell:
    console = Console(file=screen, width=120, color_system=None)
    servers = Servers(RPCClient.from_url(url, timeout=10), lambda u: RPCClient.from_url(u, 10))
    history, _ = open_history(str(history_file) if history_file else None)
    return Shell(servers, Output(console, console, "rich"), history,
                 pt_input=keys, pt_output=DummyOutput(), fmt=fmt)


@pytest.fixture
def harness(rpc_server: RPCServer, tmp_path: Path) -> Iterator[Harness]:
    screen = io.StringIO()
    with create_pipe_input() as keys:
        shell = make_shell(rpc_server.http, keys, screen, tmp_path / "history")
        yield Harness(shell, keys, screen)
        shell.hints.close()
        shell.servers.close()


def test_tab_after_cor_shows_the_core_methods(harness: Harness) -> None:
    async def scenario() -> None:
        task = harness.prompt()
        harness.keys.send_text("cor" + TAB)
        await harness.until("completion menu", harness.completions)
        offered = harness.completions()
        assert "core.version" in offered and all(c.startswith("core.") for c in offered)
        assert harness.buffer_text == "core."  # the common part is inserted, as readline does
        harness.keys.send_text("version" + ENTER)
        assert await asyncio.wait_for(task, DEADLINE) == "core.version"

    asyncio.run(scenario())


def test_tab_after_cfg_get_completes_the_group_then_the_variable(harness: Harness) -> None:
    async def scenario() -> None:
        task = harness.prompt()
        harness.keys.send_text("cfg.get reg" + TAB)
        await harness.until("group inserted", lambda: harness.buffer_text == "cfg.get registrar")
        harness.keys.send_text(" default_exp" + TAB)
        await harness.until("variable offered", harness.completions)
        assert harness.completions() == ["default_expires", "default_expires_range"]
        assert harness.buffer_text == "cfg.get registrar default_expires"
        harness.keys.send_text(ENTER)
        harness.shell.execute(await asyncio.wait_for(task, DEADLINE))
        assert harness.screen.getvalue() == "1800\n"

    asyncio.run(scenario())


def test_help_prints_the_methods_help(harness: Harness) -> None:
    async def scenario() -> None:
        await harness.line("help core.version" + ENTER)
        assert harness.screen.getvalue() == "Print version information\n"

    asyncio.run(scenario())


def test_help_alone_lists_builtins_and_aliases(harness: Harness) -> None:
    async def scenario() -> None:
        await harness.line("help" + ENTER)
        assert "alias for system.listMethods" in harness.screen.getvalue()

    asyncio.run(scenario())


def test_up_recalls_the_previous_line(harness: Harness, tmp_path: Path) -> None:
    async def scenario() -> None:
        await harness.line("core.echo one" + ENTER)
        await harness.line("core.echo two" + ENTER)
        task = harness.prompt()
        harness.keys.send_text(UP + UP)
        await harness.until("recalled", lambda: harness.buffer_text == "core.echo one")
        harness.keys.send_text(ENTER)
        harness.shell.execute(await asyncio.wait_for(task, DEADLINE))
        assert harness.screen.getvalue() == "one\ntwo\none\n"

    asyncio.run(scenario())
    assert "+core.echo two" in (tmp_path / "history").read_text()


def test_ctrl_r_searches_the_history(harness: Harness) -> None:
    async def scenario() -> None:
        await harness.line("core.uptime" + ENTER)
        await harness.line("core.echo x" + ENTER)
        task = harness.prompt()
        harness.keys.send_text(CTRL_R + "upt")
        search = harness.shell.session.search_buffer
        await harness.until("searching", lambda: search.text == "upt")
        harness.keys.send_text(ENTER)  # take the match into the line
        await harness.until("found", lambda: harness.buffer_text == "core.uptime")
        harness.keys.send_text(ENTER)
        assert await asyncio.wait_for(task, DEADLINE) == "core.uptime"

    asyncio.run(scenario())


def test_history_file_is_read_at_start(rpc_server: RPCServer, tmp_path: Path) -> None:
    (tmp_path / "h").write_text("\n# 2026-01-01 00:00:00\n+core.psx\n")

    async def scenario(h: Harness) -> None:
        task = h.prompt()
        h.keys.send_text(UP)
        await h.until("recalled from file", lambda: h.buffer_text == "core.psx")
        h.keys.send_text(ENTER)
        await asyncio.wait_for(task, DEADLINE)

    with create_pipe_input() as keys:
        screen = io.StringIO()
        shell = make_shell(rpc_server.http, keys, screen, tmp_path / "h")
        asyncio.run(scenario(Harness(shell, keys, screen)))
        shell.hints.close()


def test_failing_call_shows_the_error_line(harness: Harness) -> None:
    async def scenario() -> None:
        await harness.line("core.kill bad" + ENTER)
        await harness.line("no.such" + ENTER)
        assert harness.screen.getvalue() == (
            "error: 400 - bad signal bad\nerror: -32601 - Method not found: no.such\n")

    asyncio.run(scenario())


def test_unclosed_quote_is_reported_not_sent(harness: Harness) -> None:
    async def scenario() -> None:
        await harness.line('core.echo "abc' + ENTER)
        assert harness.screen.getvalue() == 'error: unclosed " quote\n'

    asyncio.run(scenario())


def test_toolbar_hints_the_signature_and_help(harness: Harness) -> None:
    def toolbar() -> str:
        return "".join(text for _, text, *_ in harness.shell.toolbar())

    async def scenario() -> None:
        task = harness.prompt()
        assert "Ctrl-R" in toolbar()
        harness.keys.send_text("cfg.get ")
        await harness.until("hint", lambda: "‹string›" in toolbar())
        assert toolbar() == ("cfg.get ‹string› ‹string› → any  │  Get the value of a "
                             "configuration variable.  │  Tab: cfg group")
        harness.keys.send_text("\x15" + ENTER)  # Ctrl-U empties the line
        assert await asyncio.wait_for(task, DEADLINE) == ""

    asyncio.run(scenario())


def test_f1_prints_help_for_the_command_being_typed(harness: Harness) -> None:
    async def scenario() -> None:
        task = harness.prompt()
        harness.keys.send_text("core.uptime" + F1)
        await harness.until("help printed", lambda: harness.screen.getvalue())
        assert harness.buffer_text == "core.uptime"
        harness.keys.send_text(ENTER)
        await asyncio.wait_for(task, DEADLINE)

    asyncio.run(scenario())
    assert harness.screen.getvalue() == "Print uptime\n"  # system.methodHelp core.uptime


def test_connect_switches_servers_and_lists_them(harness: Harness, guarded_server: RPCServer) -> None:
    first = harness.shell.servers.current.url
    harness.shell.execute(f"connect {guarded_server.unix_dgram}")
    assert harness.shell.prompt_text() == f"sercmd {guarded_server.unix_dgram}> "
    harness.shell.execute("connect")
    out = harness.screen.getvalue().splitlines()
    assert out[0].startswith(f"connected to {guarded_server.unix_dgram}: siprouter ")
    assert out[1:] == [f"* {guarded_server.unix_dgram}", f"  {first}"]


def test_connect_to_nothing_keeps_the_current_server(harness: Harness) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    before = harness.shell.servers.current
    harness.shell.execute(f"connect 127.0.0.1:{port}")
    assert harness.shell.servers.current is before
    assert harness.screen.getvalue() == (
        f"error: cannot reach http://127.0.0.1:{port}/RPC: Connection refused\n")


def test_run_reads_lines_until_quit(rpc_server: RPCServer) -> None:
    screen = io.StringIO()
    with create_pipe_input() as keys:
        shell = make_shell(rpc_server.udp, keys, screen)
        keys.send_text("core.echo 1 s:2 2.5" + ENTER + "quit" + ENTER + "core.echo never" + ENTER)
        assert shell.run() == 0
    assert screen.getvalue().split() == ["1", "2", "2.5"]


def test_ctrl_d_on_an_empty_line_leaves(rpc_server: RPCServer) -> None:
    with create_pipe_input() as keys:
        shell = make_shell(rpc_server.http, keys, io.StringIO())
        keys.send_text("\x04")
        assert shell.run() == 0


def test_greeting_names_the_server_and_its_version(harness: Harness, rpc_server: RPCServer) -> None:
    harness.shell.greet()
    assert harness.screen.getvalue().startswith(f"connected to {rpc_server.http}: siprouter ")


def test_greeting_says_why_a_server_does_not_answer() -> None:
    screen = io.StringIO()
    with create_pipe_input() as keys:
        shell = make_shell("unix:/nonexistent/rpc.sock", keys, screen)
        shell.greet()
        keys.send_text("quit" + ENTER)
        assert shell.run() == 0
    assert screen.getvalue() == (
        "error: cannot reach unix:/nonexistent/rpc.sock: No such file or directory\n")


def test_format_option_applies_to_every_call(rpc_server: RPCServer) -> None:
    screen = io.StringIO()
    with create_pipe_input() as keys:
        shell = make_shell(rpc_server.http, keys, screen, fmt="%v|")
        keys.send_text("core.echo a b" + ENTER + "quit" + ENTER)
        shell.run()
    assert screen.getvalue() == "a|b|"


def test_ctrl_c_during_a_call_gives_up_on_it_and_the_shell_goes_on(
        rpc_server: RPCServer, monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    with create_pipe_input() as keys:
        shell = make_shell(rpc_server.http, keys, screen)
        client = shell.servers.current
        real_call = client.call
        calls: list[str] = []

        def interrupted_once(method: str, *params: object) -> object:
            calls.append(method)
            if len(calls) == 1:
                raise KeyboardInterrupt
            return real_call(method, *params)

        monkeypatch.setattr(client, "call", interrupted_once)
        keys.send_text("core.echo slow" + ENTER + "core.echo next" + ENTER + "quit" + ENTER)
        assert shell.run() == 0
    assert screen.getvalue() == "error: interrupted\nnext\n"


def test_toolbar_says_when_the_first_word_is_no_method(harness: Harness) -> None:
    redraws: list[None] = []
    harness.shell.hints._on_ready = lambda: redraws.append(None)  # count the answers

    def toolbar() -> str:
        return "".join(text for _, text, *_ in harness.shell.toolbar())

    async def scenario() -> None:
        task = harness.prompt()
        harness.keys.send_text("core.nope ")
        await harness.until("verdict", lambda: "not a method" in toolbar() and redraws)
        for _ in range(5):
            toolbar()  # redrawing asks nothing more
        harness.keys.send_text("\x15" + ENTER)
        await asyncio.wait_for(task, DEADLINE)

    asyncio.run(scenario())
    harness.shell.hints.close()
    assert len(redraws) == 1
