"""`siprouter -f FILE`: from a checked config to a serving process.

Reads the settings, compiles the script, opens the sockets and the TLS contexts in the parent
(so every start-up error is one clear line and exit status 1, before any worker exists), then
hands over to the supervisor.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import secrets
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from siprouter.core.cfg.frontend import Analysis
from siprouter.core.exports import default_registry
from siprouter.core.rpc.context import ListenSocket
from siprouter.core.rpc.embed import StartError, start_rpc_process
from siprouter.core.runtime import debugging
from siprouter.core.runtime.compiler import CompileError, compile_config
from siprouter.core.runtime.modinit import init_modules
from siprouter.core.transport.sockets import BindError, bind_all
from siprouter.core.transport.tls_config import TLSConfigError, client_context, server_context
from siprouter.core.transport.tls_registry import TLS_CONNECTIONS

from . import logs
from .replies import sl_tag_prefix
from .settings import SettingsError, from_config
from .supervisor import supervise
from .worker import WorkerPlan

log = logging.getLogger("siprouter.core")

# Runtime parts that register SIP keywords, PVs and core actions when imported (written
# alongside the server; imported when present).
_RUNTIME_EXTENSIONS = ("siprouter.core.runtime.sip_pvs", "siprouter.core.runtime.sip_actions",
                       "siprouter.core.runtime.sip_transforms")


def _load_runtime_extensions() -> None:
    for name in _RUNTIME_EXTENSIONS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


@contextlib.contextmanager
def _pid_file(path: str | None) -> Iterator[None]:
    if path:
        with open(path, "w") as f:
            f.write(f"{os.getpid()}\n")
    try:
        yield
    finally:
        if path:
            with contextlib.suppress(OSError):
                os.unlink(path)


def serve(analysis: Analysis, *, listen: Sequence[str] = (), children: int | None = None,
          auto_aliases: str | None = None, pid_file: str | None = None,
          err: TextIO | None = None) -> int:
    """Serve the analysed config in the foreground until SIGTERM/SIGINT; the exit status."""
    out = err or sys.stderr
    try:
        settings = from_config(analysis.config, listen_override=listen, children=children,
                               auto_aliases=auto_aliases)
    except SettingsError as exc:
        print(f"ERROR: {exc}", file=out)
        return 1
    logs.setup(settings.debug)
    _load_runtime_extensions()
    loaded = default_registry().loaded(settings.modules)
    try:
        script = compile_config(analysis.config, loaded)
    except CompileError as exc:
        for span, message in exc.errors:
            print(f"ERROR: {span}: {message}", file=out)
        print(f"ERROR: cannot run this config ({len(exc.errors)} error"
              f"{'s' if len(exc.errors) != 1 else ''})", file=out)
        return 1
    tls_server = tls_client = None
    if settings.tls is not None:
        try:
            tls_server = server_context(settings.tls)
            tls_client = client_context(settings.tls)
        except TLSConfigError as exc:
            print(f"ERROR: {exc}", file=out)
            return 1
    if settings.tls is not None:
        TLS_CONNECTIONS.create()  # before any fork: workers write it, tls.list reads it
    try:
        sockets = bind_all(settings.listen)
    except BindError as exc:
        print(f"ERROR: {exc}", file=out)
        return 1
    for b in sockets:
        adv = (f" advertise {b.info.advertised_host}:{b.info.via_port}"
               if b.info.advertised_host else "")
        log.info("listening on %s%s", b.info, adv)
    plan = WorkerPlan(settings, script, sockets, secret=secrets.token_hex(8),
                      tag_prefix=sl_tag_prefix(str(sockets[0].info)),
                      tls_server=tls_server, tls_client=tls_client)
    # Modparams onto each module's settings and its init hook, before any process forks.
    services: dict[str, object] = {}
    try:
        init_modules(analysis.config, loaded.modules, services=services)
    except (ValueError, OSError) as exc:
        print(f"ERROR: module initialisation failed: {exc}", file=out)
        for b in sockets:
            b.close()
        return 1
    debugging.server_started(script, analysis.config, settings.children)  # before any fork
    try:
        rpc = start_rpc_process(  # counters, cfg framework and the RPC server (own process)
            analysis, children=settings.children,
            sockets=[ListenSocket(s.proto, s.ip, s.port, s.advertised_host or "")
                     for s in settings.listen],
            aliases=[(a.host, a.port or 0) for a in settings.aliases])
    except StartError as exc:
        print(f"ERROR: {exc}", file=out)
        debugging.server_stopped()
        for b in sockets:
            b.close()
        return 1
    services["cfg"] = rpc.management.cfg  # seen by the modules' hooks in the workers
    try:
        with _pid_file(pid_file):
            return supervise(plan)
    finally:
        rpc.stop()
        debugging.server_stopped()
        for b in sockets:
            b.close()
