"""Attach a handler to an RPC some module already declared, keeping the declared help text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from siprouter.core.exports import ModuleExports

Handler = Callable[..., Any]


def attach(exports: ModuleExports, name: str) -> Callable[[Handler], Handler]:
    """Decorator: make `handler` the implementation of `exports`' declared RPC `name`."""
    spec = exports.rpcs.get(name)
    if spec is None:
        raise LookupError(f"module {exports.name} declares no RPC {name}")
    return exports.rpc(name, spec.doc, spec.params)
