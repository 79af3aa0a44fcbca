"""Kamailio's script values and the operators over them.

A value is a Python `int`, a `str`, or `None` for Kamailio's undefined/null value (an unset AVP,
`$null`, a header that is not there). `bool` never appears as a value: comparisons give `1`/`0`.

Rules, after Kamailio's rvalue.c and the 3.0 NEWS (reference 1.4):

- int(undef)=0, int("")=0, int("123")=123, int("-7")=-7, int("0x1f")=31, int("abc")=0;
  str(undef)="", str(123)="123".
- `+` concatenates when the left operand is a string (the right one converted to str) and adds
  when it is an int (the right one converted to int); `undef + e` is `"" + e`.
- `==`/`!=` convert the right operand to the left one's type; an undefined left operand takes
  the type of the right one; `undef == undef` is true. String equality is case-sensitive.
- `eq`/`ne` always compare as strings, `ieq`/`ine` always as integers; `<` `>` `<=` `>=`, `-`
  `*` `/` `mod` and the bitwise operators work on integers.
- `=~` matches the left operand (as a string) against the right one as a POSIX extended regex,
  case-insensitively. Python's `re` runs it; POSIX bracket classes (`[[:digit:]]`) are
  translated first. Compiled patterns are cached.
- `/` and `mod` by zero, and a bad regex, raise `ExprError`: the statement that evaluates the
  expression logs it and counts as false (an `if` takes its else branch, an assignment is not
  made, a function is not called).
- `/` and `mod` truncate toward zero like C. Integers are not wrapped to 32 bits (a deviation
  that only shows on overflow).

Truth, in a condition: an int is true when non-zero and undef is false. A string is converted to
int (so "abc" and "" are false, "12" is true) -- except a lone pseudo-variable as the whole
condition, `if ($var(x))`, which Kamailio tests for a non-empty string (its comp_pvar fast path);
see `pv_truth`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

Value = int | str | None

_DECIMAL: Final = re.compile(r"[+-]?[0-9]+")
_HEX: Final = re.compile(r"0[xX][0-9a-fA-F]+")


class ExprError(Exception):
    """An expression could not be evaluated (division by zero, bad regex, bad shift)."""


def str_to_int(s: str) -> int:
    """Kamailio's string to int: decimal with an optional sign, then 0x-hex, else 0."""
    if not s:
        return 0
    if _DECIMAL.fullmatch(s):
        return int(s)
    if _HEX.fullmatch(s):
        return int(s[2:], 16)
    return 0


def to_int(v: Value) -> int:
    if v.__class__ is int:
        return v
    if v is None:
        return 0
    return str_to_int(v)  # type: ignore[arg-type]


def to_str(v: Value) -> str:
    if v.__class__ is str:
        return v
    if v is None:
        return ""
    return str(v)


def truth(v: Value) -> bool:
    """Truth of a computed value in a condition (rval_get_int(v) != 0)."""
    if v.__class__ is int:
        return v != 0
    if v is None:
        return False
    return str_to_int(v) != 0  # type: ignore[arg-type]


def pv_truth(v: Value) -> bool:
    """Truth of a lone pseudo-variable used as a condition: a string is true when non-empty."""
    if v is None:
        return False
    if v.__class__ is int:
        return v != 0
    return v != ""


# --- arithmetic and bitwise -------------------------------------------------------------------


def add(a: Value, b: Value) -> Value:
    if a.__class__ is int:
        return a + to_int(b)
    if a is None:
        return to_str(b)
    return a + to_str(b)  # type: ignore[operator]


def sub(a: Value, b: Value) -> int:
    return to_int(a) - to_int(b)


def mul(a: Value, b: Value) -> int:
    return to_int(a) * to_int(b)


def div(a: Value, b: Value) -> int:
    x, y = to_int(a), to_int(b)
    if y == 0:
        raise ExprError("division by 0")
    q = abs(x) // abs(y)
    return q if (x < 0) == (y < 0) else -q


def mod(a: Value, b: Value) -> int:
    x, y = to_int(a), to_int(b)
    if y == 0:
        raise ExprError("mod by 0")
    r = abs(x) % abs(y)
    return -r if x < 0 else r


def bor(a: Value, b: Value) -> int:
    return to_int(a) | to_int(b)


def band(a: Value, b: Value) -> int:
    return to_int(a) & to_int(b)


def bxor(a: Value, b: Value) -> int:
    return to_int(a) ^ to_int(b)


def lshift(a: Value, b: Value) -> int:
    n = to_int(b)
    if n < 0:
        raise ExprError("negative shift count")
    return to_int(a) << n


def rshift(a: Value, b: Value) -> int:
    n = to_int(b)
    if n < 0:
        raise ExprError("negative shift count")
    return to_int(a) >> n


def neg(a: Value) -> int:
    return -to_int(a)


def bnot(a: Value) -> int:
    return ~to_int(a)


def lnot(a: Value) -> int:
    return 0 if truth(a) else 1


def strlen(a: Value) -> int:
    return len(to_str(a))


def strempty(a: Value) -> int:
    return 1 if to_str(a) == "" else 0


def cast_int(a: Value) -> int:
    return to_int(a)


def cast_str(a: Value) -> str:
    return to_str(a)


# --- comparisons: each returns a bool; the compiler turns it into 1/0 where a value is needed ----


def eq(a: Value, b: Value) -> bool:
    if a.__class__ is int:
        return a == to_int(b)
    if a.__class__ is str:
        return a == to_str(b)
    # undef on the left takes the type of the right operand
    if b is None:
        return True
    if b.__class__ is int:
        return b == 0
    return b == ""


def ne(a: Value, b: Value) -> bool:
    return not eq(a, b)


def streq(a: Value, b: Value) -> bool:
    return to_str(a) == to_str(b)


def strne(a: Value, b: Value) -> bool:
    return to_str(a) != to_str(b)


def inteq(a: Value, b: Value) -> bool:
    return to_int(a) == to_int(b)


def intne(a: Value, b: Value) -> bool:
    return to_int(a) != to_int(b)


def lt(a: Value, b: Value) -> bool:
    return to_int(a) < to_int(b)


def gt(a: Value, b: Value) -> bool:
    return to_int(a) > to_int(b)


def le(a: Value, b: Value) -> bool:
    return to_int(a) <= to_int(b)


def ge(a: Value, b: Value) -> bool:
    return to_int(a) >= to_int(b)


def match(a: Value, b: Value) -> bool:
    return compile_regex(to_str(b)).search(to_str(a)) is not None


# --- regular expressions ------------------------------------------------------------------------

_POSIX_CLASSES: Final = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": r" \t\n\r\f\v", "blank": r" \t", "punct": r"!-/:-@\[-`{-~", "xdigit": "0-9A-Fa-f",
    "cntrl": r"\x00-\x1f\x7f", "print": r"\x20-\x7e", "graph": r"\x21-\x7e", "word": r"\w",
}
_POSIX_CLASS_RE: Final = re.compile(r"\[:([a-z]+):\]")
_regex_cache: dict[str, re.Pattern[str]] = {}


def posix_to_python(pattern: str) -> str:
    """Translate the POSIX-only parts of an extended regex (bracket classes) for `re`."""
    if "[:" not in pattern:
        return pattern
    return _POSIX_CLASS_RE.sub(lambda m: _POSIX_CLASSES.get(m.group(1), m.group(0)), pattern)


def compile_regex(pattern: str) -> re.Pattern[str]:
    """A case-insensitive compiled regex for `pattern`, cached; ExprError when it is invalid."""
    rx = _regex_cache.get(pattern)
    if rx is None:
        try:
            rx = re.compile(posix_to_python(pattern), re.IGNORECASE)
        except re.error as exc:
            raise ExprError(f"bad regular expression \"{pattern}\": {exc}") from None
        if len(_regex_cache) > 4096:  # dynamic patterns: keep the cache bounded
            _regex_cache.clear()
        _regex_cache[pattern] = rx
    return rx


BINARY_OPS: Final[dict[str, Callable[[Value, Value], Value]]] = {
    "+": add, "-": sub, "*": mul, "/": div, "mod": mod,
    "|": bor, "&": band, "^": bxor, "<<": lshift, ">>": rshift,
}
COMPARISONS: Final[dict[str, Callable[[Value, Value], bool]]] = {
    "==": eq, "!=": ne, "eq": streq, "ne": strne, "ieq": inteq, "ine": intne,
    "<": lt, ">": gt, "<=": le, ">=": ge, "=~": match,
}
UNARY_OPS: Final[dict[str, Callable[[Value], Value]]] = {
    "-": neg, "~": bnot, "!": lnot, "strlen": strlen, "strempty": strempty,
}
CASTS: Final[dict[str, Callable[[Value], Value]]] = {"int": cast_int, "str": cast_str}
