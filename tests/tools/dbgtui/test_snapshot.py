"""The main screen's look, paused on a breakpoint of a real server (pytest-textual-snapshot).

Deterministic by construction: a fixed terminal size, a fixed SIP message (tests' OPTIONS has a
fixed Call-ID, branch, tags and Via port), file names shown relative to the cfg's folder, pids
shown as 1000+entry (`StablePids`), and the header's sub-title (the server URL, whose port the
system picks) replaced by a fixed text. Update with `pytest --snapshot-update` and review the SVG.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from siprouter.tools.dbgtui.app import DbgApp
from siprouter.tools.dbgtui.widgets import EvalBox, SourceView

from .conftest import DebugServer, SipPeer, StablePids, wait_until

SIZE = (120, 40)


def test_main_screen_paused_on_a_breakpoint(debug_server: DebugServer, sip_peer: SipPeer,
                                            snap_compare: Any) -> None:
    line = debug_server.line_of("$var(caller) = $fU;")
    app = DbgApp(StablePids(debug_server.session()), poll_seconds=0.1)

    async def pause_and_eval(pilot: Pilot[Any]) -> None:
        source = app.query_one(SourceView)
        await wait_until(pilot, "the source", lambda: source.file != "")
        await pilot.press("home", *["down"] * (line - 1), "f9")
        await wait_until(pilot, "the breakpoint", lambda: line in source.model.breakpoints)
        sip_peer.send_options()
        await wait_until(pilot, "the worker paused", lambda: source.current_line == line)
        await pilot.press("e", *"$fU", "enter")
        box = app.query_one(EvalBox)
        await wait_until(pilot, "the eval result", lambda: "$fU = alice" in box.last_results)
        source.focus()
        app.sub_title = "http://127.0.0.1:PORT/RPC"
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=pause_and_eval)


def test_help_screen(debug_server: DebugServer, snap_compare: Any) -> None:
    app = DbgApp(StablePids(debug_server.session()), poll_seconds=0.1)

    async def open_help(pilot: Pilot[Any]) -> None:
        source = app.query_one(SourceView)
        await wait_until(pilot, "the source", lambda: source.file != "")
        await wait_until(pilot, "the workers", lambda: app.processes != [])
        app.sub_title = "http://127.0.0.1:PORT/RPC"
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=open_help)
