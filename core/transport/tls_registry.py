"""The TLS connections of every worker, for `tls.list` and `tls.info` in the RPC process.

Connections live in the worker that accepted or opened them and workers share no memory, so
each worker records its established TLS connections in a small shared store (one row per
connection, written at handshake and removed when the connection goes) that the RPC process
reads. Connections are rare events next to messages, so a row write each is cheap enough.
"""

from __future__ import annotations

import atexit
import os
import time
from typing import Any

from siprouter.core.shared.shmstore import SharedStore

TABLE = "tls_connections"


class TLSConnectionStore(SharedStore):
    """One row per established TLS connection of any worker of this server."""

    def __init__(self) -> None:
        super().__init__("tls", (
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            "id TEXT PRIMARY KEY, pid INTEGER NOT NULL, conn_id INTEGER NOT NULL, "
            "src_ip TEXT, src_port INTEGER, dst_ip TEXT, dst_port INTEGER, "
            "cipher TEXT, version TEXT, outgoing INTEGER, started REAL)",))
        self.enabled = False

    def create(self, url: str | None = None) -> None:
        super().create(url)
        self.enabled = True

    def added(self, conn_id: int, local: tuple[str, int], peer: tuple[str, int],
              cipher: str, version: str, outgoing: bool) -> None:
        """A handshake completed in this process."""
        if not self.enabled:
            return
        pid = os.getpid()
        self.database().replace(TABLE, {
            "id": f"{pid}:{conn_id}", "pid": pid, "conn_id": conn_id,
            "src_ip": peer[0], "src_port": peer[1], "dst_ip": local[0], "dst_port": local[1],
            "cipher": cipher, "version": version, "outgoing": int(outgoing),
            "started": time.time()}, keys=["id"])

    def removed(self, conn_id: int) -> None:
        """A connection of this process closed."""
        if self.enabled:
            self.database().delete(TABLE, {"id": f"{os.getpid()}:{conn_id}"})

    def rows(self) -> list[dict[str, Any]]:
        """Every live connection, oldest first (empty when TLS is off)."""
        if not self.enabled:
            return []
        return [dict(r) for r in self.database().query(TABLE, order=["started"])]


TLS_CONNECTIONS = TLSConnectionStore()
atexit.register(TLS_CONNECTIONS.remove_file)
