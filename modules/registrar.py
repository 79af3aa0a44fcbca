"""Kamailio's `registrar` module: REGISTER processing (`save`) and the look-ups that route to
registered contacts (`lookup`, `lookup_branches`, `lookup_to_dset`, `registered`,
`unregister`), over usrloc.

`save()` works in two steps: `plan_register` (pure: the REGISTER's contacts, the AOR's current
bindings and the time in; usrloc changes or a registrar error out) and `Usrloc.apply`. The reply
lists every binding of the AOR after the change (Contact with `expires` and `q`, one header), or
carries Kamailio's status and a `P-Registrar-Error` header: 400 for a malformed Contact,
Expires or q, `*` mixed with contacts or with a non-zero expires; 423 with Min-Expires when
min_expires_mode=1; 503 (Retry-After with retry_after) for more than max_contacts; 500 when the
location store fails.

The runtime-changeable parameters (default_expires, min_expires, max_expires, max_contacts,
append_branches, ...) are read through the cfg framework when the server has one, so
`cfg.set_now_int registrar default_expires 600` applies to the next REGISTER.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from siprouter.core.db import DBError
from siprouter.core.db.location import Binding
from siprouter.core.exports import REQ_FAIL, REQ_FAIL_ONREPLY, ModuleExports, RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.modinit import module_env
from siprouter.core.runtime.sip_pvs import marks, parse_q, q_text, request
from siprouter.core.runtime.sipstate import Branch, SipState
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.shared.counters import COUNTERS
from siprouter.core.sip import NameAddr, SIPError, SIPRequest, SipURI, parse_uri
from siprouter.core.sip.uri import URI
from siprouter.modules import usrloc
from siprouter.modules.usrloc import Change, methods_mask

log = logging.getLogger("siprouter.registrar")

exports = ModuleExports("registrar", doc="SIP registrar: save and lookup of contacts")

# Parameters
# The runtime ones first, in the order Kamailio's cfg framework lists them (cfg.list).
exports.param("realm_prefix", str, None, runtime=True, cfg_name="realm_pref",
              doc="Prefix to be automatically stripped from realm.")
exports.param("default_expires", int, 3600, runtime=True, doc="If the processed message contains neither Expires header fields nor expires contact...")
exports.param("default_expires_range", int, 0, runtime=True, range=(0, 100), doc="This parameter specifies that the expiry used for newly created usrloc records are not...")
exports.param("expires_range", int, 0, runtime=True, range=(0, 100), doc="Similar to default_expires_range, but it applies to the incoming expires value.")
exports.param("min_expires", int, 60, runtime=True, doc="The minimum expires value of a “Contact”.")
exports.param("max_expires", int, 0, runtime=True, doc="The maximum accepted expires value of a “Contact”, values higher than this maximum will...")
exports.param("max_contacts", int, 0, runtime=True, doc="The parameter can be used to limit the number of contacts per AOR (Address of Record) in...")
exports.param("retry_after", int, 0, runtime=True, doc="The registrar can generate a 5xx reply to REGISTER requests in various situations.")
exports.param("case_sensitive", int, 0, runtime=True, doc="If set to 1 then AOR comparison and also storing will be case sensitive, if set to 0 then...")
exports.param("default_q", int, -1, runtime=True, range=(-1, 1000), doc="The parameter represents default “q” value for new contacts (-1, Kamailio's Q_UNSPECIFIED: no q).")
exports.param("append_branches", int, 1, runtime=True, doc="The parameter controls how lookup function processes multiple contacts.")
exports.param("use_expired_contacts", int, 0, runtime=True, doc="Allow/Disallow the usage of the expired contacts.")
exports.param("received_param", str, "received", doc="The name of the parameter that will be appended to Contact URI's of 200 OK when the...")
exports.param("received_avp", str, None, doc="Registrar will store the value of the AVP configured by this parameter in the received...")
exports.param("sock_mode", int, 0, doc="If set to 1, the server stores the advertised address in socket field, instead of bind...")
exports.param("sock_flag", int, -1, doc="Message flag to signal to the registrar module to look into REGISTER request for a header...")
exports.param("sock_hdr_name", str, None, doc="Header which contains a socket description (proto:IP:port) to override the received...")
exports.param("method_filtering", int, 0, doc="Tells if the contact filtering based on supported methods should be performed during...")
exports.param("use_path", int, 0, doc="If set to 1, the “Path:” header is handled according to the parameter This parameter can...")
exports.param("path_mode", int, 2, doc="The registrar module implements three different modes regarding the response to a...")
exports.param("path_use_received", int, 0, doc="If set to 1, the “received” parameter of the first Path URI of a registration is set as...")
exports.param("path_check_local", int, 0, doc="If set to 1, when performing a lookup the Path (if present) is evaluated and if the first...")
exports.param("xavp_cfg", str, None, doc="Defines the name of XAVP class to store runtime module config values.")
exports.param("xavp_rcd", str, None, doc="Defines the name of XAVP class to store details from the location records.")
exports.param("xavp_rcd_mask", int, 0, doc="Defines what values to skip when xavp_rcd is stored.")
exports.param("gruu_enabled", int, 1, doc="If set to 1 and the “+sip.instance” parameter to Contact header of REGISTER is present...")
exports.param("outbound_mode", int, 0, doc="If set to 0 this module will accept REGISTER requests that do not contain a “Supported:”...")
exports.param("regid_mode", int, 0, doc="If set to 0 this module will ignore the “regid” contact param when saving REGISTER...")
exports.param("flow_timer", int, 0, doc="If set to 0 then this module will not add a “Flow-Timer:” header to 200 OK responses to...")
exports.param("contact_max_size", int, 512, doc="Max size of URIs in “Contact:” header.")
exports.param("event_callback", str, None, doc="The name of the function in the KEMI configuration file (embedded scripting language such...")
exports.param("lookup_filter_mode", int, None, doc="Control what filters should be applied to lookup(...) operations.")
exports.param("min_expires_mode", int, 0, doc="Control what to do when expires value in REGISTER request is lower than min_expires...")

# --- parameters: the cfg framework first, then the modparams, then the defaults -------------------

_static: dict[str, Any] | None = None


def configure(params: Mapping[str, Any]) -> None:
    """Set this process's registrar modparams (tests, tools); the server's config otherwise."""
    global _static
    _static = dict(params)


def _server_cfg() -> Any:
    """The cfg framework of the running server, when there is one."""
    env = module_env("registrar")
    return None if env is None else env.services.get("cfg")


def param(name: str) -> Any:
    """The current value of registrar parameter `name`."""
    global _static
    spec = exports.params[name]
    if spec.runtime:
        cfg = _server_cfg()
        if cfg is not None:
            try:
                return cfg.get("registrar", spec.cfg_var)
            except ValueError:
                pass
    if _static is None:
        _static = usrloc.modparams_from_server("registrar") or {}
    if name in _static:
        return _static[name]
    return spec.default


def _int_param(name: str) -> int:
    v = param(name)
    return 0 if v is None else int(v)


# --- errors (Kamailio's rerrno with its status and P-Registrar-Error text) --------------------------

@dataclass(frozen=True)
class RegError(Exception):
    """Why a REGISTER is refused: status, reason phrase and the P-Registrar-Error text."""

    status: int
    info: str
    retcode: int = -1

    @property
    def reason(self) -> str:
        return _REASONS.get(self.status, "Server Internal Error")

    def new(self) -> RegError:
        """A fresh copy to raise. The R_* values below are never raised themselves: raising
        one instance again keeps its traceback and chains the new one in front of it, so a
        shared instance would hold every frame (message, bindings) of every REGISTER refused
        with it (e.g. each retransmission under load) for the life of the process."""
        return RegError(self.status, self.info, self.retcode)


_REASONS = {200: "OK", 400: "Bad Request", 420: "Bad Extension", 421: "Extension Required",
            423: "Interval Too Brief", 439: "First Hop Lacks Outbound Support",
            500: "Server Internal Error", 503: "Service Unavailable"}

R_TO_USER = RegError(400, "No username in To URI")
R_AOR_PARSE = RegError(400, "Error while parsing AOR")
R_INV_EXP = RegError(400, "Invalid expires param in contact")
R_INV_Q = RegError(400, "Invalid q param in contact")
R_PARSE = RegError(400, "Message parse error")
R_TO_MISS = RegError(400, "To header not found")
R_CID_MISS = RegError(400, "Call-ID header not found")
R_CS_MISS = RegError(400, "CSeq header not found")
R_PARSE_EXP = RegError(400, "Expires parse error")
R_PARSE_CONT = RegError(400, "Contact parse error")
R_STAR_EXP = RegError(400, "* used in contact and expires is not zero")
R_STAR_CONT = RegError(400, "* used in contact and more than 1 contact")
R_OOO = RegError(200, "Out of order request")
R_RETRANS = RegError(200, "Retransmission", retcode=1)
R_TOO_MANY = RegError(503, "Too many registered contacts", retcode=-2)
R_CONTACT_LEN = RegError(400, "Contact/received too long")
R_CALLID_LEN = RegError(400, "Callid too long")
R_PATH_UNSUP = RegError(420, "No support for found Path indicated")
R_OB_UNSUP = RegError(421, "No support for Outbound indicated")
R_OB_REQD = RegError(420, "No support for Outbound on server")
R_INV_REGID = RegError(400, "Invalid Reg-Id number")
R_LOW_EXP = RegError(423, "Interval too brief")
R_UL_FAIL = RegError(500, "usrloc_contact_insert failed")

MAX_EXPIRES_VALUE = 2**32 - 1  # RFC 3261 delta-seconds
MAX_CALLID = 255


# --- reading the REGISTER ----------------------------------------------------------------------

@dataclass
class ContactSpec:
    """One Contact of the REGISTER, checked."""

    uri: str
    expires: int  # seconds from now; 0 removes
    q: int
    instance: str = ""
    reg_id: int = 0


@dataclass
class Register:
    """What `save()` needs from a REGISTER."""

    aor: str
    star: bool
    contacts: list[ContactSpec]
    callid: str
    cseq: int
    user_agent: str = ""
    path: str = ""
    methods: int | None = None
    outbound: bool = False  # the UA asked for RFC 5626 (Supported/Require: outbound)
    path_supported: bool = False
    headers: list[str] = field(default_factory=list)  # extra reply headers (Path, Require)


def _tokens(msg: SIPRequest, name: str) -> set[str]:
    return {v.strip().lower() for v in msg.header_values(name)}


def aor_of(uri: URI | str) -> str:
    """The AOR of a URI as usrloc keys it: `user` or `user@host` (use_domain), lower case
    unless case_sensitive, realm_prefix stripped from the host."""
    parsed = parse_uri(uri) if isinstance(uri, str) else uri
    if not isinstance(parsed, SipURI):
        raise R_AOR_PARSE.new()
    user = parsed.user or ""
    host = parsed.host
    prefix = param("realm_prefix")
    if prefix and host.lower().startswith(str(prefix).lower()) and len(host) > len(prefix):
        host = host[len(prefix):]
    if not usrloc.service().settings.use_domain:
        aor = user
    else:
        aor = f"{user}@{host}" if user else host
    if not aor:
        raise R_TO_USER.new()
    return aor if _int_param("case_sensitive") else aor.lower()


def _expires_value(text: str | None) -> int:
    if text is None or not text.strip().isdigit() or int(text) > MAX_EXPIRES_VALUE:
        raise R_INV_EXP.new()
    return int(text)


def _contact_expires(na: NameAddr, header: int | None, flags: int) -> int:
    raw = na.params.get("expires")
    if "expires" in na.params:
        e = _expires_value(raw)
        ranged = _int_param("expires_range")
    elif header is not None:
        e = header
        ranged = _int_param("expires_range")
    else:
        e = _int_param("default_expires")
        ranged = _int_param("default_expires_range")
    if e and ranged and not flags & 0x08:
        e = random.randint(int(e * (100 - min(ranged, 100)) / 100), e)
    if e != 0:
        low = _int_param("min_expires")
        if low and e < low:
            if _int_param("min_expires_mode"):
                raise R_LOW_EXP.new()
            e = low
        high = _int_param("max_expires")
        if high and e > high:
            e = high
    return e


def read_register(msg: SIPRequest, flags: int = 0, aor_uri: str | None = None) -> Register:
    """The REGISTER's AOR, contacts and identifiers; RegError for anything malformed."""
    try:
        to = msg.to
        callid = msg.call_id
        cseq = msg.cseq
    except SIPError:
        raise R_PARSE.new() from None
    if to is None:
        raise R_TO_MISS.new()
    if not callid:
        raise R_CID_MISS.new()
    if cseq is None:
        raise R_CS_MISS.new()
    if len(callid) > MAX_CALLID:
        raise R_CALLID_LEN.new()
    try:
        aor = aor_of(aor_uri if aor_uri else to.uri)
    except SIPError:
        raise R_AOR_PARSE.new() from None
    try:
        header_expires = msg.expires
    except SIPError:
        raise R_PARSE_EXP.new() from None
    if header_expires is not None and header_expires > MAX_EXPIRES_VALUE:
        raise R_PARSE_EXP.new()
    raw_contacts = [v.strip() for v in msg.header_values("contact")]
    star = "*" in raw_contacts
    if star and len(raw_contacts) > 1:
        raise R_STAR_CONT.new()
    if star and header_expires != 0:
        raise R_STAR_EXP.new()
    try:
        parsed = [] if star else msg.contacts
    except SIPError:
        raise R_PARSE_CONT.new() from None
    supported = _tokens(msg, "supported")
    required = _tokens(msg, "require")
    outbound_mode = _int_param("outbound_mode")
    outbound = "outbound" in supported | required
    if "outbound" in required and outbound_mode == 0:
        raise R_OB_REQD.new()
    if outbound_mode == 2 and not outbound:
        raise R_OB_UNSUP.new()
    use_regid = (outbound and outbound_mode) or _int_param("regid_mode")
    max_size = _int_param("contact_max_size") or 512
    specs = []
    for na in parsed:
        uri = str(na.uri)
        if len(uri) > max_size:
            raise R_CONTACT_LEN.new()
        q = _int_param("default_q")
        if "q" in na.params:
            try:
                q = parse_q(na.params.get("q") or "")
            except ValueError:
                raise R_INV_Q.new() from None
        instance = na.param("+sip.instance") or "" if _int_param("gruu_enabled") or use_regid \
            else ""
        reg_id = 0
        if use_regid and "reg-id" in na.params:
            text = na.param("reg-id") or ""
            if not text.isdigit() or not 0 < int(text) <= MAX_EXPIRES_VALUE or not instance:
                raise R_INV_REGID.new()
            reg_id = int(text)
        specs.append(ContactSpec(uri, _contact_expires(na, header_expires, flags), q,
                                 instance, reg_id))
    path = ",".join(msg.header_values("path")) if _int_param("use_path") else ""
    headers = []
    path_ok = "path" in supported
    if path:
        mode = _int_param("path_mode")
        if mode == 2 and not path_ok:
            raise R_PATH_UNSUP.new()
        if mode == 2 or (mode == 1 and path_ok):
            headers.append(f"Path: {path}")
    if any(s.reg_id for s in specs) and outbound:
        headers.append("Require: outbound")
        if _int_param("flow_timer") > 0:
            headers.append(f"Flow-Timer: {_int_param('flow_timer')}")
    allow = msg.header_values("allow") if msg.has_header("allow") else None
    return Register(aor=aor, star=star, contacts=specs, callid=callid, cseq=cseq.number,
                    user_agent=_user_agent(msg), path=path,
                    methods=methods_mask(allow), outbound=outbound, path_supported=path_ok,
                    headers=headers)


def _user_agent(msg: SIPRequest) -> str:
    """What usrloc stores as the User-Agent: Kamailio keeps "n/a" when the header is missing,
    empty, or 255 characters or longer."""
    ua = (msg.header("user-agent") or "").strip()
    return ua if 0 < len(ua) < _MAX_UA_SIZE else NO_USER_AGENT


NO_USER_AGENT = "n/a"
_MAX_UA_SIZE = 255


# --- planning the change ---------------------------------------------------------------------------

def _matches(b: Binding, spec: ContactSpec, reg: Register, matching_mode: int) -> bool:
    if spec.instance and b.instance:
        return b.instance == spec.instance and b.reg_id == spec.reg_id
    if matching_mode == 1:
        return b.contact == spec.uri and b.callid == reg.callid
    if matching_mode == 2 and reg.path:
        return b.contact == spec.uri and b.path == reg.path
    if matching_mode == 3:
        return b.callid == reg.callid
    return b.contact == spec.uri


@dataclass
class Plan:
    """usrloc changes for a REGISTER, and save()'s return code if they are made."""

    changes: list[Change]
    retcode: int
    after: list[Binding] = field(default_factory=list)  # the AOR's bindings once applied


def plan_register(reg: Register, existing: list[Binding], template: Binding, now: float, *,
                  flags: int = 0, matching_mode: int = 0, cseq_delay: int = 20,
                  max_contacts: int = 0) -> Plan:
    """What to change in the AOR's bindings (`existing`, unexpired) for `reg`; RegError when
    the REGISTER is refused. `template` carries what every new binding shares (received,
    socket, cflags...)."""
    if reg.star:
        return Plan([Change("delete", b) for b in existing], 3, [])
    if not reg.contacts:
        return Plan([], 4, list(existing))
    current = list(existing)
    changes: list[Change] = []
    inserted = updated = deleted = 0
    keep: set[str] = set()
    for spec in reg.contacts:
        match = next((b for b in current if _matches(b, spec, reg, matching_mode)), None)
        if match is not None:
            if match.callid == reg.callid and reg.cseq <= match.cseq:
                if reg.cseq == match.cseq and now - match.last_modified <= cseq_delay:
                    raise R_RETRANS.new()
                raise R_OOO.new()
            current.remove(match)
            if spec.expires == 0:
                changes.append(Change("delete", match))
                deleted += 1
                continue
            new = template.copy(aor=reg.aor, contact=spec.uri, ruid=match.ruid,
                                expires=now + spec.expires, q=spec.q, instance=spec.instance,
                                reg_id=spec.reg_id)
            changes.append(Change("update", new))
            current.append(new)
            keep.add(new.ruid)
            updated += 1
        elif spec.expires:
            new = template.copy(aor=reg.aor, contact=spec.uri, ruid=usrloc.new_ruid(),
                                expires=now + spec.expires, q=spec.q, instance=spec.instance,
                                reg_id=spec.reg_id)
            changes.append(Change("insert", new))
            current.append(new)
            keep.add(new.ruid)
            inserted += 1
    if flags & 0x04 and keep:  # one contact per AOR: drop the others
        for b in list(current):
            if b.ruid not in keep:
                current.remove(b)
                changes.append(Change("delete", b))
                deleted += 1
    if max_contacts and inserted and len(current) > max_contacts:
        raise R_TOO_MANY.new()
    retcode = 1 if inserted else 2 if updated else 3 if deleted else 1
    return Plan(changes, retcode, current)


# --- the reply ---------------------------------------------------------------------------------

def contact_header(bindings: list[Binding], now: float) -> str | None:
    """`Contact: <uri>;q=..;expires=..., ...` listing the AOR's bindings (Kamailio's
    build_contact), or None when there are none."""
    if not bindings:
        return None
    rcv_param = param("received_param")
    items = []
    for b in bindings:
        item = f"<{b.contact}>"
        if b.q >= 0:
            item += f";q={q_text(b.q)}"
        item += f";expires={max(0, round(b.expires - now)) if b.expires else 0}"
        if rcv_param and b.received:
            item += f';{rcv_param}="{b.received}"'
        if b.instance:
            item += f';+sip.instance="{b.instance}"'
        if b.reg_id > 0:
            item += f";reg-id={b.reg_id}"
        items.append(item)
    return "Contact: " + ", ".join(items)


def reply_headers(err: RegError | None, bindings: list[Binding], now: float,
                  extra: Sequence[str] = ()) -> list[str]:
    """The header lines of save()'s reply."""
    lines = []
    status = 200 if err is None else err.status
    if status == 200:
        contact = contact_header(bindings, now)
        if contact:
            lines.append(contact)
        lines += list(extra)
    if err is not None:
        lines.append(f"P-Registrar-Error: {err.info}")
        if err.status == 423:
            lines.append(f"Min-Expires: {_int_param('min_expires')}")
        if err.status == 503 and _int_param("retry_after") > 0:
            lines.append(f"Retry-After: {_int_param('retry_after')}")
        if err == R_PATH_UNSUP:
            lines.append("Unsupported: path")
    return lines


@dataclass
class PendingReply:
    """A reply save() did not send (flag 0x02), for reg_send_reply()."""

    status: int
    reason: str
    headers: list[str]


def _send(ctx: Context, status: int, reason: str, headers: list[str]) -> bool:
    sip = ctx.sip
    if sip is None or sip.forwarder is None:
        log.error("save: no way to send the %d reply", status)
        return False
    script_headers = list(marks(sip).reply_headers) if sip is not None else []
    return bool(sip.forwarder.reply(ctx, status, reason, headers + script_headers))


# --- save ----------------------------------------------------------------------------------------

def _template(ctx: Context, reg: Register, sip: SipState | None) -> Binding:
    """What every binding this REGISTER makes shares."""
    received = ""
    avp = param("received_avp")
    if avp:
        from siprouter.core.runtime.pv import avp_name

        name = avp_name(str(avp).removeprefix("$avp(").removesuffix(")"))
        stack = ctx.avps.get(name)
        if stack:
            received = to_str(stack[-1])
    cflags = ctx.bflags
    if reg.path and _int_param("path_use_received"):
        first = reg.path.split(",")[0].strip().strip("<>").split(">")[0]
        try:
            uri = parse_uri(first)
            rcv = uri.params.get("received") if isinstance(uri, SipURI) else None
        except SIPError:
            rcv = None
        if rcv:
            received = rcv
            nat = usrloc.service().settings.nat_bflag
            if nat is not None:
                cflags |= 1 << nat
    socket = str(sip.rcv.socket) if sip is not None else ""
    return Binding(aor=reg.aor, contact="", expires=0, callid=reg.callid, cseq=reg.cseq,
                   received=received, path=reg.path, user_agent=reg.user_agent, socket=socket,
                   methods=reg.methods, cflags=cflags,
                   connection_id=sip.rcv.connection_id if sip is not None else 0)


def save_register(ctx: Context, table: str, flags: int = 0,
                  aor_uri: str | None = None) -> tuple[int, RegError | None, list[Binding]]:
    """Process the REGISTER without replying: (return code, error, bindings after)."""
    msg = request(ctx)
    if msg is None or msg.method != "REGISTER":
        raise RegError(400, "Message parse error")
    svc = usrloc.service()
    reg = read_register(msg, flags, aor_uri)
    now = svc.clock()
    try:
        existing = svc.bindings(table, reg.aor)
    except DBError as exc:
        log.error("save(%s): %s", table, exc)
        raise RegError(500, "usrloc_record_get failed") from None
    plan = plan_register(reg, existing, _template(ctx, reg, ctx.sip), now, flags=flags,
                         matching_mode=svc.settings.matching_mode,
                         cseq_delay=svc.settings.cseq_delay,
                         max_contacts=_int_param("max_contacts"))
    try:
        svc.apply(table, plan.changes, memory_only=bool(flags & 0x01))
    except DBError as exc:
        log.error("save(%s): %s", table, exc)
        raise R_UL_FAIL.new() from None
    if ctx.sip is not None:  # reply headers save() adds (Path, Require: outbound)
        vars(ctx.sip)["registrar_extra"] = reg.headers
    return plan.retcode, None, usrloc.lookup_order(plan.after, svc.settings.desc_time_order)


def _flags(v: Value) -> int:
    text = to_str(v).strip()
    try:
        return int(text, 0) if text else 0
    except ValueError:
        return to_int(v)


@exports.function("save", args=(1, 2, 3), routes=REQ_FAIL_ONREPLY,
                  doc="The function processes a REGISTER message.")
def save(ctx: Context, table: Value, flags: Value = 0, uri: Value = None) -> int:
    """Save the REGISTER's contacts in `table` and reply 200 with every binding (or the
    error); 1 inserted, 2 updated, 3 deleted, 4 only listed, -1 error, -2 too many contacts."""
    name = to_str(table)
    f = _flags(flags) if flags is not None else 0
    aor_uri = to_str(uri) if uri is not None and to_str(uri) else None
    msg = request(ctx)
    if msg is None:
        log.error("save(%s): not a request", name)
        return -1
    sip = ctx.sip
    try:
        retcode, _, bindings = save_register(ctx, name, f, aor_uri)
        err: RegError | None = None
    except RegError as exc:
        # Without its traceback: `err` outlives the except block, and the traceback holds
        # this frame, which holds `err` (a cycle only the garbage collector would break).
        err = exc.with_traceback(None)
        retcode = exc.retcode
        bindings = []
        if exc.status == 200:  # a retransmission or an old CSeq: answer with what is there
            try:
                reg = read_register(msg, f, aor_uri)
                bindings = usrloc.service().bindings(name, reg.aor)
            except (RegError, DBError):
                bindings = []
        else:
            log.info("save(%s): %d %s", name, exc.status, exc.info)
    extra: list[str] = []
    if sip is not None:
        extra = vars(sip).pop("registrar_extra", None) or []
    now = usrloc.service().clock()
    status = 200 if err is None else err.status
    reason = "OK" if err is None else err.reason
    _count("accepted_regs" if status == 200 else "rejected_regs")
    headers = reply_headers(err, bindings, now, extra)
    if f & 0x02:
        if sip is not None:
            vars(sip)["registrar_reply"] = PendingReply(status, reason, headers)
    elif ctx.route_type & RouteType.REQUEST or ctx.route_type & RouteType.FAILURE:
        if not _send(ctx, status, reason, headers):
            return -1
    return retcode


def _count(name: str) -> None:
    if COUNTERS.has("registrar", name):  # declared when the module is loaded
        COUNTERS.handle("registrar", name).inc()


@exports.function("reg_send_reply", args=0, routes=REQ_FAIL,
                  doc="The function sends the SIP reply that is normally sent by save(...), but "
                      "that was skipped due to flag 0x2.")
def reg_send_reply(ctx: Context) -> int:
    """Send the reply save(..., 0x02) prepared."""
    sip = ctx.sip
    pending = vars(sip).pop("registrar_reply", None) if sip is not None else None
    if not isinstance(pending, PendingReply):
        log.error("reg_send_reply: no reply prepared by save()")
        return -1
    return 1 if _send(ctx, pending.status, pending.reason, pending.headers) else -1


# --- lookup ----------------------------------------------------------------------------------------

def _allowed(b: Binding, method: str) -> bool:
    bit = usrloc.METHOD_BITS.get(method.upper(), 1 << 31)
    return b.methods is None or bool(b.methods & bit)


def _targets(ctx: Context, table: str, aor_uri: URI | str) -> list[Binding] | int:
    """The bindings to route to, or lookup()'s error code (-1 none, -2 method not allowed,
    -3 internal error)."""
    try:
        aor = aor_of(aor_uri)
    except (RegError, SIPError):
        return -1
    try:
        found = usrloc.service().bindings(table, aor)
    except DBError as exc:
        log.error("lookup(%s): %s", table, exc)
        return -3
    if not found:
        return -1
    msg = request(ctx)
    if _int_param("method_filtering") and msg is not None and (
            msg.to is None or msg.to.tag is None):
        allowed = [b for b in found if _allowed(b, msg.method)]
        if not allowed:
            return -2
        found = allowed
    return found


def _first_hop(path: str) -> str:
    first = path.split(",")[0].strip()
    return first[1:first.index(">")] if first.startswith("<") and ">" in first else first


def _branch_of(b: Binding) -> Branch:
    dst = _first_hop(b.path) if b.path else b.received
    return Branch(uri=b.contact, dst_uri=dst, path=b.path, q=b.q, send_socket=b.socket,
                  flags=b.cflags)


def _set_ruri_binding(ctx: Context, msg: SIPRequest, b: Binding) -> None:
    sip = ctx.sip
    msg.set_ruri(b.contact)
    ctx.bflags = b.cflags
    if sip is None:
        return
    sip.ruri_q = b.q
    sip.path = b.path
    sip.dst_uri = _first_hop(b.path) if b.path else b.received
    if b.socket and sip.forwarder is not None:
        sock = sip.forwarder.find_socket(b.socket)
        if sock is not None:
            sip.force_socket = sock


def _lookup(ctx: Context, table: Value, uri: Value, *, to_dset: bool, what: str) -> int:
    msg = request(ctx)
    if msg is None:
        log.error("%s: not a request", what)
        return -3
    target: URI | str = to_str(uri) if uri is not None and to_str(uri) else msg.new_ruri
    found = _targets(ctx, to_str(table), target)
    if isinstance(found, int):
        return found
    try:
        if to_dset:
            if ctx.sip is not None:
                ctx.sip.branches.extend(_branch_of(b) for b in found)
            return 1
        _set_ruri_binding(ctx, msg, found[0])
    except SIPError as exc:
        log.error("%s: cannot use contact %s: %s", what, found[0].contact, exc)
        return -3
    if _int_param("append_branches") and ctx.sip is not None:
        ctx.sip.branches.extend(_branch_of(b) for b in found[1:])
    return 1


@exports.function("lookup", args=(1, 2), routes=REQ_FAIL,
                  doc="The lookup function extracts username and/or domain from Request-URI "
                      "and tries to find all contacts for the username in usrloc.")
def lookup(ctx: Context, table: Value, uri: Value = None) -> int:
    """R-URI := the best binding (highest q), others as branches (append_branches); 1 found,
    -1 none, -2 none allows the method, -3 internal error."""
    return _lookup(ctx, table, uri, to_dset=False, what="lookup")


@exports.function("lookup_to_dset", args=(1, 2), routes=REQ_FAIL,
                  doc="Similar to lookup(...), but push the location contacts to destination "
                      "set, without changing the R-URI.")
def lookup_to_dset(ctx: Context, table: Value, uri: Value = None) -> int:
    """Every binding as a new branch; the R-URI stays."""
    return _lookup(ctx, table, uri, to_dset=True, what="lookup_to_dset")


@exports.function("lookup_branches", args=1, routes=REQ_FAIL,
                  doc="The function performs lookup(domain) on r-uri and additional branches "
                      "(only branches that have no other attributes set than uri).")
def lookup_branches(ctx: Context, table: Value) -> int:
    """lookup() on the R-URI, then on every branch that only has a URI: such a branch is
    replaced by its bindings. The R-URI's code is returned (1 when only branches matched)."""
    sip = ctx.sip
    before = len(sip.branches) if sip is not None else 0
    ret = lookup(ctx, table)
    if sip is None:
        return ret
    found_any = ret > 0
    new_branches: list[Branch] = []
    plain = []
    # The R-URI's own bindings were appended last by lookup(): they are not looked up again.
    own = len(sip.branches) - before if ret > 0 else 0
    original = sip.branches[:len(sip.branches) - own]
    for br in original:
        if br.dst_uri or br.path or br.send_socket or br.flags or br.q != -1:
            new_branches.append(br)
        else:
            plain.append(br)
    for br in plain:
        got = _targets(ctx, to_str(table), br.uri)
        if isinstance(got, int):
            new_branches.append(br)
            continue
        found_any = True
        new_branches.extend(_branch_of(b) for b in got)
    sip.branches[:] = new_branches + sip.branches[len(sip.branches) - own:]
    return ret if ret > 0 or not found_any else 1


@exports.function("registered", args=(1, 2, 3, 4), routes=RouteType.ANY,
                  doc="The function returns true if the AOR in the URI is registered, false "
                      "otherwise.")
def registered(ctx: Context, table: Value, uri: Value = None, match_option: Value = None,
               match_action: Value = None) -> int:
    """1 when the AOR (of `uri`, else the R-URI, else the To URI of a reply) has an unexpired
    binding; -1 otherwise. The message is not changed."""
    if uri is not None and to_str(uri):
        target: URI | str = to_str(uri)
    else:
        msg = ctx.msg
        if isinstance(msg, SIPRequest):
            target = msg.new_ruri
        else:
            to = getattr(msg, "to", None)
            if to is None:
                return -1
            target = to.uri
    found = _targets(ctx, to_str(table), target)
    return 1 if not isinstance(found, int) else -1


@exports.function("unregister", args=(2, 3), routes=RouteType.ANY,
                  doc="The function removes contacts associated with 'uri' from the location "
                      "database.")
def unregister(ctx: Context, table: Value, uri: Value, ruid: Value = None) -> int:
    """Remove the AOR's bindings (only the one with `ruid` when given): 1 done, -1 bad URI,
    -2 store error, -3 nothing registered."""
    name = to_str(table)
    svc = usrloc.service()
    try:
        aor = aor_of(to_str(uri)) if to_str(uri) else ""
    except (RegError, SIPError):
        return -1
    try:
        if ruid is not None and to_str(ruid):
            found = svc.bindings(name, aor) if aor else []
            gone = [b for b in found if b.ruid == to_str(ruid)]
            if not gone:
                return -3
            svc.apply(name, [Change("delete", b) for b in gone])
            return 1
        if not aor:
            return -1
        return 1 if svc.delete_aor(name, aor) else -3
    except DBError as exc:
        log.error("unregister(%s): %s", name, exc)
        return -2


exports.function("add_sock_hdr", args=1, routes=RouteType.REQUEST, doc="Adds a new header to the current REGISTER request with “hdr_name” which contains the...")
exports.function("reg_fetch_contacts", args=3, routes=REQ_FAIL, doc="The function fetches the contacts for 'uri' from table 'domain' to pseudo-variable...")
exports.function("reg_free_contacts", args=1, routes=REQ_FAIL, doc="The function frees the contacts from pseudo-variable $ulc(profile).")

# Pseudo-variables
exports.pv("ulc", writable=True, inner=True, doc="contacts fetched by reg_fetch_contacts ($ulc(profile=>attr))")

exports.event_routes = ("usrloc:contact-expired",)

exports.counters.update({
    "registrar.max_expires": "Value of max_expires parameter.",
    "registrar.max_contacts": "The value of max_contacts parameter.",
    "registrar.default_expire": "The value of default_expires parameter.",
    "registrar.default_expires_range": "The value of default_expires_range parameter.",
    "registrar.expires_range": "The value of expires_range parameter.",
    "registrar.accepted_regs": "Number of accepted registrations.",
    "registrar.rejected_regs": "Number of rejected registrations.",
})
