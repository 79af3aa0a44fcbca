"""Run one RPC call: look the method up, check the parameters, run the handler, and turn any
failure into an `RPCFault` (never a traceback to the client).

Handlers run on the event loop: every RPC so far answers in microseconds, and a hop through a
thread costs more than the call (it halved the datagram round-trip rate). A handler that may
block (disk, a remote service) is marked `@blocking` and runs in a small thread pool, so it
does not stop the loop serving other clients; `async def` handlers are awaited.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from .context import RPCContext, ServerInfo
from .errors import INTERNAL_ERROR, RPCFault
from .registry import RPCRegistry

log = logging.getLogger("siprouter.rpc")

Handler = Callable[..., Any]


def blocking(handler: Handler) -> Handler:
    """Mark an RPC handler that may block: it runs in the dispatcher's thread pool."""
    handler._rpc_blocking = True  # type: ignore[attr-defined]
    return handler


class Dispatcher:
    """Calls methods of `registry` with `server` as the context."""

    def __init__(self, registry: RPCRegistry, server: ServerInfo,
                 executor: Executor | None = None) -> None:
        self.registry = registry
        self.server = server
        self._executor = executor or ThreadPoolExecutor(max_workers=4,
                                                        thread_name_prefix="rpc-handler")

    async def call(self, method: str, params: list[Any], transport: str = "internal",
                   peer: str = "") -> Any:
        """The result of `method(*params)`; RPCFault on any failure."""
        m, args = self.registry.prepare(method, params)
        ctx = RPCContext(self.server, self.registry, transport, peer)
        try:
            if inspect.iscoroutinefunction(m.handler):
                return await m.handler(ctx, *args)
            if getattr(m.handler, "_rpc_blocking", False):
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self._executor, lambda: m.handler(ctx, *args))
            return m.handler(ctx, *args)
        except RPCFault:
            raise
        except Exception as exc:
            log.exception("RPC %s failed", method)
            raise RPCFault(INTERNAL_ERROR, f"Internal error: {type(exc).__name__}") from None

    def call_sync(self, method: str, params: list[Any]) -> Any:
        """The same call without an event loop (tests, the interpreter's jsonrpc_exec)."""
        m, args = self.registry.prepare(method, params)
        ctx = RPCContext(self.server, self.registry)
        try:
            result = m.handler(ctx, *args)
            if inspect.isawaitable(result):
                return asyncio.run(_await(result))
            return result
        except RPCFault:
            raise
        except Exception as exc:
            log.exception("RPC %s failed", method)
            raise RPCFault(INTERNAL_ERROR, f"Internal error: {type(exc).__name__}") from None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


async def _await(value: Any) -> Any:
    return await value
