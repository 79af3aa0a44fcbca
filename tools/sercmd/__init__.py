"""sercmd: the RPC shell (see docs/sercmd.md). `client` is the one RPC client other tools use."""

from .client import RPCClient, RPCConnectionError, RPCError, RPCFault

__all__ = ["RPCClient", "RPCConnectionError", "RPCError", "RPCFault"]
