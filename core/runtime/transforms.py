"""Transformations: the `{class.name,param,...}` suffixes of a pseudo-variable.

Each transformation is compiled once, with its parameters, into a function `(ctx, value) ->
value`; a PV's getter applies them in order. A parameter written as a pseudo-variable
(`{s.select,$var(i),;}`) is read per use; every other parameter is parsed at compile time.

Implemented here: `s.*`, `param.*`, `line.*`. `uri.*`, `nameaddr.*` and `tobody.*` need a real
URI and name-addr parser; that is core/sip's job (one parser, STYLE), so the SIP layer registers
them with `register_transformation` instead of this file growing a second one.

An undefined input gives an undefined output (Kamailio fails the transformation and the PV reads
as null); an int input is used as its decimal string by the string transformations.
"""

from __future__ import annotations

import hashlib
import time as _time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from .context import Context
from .values import Value, to_int, to_str

Getter = Callable[[Context], Value]
TrFn = Callable[[Context, Value], Value]


class TransformError(ValueError):
    """A transformation is unknown or its parameters are wrong (reported at compile time)."""


@dataclass(frozen=True, slots=True)
class TrParam:
    """One parameter as written; `get` is set when it is a pseudo-variable."""

    text: str
    get: Getter | None = None

    def as_str(self, ctx: Context) -> str:
        return self.text if self.get is None else to_str(self.get(ctx))

    def as_int(self, ctx: Context) -> int:
        return to_int(self.text) if self.get is None else to_int(self.get(ctx))


TrFactory = Callable[[list[TrParam]], TrFn]

TRANSFORMS: dict[tuple[str, str], TrFactory] = {}


def register_transformation(cls: str, name: str, factory: TrFactory) -> None:
    """Make `{cls.name,...}` available: `factory(params)` returns the compiled function."""
    TRANSFORMS[(cls, name)] = factory


def split_transform(text: str) -> tuple[str, str, list[str]]:
    """`s.substr,1,2` -> ("s", "substr", ["1", "2"]). A trailing `,,` is a `,` parameter
    (`{s.select,0,,}` selects by comma)."""
    head, sep, rest = text.partition(",")
    cls, _, name = head.strip().partition(".")
    if not sep:
        return cls, name, []
    params: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in rest:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            params.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    params.append("".join(cur))
    if rest.endswith(",,") and len(params) >= 2 and params[-1] == "" and params[-2] == "":
        params = params[:-2] + [","]
    return cls, name, params


def compile_transform(text: str, compile_pv: Callable[[str], Getter]) -> TrFn:
    """Compile one `{...}` body; `compile_pv` compiles a parameter that is a pseudo-variable."""
    cls, name, raw = split_transform(text)
    factory = TRANSFORMS.get((cls, name))
    if factory is None:
        raise TransformError(f"unknown transformation {{{cls}.{name}}}")
    params = [TrParam(p, compile_pv(p)) if p.startswith("$") else TrParam(p) for p in raw]
    return factory(params)


def _arity(params: list[TrParam], lo: int, hi: int, what: str) -> None:
    if not lo <= len(params) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise TransformError(f"{{{what}}} takes {want} parameter(s), given {len(params)}")


def _const_int(p: TrParam, what: str) -> int | None:
    """The integer value of a constant parameter (None when it is a pseudo-variable)."""
    if p.get is not None:
        return None
    text = p.text.strip()
    try:
        return int(text)
    except ValueError:
        raise TransformError(f"{{{what}}}: \"{p.text}\" is not an integer") from None


def _str_fn(fn: Callable[[str], Value]) -> TrFactory:
    """A parameterless string transformation."""

    def factory(params: list[TrParam]) -> TrFn:
        if params:
            raise TransformError("this transformation takes no parameters")

        def apply(ctx: Context, v: Value) -> Value:
            if v is None:
                return None
            return fn(v if v.__class__ is str else str(v))

        return apply

    return factory


# --- s.* -------------------------------------------------------------------------------------


def _substr(offset: int, length: int, s: str) -> Value:
    n = len(s)
    if offset < 0:
        offset += n
        if offset < 0:
            return None
    if offset > n:
        return None
    if length == 0:
        return s[offset:]
    if length > 0:
        return s[offset:offset + length]
    end = n + length
    return s[offset:end] if end >= offset else None


def _tr_substr(params: list[TrParam]) -> TrFn:
    _arity(params, 2, 2, "s.substr")
    po, pl = params
    o, ln = _const_int(po, "s.substr"), _const_int(pl, "s.substr")
    if o is not None and ln is not None:
        oc, lc = o, ln
        return lambda ctx, v: None if v is None else _substr(oc, lc, to_str(v))
    return lambda ctx, v: None if v is None else _substr(po.as_int(ctx), pl.as_int(ctx), to_str(v))


def _select(index: int, sep: str, s: str) -> Value:
    parts = s.split(sep) if sep else [s]
    if index < 0:
        index += len(parts)
    if 0 <= index < len(parts):
        return parts[index]
    return None


def _tr_select(params: list[TrParam]) -> TrFn:
    _arity(params, 2, 2, "s.select")
    pi, ps = params
    if ps.get is None and len(ps.text) != 1:
        raise TransformError("{s.select}: the separator is one character")
    index = _const_int(pi, "s.select")
    if index is not None and ps.get is None:
        i, sep = index, ps.text
        return lambda ctx, v: None if v is None else _select(i, sep, to_str(v))
    return lambda ctx, v: None if v is None else _select(pi.as_int(ctx), ps.as_str(ctx), to_str(v))


def _tr_strip(tail: bool) -> TrFactory:
    def factory(params: list[TrParam]) -> TrFn:
        _arity(params, 1, 1, "s.striptail" if tail else "s.strip")
        (p,) = params

        def apply(ctx: Context, v: Value) -> Value:
            if v is None:
                return None
            s, n = to_str(v), max(p.as_int(ctx), 0)
            if n >= len(s):
                return ""
            return s[:len(s) - n] if tail else s[n:]

        return apply

    return factory


def _tr_replace(params: list[TrParam]) -> TrFn:
    _arity(params, 2, 2, "s.replace")
    pa, pb = params
    return lambda ctx, v: None if v is None else to_str(v).replace(pa.as_str(ctx), pb.as_str(ctx))


def _prefixes(quoted: bool) -> TrFactory:
    def factory(params: list[TrParam]) -> TrFn:
        _arity(params, 0, 1, "s.prefixes")
        limit = params[0] if params else None

        def apply(ctx: Context, v: Value) -> Value:
            if v is None:
                return None
            s = to_str(v)
            n = len(s)
            if limit is not None:
                lim = limit.as_int(ctx)
                if lim > 0:
                    n = min(n, lim)
            items = [s[:i] for i in range(1, n + 1)]
            return ",".join(f"'{x}'" if quoted else x for x in items)

        return apply

    return factory


def _tr_ftime(params: list[TrParam]) -> TrFn:
    _arity(params, 1, 1, "s.ftime")
    (fmt,) = params
    return lambda ctx, v: None if v is None else _time.strftime(
        fmt.as_str(ctx), _time.localtime(to_int(v)))


def _one_char(name: str, fn: Callable[[str, str], Value]) -> TrFactory:
    def factory(params: list[TrParam]) -> TrFn:
        _arity(params, 1, 1, name)
        (p,) = params
        return lambda ctx, v: None if v is None else fn(to_str(v), p.as_str(ctx))

    return factory


def _escape_common(s: str) -> str:
    out = []
    for ch in s:
        if ch in "'\"\\":
            out.append("\\" + ch)
        elif ch == "\0":
            out.append("\\0")
        else:
            out.append(ch)
    return "".join(out)


def _unescape_common(s: str) -> str:
    out = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            out.append("\0" if nxt == "0" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _decode_hexa(s: str) -> Value:
    try:
        return bytes.fromhex(s).decode("utf-8", "surrogateescape")
    except ValueError:
        return None


def _digest(algo: str) -> Callable[[str], Value]:
    return lambda s: hashlib.new(algo, s.encode("utf-8", "surrogateescape")).hexdigest()


def _unquote(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    return s


def _unbracket(s: str) -> str:
    if len(s) >= 2 and (s[0], s[-1]) in (("<", ">"), ("(", ")"), ("[", "]"), ("{", "}")):
        return s[1:-1]
    return s


_S_SIMPLE: Final[dict[str, Callable[[str], Value]]] = {
    "len": len,
    "int": to_int,
    "tolower": str.lower,
    "toupper": str.upper,
    "encode.hexa": lambda s: s.encode("utf-8", "surrogateescape").hex(),
    "decode.hexa": _decode_hexa,
    "escape.common": _escape_common,
    "unescape.common": _unescape_common,
    "md5": _digest("md5"),
    "sha256": _digest("sha256"),
    "sha384": _digest("sha384"),
    "sha512": _digest("sha512"),
    "trim": lambda s: s.strip(" \t\r\n"),
    "rtrim": lambda s: s.rstrip(" \t\r\n"),
    "ltrim": lambda s: s.lstrip(" \t\r\n"),
    "numeric": lambda s: "".join(c for c in s if c.isdigit()),
    "rmws": lambda s: "".join(c for c in s if c not in " \t\r\n"),
    "unquote": _unquote,
    "unbracket": _unbracket,
}
for _name, _fn in _S_SIMPLE.items():
    register_transformation("s", _name, _str_fn(_fn))
register_transformation("s", "substr", _tr_substr)
register_transformation("s", "select", _tr_select)
register_transformation("s", "strip", _tr_strip(False))
register_transformation("s", "striptail", _tr_strip(True))
register_transformation("s", "replace", _tr_replace)
register_transformation("s", "prefixes", _prefixes(False))
register_transformation("s", "prefixes.quoted", _prefixes(True))
register_transformation("s", "ftime", _tr_ftime)
register_transformation("s", "count", _one_char("s.count", lambda s, c: s.count(c) if c else 0))
register_transformation("s", "rm", _one_char("s.rm", lambda s, c: s.replace(c, "") if c else s))
register_transformation("s", "before", _one_char("s.before", lambda s, c: s.partition(c)[0]))
register_transformation("s", "after", _one_char("s.after", lambda s, c: s.partition(c)[2]))
register_transformation("s", "rbefore", _one_char("s.rbefore", lambda s, c: s.rpartition(c)[0]
                                                  if c in s else s))
register_transformation("s", "rafter", _one_char("s.rafter", lambda s, c: s.rpartition(c)[2]))
register_transformation("s", "stripto", _one_char("s.stripto", lambda s, c: s[s.find(c):]
                                                  if c in s else s))


# --- param.* ---------------------------------------------------------------------------------


def parse_params(s: str, sep: str = ";") -> list[tuple[str, str | None]]:
    """`a=1;b;c="x y"` -> [("a", "1"), ("b", None), ("c", "x y")]; names keep their case."""
    out: list[tuple[str, str | None]] = []
    for part in s.split(sep):
        part = part.strip(" \t\r\n")
        if not part:
            continue
        name, eq, value = part.partition("=")
        name = name.strip(" \t")
        if not eq:
            out.append((name, None))
            continue
        value = value.strip(" \t")
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        out.append((name, value))
    return out


def _sep(params: list[TrParam], at: int) -> TrParam:
    return params[at] if len(params) > at else TrParam(";")


def _param_value(params: list[TrParam]) -> TrFn:
    _arity(params, 1, 2, "param.value")
    pname, psep = params[0], _sep(params, 1)

    def apply(ctx: Context, v: Value) -> Value:
        if v is None:
            return None
        wanted = pname.as_str(ctx).lower()
        for name, value in parse_params(to_str(v), psep.as_str(ctx)):
            if name.lower() == wanted:
                return "" if value is None else value
        return None

    return apply


def _param_in(params: list[TrParam]) -> TrFn:
    _arity(params, 1, 2, "param.in")
    pname, psep = params[0], _sep(params, 1)

    def apply(ctx: Context, v: Value) -> Value:
        if v is None:
            return None
        wanted = pname.as_str(ctx).lower()
        return int(any(n.lower() == wanted for n, _ in parse_params(to_str(v), psep.as_str(ctx))))

    return apply


def _param_at(part: int, what: str) -> TrFactory:
    def factory(params: list[TrParam]) -> TrFn:
        _arity(params, 1, 2, what)
        pidx, psep = params[0], _sep(params, 1)

        def apply(ctx: Context, v: Value) -> Value:
            if v is None:
                return None
            items = parse_params(to_str(v), psep.as_str(ctx))
            i = pidx.as_int(ctx)
            if i < 0:
                i += len(items)
            if not 0 <= i < len(items):
                return None
            got = items[i][part]
            return "" if got is None else got

        return apply

    return factory


def _param_count(params: list[TrParam]) -> TrFn:
    _arity(params, 0, 1, "param.count")
    psep = _sep(params, 0)
    return lambda ctx, v: None if v is None else len(parse_params(to_str(v), psep.as_str(ctx)))


register_transformation("param", "value", _param_value)
register_transformation("param", "in", _param_in)
register_transformation("param", "valueat", _param_at(1, "param.valueat"))
register_transformation("param", "name", _param_at(0, "param.name"))
register_transformation("param", "count", _param_count)


# --- line.* ----------------------------------------------------------------------------------


def split_lines(s: str) -> list[str]:
    """Lines without their terminators; a final newline does not start another line."""
    if not s:
        return []
    lines = s.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def _line_count(params: list[TrParam]) -> TrFn:
    _arity(params, 0, 0, "line.count")
    return lambda ctx, v: None if v is None else len(split_lines(to_str(v)))


def _line_at(params: list[TrParam]) -> TrFn:
    _arity(params, 1, 1, "line.at")
    (pidx,) = params

    def apply(ctx: Context, v: Value) -> Value:
        if v is None:
            return None
        lines = split_lines(to_str(v))
        i = pidx.as_int(ctx)
        if i < 0:
            i += len(lines)
        return lines[i] if 0 <= i < len(lines) else None

    return apply


def _line_sw(params: list[TrParam]) -> TrFn:
    _arity(params, 1, 1, "line.sw")
    (prefix,) = params

    def apply(ctx: Context, v: Value) -> Value:
        if v is None:
            return None
        p = prefix.as_str(ctx)
        return next((ln for ln in split_lines(to_str(v)) if ln.startswith(p)), None)

    return apply


register_transformation("line", "count", _line_count)
register_transformation("line", "at", _line_at)
register_transformation("line", "sw", _line_sw)
