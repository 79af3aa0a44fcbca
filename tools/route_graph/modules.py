"""Which loaded module runs which route block: event routes it raises, routes named in modparams.

Kamailio runs `event_route[xhttp:request]` only when xhttp is loaded, and xmlrpc runs the route
named in its "route" modparam. Neither is visible as a call in the script, so route-graph draws
them as `event` edges from a pseudo-node `module:<name>` (the core is `module:core`). The module
registry says which events a module raises (`ModuleExports.event_routes`, where a trailing `*`
matches any suffix, as in `tm:branch-failure:*`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from siprouter.core.cfg import ast
from siprouter.core.cfg.callgraph import modparam_route_names
from siprouter.core.exports import Registry, UnknownModule

CORE = "core"


@dataclass(frozen=True)
class ModuleRun:
    """Module `module` runs block `target` (a RouteBlock key); `site` is the loadmodule or
    modparam that makes it so (None for the core, which is never loaded explicitly)."""

    module: str
    target: str
    site: ast.Node | None


def _declared_events(registry: Registry, module: str) -> tuple[str, ...]:
    try:
        exports = registry.core() if module == CORE else registry.get(module)
    except (UnknownModule, ImportError):
        # A module we have no declaration for raises events we cannot know; the name-prefix
        # rule below still links the usual `<module>:<event>` names.
        return ()
    return exports.event_routes


def event_armer(name: str, loaded: dict[str, ast.LoadModule], registry: Registry) -> str | None:
    """The loaded module (or the core) that raises `event_route[name]`, None when none does."""
    for module in [CORE, *loaded]:
        if any(fnmatchcase(name, pattern) for pattern in _declared_events(registry, module)):
            return module
    prefix = name.split(":", 1)[0]
    # Kamailio's convention is `<module>:<event>`; trust it for modules not yet declared.
    return prefix if prefix in loaded else None


def module_runs(config: ast.Config, blocks: Iterable[ast.RouteBlock],
                registry: Registry) -> list[ModuleRun]:
    """Every one of `blocks` a loaded module (or the core) runs, in the order of `blocks`."""
    loaded = loaded_modules(config)
    given = modparam_route_names(config)
    runs: list[ModuleRun] = []
    for block in blocks:
        if block.canonical_kind == "event_route" and block.name:
            module = event_armer(block.name, loaded, registry)
            if module is not None:
                runs.append(ModuleRun(module, block.key, loaded.get(module)))
        elif block.name:
            for mp in given.get(block.name, ()):
                for module in mp.module.split("|"):
                    runs.append(ModuleRun(module.strip(), block.key, mp))
    return runs


def loaded_modules(config: ast.Config) -> dict[str, ast.LoadModule]:
    """The first loadmodule of each module, by module name."""
    loaded: dict[str, ast.LoadModule] = {}
    for lm in config.modules:
        loaded.setdefault(lm.module, lm)
    return loaded
