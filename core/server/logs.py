"""Logging to stderr, Kamailio-like: ` <pid> <LEVEL>: <component> message`."""

from __future__ import annotations

import logging
import sys

from siprouter.core.loglevels import python_level as kamailio_python_level


def python_level(debug: int) -> int:
    """The Python logging level for Kamailio's `debug` value (debug=1: notices, not L_INFO)."""
    return kamailio_python_level(min(debug, 3))


def setup(debug: int) -> None:
    """Send every log line to stderr at the level `debug` asks for."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(process)d %(levelname)s: <%(name)s> %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(python_level(debug))
