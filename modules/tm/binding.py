"""Starting tm in a worker: the engine, its one loop timer, and the reply hook."""

from __future__ import annotations

import asyncio
import hashlib

from siprouter.core.server.hooks import ReplyHook, WorkerEnv, register_worker_binder
from siprouter.core.server.settings import modparam_values

from .engine import TmEngine
from .state import TmSettings


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


def bind(env: WorkerEnv) -> ReplyHook | None:
    """Give this worker a tm engine when the config loads tm."""
    if not any(m.name == "tm" for m in env.script.loaded.modules):
        return None
    loop = asyncio.get_running_loop()
    timer = LoopTimer(loop)
    engine = TmEngine(script=env.script, worker=env.worker, forwarder=env.forwarder,
                      settings=TmSettings.from_params(modparam_values(env.script.config, "tm")),
                      clock=loop.time, schedule=timer.schedule)
    timer.engine = engine
    # Our To-tags differ from sl's (see TmEngine._tag), yet are the same in every worker.
    engine.tag_prefix = hashlib.md5(("tm:" + env.responder.tag_prefix).encode()).hexdigest()
    vars(env.worker)["tm_engine"] = engine
    return engine


register_worker_binder(bind)
