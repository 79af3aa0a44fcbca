"""Transaction callbacks: how other modules (acc) follow a transaction's life, Kamailio's
`register_tmcb` reduced to the two moments acc needs.

- `RESPONSE_OUT` (TMCB_RESPONSE_OUT): a reply went upstream through the server transaction,
  relayed or made up by tm (t_reply, a timeout); provisional ones too.
- `ON_FAILURE` (TMCB_ON_FAILURE): every branch of the transaction ended without a 2xx; runs
  before `failure_route`, which sees the flags the callbacks changed.

A callback gets a `TmEvent`. Registration is per worker process (a module registers in its
`init`, before the workers fork, and every worker inherits it). The engine tests the list
before building anything, so an unused kind costs one truth test per reply.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from siprouter.core.exports import RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.sip import SIPError, SIPResponse

if TYPE_CHECKING:
    from .engine import TmEngine
    from .state import TmTransaction

log = logging.getLogger("siprouter.tm")


@dataclass
class TmEvent:
    """One callback's view: the transaction, the reply (None when tm made the final answer up
    and has no message for it) and its status code."""

    engine: TmEngine
    tm: TmTransaction
    reply: SIPResponse | None
    code: int

    @property
    def local(self) -> bool:
        """The reply is tm's own (t_reply, 408 on timeout, 487 ...), not a relayed one: its
        To-tag is our tag, or there is no reply message at all."""
        if self.reply is None:
            return True
        try:
            to = self.reply.to
        except SIPError:
            return False
        return to is not None and to.tag == self.tm.tag

    def context(self) -> Context:
        """A script context on the transaction's request (its flags, AVPs, receive info), for
        reading pseudo-variables as they stood when the request was relayed."""
        return self.engine._route_context(self.tm.request, self.tm, RouteType.FAILURE)


Callback = Callable[[TmEvent], None]

RESPONSE_OUT: list[Callback] = []
ON_FAILURE: list[Callback] = []


def register(kind: list[Callback], callback: Callback) -> None:
    """Call `callback` at every event of `kind` (RESPONSE_OUT or ON_FAILURE) in this process
    and those it forks later; registering the same callback twice has no effect."""
    if callback not in kind:
        kind.append(callback)


def unregister(kind: list[Callback], callback: Callback) -> None:
    """Stop calling `callback` (tests, a module torn down)."""
    if callback in kind:
        kind.remove(callback)


def run(kind: list[Callback], engine: TmEngine, tm: TmTransaction, reply: SIPResponse | None,
        code: int) -> None:
    """Call every callback of `kind`; one that fails is logged and does not stop the others
    nor the transaction."""
    event = TmEvent(engine, tm, reply, code)
    for callback in list(kind):
        try:
            callback(event)
        except Exception:  # a module's bug must not break the transaction
            log.exception("tm callback %s failed", getattr(callback, "__qualname__", callback))
