"""Kamailio's log levels as Python logging levels: the one mapping every part uses.

Kamailio has one level more than Python between WARNING and INFO: L_NOTICE. `debug=1`
prints notices but not L_INFO lines, so NOTICE gets a level of its own (25).
"""

from __future__ import annotations

import logging

L_ALERT, L_BUG, L_CRIT2, L_CRIT, L_ERR, L_WARN, L_NOTICE, L_INFO, L_DBG = range(-5, 4)
NOTICE = 25
logging.addLevelName(NOTICE, "NOTICE")

_PYTHON = {L_ALERT: logging.CRITICAL, L_BUG: logging.CRITICAL, L_CRIT2: logging.CRITICAL,
           L_CRIT: logging.CRITICAL, L_ERR: logging.ERROR, L_WARN: logging.WARNING,
           L_NOTICE: NOTICE, L_INFO: logging.INFO, L_DBG: logging.DEBUG}


def python_level(level: int) -> int:
    """The Python level of a Kamailio level; also the threshold for `debug=level`.
    Above L_DBG is below DEBUG (Kamailio's log() default); below L_ALERT is CRITICAL."""
    if level > L_DBG:
        return logging.DEBUG - 1
    return _PYTHON.get(level, logging.CRITICAL)


def debug_threshold(debug: int) -> int:
    """The Python level a `debug=N` setting lets through (debug=1: notices, not L_INFO)."""
    return python_level(min(debug, L_DBG))
