"""Kamailio's `tm` module: stateful proxying on the RFC 3261 transaction machines.

declarations.py declares everything Kamailio's tm exports; functions.py attaches what is
implemented; engine.py is the proxy core of one worker; binding.py starts it in each worker.
"""

from . import binding, functions  # noqa: F401 -- attach implementations, register the binder
from .declarations import exports

__all__ = ["exports"]
