"""Compile-time specialisation of module functions: Kamailio's fixups, for speed.

A module may register a *specialiser* for one of its script functions. When the compiler meets
a call of that function, it hands the specialiser the compiled arguments (`Const` for a value
known at compile time, else a getter `(ctx) -> value`); the specialiser returns a function
`(ctx) -> result` that does the call's whole work (reading the dynamic arguments itself), or
None to keep the generic call. Typical uses: `is_method("INVITE|BYE")` turned into a set
lookup built once, `xlog("L_INFO", "...")` that does not expand its format when the level is
off (as Kamailio's xlog does).

The specialised function must behave exactly like the implementation called with the evaluated
arguments: same return values, same logs, same effects. The compiler still sets `$rc`, stops
the script on 0 and wraps the action for the debugger's tracer, as for any call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .values import Value

if TYPE_CHECKING:
    from .context import Context


@dataclass(frozen=True, slots=True)
class Const:
    """An argument whose value is known at compile time."""

    value: Value


Arg = Const | Callable[["Context"], Value]
Specialized = Callable[["Context"], Any]
Specializer = Callable[[tuple[Arg, ...]], Specialized | None]

_SPECIALIZERS: dict[Callable[..., Any], Specializer] = {}


def specializes(impl: Callable[..., Any]) -> Callable[[Specializer], Specializer]:
    """Register the decorated function as the specialiser of script function `impl`."""

    def attach(fn: Specializer) -> Specializer:
        _SPECIALIZERS[impl] = fn
        return fn

    return attach


def specializer_of(impl: Callable[..., Any]) -> Specializer | None:
    """The specialiser registered for `impl`, or None."""
    try:
        return _SPECIALIZERS.get(impl)
    except TypeError:  # an unhashable callable
        return None
