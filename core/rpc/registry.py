"""One table of RPC methods, built from the modules' declarations (`ModuleExports.rpcs`).

A handler is `handler(ctx, *params)`: `ctx` is the `RPCContext` of the call, the rest are the
positional parameters. Its annotations say what it takes (int, float, str, or anything) and which
parameters are optional; the registry checks the count, converts what converts without loss
(`"3"` for an int, `3` for a string -- kamcmd types its arguments by their look) and answers
-32602 for the rest, so a handler never sees a parameter it did not ask for.
"""

from __future__ import annotations

import inspect
import math
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from siprouter.core.exports import ModuleExports

from .errors import InvalidParams, MethodNotFound

_TYPE_NAMES = {int: "int", float: "double", str: "string"}


@dataclass(frozen=True)
class ParamSlot:
    """One parameter a handler takes."""

    name: str
    type: type | None  # int, float, str, or None for anything
    required: bool
    variadic: bool = False


@dataclass(frozen=True)
class Method:
    """An RPC method the server answers."""

    name: str
    doc: str
    module: str
    handler: Callable[..., Any]
    slots: tuple[ParamSlot, ...]
    returns: str  # XML-RPC type name of the result, for system.methodSignature

    @property
    def min_params(self) -> int:
        return sum(1 for s in self.slots if s.required)

    @property
    def max_params(self) -> int | None:
        if any(s.variadic for s in self.slots):
            return None
        return len(self.slots)

    def signature(self) -> list[str]:
        """[result type, parameter types ...] as system.methodSignature lists them."""
        return [self.returns] + [_TYPE_NAMES.get(s.type, "any") if s.type else "any"
                                 for s in self.slots if not s.variadic]


def _result_type(hint: Any) -> str:
    if hint in (int, float, str):
        return _TYPE_NAMES[hint]
    origin = typing.get_origin(hint) or hint
    if origin in (list, tuple):
        return "array"
    if origin is dict:
        return "struct"
    return "any"


def _slots(handler: Callable[..., Any]) -> tuple[tuple[ParamSlot, ...], str]:
    sig = inspect.signature(handler)
    try:
        hints = typing.get_type_hints(handler)
    except Exception:  # annotations that do not resolve: treat every parameter as "anything"
        hints = {}
    params = list(sig.parameters.values())[1:]  # the first is the context
    slots = []
    for p in params:
        hint = hints.get(p.name)
        base = hint if hint in (int, float, str) else None
        if p.kind is p.VAR_POSITIONAL:
            slots.append(ParamSlot(p.name, base, False, True))
        elif p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            slots.append(ParamSlot(p.name, base, p.default is p.empty))
    return tuple(slots), _result_type(hints.get("return"))


def convert(value: Any, want: type | None, position: int) -> Any:
    """`value` as the type a handler asked for; InvalidParams when it does not convert."""
    if want is None or (type(value) is want):
        return value
    if want is int:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip(), 0)
            except ValueError:
                pass
    elif want is float:
        if isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                f = float(value)
            except ValueError:
                pass
            else:
                if math.isfinite(f):
                    return f
    elif want is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise InvalidParams(f"parameter {position} must be {_TYPE_NAMES[want]}, "
                        f"got {type(value).__name__}")


class RPCRegistry:
    """Every RPC method of the loaded modules (and the core), by name."""

    def __init__(self, modules: Iterable[ModuleExports]) -> None:
        self._methods: dict[str, Method] = {}
        self._declared: set[str] = set()
        for module in modules:
            for spec in module.rpcs.values():
                self._declared.add(spec.name)
                if spec.handler is None or spec.name in self._methods:
                    continue
                slots, returns = _slots(spec.handler)
                doc = spec.doc or inspect.getdoc(spec.handler) or ""
                self._methods[spec.name] = Method(spec.name, doc, module.name, spec.handler,
                                                  slots, returns)

    def names(self) -> list[str]:
        """Names of the methods that answer, sorted."""
        return sorted(self._methods)

    def get(self, name: str) -> Method:
        """The method; MethodNotFound when unknown or declared without an implementation."""
        method = self._methods.get(name)
        if method is None:
            if name in self._declared:
                raise MethodNotFound(name, "Method not implemented")
            raise MethodNotFound(name)
        return method

    def __contains__(self, name: object) -> bool:
        return name in self._methods

    def prepare(self, name: str, params: list[Any]) -> tuple[Method, list[Any]]:
        """The method and its checked, converted parameters."""
        method = self.get(name)
        lo, hi = method.min_params, method.max_params
        if len(params) < lo or (hi is not None and len(params) > hi):
            want = str(lo) if lo == hi else (f"{lo}..{hi}" if hi is not None else f"{lo} or more")
            raise InvalidParams(f"{name} takes {want} parameter(s), got {len(params)}")
        out = []
        for i, value in enumerate(params):
            slot = method.slots[min(i, len(method.slots) - 1)]
            out.append(convert(value, slot.type, i + 1))
        return method, out
