"""`dbgtui [-s URL]`: the debugger for a running siprouter. Exit status: 0 after quitting,
2 usage (bad option, bad address), 4 a bug in dbgtui; a failure is one line on stderr."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from siprouter.tools.sercmd.client import DEFAULT_TIMEOUT
from siprouter.tools.sercmd.urls import URL_ENV, URLError, local_candidates

from .session import DebugSession

EXIT_OK, EXIT_USAGE, EXIT_INTERNAL = 0, 2, 4
TOKEN_ENV = "SERCMD_TOKEN"


class UsageError(Exception):
    """Bad command-line usage: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see dbgtui --help)")


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    p = _Parser(
        prog="dbgtui",
        description="Step through the routing script of a running siprouter (debugger.so "
                    "loaded): breakpoints, stepping, call stack, variables, the SIP message.",
        epilog="Addresses as for sercmd: http://HOST:PORT/RPC, xmlrpc+http://HOST:PORT/RPC2, "
               "udp:HOST:PORT, unix:/PATH. Keys: F5 continue, F10 over, F11 into, Shift-F11 "
               "out, F9 breakpoint, ? help. See docs/dbgtui.md.",
    )
    p.add_argument("-s", "--server", metavar="URL",
                   help=f"server address (default: ${URL_ENV}, else the local siprouter's "
                        "HTTP listener)")
    p.add_argument("-t", "--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"how long to wait for each reply (default: {DEFAULT_TIMEOUT:g})")
    p.add_argument("--token", help=f"bearer token for HTTP (default: ${TOKEN_ENV})")
    return p


def session_from(opts: argparse.Namespace) -> DebugSession:
    """The session the options name; URLError or UsageError when they name none."""
    if opts.timeout <= 0:
        raise UsageError("--timeout must be more than 0")
    token = opts.token or os.environ.get(TOKEN_ENV) or None
    url = opts.server or local_candidates()[0]
    return DebugSession.from_url(url, opts.timeout, token)


def run(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the app until the user quits."""
    opts = build_parser().parse_args(argv)
    session = session_from(opts)
    from .app import DbgApp  # Textual only once the arguments are good

    try:
        DbgApp(session).run()
    finally:
        session.close()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point: every failure is one line on stderr."""
    try:
        return run(argv)
    except (UsageError, URLError) as exc:
        print(f"dbgtui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except Exception as exc:
        print(f"dbgtui: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
