"""RPC faults: what a handler raises, and the codes the transports send.

The codes are JSON-RPC 2.0's (also used in XML-RPC faults, as the XML-RPC fault-code
interoperability note does); Kamailio itself answers unknown methods with 500 "Method Not Found",
see docs/rpc.md for every deviation.
"""

from __future__ import annotations

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
# Application errors keep Kamailio's numbers (HTTP-like): 400 bad value, 500 failure.
BAD_REQUEST = 400
SERVER_ERROR = 500


class RPCFault(Exception):
    """A failed RPC: `code` and `message` reach the client as the error/fault."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message


class MethodNotFound(RPCFault):
    def __init__(self, name: str, message: str = "Method not found") -> None:
        super().__init__(METHOD_NOT_FOUND, f"{message}: {name}")


class InvalidParams(RPCFault):
    def __init__(self, message: str) -> None:
        super().__init__(INVALID_PARAMS, f"Invalid params: {message}")
