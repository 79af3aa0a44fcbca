"""Where a module that keeps per-worker state (tm) plugs into a worker.

A module registers a binder at import (in the parent, before any fork); each worker calls every
binder once its transports exist, with what the worker is made of. A binder may return a
`ReplyHook`: replies the core `reply_route` did not drop are offered to it before the stateless
path, and it consumes those that belong to it (tm: replies matching a client transaction).

With several workers a module may also need things made in the parent before the fork (tm: the
sockets that carry a transaction's messages to the worker owning it): a `PreFork` hook runs
there, and a binder may add `InboundHook`s that see every received message first and may take
it away from this worker (hand it to another).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from siprouter.core.runtime.compiler import Script
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo

if TYPE_CHECKING:
    from siprouter.core.transport.manager import Transports
    from siprouter.core.transport.sockets import BoundSocket

    from .forward import StatelessForwarder
    from .identity import LocalIdentity
    from .responder import Responder


class ReplyHook(Protocol):
    """Takes the replies that belong to it."""

    def on_reply(self, ctx: Context) -> bool:
        """Handle the reply `ctx` runs for; True when it was consumed (not to be relayed
        statelessly)."""
        ...


Deliver = Callable[[bytes, ReceiveInfo], None]


class InboundHook(Protocol):
    """Sees each received message before this worker's receive path."""

    def start(self, deliver: Deliver) -> None:
        """Begin serving; `deliver` runs this worker's receive path (for messages handed over
        by other workers)."""
        ...

    def claim(self, data: bytes, rcv: ReceiveInfo) -> bool:
        """True when the message was taken away (another worker handles it)."""
        ...


@dataclass
class WorkerEnv:
    """One worker's parts, as a binder sees them."""

    script: Script
    worker: WorkerState
    transports: Transports
    forwarder: StatelessForwarder
    responder: Responder
    identity: LocalIdentity
    rank: int = 0  # which worker (0 .. children-1)
    children: int = 1
    inbound: list[InboundHook] = field(default_factory=list)  # binders append to it


Binder = Callable[[WorkerEnv], ReplyHook | None]

_BINDERS: list[Binder] = []


def register_worker_binder(binder: Binder) -> None:
    """Have `binder` called in every worker at start-up (idempotent)."""
    if binder not in _BINDERS:
        _BINDERS.append(binder)


def bind_worker(env: WorkerEnv) -> list[ReplyHook]:
    """Call every binder for this worker; the reply hooks they returned."""
    hooks = []
    for binder in _BINDERS:
        hook = binder(env)
        if hook is not None:
            hooks.append(hook)
    return hooks


def divert(hooks: list[InboundHook], deliver: Deliver) -> Deliver:
    """The receive path with `hooks` in front: a message none of them claims is delivered."""
    if not hooks:
        return deliver
    for hook in hooks:
        hook.start(deliver)

    def on_message(data: bytes, rcv: ReceiveInfo) -> None:
        for hook in hooks:
            if hook.claim(data, rcv):
                return
        deliver(data, rcv)

    return on_message


@dataclass
class PreForkEnv:
    """What a pre-fork hook sees: the parent's script, listening sockets and worker count."""

    script: Script
    sockets: list[BoundSocket]
    children: int


PreFork = Callable[[PreForkEnv], None]

_PREFORK: list[PreFork] = []


def register_prefork(hook: PreFork) -> None:
    """Have `hook` called in the parent before the workers are forked (idempotent); only
    when there will be more than one worker."""
    if hook not in _PREFORK:
        _PREFORK.append(hook)


def before_fork(env: PreForkEnv) -> None:
    """Call every pre-fork hook."""
    for hook in _PREFORK:
        hook(env)
