"""The RPC registry and its transports: JSON-RPC 2.0 and XML-RPC over HTTP, datagram and unix
stream sockets."""

from .errors import RPCFault

__all__ = ["RPCFault"]
