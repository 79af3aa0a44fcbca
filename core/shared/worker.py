"""What a worker process does with the shared state: take its counter row, follow the cfg
framework once per message, and keep its script limits and log level in step with it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from siprouter.core.loglevels import debug_threshold

from .cfgframework import CfgFramework, CfgValue
from .counters import COUNTERS, CounterSet


@dataclass(frozen=True)
class SharedState:
    """Paths of the shared segments: all a process started with `spawn` needs to join them."""

    counters_path: str | None
    cfg_path: str | None

    def join(self, rank: int, counters: CounterSet = COUNTERS,
             cfg: CfgFramework | None = None) -> CfgFramework:
        """Join both segments as process `rank`; returns the cfg framework to refresh."""
        cfg = cfg or CfgFramework()
        if self.counters_path:
            counters.join(self.counters_path, rank)
        if self.cfg_path:
            cfg.join(self.cfg_path)
        return cfg


def start_worker(rank: int, cfg: CfgFramework, counters: CounterSet = COUNTERS,
                 worker_state: Any = None, logger: logging.Logger | None = None) -> None:
    """In a forked worker: count in row `rank`, pick up cfg changes made so far, and follow
    `core.max_while_loops` and `core.debug` from now on."""
    counters.bind(rank)
    cfg.refresh()
    if worker_state is not None and ("core", "max_while_loops") in {
            (d.group, d.name) for d in cfg.variables("core")}:
        def set_loops(v: CfgValue) -> None:
            worker_state.max_while_loops = int(v)

        cfg.on_change("core", "max_while_loops", set_loops)
    if logger is not None and any(d.name == "debug" for d in cfg.variables("core")):
        def set_level(v: CfgValue) -> None:
            logger.setLevel(debug_threshold(int(v)))

        cfg.on_change("core", "debug", set_level)


def per_message(cfg: CfgFramework) -> None:
    """Call before each message: one integer compare unless a change was committed."""
    cfg.refresh()
