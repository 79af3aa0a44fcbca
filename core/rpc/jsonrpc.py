"""JSON-RPC 2.0 codec: request bytes in, reply bytes (or None) out; no I/O of its own.

Follows the 2.0 spec where Kamailio's jsonrpcs does not: unknown methods are -32601 (Kamailio:
500), bad parameters -32602, malformed JSON -32700 with id null (Kamailio: no reply body), and a
notification (no "id") gets no reply (Kamailio replies). Like Kamailio, named parameters are
taken in the order given, and a missing "jsonrpc" member is tolerated. docs/rpc.md lists it all.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from .errors import INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, PARSE_ERROR, RPCFault

Invoke = Callable[[str, list[Any]], Awaitable[Any]]
_NO_ID = object()


def _error(code: int, message: str, id_: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "error": {"code": code, "message": message}, "id": id_}


def encode(obj: Any, pretty: bool = False) -> bytes:
    """Reply bytes; `pretty` indents with tabs as jsonrpcs' pretty_format does."""
    if pretty:
        return json.dumps(obj, indent="\t", ensure_ascii=False, default=_fallback).encode()
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False,
                      default=_fallback).encode()


def _fallback(obj: Any) -> Any:
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if isinstance(obj, bytes):
        return obj.decode(errors="replace")
    return str(obj)


async def _one(req: Any, invoke: Invoke) -> dict[str, Any] | None:
    if not isinstance(req, dict):
        return _error(INVALID_REQUEST, "Invalid Request", None)
    id_ = req.get("id", _NO_ID)
    reply_id = None if id_ is _NO_ID else id_
    if id_ is not _NO_ID and not (id_ is None or isinstance(id_, (str, int, float))
                                  and not isinstance(id_, bool)):
        return _error(INVALID_REQUEST, "Invalid Request: bad id", None)
    method = req.get("method")
    if "jsonrpc" in req and req["jsonrpc"] != "2.0":
        return _error(INVALID_REQUEST, "Invalid Request: jsonrpc must be \"2.0\"", reply_id)
    if not isinstance(method, str):
        return _error(INVALID_REQUEST, "Invalid Request: method must be a string", reply_id)
    raw = req.get("params", [])
    if isinstance(raw, dict):
        params = list(raw.values())
    elif isinstance(raw, list):
        params = raw
    else:
        return _error(INVALID_PARAMS, "Invalid params: must be an array or an object", reply_id)
    try:
        result = await invoke(method, params)
    except RPCFault as fault:
        reply = _error(fault.code, fault.message, reply_id)
    except Exception:  # invoke already maps handler failures; this is the last guard
        reply = _error(INTERNAL_ERROR, "Internal error", reply_id)
    else:
        reply = {"jsonrpc": "2.0", "result": result, "id": reply_id}
    return None if id_ is _NO_ID else reply


async def handle(body: bytes, invoke: Invoke, pretty: bool = False) -> bytes | None:
    """Answer one JSON-RPC message (a request or a batch); None when nothing is to be sent."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return encode(_error(PARSE_ERROR, "Parse error", None), pretty)
    if isinstance(doc, list):
        if not doc:
            return encode(_error(INVALID_REQUEST, "Invalid Request: empty batch", None), pretty)
        replies = [r for r in [await _one(req, invoke) for req in doc] if r is not None]
        return encode(replies, pretty) if replies else None
    reply = await _one(doc, invoke)
    return None if reply is None else encode(reply, pretty)


def error_reply(code: int, message: str, pretty: bool = False) -> bytes:
    """A reply for a request that was refused before it was read (too large, ...)."""
    return encode(_error(code, message, None), pretty)
