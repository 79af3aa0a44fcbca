"""dbgtui on the Pilot against a real siprouter with debugger.so: a breakpoint set by keyboard
stops the worker running an OPTIONS, the current line follows the steps (over, into, out), the
eval pane shows values, F5 lets the request finish. No fakes: every pane is filled over RPC."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from siprouter.tools.dbgtui.app import DbgApp
from siprouter.tools.dbgtui.screens import HelpScreen
from siprouter.tools.dbgtui.session import DebugSession
from siprouter.tools.dbgtui.widgets import EvalBox, SourceView, StackView, VariablesView

from .conftest import DebugServer, SipPeer, in_thread, run_async, wait_until

SIZE = (120, 40)


async def _set_breakpoint_by_keyboard(pilot, app: DbgApp, line: int) -> None:  # type: ignore[no-untyped-def]
    source = app.query_one(SourceView)
    await wait_until(pilot, "the server's source in the source pane", lambda: source.file != "")
    source.focus()
    await pilot.press("home", *["down"] * (line - 1))
    assert source.cursor_line == line
    await pilot.press("f9")
    await wait_until(pilot, f"a breakpoint mark on line {line}",
                     lambda: line in source.model.breakpoints)


@run_async
async def test_breakpoint_step_eval_continue(debug_server: DebugServer, sip_peer: SipPeer) -> None:
    bp_line = debug_server.line_of("$var(caller) = $fU;")
    app = DbgApp(debug_server.session(), poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        source = app.query_one(SourceView)
        await _set_breakpoint_by_keyboard(pilot, app, bp_line)
        check = debug_server.session()
        bps = await in_thread(check.breakpoints)
        assert [(Path(b.file).name, b.line) for b in bps] == [("dbg.cfg", bp_line)]

        sip_peer.send_options()
        await wait_until(pilot, "the worker paused on the breakpoint",
                         lambda: source.current_line == bp_line)
        assert Path(source.file) == debug_server.cfg.resolve() or source.file.endswith("dbg.cfg")

        await pilot.press("f10")
        count_line = debug_server.line_of("$var(count) = 5;")
        await wait_until(pilot, "the current line after step over",
                         lambda: source.current_line == count_line)

        await pilot.press("n")
        route_line = debug_server.line_of("route(CHECK);")
        await wait_until(pilot, "the route() line", lambda: source.current_line == route_line)

        await pilot.press("f11")
        xlog_line = debug_server.line_of('xlog("L_INFO"')
        await wait_until(pilot, "the first line of route[CHECK]",
                         lambda: source.current_line == xlog_line)
        stack = app.query_one(StackView)
        await wait_until(pilot, "two frames on the stack", lambda: len(stack.frames) == 2)

        await pilot.press("shift+f11")
        if_line = debug_server.line_of('if (is_method("OPTIONS"))')
        await wait_until(pilot, "back in request_route after step out",
                         lambda: source.current_line == if_line)

        await pilot.press("e", *"$var(caller)", "enter")
        box = app.query_one(EvalBox)
        await wait_until(pilot, "the eval result",
                         lambda: "$var(caller) = alice" in box.last_results)
        tree = app.query_one(VariablesView)
        labels = [str(n.label) for n in tree.root.children[0].children]
        assert "$var(caller) = 'alice'" in labels

        source.focus()
        await pilot.press("f5")
        reply = await in_thread(sip_peer.reply)
        assert reply.startswith("SIP/2.0 200 Alive")
        await wait_until(pilot, "no current line once the worker runs on",
                         lambda: source.current_line is None)


@run_async
async def test_breakpoint_toggles_off_with_the_same_key(debug_server: DebugServer) -> None:
    line = debug_server.line_of("$var(count) = 5;")
    app = DbgApp(debug_server.session(), poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        source = app.query_one(SourceView)
        await _set_breakpoint_by_keyboard(pilot, app, line)
        await pilot.press("b")
        await wait_until(pilot, "the mark gone", lambda: line not in source.model.breakpoints)
        assert await in_thread(debug_server.session().breakpoints) == []


@run_async
async def test_help_screen_lists_the_debugger_keys(debug_server: DebugServer) -> None:
    app = DbgApp(debug_server.session())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = dict(app.screen.rows)
        assert rows["F5, c"] == "Continue" and rows["F9, b"] == "Breakpoint"
        assert rows["F10, n"] == "Over" and rows["F11, s"] == "Into"
        assert rows["Shift-F11, o"] == "Out" and rows["F1, ?"] == "Help"
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


@run_async
async def test_a_silent_server_shows_a_banner_and_is_retried(debug_server: DebugServer) -> None:
    session = DebugSession.from_url(debug_server.url, timeout=0.5)
    app = DbgApp(session, poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        banner = app.query_one("#banner")
        await wait_until(pilot, "the first answer", lambda: app.processes != [])
        os.killpg(debug_server.proc.pid, signal.SIGSTOP)
        try:
            await wait_until(pilot, "the connection-lost banner",
                             lambda: banner.has_class("-visible"))
            assert "retrying" in str(banner.render())
        finally:
            os.killpg(debug_server.proc.pid, signal.SIGCONT)
        await wait_until(pilot, "the banner gone once the server answers again",
                         lambda: not banner.has_class("-visible"))
        assert app.is_running



@run_async
async def test_clicking_a_line_number_toggles_a_breakpoint(debug_server: DebugServer) -> None:
    line = debug_server.line_of("$var(caller) = $fU;")  # on screen without scrolling
    app = DbgApp(debug_server.session(), poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        source = app.query_one(SourceView)
        await wait_until(pilot, "the source", lambda: source.file != "")
        # Offsets count the pane's border: row 1 is line 1, column 1 the breakpoint column.
        await pilot.click(SourceView, offset=(1, line))
        await wait_until(pilot, "the mark", lambda: line in source.model.breakpoints)
        bps = await in_thread(debug_server.session().breakpoints)
        assert [b.line for b in bps] == [line]
        await pilot.click(SourceView, offset=(1, line))
        await wait_until(pilot, "the mark gone", lambda: line not in source.model.breakpoints)
