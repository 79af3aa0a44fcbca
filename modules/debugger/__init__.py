"""Kamailio's `debugger` module: cfgtrace, breakpoints, stepping and inspection of a running
worker over RPC, per-module log levels (docs/debugger.md)."""

from . import functions, modlevels, rpcs  # noqa: F401 -- they attach the implementations
from .declarations import exports

__all__ = ["exports"]
