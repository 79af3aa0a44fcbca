"""`python -m siprouter.core.rpc.serve -f CFG`: the management server on a config's settings,
in a process of its own (what the supervisor runs until it starts it itself).

Prints one `listening on KIND:ADDRESS` line per listener on stdout once all are open (ports
given as 0 show the port the system chose), serves until SIGTERM or SIGINT (or core.kill), then
removes its socket files and shared segments. Exit status: 0 after a signal, 1 for a bad
config, 2 for a listener that cannot be opened or is unsafe.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from siprouter.core.cfg.frontend import analyze_file
from siprouter.core.cfg.preprocess import parse_cli_define
from siprouter.core.main import default_config_path, report

from .bootstrap import build_management
from .config import ConfigError
from .server import ManagementServer
from .settings import ConfigSettings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m siprouter.core.rpc.serve",
                                description="Serve siprouter's RPC management interface.")
    p.add_argument("-f", dest="config", metavar="FILE", help="configuration file")
    p.add_argument("-A", dest="defines", action="append", default=[], metavar="NAME[=VALUE]",
                   help="add a config pre-processor define")
    return p


async def _serve(server: ManagementServer) -> None:
    await server.start()
    server.dispatcher.server.management = [ep.describe() for ep in server.bound]
    for ep in server.bound:
        print(f"listening on {ep.describe()}", flush=True)
    for ctl in server.ctl.bound if server.ctl else []:
        print(f"listening on binrpc {ctl.describe()}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    path = args.config or default_config_path()
    try:
        defines = dict(parse_cli_define(d) for d in args.defines)
    except ValueError as exc:
        print(f"siprouter: bad -A define: {exc}", file=sys.stderr)
        return 2
    analysis = analyze_file(path, defines)
    if analysis.errors:
        return report(analysis) or 1
    pp_defines = {name: d.value for name, d in analysis.preprocessed.defines.items()}
    settings = ConfigSettings.from_config(analysis.config, pp_defines, path)
    try:
        mgmt = build_management(settings, processes=1, argv=[sys.argv[0], *(argv or sys.argv[1:])])
    except ConfigError as exc:
        print(f"siprouter: {exc}", file=sys.stderr)
        return 2
    server = ManagementServer(mgmt.config, mgmt.dispatcher)
    try:
        asyncio.run(_serve(server))
    except OSError as exc:
        print(f"siprouter: {exc.strerror or exc}", file=sys.stderr)
        return 2
    finally:
        mgmt.dispatcher.close()
        with contextlib.suppress(Exception):
            mgmt.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
