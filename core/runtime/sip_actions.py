"""The core script actions that change a SIP message or its branches without sending it.

`seturi`/`rewriteuri`, `sethost`, `setuser`, `setuserpass`, `setport`, `sethostport`,
`sethostporttrans` (and their short spellings), `prefix`, `strip`, `strip_tail`, `userphone`,
`revert_uri`, `append_branch`, `remove_branch`, `clear_branches`, `force_rport`/`add_rport`,
`add_local_rport`, `len_gt`.

They are declared in core_exports.py; the compiler takes the implementation of a declared core
function from `core_actions.CORE_IMPLS`, so importing this file adds them there (the pv, kex,
corex ... modules import it, and so should the server). Each returns Kamailio's action code:
1 done, -1 not done (with one log line); none raises into the script.

What only the sending code can do is recorded for it: `SipState.force_rport` for the rport of
the received Via, `sip_pvs.marks(ctx.sip).local_rport` for `;rport` on our own Via.
"""

from __future__ import annotations

from collections.abc import Callable

from siprouter.core.sip import SIPError, SIPRequest, SipURI
from siprouter.core.sip.uri import escape_user

from .context import Context
from .core_actions import CORE_IMPLS
from .sip_pvs import marks, message, parse_q, request
from .sip_transforms import try_uri
from .sipstate import Branch
from .values import Value, to_int, to_str

Change = Callable[[SIPRequest, SipURI, str], SipURI | str]


def _rewrite(what: str, change: Change) -> Callable[[Context, Value], int]:
    """An R-URI rewriting action: `change(request, current SIP R-URI, argument)` gives the new
    URI; a bad argument or a non-SIP R-URI logs one line and returns -1."""

    def action(ctx: Context, arg: Value) -> int:
        req = request(ctx)
        if req is None:
            ctx.log.error("%s: not a request", what)
            return -1
        try:
            current = req.new_ruri
            if not isinstance(current, SipURI):
                ctx.log.error("%s: the R-URI %s is not a SIP URI", what, current)
                return -1
            req.set_ruri(change(req, current, to_str(arg)))
        except (SIPError, ValueError) as exc:
            ctx.log.error("%s: %s", what, exc)
            return -1
        return 1

    action.__doc__ = f"{what}: rewrite the Request-URI (Kamailio core action)."
    return action


def seturi(ctx: Context, uri: Value) -> int:
    """Replace the whole Request-URI (`seturi`, `rewriteuri`)."""
    req = request(ctx)
    if req is None:
        ctx.log.error("seturi: not a request")
        return -1
    text = to_str(uri).strip()
    parsed = try_uri(text)
    try:
        req.set_ruri(parsed if parsed is not None else text)
    except SIPError as exc:
        ctx.log.error("seturi: %s", exc)
        return -1
    return 1


def _hostport(arg: str) -> tuple[str, int | None]:
    if arg.startswith("["):
        host, _, rest = arg.partition("]")
        host += "]"
    else:
        host, _, rest = arg.partition(":")
        rest = ":" + rest if rest else ""
    port = rest.lstrip(":")
    if port and not port.isdigit():
        raise ValueError(f"bad port in {arg!r}")
    return host, int(port) if port else None


def _with_params(uri: SipURI, drop: str) -> SipURI:
    return SipURI(uri.scheme, uri.user_raw, uri.password_raw, uri.host, uri.port,
                  tuple(p for p in uri.raw_params if p[0].lower() != drop), uri.raw_headers)


def _set_host(req: SIPRequest, uri: SipURI, arg: str) -> SipURI:
    return uri.replace(host=arg)


def _set_hostport(req: SIPRequest, uri: SipURI, arg: str) -> SipURI:
    host, port = _hostport(arg)
    return uri.replace(host=host, port=port)


def _set_hostporttrans(req: SIPRequest, uri: SipURI, arg: str) -> SipURI:
    host, _, transport = arg.partition(";transport=")
    new = _with_params(_set_hostport(req, uri, host), "transport")
    if transport:
        new = SipURI(new.scheme, new.user_raw, new.password_raw, new.host, new.port,
                     new.raw_params + (("transport", transport),), new.raw_headers)
    return new


def _set_user(req: SIPRequest, uri: SipURI, arg: str) -> SipURI:
    return uri.replace(user=arg or None)


def _set_userpass(req: SIPRequest, uri: SipURI, arg: str) -> SipURI:
    user, colon, password = arg.partition(":")
    if not user:
        return uri.replace(user=None)
    new = uri.replace(user=user)
    return SipURI(new.scheme, new.user_raw, escape_user(password) if colon else None, new.host,
                  new.port, new.raw_params, new.raw_headers)


def _set_port(req: SIPRequest, uri: SipURI, arg: str) -> SipURI:
    if arg and not arg.isdigit():
        raise ValueError(f"bad port {arg!r}")
    return uri.replace(port=int(arg) if arg else None)


def _prefix(req: SIPRequest, uri: SipURI, arg: str) -> SipURI:
    return uri.replace(user=arg + (uri.user or ""))


def _strip(req: SIPRequest, uri: SipURI, arg: str) -> SipURI:
    n = to_int(arg)
    user = uri.user or ""
    if n < 0 or n > len(user):
        raise ValueError(f"cannot strip {n} characters from user {user!r}")
    return uri.replace(user=user[n:] or None)


def _strip_tail(req: SIPRequest, uri: SipURI, arg: str) -> SipURI:
    n = to_int(arg)
    user = uri.user or ""
    if n < 0 or n > len(user):
        raise ValueError(f"cannot strip {n} characters from user {user!r}")
    return uri.replace(user=user[:len(user) - n] or None)


def userphone(ctx: Context) -> int:
    """Add `user=phone` to the Request-URI (if it has no `user` parameter yet)."""
    req = request(ctx)
    uri = None if req is None else req.new_ruri
    if req is None or not isinstance(uri, SipURI):
        ctx.log.error("userphone: no SIP Request-URI")
        return -1
    if any(k.lower() == "user" for k, _ in uri.raw_params):
        return 1
    req.set_ruri(SipURI(uri.scheme, uri.user_raw, uri.password_raw, uri.host, uri.port,
                        uri.raw_params + (("user", "phone"),), uri.raw_headers))
    return 1


def revert_uri(ctx: Context) -> int:
    """Give the request back the Request-URI it arrived with."""
    req = request(ctx)
    if req is None:
        ctx.log.error("revert_uri: not a request")
        return -1
    if req.has_changes:
        req.edits.start_line = None
    return 1


# --- branches --------------------------------------------------------------------------------


def append_branch(ctx: Context, uri: Value = None, q: Value = None) -> int:
    """Add a branch: with no URI, a copy of branch 0 (R-URI, $du, path, q, send socket and
    branch flags); else the URI with the given q (Kamailio core / corex `append_branch`)."""
    sip = ctx.sip
    if sip is None:
        ctx.log.error("append_branch: no SIP state")
        return -1
    if uri is None or to_str(uri) == "":
        req = request(ctx)
        if req is None:
            ctx.log.error("append_branch: not a request")
            return -1
        socket = str(sip.force_socket) if sip.force_socket is not None else ""
        branch = Branch(str(req.new_ruri), sip.dst_uri, sip.path, sip.ruri_q, socket, ctx.bflags)
    else:
        text = to_str(uri).strip()
        if try_uri(text) is None:
            ctx.log.error("append_branch: not a URI: %r", text)
            return -1
        branch = Branch(text)
    if q is not None and to_str(q) != "":
        try:
            branch.q = parse_q(q)
        except ValueError as exc:
            ctx.log.error("append_branch: %s", exc)
            return -1
    sip.branches.append(branch)
    return 1


def remove_branch(ctx: Context, index: Value = None) -> int:
    """Remove the additional branch at `index` (the last one when omitted)."""
    sip = ctx.sip
    if sip is None or not sip.branches:
        return -1
    i = len(sip.branches) - 1 if index is None else to_int(index)
    if not 0 <= i < len(sip.branches):
        ctx.log.error("remove_branch: no branch at index %d", i)
        return -1
    del sip.branches[i]
    return 1


def clear_branches(ctx: Context) -> int:
    """Remove every additional branch."""
    if ctx.sip is not None:
        ctx.sip.branches.clear()
    return 1


# --- Via / size ------------------------------------------------------------------------------


def force_rport(ctx: Context) -> int:
    """Answer to the source port and fill rport/received on the top Via, as if the client had
    asked with `;rport` (RFC 3581). Honoured by the code that forwards or replies."""
    if ctx.sip is None:
        ctx.log.error("force_rport: no SIP state")
        return -1
    ctx.sip.force_rport = True
    return 1


def add_local_rport(ctx: Context) -> int:
    """Put `;rport` on the Via we add when forwarding this request."""
    if ctx.sip is None:
        ctx.log.error("add_local_rport: no SIP state")
        return -1
    marks(ctx.sip).local_rport = True
    return 1


def len_gt(ctx: Context, size: Value) -> int:
    """True when the message is longer than `size` bytes."""
    msg = message(ctx)
    return 1 if msg is not None and len(msg.raw) > to_int(size) else -1


SIP_ACTIONS: dict[str, Callable[..., int]] = {
    "userphone": userphone,
    "revert_uri": revert_uri,
    "append_branch": append_branch,
    "remove_branch": remove_branch,
    "clear_branches": clear_branches,
    "force_rport": force_rport,
    "add_rport": force_rport,
    "add_local_rport": add_local_rport,
    "len_gt": len_gt,
}
for _names, _change in (
    (("sethost", "rewritehost", "seth"), _set_host),
    (("sethostport", "rewritehostport", "sethp"), _set_hostport),
    (("sethostporttrans", "rewritehostporttrans", "sethpt"), _set_hostporttrans),
    (("setuser", "rewriteuser", "setu"), _set_user),
    (("setuserpass", "rewriteuserpass", "setup"), _set_userpass),
    (("setport", "rewriteport", "setp"), _set_port),
    (("prefix",), _prefix),
    (("strip",), _strip),
    (("strip_tail",), _strip_tail),
):
    for _name in _names:
        SIP_ACTIONS[_name] = _rewrite(_name, _change)
for _name in ("seturi", "rewriteuri"):
    SIP_ACTIONS[_name] = seturi
CORE_IMPLS.update(SIP_ACTIONS)
