"""Build the management side of a server from its config: the loaded modules' RPC registry,
the counters and cfg framework in shared memory, `ServerInfo`, and the listeners.

The supervisor calls `build_management(settings, processes=N)` before starting workers, then
`ManagementServer(mgmt.config, mgmt.dispatcher).start_in_thread()` (or `await start()`); each
forked worker calls `siprouter.core.shared.worker.start_worker(rank, mgmt.cfg)` and, before
each message, `mgmt.cfg.refresh()`. `python -m siprouter.core.rpc.serve` does the supervisor's
part alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from siprouter.core.exports import LoadedSet, ModuleExports, Registry, default_registry
from siprouter.core.shared.cfgdecl import declare_core, declare_modules
from siprouter.core.shared.cfgframework import CfgFramework
from siprouter.core.shared.counters import COUNTERS, CounterSet
from siprouter.core.shared.worker import SharedState

from .config import ManagementConfig, from_settings
from .context import ProcessInfo, ServerInfo
from .dispatch import Dispatcher
from .registry import RPCRegistry
from .settings import ConfigSettings


def attach_core_handlers() -> None:
    """Import the modules that attach handlers to core- and tls-declared RPCs."""
    from . import core_rpcs, tls_rpcs  # noqa: F401 -- imported for their decorators


def load_modules(settings: ConfigSettings, registry: Registry | None = None) -> LoadedSet:
    """The core plus every module the config loads that siprouter knows."""
    attach_core_handlers()
    return (registry or default_registry()).loaded(settings.modules)


def define_counters(loaded: LoadedSet, settings: ConfigSettings,
                    counters: CounterSet = COUNTERS) -> None:
    """Counters the loaded modules declare (`ModuleExports.counters`) and the script counters
    of the counters module."""
    for module in loaded.modules:
        for key, doc in module.counters.items():
            group, _, name = key.partition(".")
            getter = module.counter_getters.get(key) or _param_value(module, settings, key)
            counters.define(group, name, doc, getter)
    if "counters" in settings.modules:
        from siprouter.modules.counters import define_script_counters

        define_script_counters(settings.modparam_all("counters", "script_counter"),
                               settings.modparam("counters", "script_cnt_grp_name", "script"),
                               counters)


# Statistics that Kamailio sets once at start-up to a module parameter's value (counter ->
# modparam): registrar's default_expire shows default_expires, and so on.
PARAMETER_STATISTICS = {
    "registrar.max_expires": "max_expires",
    "registrar.max_contacts": "max_contacts",
    "registrar.default_expire": "default_expires",
    "registrar.default_expires_range": "default_expires_range",
    "registrar.expires_range": "expires_range",
}


def _param_value(module: ModuleExports, settings: ConfigSettings,
                 key: str) -> Callable[[], int] | None:
    param = PARAMETER_STATISTICS.get(key)
    spec = module.params.get(param or "")
    if spec is None:
        return None
    value = settings.modparam(module.name, spec.name, spec.default)
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        number = 0
    return lambda: number


def build_cfg(loaded: LoadedSet, settings: ConfigSettings) -> CfgFramework:
    """The cfg framework with the core group and each loaded module's runtime parameters."""
    cfg = CfgFramework()
    declare_core(cfg, settings.last_params())
    declare_modules(cfg, [m for m in loaded.modules if m.name != "core"],
                    settings.last_modparams())
    return cfg


@dataclass
class Management:
    """Everything the management side of one server is made of."""

    settings: ConfigSettings
    loaded: LoadedSet
    registry: RPCRegistry
    counters: CounterSet
    cfg: CfgFramework
    info: ServerInfo
    config: ManagementConfig
    dispatcher: Dispatcher

    @property
    def shared(self) -> SharedState:
        """Segment paths, for workers started with `spawn`."""
        return SharedState(self.counters.segment.path if self.counters.segment else None,
                           self.cfg.segment.path if self.cfg.segment else None)

    def cleanup(self) -> None:
        """Remove the shared segments' files (call once, in the supervisor, at exit)."""
        for seg in (self.counters.segment, self.cfg.segment):
            if seg is not None:
                seg.unlink()


def build_management(settings: ConfigSettings, *, processes: int = 1, share: bool = True,
                     counters: CounterSet = COUNTERS, registry: Registry | None = None,
                     process_table: Callable[[], list[ProcessInfo]] | None = None,
                     **info: Any) -> Management:
    """Build the management side for a config. `processes` is the number of counter rows
    (one per process that counts: workers, the supervisor ...); `share=False` keeps counters
    and cfg in private memory (one process). Extra keywords become `ServerInfo` fields."""
    config = from_settings(settings)  # first: a refused setting leaves nothing behind
    loaded = load_modules(settings, registry)
    define_counters(loaded, settings, counters)
    cfg = build_cfg(loaded, settings)
    if share:
        if counters.segment is None:
            counters.share(processes)
        cfg.share()
    rpc_registry = RPCRegistry(loaded.modules)
    if process_table is not None:
        info["processes"] = process_table
    server_info = ServerInfo(settings=settings, counters=counters, cfg=cfg, **info)
    return Management(settings, loaded, rpc_registry, counters, cfg, server_info, config,
                      Dispatcher(rpc_registry, server_info))
