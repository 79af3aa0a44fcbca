"""`siprouter`: the server's command line, Kamailio's options where they mean the same.

`siprouter -c -f FILE` checks a config the way `kamailio -c` does: the diagnostics, then
`config file ok, exiting...` and exit 0, or `ERROR: bad config file (N errors)` and exit 1.
`siprouter -f FILE` serves it in the foreground, logging to stderr (like `kamailio -DD -E`),
until SIGTERM or SIGINT. `siprouter db init --db-url URL` creates the database schema
(core/db/cli.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import resources
from typing import TextIO

from .cfg.frontend import Analysis, analyze_file
from .cfg.preprocess import parse_cli_define

DEFAULT_CONFIG = "siprouter.cfg"


def default_config_path() -> str:
    """The bundled default config (installed with the package)."""
    return str(resources.files("siprouter.examples").joinpath(DEFAULT_CONFIG))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="siprouter",
        description="A SIP server that speaks Kamailio's configuration language.",
    )
    p.add_argument("-f", dest="config", metavar="FILE",
                   help="configuration file (default: the bundled siprouter.cfg)")
    p.add_argument("-c", dest="check_only", action="store_true",
                   help="check the configuration file and exit")
    p.add_argument("-A", dest="defines", action="append", default=[], metavar="NAME[=VALUE]",
                   help="add a config pre-processor define (e.g. -A WITH_AUTH -A DBURL='\"x\"')")
    p.add_argument("--cfg-print", action="store_true",
                   help="print the config as the parser sees it (includes and #!ifdefs applied) "
                        "and exit")
    p.add_argument("-l", dest="listen", action="append", default=[], metavar="ADDRESS",
                   help="listen on proto:addr:port (replaces listen= of the config)")
    p.add_argument("-n", dest="children", type=int, metavar="N", help="number of workers")
    p.add_argument("-a", dest="auto_aliases", choices=("yes", "no"), help="auto aliases mode")
    p.add_argument("-P", dest="pid_file", metavar="FILE", help="write the process id here")
    # Accepted for Kamailio compatibility; they have no meaning for siprouter.
    for flag in ("-L", "-m", "-M", "-x", "-X", "-Y", "-u", "-g", "-w"):
        p.add_argument(flag, dest=f"ignored_{flag[1]}", metavar="VALUE", help=argparse.SUPPRESS)
    for flag in ("-D", "-E", "-e", "-d"):
        p.add_argument(flag, dest=f"ignored_{flag[1]}", action="count", help=argparse.SUPPRESS)
    return p


def _defines(raw: Sequence[str]) -> dict[str, str | None]:
    return dict(parse_cli_define(arg) for arg in raw)


def report(analysis: Analysis, stream: TextIO | None = None) -> int:
    """Print diagnostics the way `kamailio -c` ends; return the exit status."""
    out = stream or sys.stderr
    for d in analysis.diagnostics:
        print(f"{d.level.value.upper()}: {d.render()}", file=out)
    errors = len(analysis.errors)
    if errors:
        print(f"ERROR: bad config file ({errors} error{'s' if errors != 1 else ''})",
              file=out)
        return 1
    print("config file ok, exiting...", file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["db"]:  # `siprouter db init|version ...` (the database tool)
        from .db.cli import main as db_main

        return db_main(argv[1:])
    args = build_parser().parse_args(argv)
    path = args.config or default_config_path()
    try:
        defines = _defines(args.defines)
    except ValueError as exc:
        print(f"siprouter: bad -A define: {exc}", file=sys.stderr)
        return 2
    analysis = analyze_file(path, defines)
    if args.cfg_print:
        if analysis.errors and not analysis.preprocessed.text:
            return report(analysis)
        sys.stdout.write(analysis.preprocessed.text)
        return 0
    if args.check_only:
        return report(analysis)
    if analysis.errors:
        return report(analysis)
    from .server import serve  # the server's imports are not needed for -c

    return serve(analysis, listen=args.listen, children=args.children,
                 auto_aliases=args.auto_aliases, pid_file=args.pid_file)


if __name__ == "__main__":
    sys.exit(main())
