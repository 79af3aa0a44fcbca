"""What dbgtui shows when it cannot debug: no server at the address, or a server that has not
loaded debugger.so. A banner, the app keeps running and retrying; never a traceback."""

from __future__ import annotations

from pathlib import Path

from siprouter.tools.dbgtui.app import DbgApp
from siprouter.tools.dbgtui.session import DebugSession

from .conftest import DebugServer, run_async, wait_until

SIZE = (120, 40)


@run_async
async def test_no_server_is_a_banner_not_a_traceback(tmp_path: Path) -> None:
    app = DbgApp(DebugSession.from_url(f"unix:{tmp_path}/nothing.sock", timeout=0.5),
                 poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        banner = app.query_one("#banner")
        await wait_until(pilot, "the banner", lambda: banner.has_class("-visible"))
        assert "Connection lost" in str(banner.render())
        assert app.is_running


@run_async
async def test_a_server_without_the_debugger_says_so(plain_server: DebugServer) -> None:
    app = DbgApp(plain_server.session(), poll_seconds=0.1)
    async with app.run_test(size=SIZE) as pilot:
        banner = app.query_one("#banner")
        await wait_until(pilot, "the banner", lambda: banner.has_class("-visible"))
        assert "debugger.so" in str(banner.render())
        assert app.is_running
