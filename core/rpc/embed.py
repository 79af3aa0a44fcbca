"""Running the management server inside `siprouter -f`: a process of its own (Kamailio's "ctl
handler"), forked by the main process before the workers, so RPC answers while workers are busy
or stopped at a debugger breakpoint.

The server calls, in the main process:
    handle = start_rpc_process(analysis, children=N, sockets=[...], aliases=[...])
    ... fork the workers; each calls worker_started(description, worker_state) first and
        before_message() for every message ...
    handle.stop()  # at exit
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from typing import Any

from siprouter.core.cfg.frontend import Analysis
from siprouter.core.shared.cfgframework import CfgFramework
from siprouter.core.shared.processes import ProcessTable
from siprouter.core.shared.worker import start_worker

from .bootstrap import Management, build_management
from .context import ListenSocket, ProcessInfo
from .server import ManagementServer
from .settings import ConfigSettings

log = logging.getLogger("siprouter.rpc")

# Rows beyond the workers, the main process and the RPC process (processes started later).
SPARE_ROWS = 8

_current: Management | None = None
_table: ProcessTable | None = None


@dataclass
class RPCProcess:
    """The forked RPC process and the shared state it was given."""

    pid: int
    management: Management
    table: ProcessTable

    def stop(self) -> None:
        """Stop the RPC process and remove the shared segments (main process, at exit)."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0
        self.management.cleanup()
        self.table.segment.unlink()


class StartError(RuntimeError):
    """The management server could not start (bad settings or a listener that cannot open)."""


def start_rpc_process(analysis: Analysis, *, children: int,
                      sockets: list[ListenSocket] | None = None,
                      aliases: list[tuple[str, int]] | None = None) -> RPCProcess:
    """Build counters, cfg and RPC registry for `analysis`, fork the RPC process and wait until
    it listens; StartError with a one-line reason otherwise."""
    global _current, _table
    defines = {name: d.value for name, d in analysis.preprocessed.defines.items()}
    settings = ConfigSettings.from_config(analysis.config, defines,
                                          analysis.config.files[0] if analysis.config.files else "")
    rows = children + 2 + SPARE_ROWS
    table = ProcessTable(rows)
    main_pid = os.getpid()
    table.register("main process - attendant", rank=0)

    def processes() -> list[ProcessInfo]:
        return [ProcessInfo(r, pid, d) for r, pid, d in table.entries()]

    def kill(signum: int) -> None:
        threading.Timer(0.2, os.kill, (main_pid, signum)).start()

    try:
        mgmt = build_management(settings, processes=rows, process_table=processes, kill=kill,
                                sockets=list(sockets or []), aliases=list(aliases or []),
                                argv=list(sys.argv))
    except ValueError as exc:
        table.segment.unlink()
        raise StartError(str(exc)) from None
    _current, _table = mgmt, table
    if not mgmt.config.endpoints and mgmt.config.ctl is None:  # no RPC module: no listener
        return RPCProcess(0, mgmt, table)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the RPC process
        os.close(read_fd)
        code = 1
        try:
            code = _run(mgmt, table, write_fd)
        finally:
            os._exit(code)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        status = pipe.read().decode(errors="replace")
    handle = RPCProcess(pid, mgmt, table)
    if status != "ok":
        handle.stop()
        raise StartError(status or "the RPC process died at start")
    return handle


def _run(mgmt: Management, table: ProcessTable, ready_fd: int) -> int:
    _exit_with_parent()
    rank = table.register("RPC handler (management server)")
    mgmt.counters.bind(rank)
    server = ManagementServer(mgmt.config, mgmt.dispatcher)

    async def main() -> None:
        try:
            await server.start()
        except OSError as exc:
            os.write(ready_fd, (exc.strerror or str(exc)).encode())
            os.close(ready_fd)
            return
        mgmt.info.management = [ep.describe() for ep in server.bound]
        os.write(ready_fd, b"ok")
        os.close(ready_fd)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await server.close()

    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    asyncio.run(main())
    return 0


def _exit_with_parent() -> None:
    """Get SIGTERM when the main process dies, even by SIGKILL (Linux prctl PR_SET_PDEATHSIG),
    so a killed server leaves no RPC process holding its ports."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def current_management() -> Management | None:
    """The management side `siprouter -f` built before forking (registry, dispatcher, shared
    counters and cfg), inherited by every worker; None outside a server."""
    return _current


def worker_started(description: str, worker_state: Any = None) -> CfgFramework | None:
    """In a worker, before it serves: register in the process table (its counter row), pick up
    cfg changes and follow core.debug/core.max_while_loops. No-op without a management side."""
    if _current is None or _table is None:
        return None
    rank = _table.register(description)
    start_worker(rank, _current.cfg, _current.counters, worker_state,
                 logging.getLogger("siprouter"))
    return _current.cfg


def before_message() -> None:
    """Per message in a worker: see committed cfg changes (one integer compare otherwise)."""
    if _current is not None:
        _current.cfg.refresh()


def refreshing(on_message: Any) -> Any:
    """`on_message` that first picks up committed cfg changes (the per-message generation
    check); `on_message` itself when there is no management side."""
    if _current is None:
        return on_message
    refresh = _current.cfg.refresh

    def wrapped(*args: Any) -> Any:
        refresh()
        return on_message(*args)

    return wrapped
