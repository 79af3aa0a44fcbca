"""Where a module that keeps per-worker state (tm) plugs into a worker.

A module registers a binder at import (in the parent, before any fork); each worker calls every
binder once its transports exist, with what the worker is made of. A binder may return a
`ReplyHook`: replies the core `reply_route` did not drop are offered to it before the stateless
path, and it consumes those that belong to it (tm: replies matching a client transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from siprouter.core.runtime.compiler import Script
from siprouter.core.runtime.context import Context, WorkerState

if TYPE_CHECKING:
    from siprouter.core.transport.manager import Transports

    from .forward import StatelessForwarder
    from .identity import LocalIdentity
    from .responder import Responder


class ReplyHook(Protocol):
    """Takes the replies that belong to it."""

    def on_reply(self, ctx: Context) -> bool:
        """Handle the reply `ctx` runs for; True when it was consumed (not to be relayed
        statelessly)."""
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
