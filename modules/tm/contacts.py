"""Serial/parallel forking by q value: Kamailio's t_load_contacts(), t_next_contacts() and
t_next_contact_flow() (tm's t_serial.c), with the storage of Kamailio 3.1+ (an XAVP).

t_load_contacts() moves the destination set (the R-URI and the branches append_branch() or
lookup() added) into the XAVP named by modparam `contacts_avp`, highest q first: the newest
item (`$xavp(tm_contacts[0]=>uri)`) is the next to try. Each item holds the fields Kamailio
stores (`uri`, `dst_uri`, `path`, `sock`, `flags`, `q_flag`, and `instance`, `ruid`, `ua` when
known) plus `q` (siprouter keeps it so the branches it gives back show their q again).
`q_flag` marks the last contact of a priority class.

t_next_contacts() takes one class back: the first contact becomes the R-URI ($du, path, send
socket and branch flags with it), the others become branches, and t_relay() forks to them in
parallel; from failure_route the next class is tried after the previous one failed. Since
Kamailio 3.1 it sets no timers: the script calls t_set_fr() itself.

The branches of this runtime (core/runtime/sipstate.Branch) carry no +sip.instance or ruid, so
the loaded contacts have none; t_next_contacts() still honours an `instance` field a script set
(one contact per instance, the others kept in `contact_flows_avp`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from siprouter.core.runtime.context import Context, XavpItem
from siprouter.core.runtime.modinit import module_env
from siprouter.core.runtime.sipstate import Branch, SipState, SocketInfo
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.sip import SIPError, SIPRequest

from .engine import current

# Kamailio's modes of t_load_contacts(mode).
STANDARD = 0
PROPORTIONAL = 1


@dataclass
class Contact:
    """One member of the destination set as t_load_contacts() keeps it."""

    uri: str
    dst_uri: str = ""
    path: str = ""
    sock: str = ""  # Kamailio's socket2str: "udp:127.0.0.1:5060"
    flags: int = 0
    q: int = -1  # -1: not given (below every q); else 0..1000
    q_flag: bool = False  # the last contact of its priority class
    instance: str = ""
    ruid: str = ""
    ua: str = ""

    @classmethod
    def of_branch(cls, b: Branch) -> Contact:
        return cls(b.uri, b.dst_uri, b.path, b.send_socket, b.flags, b.q)

    def to_item(self) -> XavpItem:
        """The XAVP item (fields in Kamailio's order; empty optional fields left out)."""
        fields: dict[str, list[Value]] = {"uri": [self.uri]}
        for name in ("dst_uri", "path", "sock"):
            if getattr(self, name):
                fields[name] = [getattr(self, name)]
        fields["flags"] = [self.flags]
        fields["q_flag"] = [1 if self.q_flag else 0]
        for name in ("instance", "ruid", "ua"):
            if getattr(self, name):
                fields[name] = [getattr(self, name)]
        if self.q >= 0:
            fields["q"] = [self.q]
        return XavpItem(fields)

    @classmethod
    def of_item(cls, item: XavpItem) -> Contact | None:
        """The contact in an item a script may have made or changed; None without a URI."""
        def text(name: str) -> str:
            stack = item.fields.get(name)
            return to_str(stack[-1]) if stack and stack[-1] is not None else ""

        def number(name: str, default: int) -> int:
            stack = item.fields.get(name)
            if not stack or stack[-1] is None:
                return default
            try:
                return to_int(stack[-1])
            except (TypeError, ValueError):
                return default

        uri = text("uri")
        if not uri:
            return None
        return cls(uri, text("dst_uri"), text("path"), text("sock"),
                   number("flags", 0) & 0xFFFFFFFF, number("q", -1),
                   bool(number("q_flag", 0)), text("instance"), text("ruid"), text("ua"))


# --- pure parts ---------------------------------------------------------------------------------


def sort_ascending(contacts: list[Contact]) -> list[Contact]:
    """Kamailio's insertion order: increasing q; among equal q a contact with a Path goes before
    those already placed, one without after them."""
    out: list[Contact] = []
    for c in contacts:
        i = 0
        while i < len(out) and (out[i].q < c.q or (out[i].q == c.q and not c.path)):
            i += 1
        out.insert(i, c)
    return out


def standard_order(contacts: list[Contact]) -> list[Contact]:
    """Mode 0: the contacts in the order they are tried, highest q first, each class ending
    with a contact whose q_flag is set (the lowest class ends when the list does)."""
    ordered = sort_ascending(contacts)
    for prev, c in zip(ordered, ordered[1:], strict=False):
        c.q_flag = prev.q < c.q
    if ordered:
        ordered[0].q_flag = False
    return ordered[::-1]


def proportional_order(contacts: list[Contact], rand: random.Random | None = None) -> list[Contact]:
    """Mode 1: one contact at a time, drawn with probability proportional to its q among those
    left; contacts with q 0 or none come last, as backups."""
    pick = rand or random
    left = [c for c in sort_ascending(contacts) if c.q > 0]
    backups = [c for c in sort_ascending(contacts) if c.q <= 0]
    out: list[Contact] = []
    while left:
        point = pick.randrange(sum(c.q for c in left))
        for i, c in enumerate(left):
            point -= c.q
            if point < 0:
                out.append(left.pop(i))
                break
    out += backups
    for c in out:
        c.q_flag = True
    return out


# --- the destination set ----------------------------------------------------------------------


def _param(name: str) -> str:
    env = module_env("tm")
    value = env.param(name) if env is not None else None
    return to_str(value) if value is not None else ""


def _ruri_is_new(ctx: Context, msg: SIPRequest) -> bool:
    """Kamailio's ruri_is_new: the R-URI is part of the destination set until t_relay() sent
    it; in failure_route only when the script changed it since."""
    tm = current(ctx)
    if tm is None or not tm.branches:
        return True
    return _ruri(msg) != tm.ruri


def _ruri(msg: SIPRequest) -> str:
    try:
        return str(msg.new_ruri)
    except SIPError:
        return msg.ruri_text


def _ruri_contact(ctx: Context, msg: SIPRequest, sip: SipState) -> Contact:
    sock = str(sip.force_socket) if sip.force_socket is not None else ""
    return Contact(_ruri(msg), sip.dst_uri, sip.path, sock, ctx.bflags, sip.ruri_q)


def _sip_request(ctx: Context, what: str) -> tuple[SIPRequest, SipState] | None:
    msg, sip = ctx.msg, ctx.sip
    if not isinstance(msg, SIPRequest) or sip is None:
        ctx.log.error("%s: not a SIP request", what)
        return None
    return msg, sip


def t_load_contacts(ctx: Context, mode: Value = None) -> int:
    """Move the destination set (R-URI and branches) into the `contacts_avp` XAVP, highest q
    first (mode 0), or in an order drawn by q as weight (mode 1). 1 when done or when there
    is nothing to order (one contact: it stays where it is); -1 on error (no contacts_avp,
    bad mode)."""
    name = _param("contacts_avp")
    if not name:
        ctx.log.error("t_load_contacts: feature disabled - to enable define the tm "
                      "contacts_avp module parameter")
        return -1
    how = STANDARD
    if mode is not None and to_str(mode).strip() != "":
        how = mode if isinstance(mode, int) else \
            int(text) if (text := to_str(mode).strip()).isdigit() else -1
        if how not in (STANDARD, PROPORTIONAL):
            ctx.log.error("t_load_contacts: invalid mode %r, use 0 (standard) or 1 "
                          "(proportional)", to_str(mode))
            return -1
    found = _sip_request(ctx, "t_load_contacts")
    if found is None:
        return -1
    msg, sip = found
    new = _ruri_is_new(ctx, msg)
    if not sip.branches or (len(sip.branches) == 1 and not new):
        return 1  # nothing to order: a single contact
    contacts = [_ruri_contact(ctx, msg, sip)] if new else []
    contacts += [Contact.of_branch(b) for b in sip.branches]
    ordered = standard_order(contacts) if how == STANDARD else proportional_order(contacts)
    # the list keeps the newest item last: the first to try goes in last
    ctx.xavps.setdefault(name, []).extend(c.to_item() for c in reversed(ordered))
    sip.branches.clear()
    return 1


def _socket(sip: SipState, spec: str) -> tuple[bool, SocketInfo | None]:
    """(ours, the listening socket `spec` names); an empty spec is ours and names none."""
    if not spec:
        return True, None
    found = sip.forwarder.find_socket(spec) if sip.forwarder is not None else None
    return found is not None, found


def _set_ruri(ctx: Context, msg: SIPRequest, sip: SipState, c: Contact,
              sock: SocketInfo | None) -> None:
    try:
        msg.set_ruri(c.uri)
    except SIPError as exc:
        ctx.log.warning("t_next_contacts: cannot set the R-URI to %r: %s", c.uri, exc)
    sip.dst_uri = c.dst_uri
    sip.path = c.path
    sip.force_socket = sock
    sip.ruri_q = c.q
    ctx.bflags = c.flags


def t_next_contacts(ctx: Context) -> int:
    """The next priority class from `contacts_avp` as the destination set: the R-URI is the
    first contact, the others are branches (one per +sip.instance; the others go to
    `contact_flows_avp`). 1 done, -2 no contacts left, -1 on error."""
    name = _param("contacts_avp")
    if not name:
        ctx.log.error("t_next_contacts: feature disabled - to enable define the tm "
                      "contacts_avp module parameter")
        return -1
    found = _sip_request(ctx, "t_next_contacts")
    if found is None:
        return -1
    msg, sip = found
    items = ctx.xavps.get(name)
    if not items:
        return -2
    first = Contact.of_item(items.pop())
    if first is None:
        ctx.log.error("t_next_contacts: a %s item without uri", name)
        return -1
    ours, sock = _socket(sip, first.sock)
    if not ours:
        ctx.log.error("t_next_contacts: %s is not one of our sockets", first.sock)
        return -1
    _set_ruri(ctx, msg, sip, first, sock)
    if first.q_flag:
        return 1
    flows = _param("contact_flows_avp")
    if flows:
        ctx.xavps.pop(flows, None)
    instances = {first.instance} if first.instance else set()
    while items:
        c = Contact.of_item(items.pop())
        if c is None:
            continue
        if not _socket(sip, c.sock)[0]:
            ctx.log.error("t_next_contacts: %s is not one of our sockets", c.sock)
            return -1
        if c.instance and c.instance in instances:
            if flows:  # another flow of a UA already in the set: for t_next_contact_flow()
                c.q_flag = False
                ctx.xavps.setdefault(flows, []).append(c.to_item())
        else:
            if c.instance and not c.q_flag:
                instances.add(c.instance)
            sip.branches.append(Branch(c.uri, c.dst_uri, c.path, c.q, c.sock, c.flags))
        if c.q_flag:
            return 1
    return 1


def t_next_contact_flow(ctx: Context) -> int:
    """For event_route[tm:branch-failure]: the next flow (from `contact_flows_avp`) of the UA
    whose branch failed. The branches here carry no +sip.instance, so, as Kamailio does for a
    branch without one, there is nothing to do: -2 (-1 without contact_flows_avp)."""
    if not _param("contact_flows_avp"):
        ctx.log.error("t_next_contact_flow: feature disabled - to enable define the tm "
                      "contact_flows_avp module parameter")
        return -1
    return -2
