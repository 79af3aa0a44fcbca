"""Module start-up: modparams onto each module's settings, then its init hooks.

Kamailio calls `mod_init` once in the main process after the config is read and `child_init` in
every process it forks. Here the server calls `init_modules` once before forking (so the applied
settings are inherited by every worker) and `child_init_modules` in each worker. A module
declares `exports.settings` (a dataclass whose field names are its parameter names) and, when it
needs more than its settings, `exports.init` / `exports.child_init` taking a `ModuleEnv`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterable
from typing import Any

from siprouter.core.cfg import ast
from siprouter.core.exports import ModuleEnv, ModuleExports, ParamSpec, Registry

log = logging.getLogger("siprouter.core")

_envs: dict[str, ModuleEnv] = {}
_inited: list[ModuleExports] = []


def _literal(expr: ast.Expr) -> Any:
    if isinstance(expr, ast.IntLit | ast.StrLit):
        return expr.value
    if isinstance(expr, ast.Ident):
        return expr.name
    return None


def modparams_of(config: ast.Config, module: str) -> dict[str, list[Any]]:
    """Every value given to `module`'s parameters, in config order (`"a|b"` lists count)."""
    out: dict[str, list[Any]] = {}
    for mp in config.modparams:
        names = {Registry.module_name(m.strip()) for m in mp.module.split("|")}
        if module in names:
            value = _literal(mp.value)
            if value is not None:
                out.setdefault(mp.param, []).append(value)
    return out


def _coerce(spec: ParamSpec | None, current: Any, value: Any) -> Any:
    """The value as the settings field holds it (ints as ints, strings as strings)."""
    kinds = ((spec.type if isinstance(spec.type, tuple) else (spec.type,)) if spec else ())
    target = type(current) if current is not None else (kinds[0] if kinds else None)
    if target is bool:
        return str(value).lower() in ("1", "yes", "on", "true")
    if target is int and isinstance(value, str):
        return int(value.strip())
    if target is str and isinstance(value, int):
        return str(value)
    return value


def apply_modparams(exports: ModuleExports, params: dict[str, list[Any]]) -> None:
    """Set each given parameter on `exports.settings` (the last value wins; a list field of a
    repeatable parameter gets every value)."""
    settings = exports.settings
    if settings is None:
        return
    names = {f.name for f in dataclasses.fields(settings)} if dataclasses.is_dataclass(
        settings) else set(vars(settings))
    for name, values in params.items():
        if name not in names:
            continue  # accepted by the declaration, not acted on by this implementation
        current = getattr(settings, name)
        spec = exports.params.get(name)
        try:
            if isinstance(current, list):
                setattr(settings, name, [*current, *values])
            else:
                setattr(settings, name, _coerce(spec, current, values[-1]))
        except ValueError:
            log.error("%s: parameter %s: bad value %r", exports.name, name, values[-1])
            raise


def init_modules(config: ast.Config, modules: Iterable[ModuleExports], *,
                 services: dict[str, Any] | None = None) -> None:
    """In the main process, before workers fork: settings, then each module's `init`."""
    _envs.clear()
    _inited.clear()
    for exports in modules:
        # One services dict for all: the server adds to it (e.g. the cfg framework) later.
        env = ModuleEnv(config, modparams_of(config, exports.name),
                        services if services is not None else {}, os.getpid())
        _envs[exports.name] = env
        _inited.append(exports)
        apply_modparams(exports, env.params)
        if exports.init is not None:
            exports.init(env)


def child_init_modules() -> None:
    """In each worker as it starts: the `child_init` of every module `init_modules` set up."""
    for exports in _inited:
        if exports.child_init is not None:
            exports.child_init(dataclasses.replace(_envs[exports.name], pid=os.getpid()))


def module_env(name: str) -> ModuleEnv | None:
    """The environment module `name` was initialised with in this server (None outside one)."""
    return _envs.get(name)
