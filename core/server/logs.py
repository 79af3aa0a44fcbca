"""Logging to stderr, Kamailio-like: ` <pid> <LEVEL>: <component> message`."""

from __future__ import annotations

import logging
import sys


# Kamailio's debug levels (L_ERR -1 .. L_DBG 3) -> Python's.
def python_level(debug: int) -> int:
    """The Python logging level for Kamailio's `debug` value."""
    if debug >= 3:
        return logging.DEBUG
    if debug >= 1:
        return logging.INFO
    if debug >= 0:
        return logging.WARNING
    return logging.ERROR


def setup(debug: int) -> None:
    """Send every log line to stderr at the level `debug` asks for."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(process)d %(levelname)s: <%(name)s> %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(python_level(debug))
