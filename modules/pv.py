"""Kamailio's `pv` module as declared exports: Core pseudo-variables, transformations and PV helper functions."""

from siprouter.core.exports import ModuleExports, RouteType
from siprouter.core.runtime import sip_actions, sip_pvs, sip_transforms  # noqa: F401 -- register
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import PVError, compile_pv
from siprouter.core.runtime.values import Value, str_to_int, to_str

exports = ModuleExports("pv", doc="Core pseudo-variables, transformations and PV helper functions")

# Parameters
exports.param("shvset", str, None, multi=True, doc="Set the initial value of a shared variable ($shv(name)).")
exports.param("varset", str, None, multi=True, doc="Set the value of a script variable ($var(name)).")
exports.param("avp_aliases", str, None, multi=True, doc="Define aliases for PV AVP names.")

# Functions
exports.function("pv_xavp_print", args=0, routes=RouteType.ANY, doc="Print all XAVPs to the syslog using INFO log level.")
exports.function("pv_xavu_print", args=0, routes=RouteType.ANY, doc="Print all XAVUs to the syslog using INFO log level.")
exports.function("pv_xavi_print", args=0, routes=RouteType.ANY, doc="Print all XAVIs to the syslog using INFO log level.")
exports.function("pv_var_to_xavp", args=2, routes=RouteType.ANY, doc="Copy the script variable value into an xavp.")
exports.function("pv_xavp_to_var", args=1, routes=RouteType.ANY, doc="Copy xavp values into vars.")
exports.function("xavp_copy", args=(3, 4), routes=RouteType.ANY, doc="Copy and append one XAVP.")
exports.function("xavp_slist_explode", args=4, routes=RouteType.ANY, doc="Breaks a string list in tokens by separators and stores them in XAVPs.")
exports.function("xavp_params_explode", args=2, routes=RouteType.ANY, doc="Convert a parameters string in xavp attributes.")
exports.function("xavp_params_implode", args=2, routes=RouteType.ANY, doc="Serialize the subfields in an XAVP to a parameters string format.")
exports.function("xavu_params_explode", args=2, routes=RouteType.ANY, doc="Convert a parameters string in xavu attributes.")
exports.function("xavu_params_implode", args=2, routes=RouteType.ANY, doc="Serialize the subfields in an XAUP to a parameters string format.")
exports.function("xavp_child_seti", args=3, routes=RouteType.ANY, doc="Set the value of $xavp(rname=>cname) to integer value ival.")
exports.function("xavp_child_sets", args=3, routes=RouteType.ANY, doc="Set the value of $xavp(rname=>cname) to string value sval.")
exports.function("xavp_rm", args=1, routes=RouteType.ANY, doc="Remove the value of $xavp(rname).")
exports.function("xavp_child_rm", args=2, routes=RouteType.ANY, doc="Remove the value of $xavp(rname=>cname).")
exports.function("xavi_child_seti", args=3, routes=RouteType.ANY, doc="Set the value of $xavi(rname=>cname) to integer value ival.")
exports.function("xavi_child_sets", args=3, routes=RouteType.ANY, doc="Set the value of $xavi(rname=>cname) to string value sval.")
exports.function("xavi_rm", args=1, routes=RouteType.ANY, doc="Remove the value of $xavi(rname).")
exports.function("xavi_child_rm", args=2, routes=RouteType.ANY, doc="Remove the value of $xavi(rname=>cname).")
exports.function("sbranch_set_ruri", args=0, routes=RouteType.ANY, doc="Use the attributes from static branch ($sbranch(key) variable) to set request URI and the...")
exports.function("sbranch_append", args=0, routes=RouteType.ANY, doc="Use the attributes from static branch ($sbranch(key) variable) to append a new branch to...")
exports.function("sbranch_reset", args=0, routes=RouteType.ANY, doc="Reset the content of static branch ($sbranch(key) variable.")
exports.function("pv_evalx", args=2, routes=RouteType.ANY, doc="The fmt string is evaluated twice for exiting variables, the result is stored in dst...")

# Pseudo-variables
exports.pv("_s", inner=True, doc="evaluate the inner string as a format with variables")
exports.pv("af", inner=True, doc="address family of the received message ($af(id))")
exports.pv("branch", writable=True, inner=True, doc="attributes of a branch: uri, dst_uri, path, q, send_socket, count, flags, ruid")
exports.pv("sbranch", writable=True, inner=True, doc="attributes of the static branch")
exports.pv("mi", inner=False, doc="internal message id")
exports.pv("stat", inner=True, doc="value of a statistic ($stat(name))")
exports.pv("sel", inner=True, doc="value of a select expression ($sel(@via[1].branch))")
exports.pv("snd", inner=True, doc="send socket/destination attributes in onsend_route ($snd(ip) ...)")
exports.pv("sndto", inner=True, doc="destination attributes in onsend_route")
exports.pv("sndfrom", inner=True, doc="local socket attributes in onsend_route")
exports.pv("rcv", writable=True, inner=True, doc="received buffer/socket attributes in event routes")
exports.pv("xavp", writable=True, inner=True, doc="extended AVP ($xavp(root=>field))")
exports.pv("xavu", writable=True, inner=True, doc="unique-key XAVP")
exports.pv("xavi", writable=True, inner=True, doc="case-insensitive XAVP")
exports.pv("avp", writable=True, inner=True, doc="attribute-value pair ($avp(name))")
exports.pv("hdr", inner=True, doc="header body ($hdr(Name))")
exports.pv("hdrc", inner=True, doc="number of headers with the name")
exports.pv("hfl", inner=True, doc="header field list value (Via, Route, Contact ...)")
exports.pv("hflc", inner=True, doc="number of values of a header list")
exports.pv("var", writable=True, inner=True, doc="per-process script variable ($var(name))")
exports.pv("vz", writable=True, inner=True, doc="script variable initialised to zero/empty")
exports.pv("vn", writable=True, inner=True, doc="script variable initialised to null")
exports.pv("ai", inner=False, doc="URI from P-Asserted-Identity")
exports.pv("adu", inner=False, doc="authentication digest URI")
exports.pv("ar", inner=False, doc="authentication realm")
exports.pv("au", inner=False, doc="authentication username user")
exports.pv("ad", inner=False, doc="authentication username domain")
exports.pv("aU", inner=False, doc="whole authentication username")
exports.pv("aa", inner=False, doc="authentication algorithm")
exports.pv("adn", inner=False, doc="authentication nonce")
exports.pv("adc", inner=False, doc="authentication cnonce")
exports.pv("adr", inner=False, doc="authentication response")
exports.pv("ado", inner=False, doc="authentication opaque")
exports.pv("Au", inner=False, doc="accounting username")
exports.pv("AU", inner=False, doc="accounting username user part")
exports.pv("bf", writable=True, inner=False, doc="branch flags of branch 0 (decimal)")
exports.pv("bF", writable=True, inner=False, doc="branch flags of branch 0 (hex)")
exports.pv("Bf", writable=True, inner=True, doc="branch flags of a branch ($Bf(idx))")
exports.pv("br", writable=True, inner=False, doc="request URI of the first branch")
exports.pv("bR", inner=False, doc="request URIs of all branches")
exports.pv("bs", inner=False, doc="body size")
exports.pv("ci", inner=False, doc="Call-ID")
exports.pv("cl", inner=False, doc="Content-Length")
exports.pv("cnt", inner=True, doc="count values of a PV ($cnt($avp(x)))")
exports.pv("conid", inner=False, doc="TCP connection id")
exports.pv("cs", inner=False, doc="CSeq number")
exports.pv("csb", inner=False, doc="CSeq header body")
exports.pv("ct", inner=False, doc="Contact header")
exports.pv("cT", inner=False, doc="Content-Type")
exports.pv("dd", inner=False, doc="domain of the destination URI")
exports.pv("di", inner=False, doc="Diversion header URI")
exports.pv("dir", inner=False, doc="Diversion reason")
exports.pv("dip", inner=False, doc="Diversion privacy")
exports.pv("dic", inner=False, doc="Diversion counter")
exports.pv("dp", inner=False, doc="port of the destination URI")
exports.pv("dP", inner=False, doc="transport of the destination URI")
exports.pv("ds", inner=False, doc="destination set")
exports.pv("du", writable=True, inner=False, doc="destination URI (outbound proxy)")
exports.pv("duri", writable=True, inner=False, doc="destination URI")
exports.pv("err.class", inner=False, doc="error class")
exports.pv("err.level", inner=False, doc="error level")
exports.pv("err.info", inner=False, doc="error info")
exports.pv("err.rcode", inner=False, doc="error reply code")
exports.pv("err.rreason", inner=False, doc="error reply reason")
exports.pv("fd", writable=True, inner=False, doc="From URI domain")
exports.pv("from.domain", writable=True, inner=False, doc="From URI domain")
exports.pv("fn", writable=True, inner=False, doc="From display name")
exports.pv("fs", writable=True, inner=False, doc="forced send socket")
exports.pv("fsn", writable=True, inner=False, doc="name of the forced send socket")
exports.pv("fsp", inner=False, doc="proto of the forced send socket")
exports.pv("ft", inner=False, doc="From tag")
exports.pv("fu", writable=True, inner=False, doc="From URI")
exports.pv("from", writable=True, inner=False, doc="From URI")
exports.pv("fU", writable=True, inner=False, doc="From URI username")
exports.pv("from.user", writable=True, inner=False, doc="From URI username")
exports.pv("fUl", inner=False, doc="From URI username length")
exports.pv("mb", inner=False, doc="whole SIP message buffer")
exports.pv("mbu", inner=False, doc="updated SIP message buffer")
exports.pv("mf", writable=True, inner=False, doc="message flags (decimal)")
exports.pv("mF", writable=True, inner=False, doc="message flags (hex)")
exports.pv("Mf", writable=True, inner=True, doc="message flags bit ($Mf(idx))")
exports.pv("ml", inner=False, doc="message length")
exports.pv("mt", inner=False, doc="message type: 1 request, 2 reply")
exports.pv("mts", inner=False, doc="message type as string")
exports.pv("od", inner=False, doc="domain of the original R-URI")
exports.pv("op", inner=False, doc="port of the original R-URI")
exports.pv("oP", inner=False, doc="transport of the original R-URI")
exports.pv("ou", inner=False, doc="original R-URI")
exports.pv("ouri", inner=False, doc="original R-URI")
exports.pv("oU", inner=False, doc="username of the original R-URI")
exports.pv("oUl", inner=False, doc="length of the username of the original R-URI")
exports.pv("pd", inner=False, doc="P-Preferred-Identity URI domain")
exports.pv("pn", inner=False, doc="P-Preferred-Identity display name")
exports.pv("pp", inner=False, doc="process id")
exports.pv("pr", inner=False, doc="protocol of the received message")
exports.pv("prid", inner=False, doc="protocol id")
exports.pv("proto", inner=False, doc="protocol of the received message")
exports.pv("pu", inner=False, doc="P-Preferred-Identity URI")
exports.pv("pU", inner=False, doc="P-Preferred-Identity URI user")
exports.pv("rb", inner=False, doc="message body")
exports.pv("rd", writable=True, inner=False, doc="request URI domain")
exports.pv("ruri.domain", writable=True, inner=False, doc="request URI domain")
exports.pv("re", inner=False, doc="Remote-Party-ID URI")
exports.pv("rm", inner=False, doc="request method")
exports.pv("rmid", inner=False, doc="request method id")
exports.pv("rp", writable=True, inner=False, doc="request URI port")
exports.pv("rP", inner=False, doc="request URI transport")
exports.pv("rr", inner=False, doc="reply reason")
exports.pv("rs", inner=False, doc="reply status code")
exports.pv("rsi", inner=False, doc="reply status code as int")
exports.pv("rt", inner=False, doc="Refer-To URI")
exports.pv("ru", writable=True, inner=False, doc="request URI")
exports.pv("ruri", writable=True, inner=False, doc="request URI")
exports.pv("rU", writable=True, inner=False, doc="request URI username")
exports.pv("ruri.user", writable=True, inner=False, doc="request URI username")
exports.pv("rUl", inner=False, doc="request URI username length")
exports.pv("rv", inner=False, doc="SIP version")
exports.pv("rz", inner=False, doc="request URI scheme")
exports.pv("Ras", inner=False, doc="received advertised socket")
exports.pv("Ri", inner=False, doc="received IP (local address)")
exports.pv("Rp", inner=False, doc="received port (local)")
exports.pv("Ru", inner=False, doc="received socket as URI")
exports.pv("Rut", inner=False, doc="received socket as URI with transport")
exports.pv("Rn", inner=False, doc="received socket name")
exports.pv("RAi", inner=False, doc="advertised received IP")
exports.pv("RAp", inner=False, doc="advertised received port")
exports.pv("RAu", inner=False, doc="advertised received URI")
exports.pv("RAut", inner=False, doc="advertised received URI with transport")
exports.pv("sas", inner=False, doc="source address as socket string")
exports.pv("sf", writable=True, inner=False, doc="script flags (decimal)")
exports.pv("sF", writable=True, inner=False, doc="script flags (hex)")
exports.pv("Sf", writable=True, inner=True, doc="script flag bit ($Sf(idx))")
exports.pv("src_ip", inner=False, doc="source IP")
exports.pv("si", inner=False, doc="source IP address")
exports.pv("siz", inner=False, doc="source IP address (IPv6 in brackets)")
exports.pv("sid", inner=False, doc="server id")
exports.pv("sp", inner=False, doc="source port")
exports.pv("su", inner=False, doc="source as SIP URI")
exports.pv("sut", inner=False, doc="source as SIP URI with transport")
exports.pv("td", writable=True, inner=False, doc="To URI domain")
exports.pv("to.domain", writable=True, inner=False, doc="To URI domain")
exports.pv("tn", writable=True, inner=False, doc="To display name")
exports.pv("tt", inner=False, doc="To tag")
exports.pv("tu", writable=True, inner=False, doc="To URI")
exports.pv("to", writable=True, inner=False, doc="To URI")
exports.pv("tU", writable=True, inner=False, doc="To URI username")
exports.pv("to.user", writable=True, inner=False, doc="To URI username")
exports.pv("tUl", writable=True, inner=False, doc="To URI username length")
exports.pv("true", inner=False, doc="always true")
exports.pv("Tb", inner=False, doc="startup timestamp")
exports.pv("Tf", inner=False, doc="current time formatted")
exports.pv("TF", inner=False, doc="current time formatted (cached per message)")
exports.pv("Ts", inner=False, doc="current unix time (cached per message)")
exports.pv("TS", inner=False, doc="startup unix time")
exports.pv("ua", inner=False, doc="User-Agent")
exports.pv("ruid", inner=False, doc="record unique id (usrloc)")
exports.pv("location_ua", inner=False, doc="User-Agent from location")
exports.pv("shv", writable=True, inner=True, doc="shared variable ($shv(name))")
exports.pv("time", inner=True, doc="broken-down local time ($time(hour))")
exports.pv("timef", inner=True, doc="formatted current time ($timef(%Y))")
exports.pv("utime", inner=True, doc="broken-down UTC time")
exports.pv("utimef", inner=True, doc="formatted UTC time")
exports.pv("TV", inner=True, doc="time value: s, u, sn, un, Sn")
# The 3.1 release notes print $TV as $PV(...); accept that spelling too.
exports.pv("PV", inner=True, doc="alias of $TV (the 3.1 release notes' spelling)")
exports.pv("nh", inner=True, doc="next hop: u, U, d, p, P")
exports.pv("version", inner=True, doc="version attributes")
exports.pv("K", inner=True, doc="Kamailio constants ($K(UDP))")
exports.pv("expires", inner=True, doc="expires value min/max")
exports.pv("msg", inner=True, doc="message attributes")
exports.pv("ksr", inner=True, doc="KEMI runtime attributes")
exports.pv("rpl", inner=True, doc="attributes of the reply in failure route")
exports.pv("ccp", writable=True, inner=True, doc="config compile-time parameters")
exports.pv("via0", inner=True, doc="attributes of the first Via")
exports.pv("via1", inner=True, doc="attributes of the second Via")
exports.pv("viaZ", inner=True, doc="attributes of the last Via")
exports.pv("msgbuf", writable=True, inner=True, doc="message buffer at position")

# RPC commands
exports.rpc("pv.shvSet", "Set the value of a shared variable ($shv(name)).", ("name", "type", "value"))
exports.rpc("pv.shvGet", "Get the value of a shared variable ($shv(name)).", ("name",))

# Transformations: {class.name[,params]}. 5.6 names plus the 3.1 set.
exports.transformation("s", [
    "len", "int", "md5", "sha256", "sha384", "sha512", "substr", "select", "tolower", "toupper",
    "encode.hexa", "decode.hexa", "encode.7bit", "decode.7bit", "encode.base58", "decode.base58",
    "encode.base64", "decode.base64", "encode.base64t", "decode.base64t", "encode.base64url",
    "decode.base64url", "encode.base64urlt", "decode.base64urlt", "escape.common",
    "unescape.common", "escape.user", "unescape.user", "escape.param", "unescape.param",
    "escape.csv", "numeric", "strip", "striptail", "stripto", "prefixes", "prefixes.quoted",
    "replace", "timeformat", "ftime", "trim", "rtrim", "ltrim", "rm", "rmws", "corehash",
    "unquote", "unbracket", "count", "before", "after", "rbefore", "rafter", "fmtlines",
    "fmtlinet", "urlencode.param", "urldecode.param",
])
exports.transformation("uri", [
    "user", "host", "passwd", "port", "params", "param", "headers", "transport", "ttl", "uparam",
    "maddr", "method", "lr", "r2", "scheme", "tosocket", "duri", "saor", "suri",
])
exports.transformation("param", ["value", "valueat", "in", "name", "count"])
exports.transformation("nameaddr", ["name", "uri", "len"])
exports.transformation("tobody", ["uri", "display", "tag", "user", "host", "params"])
exports.transformation("line", ["count", "at", "sw"])
exports.transformation("re", ["subst"])
exports.transformation("val", ["json", "jsonqe", "n0", "ne"])


# --- functions over a pseudo-variable named by its text ----------------------------------------
# The argument is the PV's name ("$avp(x)"), not its value: compiled (and cached) on first use.


def _pv_value(ctx: Context, what: str, name: Value) -> tuple[bool, Value]:
    try:
        return True, compile_pv(to_str(name).strip()).get(ctx)
    except PVError as exc:
        ctx.log.error("%s: %s", what, exc)
        return False, None


@exports.function("pv_isset", args=1, routes=RouteType.ANY)
def pv_isset(ctx: Context, name: Value) -> int:
    """True when the pseudo-variable's value is not null."""
    ok, v = _pv_value(ctx, "pv_isset", name)
    return 1 if ok and v is not None else -1


@exports.function("pv_unset", args=1, routes=RouteType.ANY)
def pv_unset(ctx: Context, name: Value) -> int:
    """Assign $null to the pseudo-variable (deletes an AVP, resets a $var ...)."""
    try:
        access = compile_pv(to_str(name).strip())
    except PVError as exc:
        ctx.log.error("pv_unset: %s", exc)
        return -1
    if access.set is None:
        ctx.log.error("pv_unset: %s is read-only", to_str(name))
        return -1
    access.set(ctx, None)
    return 1


def _is_int_value(v: Value) -> bool:
    if isinstance(v, int):
        return True
    text = to_str(v)
    return bool(text) and (str_to_int(text) != 0 or text.lstrip("+-") in ("0", "0x0"))


@exports.function("is_int", args=1, routes=RouteType.ANY)
def is_int(ctx: Context, name: Value) -> int:
    """True when the pseudo-variable holds an integer (or a string that is one)."""
    ok, v = _pv_value(ctx, "is_int", name)
    return 1 if ok and v is not None and _is_int_value(v) else -1


@exports.function("typeof", args=2, routes=RouteType.ANY)
def typeof(ctx: Context, name: Value, kind: Value) -> int:
    """True when the pseudo-variable's type is `kind`: "int", "str" or "null"."""
    ok, v = _pv_value(ctx, "typeof", name)
    if not ok:
        return -1
    actual = "null" if v is None else "int" if isinstance(v, int) else "str"
    return 1 if to_str(kind).lower().startswith(actual) else -1


@exports.function("not_empty", args=1, routes=RouteType.ANY)
def not_empty(ctx: Context, name: Value) -> int:
    """True when the pseudo-variable holds a non-empty string."""
    ok, v = _pv_value(ctx, "not_empty", name)
    return 1 if ok and isinstance(v, str) and v != "" else -1
