"""Pseudo-variables: compiled once from their text into a getter (and a setter when writable).

`compile_pv("$(avp(x)[1]{s.len})")` parses the text (core/cfg's `parse_pv`, the one reading of
PV syntax), looks the class up in a table of PV classes, and returns closures that do only the
work left for run time. The table is open: the SIP layer registers `$ru`, `$hdr(...)`, ... with
`register_pv_class`, modules register theirs the same way.

A PV class is a factory `(ref, index) -> (getter, setter | None)`; it receives the parsed text
(`ref.inner` is the text in parentheses) and the parsed index, and handles the index itself
because `[*]` and `[-1]` mean different things to different classes.

Classes here, the ones that need no SIP message:

- `$var(x)`: per-worker, initialised to 0, survives messages; `= $null` sets it to 0.
- `$avp(x)` (also `$avp(s:x)`): a per-message stack. Assignment adds on top; reading gives the
  top; `[n]` counts from the top, `[-1]` is the oldest; `$(avp(x)[*])` reads all values joined
  with ",". `= $null` deletes the top value, `$(avp(x)[*]) = $null` deletes them all,
  `$(avp(x)[*]) = v` replaces them all with v, `$(avp(x)[n]) = v` replaces the n-th.
- `$xavp(root=>field)`, with optional `[i]` after root and field: a list of items, each a set of
  field stacks. `$xavp(r=>f) = v` starts a new item (Kamailio's documented way to add a
  destination set); `$xavp(r[0]=>f) = v` adds field f to the newest item. `$null` deletes.
- `$shv(x)`: the shared table (see context.py), initialised to 0.
- `$rc`, `$retcode`, `$?`: the last return code. `$null`: the undefined value.
- `$TV(s|u|sn|un|Sn)` (also spelled `$PV(...)`, the 3.1 release notes' typo): seconds and
  microseconds of the message time (cached per message) or of now; `Sn` is "sec.usec" now.
  `$Ts` (message time), `$time(name)` (broken-down local message time), `$timef(format)`.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Sized
from dataclasses import dataclass

from siprouter.core.cfg.pvsyntax import PVRef, PVSyntaxError, parse_pv, pvs_in_format

from .context import Context, XavpItem
from .transforms import TransformError, TrFn, compile_transform
from .values import Value, to_int, to_str

Getter = Callable[[Context], Value]
Setter = Callable[[Context, Value], None]


class PVError(ValueError):
    """A pseudo-variable cannot be compiled: bad syntax, unknown class or transformation,
    assignment to a read-only one."""


@dataclass(frozen=True, slots=True)
class PVIndex:
    """The `[...]` of a PV: absent, an int, `*` (all), or a pseudo-variable read per use."""

    kind: str  # "none" | "int" | "all" | "pv"
    n: int = 0
    get: Getter | None = None

    def resolve(self, ctx: Context) -> int:
        """The integer index (0 when absent)."""
        if self.get is not None:
            return to_int(self.get(ctx))
        return self.n


NO_INDEX = PVIndex("none")


@dataclass(frozen=True, slots=True)
class PVAccess:
    """A compiled pseudo-variable."""

    text: str
    get: Getter
    set: Setter | None
    is_null: bool = False  # `$null`


PVFactory = Callable[[PVRef, PVIndex], tuple[Getter, Setter | None]]

PV_CLASSES: dict[str, PVFactory] = {}


def register_pv_class(name: str, factory: PVFactory) -> None:
    """Make `$name` available to scripts. `factory(ref, index)` is called once per distinct PV
    text at compile time and returns its getter and setter (None when read-only)."""
    PV_CLASSES[name] = factory


def _parse_index(text: str | None) -> PVIndex:
    if text is None:
        return NO_INDEX
    text = text.strip()
    if text == "*":
        return PVIndex("all")
    if text.startswith("$"):
        return PVIndex("pv", get=compile_pv(text).get)
    try:
        return PVIndex("int", int(text))
    except ValueError:
        raise PVError(f"bad index [{text}]") from None


def _with_transforms(get: Getter, trs: list[TrFn]) -> Getter:
    if not trs:
        return get
    if len(trs) == 1:
        (tr,) = trs
        return lambda ctx: tr(ctx, get(ctx))

    def chained(ctx: Context) -> Value:
        v = get(ctx)
        for t in trs:
            v = t(ctx, v)
        return v

    return chained


_cache: dict[str, PVAccess] = {}


def compile_pv(text: str) -> PVAccess:
    """Compile PV text into its getter/setter; PVError when that is impossible. Cached by text:
    PV closures hold no per-message state, so one compiled PV serves every use of the text."""
    hit = _cache.get(text)
    if hit is not None:
        return hit
    try:
        # `$?` is a name parse_pv does not take (the cfg lexer rejects it too, for now)
        ref = PVRef("?", None, None, ()) if text == "$?" else parse_pv(text)
    except PVSyntaxError as exc:
        raise PVError(f"malformed pseudo-variable {text}: {exc}") from None
    factory = PV_CLASSES.get(ref.name)
    if factory is None:
        raise PVError(f"unknown pseudo-variable class ${ref.name}")
    get, set_ = factory(ref, _parse_index(ref.index))
    try:
        trs = [compile_transform(t, lambda p: compile_pv(p).get) for t in ref.transforms]
    except TransformError as exc:
        raise PVError(f"{text}: {exc}") from None
    if trs:
        set_ = None  # a transformed value is not a place to store into
    access = PVAccess(text, _with_transforms(get, trs), set_, ref.name == "null")
    _cache[text] = access
    return access


def clear_cache() -> None:
    """Forget compiled PVs (after registering a class that replaces one)."""
    _cache.clear()


def _need_inner(ref: PVRef) -> str:
    if not ref.inner:
        raise PVError(f"${ref.name} needs a name: ${ref.name}(name)")
    return ref.inner.strip()


# --- $var, $shv -------------------------------------------------------------------------------


def _var(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    name = _need_inner(ref)

    def get(ctx: Context) -> Value:
        return ctx.vars.get(name, 0)

    def set_(ctx: Context, v: Value) -> None:
        ctx.vars[name] = 0 if v is None else v

    return get, set_


def _shv(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    name = _need_inner(ref)

    def get(ctx: Context) -> Value:
        return ctx.shared.get(name, 0)

    def set_(ctx: Context, v: Value) -> None:
        ctx.shared[name] = 0 if v is None else v

    return get, set_


# --- $avp ---------------------------------------------------------------------------------------


def avp_name(inner: str) -> str:
    """`s:name` and `name` are the same AVP; `i:5` is named "5"."""
    if len(inner) > 2 and inner[1] == ":" and inner[0] in "sSiI":
        return inner[2:]
    return inner


def _stack_pos(stack: Sized, i: int) -> int | None:
    """Position in a newest-last list of script index i (0 = newest, -1 = oldest)."""
    pos = len(stack) - 1 - i if i >= 0 else -1 - i
    return pos if 0 <= pos < len(stack) else None


def _avp(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    name = avp_name(_need_inner(ref))
    kind = index.kind

    if kind == "none":
        def get(ctx: Context) -> Value:
            stack = ctx.avps.get(name)
            return stack[-1] if stack else None
    elif kind == "all":
        def get(ctx: Context) -> Value:
            stack = ctx.avps.get(name)
            return ",".join(to_str(v) for v in reversed(stack)) if stack else None
    else:
        def get(ctx: Context) -> Value:
            stack = ctx.avps.get(name)
            if not stack:
                return None
            pos = _stack_pos(stack, index.resolve(ctx))
            return None if pos is None else stack[pos]

    def set_(ctx: Context, v: Value) -> None:
        stack = ctx.avps.get(name)
        if kind == "all":
            if v is None:
                ctx.avps.pop(name, None)
            else:
                ctx.avps[name] = [v]
            return
        if kind == "none":
            if v is None:
                if stack:
                    stack.pop()
                    if not stack:
                        del ctx.avps[name]
            elif stack is None:
                ctx.avps[name] = [v]
            else:
                stack.append(v)
            return
        pos = _stack_pos(stack, index.resolve(ctx)) if stack else None
        if pos is None or stack is None:
            ctx.log.error("$avp(%s): no value at index %d to assign", name, index.resolve(ctx))
            return
        if v is None:
            del stack[pos]
            if not stack:
                del ctx.avps[name]
        else:
            stack[pos] = v

    return get, set_


# --- $xavp --------------------------------------------------------------------------------------


def _split_indexed(part: str) -> tuple[str, PVIndex]:
    part = part.strip()
    if part.endswith("]") and "[" in part:
        name, _, idx = part[:-1].partition("[")
        return name.strip(), _parse_index(idx)
    return part, NO_INDEX


def _xavp(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    inner = _need_inner(ref)
    root_part, arrow, field_part = inner.partition("=>")
    root, ridx = _split_indexed(root_part)
    if index.kind != "none":  # $(xavp(r)[i]) indexes the root
        ridx = index
    field_name, fidx = _split_indexed(field_part) if arrow else ("", NO_INDEX)

    def item(ctx: Context) -> XavpItem | None:
        items = ctx.xavps.get(root)
        if not items:
            return None
        pos = _stack_pos(items, 0 if ridx.kind in ("none", "all") else ridx.resolve(ctx))
        return None if pos is None else items[pos]

    def get(ctx: Context) -> Value:
        it = item(ctx)
        if it is None:
            return None
        if not arrow:
            return f"<<xavp:{root}>>"
        stack = it.fields.get(field_name)
        if not stack:
            return None
        if fidx.kind == "all":
            return ",".join(to_str(v) for v in reversed(stack))
        pos = _stack_pos(stack, fidx.resolve(ctx))
        return None if pos is None else stack[pos]

    def set_(ctx: Context, v: Value) -> None:
        items = ctx.xavps.get(root)
        if not arrow:
            if v is not None:
                ctx.log.error("$xavp(%s): assign a field, $xavp(%s=>name)", root, root)
            elif items:
                if ridx.kind == "all":
                    del ctx.xavps[root]
                else:
                    it = item(ctx)
                    if it is not None:
                        items.remove(it)
            return
        if ridx.kind == "none" and v is not None:
            ctx.xavps.setdefault(root, []).append(XavpItem({field_name: [v]}))
            return
        it = item(ctx)
        if it is None:
            if v is None:
                return
            if ridx.resolve(ctx) != 0:
                ctx.log.error("$xavp(%s): no item at index %d", root, ridx.resolve(ctx))
                return
            it = XavpItem()
            ctx.xavps.setdefault(root, []).append(it)
        if v is None:
            if fidx.kind == "all" or fidx.kind == "none":
                stack = it.fields.get(field_name)
                if stack and fidx.kind == "none":
                    stack.pop()
                    if stack:
                        return
                it.fields.pop(field_name, None)
            else:
                stack = it.fields.get(field_name)
                pos = _stack_pos(stack, fidx.resolve(ctx)) if stack else None
                if stack is not None and pos is not None:
                    del stack[pos]
            return
        it.fields.setdefault(field_name, []).append(v)

    return get, set_


# --- $rc, $null, time ---------------------------------------------------------------------------


def _retcode(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    return (lambda ctx: ctx.last_retcode), None


def _null(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    return (lambda ctx: None), None


def _tv(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    what = _need_inner(ref)
    getters: dict[str, Getter] = {
        "s": lambda ctx: int(ctx.msg_time),
        "u": lambda ctx: int(round((ctx.msg_time % 1) * 1_000_000)) % 1_000_000,
        "sn": lambda ctx: int(ctx.now()),
        "un": lambda ctx: int(round((ctx.now() % 1) * 1_000_000)) % 1_000_000,
        "Sn": lambda ctx: _sec_usec(ctx.now()),
    }
    if what not in getters:
        raise PVError(f"${ref.name}({what}): expected s, u, sn, un or Sn")
    return getters[what], None


def _sec_usec(t: float) -> str:
    sec = int(t)
    return f"{sec}.{int(round((t - sec) * 1_000_000)) % 1_000_000:06d}"


_TIME_FIELDS: dict[str, Callable[[_time.struct_time], int]] = {
    "sec": lambda t: t.tm_sec, "min": lambda t: t.tm_min, "hour": lambda t: t.tm_hour,
    "mday": lambda t: t.tm_mday, "mon": lambda t: t.tm_mon, "year": lambda t: t.tm_year,
    "wday": lambda t: (t.tm_wday + 1) % 7 + 1, "yday": lambda t: t.tm_yday,
    "isdst": lambda t: t.tm_isdst,
}


def _time_pv(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    what = _need_inner(ref)
    field = _TIME_FIELDS.get(what)
    if field is None:
        raise PVError(f"$time({what}): expected one of {', '.join(_TIME_FIELDS)}")
    return (lambda ctx: field(_time.localtime(ctx.msg_time))), None


def _timef(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    fmt = ref.inner or "%c"
    return (lambda ctx: _time.strftime(fmt, _time.localtime(ctx.msg_time))), None


def _ts(ref: PVRef, index: PVIndex) -> tuple[Getter, Setter | None]:
    return (lambda ctx: int(ctx.msg_time)), None


register_pv_class("var", _var)
register_pv_class("shv", _shv)
register_pv_class("avp", _avp)
register_pv_class("xavp", _xavp)
for _rc in ("rc", "retcode", "?"):
    register_pv_class(_rc, _retcode)
register_pv_class("null", _null)
register_pv_class("TV", _tv)
register_pv_class("PV", _tv)  # the 3.1 release notes' spelling of $TV
register_pv_class("time", _time_pv)
register_pv_class("timef", _timef)
register_pv_class("Ts", _ts)


# --- format strings -----------------------------------------------------------------------------


def compile_format(text: str) -> Callable[[Context], str]:
    """Compile a format string with embedded PVs ("from $fu to $var(x)"), as xlog and friends
    take them, into a function giving the expanded string. Undefined PVs print as "<null>"."""
    parts: list[str | Getter] = []
    pos = 0
    for start, end in pvs_in_format(text):
        if start > pos:
            parts.append(text[pos:start])
        parts.append(compile_pv(text[start:end]).get)
        pos = end
    if pos < len(text):
        parts.append(text[pos:])
    if not parts:
        return lambda ctx: ""
    if len(parts) == 1 and isinstance(parts[0], str):
        const = parts[0]
        return lambda ctx: const
    frozen = tuple(parts)

    def fmt(ctx: Context) -> str:
        out = []
        for p in frozen:
            if isinstance(p, str):
                out.append(p)
            else:
                v = p(ctx)
                out.append("<null>" if v is None else to_str(v))
        return "".join(out)

    return fmt
