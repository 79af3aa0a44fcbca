"""Kamailio's `acc` module: accounting of transactions to the log and to a database."""

from .accounting import configure, settings
from .declarations import exports

__all__ = ["configure", "exports", "settings"]
