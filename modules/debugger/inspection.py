"""What a stopped worker can tell about the message it runs: the route call stack, the script
variables and the SIP message as it would be sent. Pure functions of a `Context`."""

from __future__ import annotations

from typing import Any

from siprouter.core.runtime.context import Context
from siprouter.core.runtime.tracing import ActionInfo
from siprouter.core.runtime.values import Value

from .formats import display_route

NULL = "<null>"


def _plain(v: Value) -> int | str:
    """A value for every RPC encoding (XML-RPC has no null): undefined shows as `<null>`."""
    return NULL if v is None else v


def stack(ctx: Context, at: ActionInfo) -> list[dict[str, Any]]:
    """The route call stack, outermost first: each route with the line it is at (the `route()`
    call into the next frame; the stopped action for the innermost)."""
    frames = ctx.call_stack
    out = []
    for i, (key, _span) in enumerate(frames):
        if i + 1 < len(frames):
            here = frames[i + 1][1]
            file, line = here.file, here.line
        else:
            file, line = at.file, at.line
        out.append({"route": display_route(key), "file": file, "line": line})
    return out


def variables(ctx: Context) -> dict[str, Any]:
    """`{var: {name: value}, avp: {name: [values, newest first]}, xavp: {name: [items, newest
    first]}}`; an xavp item is `{field: [values, newest first]}`."""
    avp = {name: [_plain(v) for v in reversed(values)] for name, values in ctx.avps.items()
           if values}
    xavp = {name: [{f: [_plain(v) for v in reversed(vs)] for f, vs in item.fields.items()}
                   for item in reversed(items)]
            for name, items in ctx.xavps.items() if items}
    return {"var": {k: _plain(v) for k, v in sorted(ctx.vars.items())}, "avp": avp,
            "xavp": xavp}


def message_text(ctx: Context) -> str | None:
    """The SIP message with the script's changes applied, as it would be sent (no Via of ours
    yet); None when the context has no message."""
    msg = ctx.msg
    serialize = getattr(msg, "serialize", None)
    if serialize is None:
        return None
    data = serialize()
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)
