"""One worker: an event loop (uvloop when installed) serving the inherited sockets with its own
copy of the compiled script and its own `WorkerState`."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from dataclasses import dataclass

from OpenSSL import SSL

from siprouter.core.rpc.embed import refreshing, worker_started
from siprouter.core.runtime import debugging
from siprouter.core.runtime.compiler import Script
from siprouter.core.runtime.context import WorkerState
from siprouter.core.runtime.modinit import child_init_modules
from siprouter.core.transport.manager import Transports
from siprouter.core.transport.sockets import BoundSocket

from .forward import StatelessForwarder
from .hooks import WorkerEnv, bind_worker, divert
from .identity import LocalIdentity
from .receive import Pipeline
from .responder import Responder
from .settings import ServerSettings

log = logging.getLogger("siprouter.core")


@dataclass
class WorkerPlan:
    """What every worker gets from the parent (all of it survives fork)."""

    settings: ServerSettings
    script: Script
    sockets: list[BoundSocket]
    secret: str  # the same in every worker: retransmissions get the same branch anywhere
    tag_prefix: str  # the same in every worker: any of them recognises an ACK for our reply
    tls_server: SSL.Context | None = None
    tls_client: SSL.Context | None = None
    rank: int = 0  # this worker's index, set by the supervisor before it forks


# Young-generation threshold: messages allocate thousands of container objects that die by
# reference counting; collecting every 700 (CPython's default) of them cost ≈4% of a stateful
# call's instructions (callgrind, bench_stateful_relay --path-only) for no cycle found.
GC_YOUNG_THRESHOLD = 20_000


def tune_gc() -> None:
    """Set a worker's garbage collector for message handling: everything built at start-up
    (the compiled script, modules, sockets) moves to the permanent generation, so full
    collections no longer walk it, and young collections run less often."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop when it is installed (about twice the packet rate), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


async def serve(plan: WorkerPlan, stop: asyncio.Event) -> None:
    """Serve until `stop` is set, then close every socket and connection."""
    settings = plan.settings
    sockets = plan.sockets
    worker = WorkerState(max_while_loops=settings.max_while_loops)
    worker_started("SIP worker " + " ".join(str(b.info) for b in sockets), worker)
    child_init_modules()
    identity = LocalIdentity([b.info for b in sockets], settings.aliases)
    transports = Transports(sockets, limits=settings.limits, tls_server=plan.tls_server,
                            tls_client=plan.tls_client,
                            tls_server_name=settings.tls.server_name if settings.tls else None)
    forwarder = StatelessForwarder(transports, identity, secret=plan.secret)
    responder = Responder(transports, plan.tag_prefix)
    forwarder.replier = responder.reply
    pipeline = Pipeline(plan.script, worker, identity, forwarder, responder,
                        max_size=settings.limits.max_message)
    env = WorkerEnv(plan.script, worker, transports, forwarder, responder, identity, plan.rank,
                    settings.children)
    pipeline.reply_hooks = bind_worker(env)
    pipeline.on_message = refreshing(pipeline.on_message)  # type: ignore[method-assign]
    pipeline.on_message = debugging.worker_started(  # type: ignore[method-assign]
        plan.script, worker, pipeline.on_message)
    # tm's hand-over of messages to the worker owning their transaction comes first
    pipeline.on_message = divert(  # type: ignore[method-assign,assignment]
        env.inbound, pipeline.on_message)
    await transports.start(pipeline)
    tune_gc()
    try:
        await stop.wait()
    finally:
        await transports.close()


def run_worker(plan: WorkerPlan) -> int:
    """Run one worker in this process until SIGTERM or SIGINT; the exit status."""
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        loop.run_until_complete(serve(plan, stop))
    except Exception:
        log.exception("worker failed")
        return 1
    finally:
        loop.close()
    return 0
