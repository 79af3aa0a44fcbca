"""Kamailio's DATETIME columns (`expires`, `last_modified`) and our epoch seconds.

Kamailio writes them in local time, without a zone (`TIMESTAMP WITHOUT TIME ZONE`); so do we,
so both read each other's rows. SQLite hands back text, PostgreSQL a datetime.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any


def db_time(seconds: float) -> datetime:
    """Epoch seconds as the naive local datetime Kamailio stores (whole seconds)."""
    return datetime.fromtimestamp(int(seconds))


def epoch(value: Any) -> float:
    """A DATETIME column's value (datetime, `YYYY-MM-DD HH:MM:SS` text, or a number) as epoch
    seconds; 0 for a value that is not a time."""
    if isinstance(value, datetime):
        return time.mktime(value.timetuple()) if value.tzinfo is None else value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:  # fromisoformat is C, strptime Python: a fifth of the time for every row read
            return datetime.fromisoformat(value[:19]).timestamp()  # naive: local, via mktime
        except (ValueError, OverflowError, OSError):
            return 0.0
    return 0.0
