"""`sercmd [-s URL] [options] [method [args...]]`: with a method, one call and an exit status
for scripts; without, the interactive shell (or, when stdin is not a terminal, one command per
line read from it, as kamcmd does without readline).

Exit status: 0 success, 1 the server answered with a fault, 2 usage error (bad option, bad
address, a parameter the protocol cannot carry), 3 no usable answer from the server (cannot
connect, timed out, refused), 4 a bug in sercmd. Every failure is one line on stderr, never a
traceback (see docs/sercmd.md).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from rich.console import Console

from .args import ArgError, Word, split_line
from .client import DEFAULT_TIMEOUT, RPCClient, find_local
from .output import Mode, Output, system_pager
from .runner import EXIT_OK, EXIT_USAGE, Runner, tool_version
from .servers import Servers
from .urls import URL_ENV, URLError

EXIT_INTERNAL = 4
TOKEN_ENV = "SERCMD_TOKEN"


class UsageError(Exception):
    """Bad command-line usage: one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line instead of usage + message
        raise UsageError(f"{message} (see sercmd --help)")


def build_parser() -> argparse.ArgumentParser:
    """The command line."""
    p = _Parser(
        prog="sercmd",
        description="Call RPC methods of a running siprouter (or Kamailio with jsonrpcs/xmlrpc); "
                    "without a method, an interactive shell with completion.",
        epilog="Addresses: http://HOST:PORT/RPC (JSON-RPC), xmlrpc+http://HOST:PORT/RPC2, "
               "udp:HOST:PORT, unix:/PATH. Arguments are sent as int, float or string like "
               "kamcmd; prefix s: forces a string. Exit status: 0 ok, 1 fault, 2 usage, "
               "3 no answer from the server. See docs/sercmd.md.",
    )
    p.add_argument("-s", "--server", metavar="URL",
                   help=f"server address (default: ${URL_ENV}, else the local siprouter)")
    p.add_argument("-f", "--format", metavar="FORMAT",
                   help="print the result through FORMAT, %%v standing for each value in turn "
                        "(kamcmd's -f; \\n and \\t work)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print results and faults as JSON")
    out.add_argument("--plain", action="store_true",
                     help="kamcmd's plain layout (the default when stdout is not a terminal)")
    p.add_argument("-t", "--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"how long to wait for a reply (default: {DEFAULT_TIMEOUT:g})")
    p.add_argument("--token", help=f"bearer token for HTTP (default: ${TOKEN_ENV})")
    hist = p.add_mutually_exclusive_group()
    hist.add_argument("--history", metavar="FILE",
                      help="shell history file (default: $SERCMD_HISTORY or ~/.sercmd_history)")
    hist.add_argument("--no-history", action="store_true", help="keep no shell history")
    p.add_argument("--no-pager", action="store_true", help="never page long shell output")
    p.add_argument("-V", "--version", action="version", version=f"sercmd {tool_version()}")
    p.add_argument("method", nargs="?", help="method, alias or built-in (omit for the shell)")
    p.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    return p


def _mode(opts: argparse.Namespace, interactive: bool) -> Mode:
    if opts.json:
        return "json"
    if opts.plain or (not interactive and not sys.stdout.isatty()):
        return "plain"
    return "rich"


def _client(opts: argparse.Namespace) -> RPCClient:
    if opts.timeout <= 0:
        raise UsageError("--timeout must be more than 0")
    token = opts.token or os.environ.get(TOKEN_ENV) or None
    if opts.server:
        return RPCClient.from_url(opts.server, opts.timeout, token)
    return find_local(opts.timeout, token)


def run(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, do what it asks, return the exit status (failures already reported)."""
    opts = build_parser().parse_args(argv)
    stdout = Console(soft_wrap=False)
    stderr = Console(stderr=True)
    if opts.method is not None:
        client = _client(opts)
        with client:
            output = Output(stdout, stderr, _mode(opts, interactive=False))
            return Runner(client, output).run([Word(opts.method)] + [Word(a) for a in opts.args],
                                              opts.format)
    if not sys.stdin.isatty():
        return _batch(opts, stdout, stderr)
    return _shell(opts, stdout)


def _batch(opts: argparse.Namespace, stdout: Console, stderr: Console) -> int:
    """Commands from a pipe, one per line; the status of the last one that failed."""
    status = EXIT_OK
    with _client(opts) as client:
        runner = Runner(client, Output(stdout, stderr, _mode(opts, interactive=False)))
        for line in sys.stdin:
            try:
                words = split_line(line)
            except ArgError as exc:
                runner.output.failure(str(exc))
                status = EXIT_USAGE
                continue
            if words and words[0].text in ("quit", "exit"):
                break
            code = runner.run(words, opts.format)
            status = code or status
    return status


def _shell(opts: argparse.Namespace, stdout: Console) -> int:
    from .shell import Shell, default_history_path, open_history  # prompt_toolkit only here

    client = _client(opts)
    timeout, token = opts.timeout, opts.token or os.environ.get(TOKEN_ENV) or None
    servers = Servers(client, lambda url: RPCClient.from_url(url, timeout, token))
    output = Output(stdout, stdout, _mode(opts, interactive=True),
                    pager=None if opts.no_pager else system_pager,
                    page_after=max(stdout.height - 2, 1))
    path = None if opts.no_history else (opts.history or default_history_path())
    history, warning = open_history(path)
    if warning:
        output.failure(warning)
    shell = Shell(servers, output, history, fmt=opts.format)
    shell.greet()
    return shell.run()


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point: `run`, with every failure turned into one line."""
    try:
        return run(argv)
    except UsageError as exc:
        print(f"sercmd: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except URLError as exc:
        print(f"sercmd: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (`| head`) left: stop quietly, and keep Python from complaining at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    except Exception as exc:  # last guard: a bug of ours must still be one line
        print(f"sercmd: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL



