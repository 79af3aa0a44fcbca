"""`siprouter db ...`: create and inspect the database the modules use.

    siprouter db init [--db-url URL] [--group usrloc ...]   create Kamailio's tables
    siprouter db version [--db-url URL]                     list the version table

Exit status 0 on success, 1 when the database cannot be used (one line on stderr), 2 for bad
usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import TextIO

from .connect import connect, default_db_url
from .errors import DBError
from .schema import GROUPS, create_schema
from .url import SQLITE, parse_db_url


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="siprouter db",
                                description="Create and inspect siprouter's database.")
    sub = p.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="create Kamailio's tables (the missing ones)")
    init.add_argument("--db-url", default=None,
                      help=f"database URL (default: {default_db_url()})")
    init.add_argument("--group", action="append", choices=GROUPS, metavar="GROUP",
                      help=f"only these table groups ({', '.join(GROUPS)}); repeatable")
    version = sub.add_parser("version", help="list the tables and versions recorded")
    version.add_argument("--db-url", default=None)
    return p


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run `siprouter db ARGS`; the exit status."""
    stdout, stderr = out or sys.stdout, err or sys.stderr
    args = build_parser().parse_args(argv)
    # The layer's own "unavailable" log line would repeat the one error line printed below.
    logging.getLogger("siprouter.db").disabled = True
    try:
        url = parse_db_url(args.db_url or default_db_url())
        # SQLite would create the schema on opening; here the command does it, and says so.
        db = connect(url.text, create_schema=False) if url.engine == SQLITE else connect(url.text)
        if args.command == "init":
            created = create_schema(db, args.group)
            print(f"{db.url.safe}: created {len(created)} table(s)"
                  + (f": {' '.join(created)}" if created else " (all present)"), file=stdout)
        else:
            if not db.table_exists("version"):
                print(f"ERROR: {db.url.safe}: no version table (run siprouter db init)",
                      file=stderr)
                return 1
            for row in db.query("version", ["table_name", "table_version"], order=["id"]):
                print(f"{row['table_name']} {row['table_version']}", file=stdout)
        db.close()
    except (DBError, ValueError) as exc:
        print(f"ERROR: {exc}", file=stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
