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

import weakref
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


# Specialised calls that are exactly "1 when the request's method (as received, or upper-cased) is
# in this set, else -1; for a reply, what the function itself says": the compiler tests the
# method inside the `if` that calls them (textops' is_method with a constant).
_METHOD_TESTS: weakref.WeakKeyDictionary[Callable[..., Any], frozenset[str]] = (
    weakref.WeakKeyDictionary())


def method_test(fn: Specialized, wanted: frozenset[str]) -> Specialized:
    """Declare specialised function `fn` a request-method test against `wanted` (see above);
    returns `fn`."""
    _METHOD_TESTS[fn] = wanted
    return fn


def method_set_of(fn: Callable[..., Any]) -> frozenset[str] | None:
    """The method set `fn` was declared to test, or None."""
    try:
        return _METHOD_TESTS.get(fn)
    except TypeError:
        return None


# Setters of PVs that can be compiled for a constant value (`$du = "sip:...";`): the specialiser
# gets the value and returns an action `(ctx) -> 1` doing the whole assignment (same effects and
# logs as the setter with that value), or None to keep the setter.
ConstSetter = Callable[[Value], Callable[["Context"], int] | None]
_CONST_SETTERS: dict[Callable[..., Any], ConstSetter] = {}


def assigns_constants(setter: Callable[..., Any]) -> Callable[[ConstSetter], ConstSetter]:
    """Register the decorated function as the constant-value specialiser of PV `setter`."""

    def attach(fn: ConstSetter) -> ConstSetter:
        _CONST_SETTERS[setter] = fn
        return fn

    return attach


def const_setter_of(setter: Callable[..., Any]) -> ConstSetter | None:
    """The constant-value specialiser registered for `setter`, or None."""
    try:
        return _CONST_SETTERS.get(setter)
    except TypeError:
        return None
