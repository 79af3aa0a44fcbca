"""TLS over a stream connection with pyOpenSSL memory BIOs: the event loop owns the socket,
OpenSSL only turns ciphertext into plaintext and back, so a handshake never blocks a worker."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from OpenSSL import SSL

from siprouter.core.db.errors import DBError
from siprouter.core.runtime.sipstate import SocketInfo

from .stream import StreamConnection
from .tls_registry import TLS_CONNECTIONS

if TYPE_CHECKING:
    from .connections import Connections

log = logging.getLogger("siprouter.transport")

_READ_CHUNK = 65536


class TLSConnection(StreamConnection):
    """A TLS connection, server or client side."""

    proto = "tls"

    def __init__(self, table: Connections, local: SocketInfo, ctx: SSL.Context, *,
                 outgoing: bool, peer: tuple[str, int] | None = None,
                 server_name: str | None = None) -> None:
        super().__init__(table, local, outgoing=outgoing, peer=peer)
        self.ssl = SSL.Connection(ctx, None)
        if outgoing:
            if server_name:
                self.ssl.set_tlsext_host_name(server_name.encode("idna"))
            self.ssl.set_connect_state()
        else:
            self.ssl.set_accept_state()
        self.handshake_done = False
        self._clear_pending: list[bytes] = []  # plaintext written before the handshake

    def started(self) -> None:
        if self.outgoing:
            self._handshake()

    def received(self, data: bytes) -> None:
        self.ssl.bio_write(data)
        if not self.handshake_done and not self._handshake():
            return
        chunks = []
        while True:
            try:
                chunks.append(self.ssl.recv(_READ_CHUNK))
            except SSL.WantReadError:
                break
            except SSL.ZeroReturnError:
                self._flush()
                self.close(flush=True)
                break
            except SSL.Error as exc:
                log.info("tls: %s:%d: %s", self.peer[0], self.peer[1], _describe(exc))
                self.close()
                return
        self._flush()
        if chunks:
            self.plaintext_received(b"".join(chunks))

    def write(self, data: bytes) -> bool:
        if self.closed:
            return False
        if not self.handshake_done or self.transport is None:
            self._clear_pending.append(data)
            return True
        try:
            self.ssl.sendall(data)
        except SSL.Error as exc:
            log.info("tls: write to %s:%d failed: %s", self.peer[0], self.peer[1], _describe(exc))
            self.close()
            return False
        return self._flush()

    def _record(self) -> None:
        """Tell the shared registry (tls.list) about this established connection."""
        try:
            cipher = self.ssl.get_cipher_name() or ""
            version = self.ssl.get_protocol_version_name() or ""
            local = (self.local.ip, self.local.port)
            TLS_CONNECTIONS.added(self.id, local, self.peer, cipher, version, self.outgoing)
        except DBError as exc:  # bookkeeping must never cost the connection
            log.warning("tls: cannot record connection %d for tls.list: %s", self.id, exc)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.handshake_done:
            try:
                TLS_CONNECTIONS.removed(self.id)
            except DBError as err:
                log.warning("tls: cannot forget connection %d: %s", self.id, err)
        super().connection_lost(exc)

    def _handshake(self) -> bool:
        try:
            self.ssl.do_handshake()
        except SSL.WantReadError:
            self._flush()
            return False
        except SSL.Error as exc:
            self._flush()  # deliver the alert that says why
            log.info("tls: handshake with %s:%d failed: %s", self.peer[0], self.peer[1],
                     _describe(exc))
            self.close(flush=True)
            return False
        self.handshake_done = True
        self._record()
        self._flush()
        pending, self._clear_pending = self._clear_pending, []
        for data in pending:
            self.write(data)
        return True

    def _flush(self) -> bool:
        out = []
        while True:
            try:
                chunk = self.ssl.bio_read(_READ_CHUNK)
            except SSL.WantReadError:
                break
            if not chunk:
                break
            out.append(chunk)
        if out:
            return self.write_raw(b"".join(out))
        return True


def _describe(exc: SSL.Error) -> str:
    """OpenSSL's error stack as one line (e.g. 'certificate revoked')."""
    parts = []
    for item in exc.args[0] if exc.args and isinstance(exc.args[0], list) else []:
        if isinstance(item, tuple) and len(item) >= 3:
            parts.append(str(item[2]))
    return "; ".join(parts) or str(exc) or type(exc).__name__
