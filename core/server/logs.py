"""Logging to stderr, Kamailio-like: ` <pid> <LEVEL>: <component> message`."""

from __future__ import annotations

import logging
import sys

from siprouter.core.loglevels import debug_threshold


def setup(debug: int) -> None:
    """Send every log line to stderr at the level `debug` asks for."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(process)d %(levelname)s: <%(name)s> %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(debug_threshold(debug))
