"""Handlers of the tls module's status RPCs (tls.info, tls.options, tls.list), attached to the
names `modules/tls.py` declares; importing this module attaches them. They report what the
config says and what the transport layer tells `ServerInfo` (connections)."""

from __future__ import annotations

from typing import Any

from siprouter.modules.tls import exports

from .attach import attach
from .context import RPCContext

Struct = dict[str, Any]


def _tls_connections(ctx: RPCContext) -> list[Struct]:
    return [c for c in ctx.server.connections() if c.get("proto") == "tls"]


@attach(exports, "tls.info")
def tls_info(ctx: RPCContext) -> Struct:
    s = ctx.server.settings
    return {"max_connections": int(s.param("tls_max_connections", 2048) or 0),
            "opened_connections": len(_tls_connections(ctx)),
            "clear_text_write_queued_bytes": 0}


@attach(exports, "tls.options")
def tls_options(ctx: RPCContext) -> Struct:
    s = ctx.server.settings
    out: Struct = {}
    for spec in exports.params.values():
        value = s.modparam("tls", spec.name, spec.default)
        out[spec.name] = value if value is not None else ""
    return out


@attach(exports, "tls.list")
def tls_list(ctx: RPCContext) -> list[Struct]:
    return _tls_connections(ctx)
