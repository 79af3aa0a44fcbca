"""JSON-RPC over datagrams (jsonrpcs `dgram_socket`): UDP or a unix datagram socket. One
datagram is one request; the reply goes back to the sender's address (a unix client must bind
its socket to get one). Oversize datagrams get a -32600 reply; peers outside the access list get
nothing."""

from __future__ import annotations

import asyncio
import logging
import typing
from collections.abc import Awaitable, Callable
from typing import Any

from . import jsonrpc
from .config import ManagementConfig
from .errors import INVALID_REQUEST

log = logging.getLogger("siprouter.rpc.dgram")

Invoke = Callable[[str, list[Any], str, str], Awaitable[Any]]
MAX_IN_FLIGHT = 256


class DatagramRPC(asyncio.DatagramProtocol):
    """Serves one datagram socket."""

    def __init__(self, config: ManagementConfig, invoke: Invoke, kind: str) -> None:
        self.config = config
        self.invoke = invoke
        self.kind = kind
        self.transport: asyncio.DatagramTransport | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = typing.cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if isinstance(addr, tuple) and not self.config.access.allows(str(addr[0])):
            log.warning("management %s: dropped datagram from %s (not in allow_from)",
                        self.kind, addr[0])
            return
        if not addr:
            return  # an unbound unix client: there is nowhere to reply
        if len(self._tasks) >= MAX_IN_FLIGHT:
            return
        task = asyncio.get_running_loop().create_task(self._answer(data, addr))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, data: bytes, addr: Any) -> None:
        if len(data) > self.config.max_request_size:
            reply: bytes | None = jsonrpc.error_reply(
                INVALID_REQUEST, f"Request too large (limit {self.config.max_request_size} bytes)",
                self.config.pretty)
        else:
            peer = f"{addr[0]}:{addr[1]}" if isinstance(addr, tuple) else str(addr)

            async def invoke(method: str, params: list[Any]) -> Any:
                return await self.invoke(method, params, self.kind, peer)

            reply = await jsonrpc.handle(data, invoke, self.config.pretty)
        if reply is not None and self.transport is not None and not self.transport.is_closing():
            try:
                self.transport.sendto(reply, addr)
            except OSError as exc:
                log.warning("management %s: cannot reply to %s: %s", self.kind, addr, exc)

    def error_received(self, exc: Exception) -> None:
        log.debug("management %s: %s", self.kind, exc)
