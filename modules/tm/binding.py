"""Starting tm in a worker: the engine, its one loop timer, the reply hook and, with several
workers, the hand-over of messages to the worker owning their transaction (workers.py)."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

from siprouter.core.rpc.embed import current_management
from siprouter.core.runtime.modinit import ModuleEnv
from siprouter.core.server.hooks import (
    PreForkEnv,
    ReplyHook,
    WorkerEnv,
    register_prefork,
    register_worker_binder,
)
from siprouter.core.server.settings import modparam_values

from .declarations import exports
from .engine import TmEngine
from .state import TmSettings
from .workers import Dispatcher, WorkerLinks, branch_suffix, make_links

# cfg variables whose change needs the engine's timers for new transactions made again
_RETIMING = frozenset({"retr_timer1", "retr_timer2", "wt_timer", "fr_timer"})


class LoopTimer:
    """One asyncio timer for the whole engine: re-armed to the earliest deadline."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.engine: TmEngine | None = None
        self.handle: asyncio.TimerHandle | None = None

    def schedule(self, deadline: float | None) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None
        if deadline is not None:
            self.handle = self.loop.call_at(deadline, self.fire)

    def fire(self) -> None:
        self.handle = None
        if self.engine is not None:
            self.engine.handle_timers(self.loop.time())


# Made in the parent before the fork; each worker keeps its part.
_links: WorkerLinks | None = None


def _uses_tm(script: object) -> bool:
    loaded = getattr(script, "loaded", None)
    return any(m.name == "tm" for m in getattr(loaded, "modules", ()))


def prefork(env: PreForkEnv) -> None:
    """With several workers: the hand-over sockets and each worker's own UDP sockets."""
    global _links
    if env.children > 1 and _uses_tm(env.script):
        _links = make_links(env)


def _join_workers(env: WorkerEnv, engine: TmEngine, links: WorkerLinks) -> None:
    links.close_others(env.rank)
    shared = [b.info for b in env.transports.bound]
    own = links.private[env.rank]
    # served and sent through like the listening sockets (added before the transports start)
    for b in own.values():
        env.transports.bound.append(b)
        env.transports.sockets.append(b.info)
    engine.private = {shared_info: b.info for shared_info, b in own.items()}
    engine.branch_suffix = branch_suffix(env.rank)
    dispatcher = Dispatcher(env.rank, links, shared)
    dispatcher.queries["t_cancel_callid"] = engine.cancel_callid
    dispatcher.queries["t_reply_callid"] = engine.reply_callid
    engine.ask_peers = dispatcher.ask_all
    env.inbound.append(dispatcher)


def bind(env: WorkerEnv) -> ReplyHook | None:
    """Give this worker a tm engine when the config loads tm."""
    if not _uses_tm(env.script):
        return None
    loop = asyncio.get_running_loop()
    timer = LoopTimer(loop)
    engine = TmEngine(script=env.script, worker=env.worker, forwarder=env.forwarder,
                      settings=TmSettings.from_params(modparam_values(env.script.config, "tm")),
                      clock=loop.time, schedule=timer.schedule)
    timer.engine = engine
    # Our To-tags differ from sl's (see TmEngine._tag), yet are the same in every worker.
    engine.tag_prefix = hashlib.md5(("tm:" + env.responder.tag_prefix).encode()).hexdigest()
    if _links is not None and env.children > 1:
        _join_workers(env, engine, _links)
    _follow_cfg(engine)
    vars(env.worker)["tm_engine"] = engine
    return engine


def _follow_cfg(engine: TmEngine) -> None:
    """`cfg.set tm NAME VALUE` reaches this worker's engine at its next message (the cfg
    refresh before each one), as in Kamailio: the transactions made from then on use it."""
    management = current_management()
    if management is None:
        return
    cfg = management.cfg
    declared = {d.name for d in cfg.variables("tm")}
    for name in vars(TmSettings()):
        if name in declared:
            cfg.on_change("tm", name, lambda value, name=name: _apply(engine, name, value))


def _apply(engine: TmEngine, name: str, value: Any) -> None:
    # (the cfg framework has checked the type and range: cfg.set refuses a bad value)
    setattr(engine.settings, name, value)
    if name in _RETIMING:
        engine.retime()


CANCEL_B_METHODS = (0, 1, 2)


def init(env: ModuleEnv) -> None:
    """Main process, before the workers fork: refuse what Kamailio's mod_init refuses."""
    for value in env.params.get("cancel_b_method", ()):
        if value not in CANCEL_B_METHODS:
            raise ValueError(f'modparam("tm", "cancel_b_method", {value}): bad cancel branch '
                             f"method (0, 1 or 2)")


exports.init = init
register_prefork(prefork)
register_worker_binder(bind)
