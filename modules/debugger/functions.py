"""The debugger's script functions: dbg_breakpoint, dbg_pv_dump, dbg_sip_msg."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from siprouter.core.cfg import ast
from siprouter.core.exports import RouteType
from siprouter.core.loglevels import debug_threshold
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import compile_pv

from .declarations import exports
from .inspection import message_text
from .settings import LOGGER

L_DBG = 3
PV_NULL, PV_AVP, PV_VAR, PV_XAVP, PV_OTHER = 1, 2, 4, 8, 16
_OWN = ("var", "avp", "xavp")


@exports.function("dbg_breakpoint", args=1)
def dbg_breakpoint(ctx: Context, mode: Any) -> int:
    """Anchor a breakpoint at this line: `dbg_breakpoint(1)` stops every worker here before
    the call (it is a line breakpoint from start-up, listed by dbg.bp_list); 0 does nothing."""
    return 1


def _pv_texts(node: Any, out: set[str]) -> set[str]:
    """Every PV text the AST under `node` names."""
    if isinstance(node, ast.PVar):
        out.add(node.text)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _pv_texts(item, out)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if isinstance(value, (ast.Node, list, tuple)):
                _pv_texts(value, out)
    return out


_script_pvs: dict[int, list[str]] = {}


def pv_dump(ctx: Context, mask: int, script_pvs: list[str]) -> dict[str, Any]:
    """The values dbg_pv_dump prints: mask 1 keeps undefined values, 2 AVPs, 4 $var, 8 XAVPs,
    16 the other PVs the script names."""
    out: dict[str, Any] = {}
    if mask & PV_VAR:
        for k, v in sorted(ctx.vars.items()):
            out[f"$var({k})"] = v
    if mask & PV_AVP:
        for name, values in ctx.avps.items():
            vals = list(reversed(values))
            out[f"$avp({name})"] = vals[0] if len(vals) == 1 else vals
    if mask & PV_XAVP:
        for name, items in ctx.xavps.items():
            out[f"$xavp({name})"] = [{f: list(reversed(vs)) for f, vs in item.fields.items()}
                                     for item in reversed(items)]
    if mask & PV_OTHER:
        for text in script_pvs:
            try:
                out[text] = compile_pv(text).get(ctx)
            except Exception:  # noqa: BLE001 -- a PV this message cannot give is left out
                continue
    if not mask & PV_NULL:
        out = {k: v for k, v in out.items() if v is not None}
    return out


@exports.function("dbg_pv_dump", args=(0, 1, 2))
def dbg_pv_dump(ctx: Context, mask: Any = 31, level: Any = L_DBG) -> int:
    """Log the script's pseudo-variables as one JSON object (mask: 1 undefined ones too, 2
    $avp, 4 $var, 8 $xavp, 16 the other PVs the script names; default 31, level L_DBG)."""
    pvs: list[str] = []
    if int(mask) & PV_OTHER:
        config = _config_of(ctx)
        if config is not None:
            key = id(config)
            if key not in _script_pvs:
                _script_pvs[key] = sorted(
                    t for t in _pv_texts(config, set())
                    if not any(t.startswith(f"${p}(") or t.startswith(f"$({p}(") for p in _OWN))
            pvs = _script_pvs[key]
    data = pv_dump(ctx, int(mask), pvs)
    LOGGER.log(debug_threshold(int(level)), "%s", json.dumps(data, default=str))
    return 1


def _config_of(ctx: Context) -> ast.Config | None:
    from .server import _current

    return _current.script.config if _current is not None else None


@exports.function("dbg_sip_msg", args=(0, 1, 2), routes=RouteType.ONREPLY | RouteType.REQUEST)
def dbg_sip_msg(ctx: Context, level: Any = L_DBG, facility: Any = None) -> int:
    """Log the SIP message as it would be sent at this point (the script's changes applied)."""
    text = message_text(ctx)
    if text is None:
        return -1
    LOGGER.log(debug_threshold(int(level)), "msg out:{\n%s}", text)
    return 1
