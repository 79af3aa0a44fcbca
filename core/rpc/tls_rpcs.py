"""Handlers of the tls module's status RPCs (tls.info, tls.options, tls.list), attached to the
names `modules/tls.py` declares; importing this module attaches them. They report what the
config says and what the transport layer tells `ServerInfo` (connections)."""

from __future__ import annotations

import time
from typing import Any

from siprouter.core.transport.tls_registry import TLS_CONNECTIONS
from siprouter.modules.tls import exports

from .attach import attach
from .context import RPCContext

Struct = dict[str, Any]


def _tls_connections(ctx: RPCContext) -> list[Struct]:
    """Kamailio's tls.list fields for every worker's established TLS connections."""
    now = time.time()
    return [{"id": row["conn_id"], "pid": row["pid"],
             "timeout": 0, "src_ip": row["src_ip"], "src_port": row["src_port"],
             "dst_ip": row["dst_ip"], "dst_port": row["dst_port"], "cipher": row["cipher"],
             "version": row["version"], "ct_wq_size": 0, "enc_rd_buf": 0,
             "flags": "outgoing" if row["outgoing"] else "incoming",
             "state": "established", "age": int(now - row["started"])}
            for row in TLS_CONNECTIONS.rows()]


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
