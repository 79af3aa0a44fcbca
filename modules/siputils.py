"""Kamailio's `siputils` module: SIP message and URI helper functions.

Implemented: has_totag, is_request, is_reply, uri_param, uri_param_any, add_uri_param,
get_uri_param, uri_param_rm, tel2sip, is_uri, is_e164, is_uri_user_e164, is_user, is_first_hop,
is_supported, cmp_uri, cmp_aor, is_tel_number, is_numeric, is_alphanum, is_alphanumex, is_gruu.
The R-URI functions work on the R-URI as rewritten so far.
"""

from __future__ import annotations

import re

from siprouter.core.exports import (
    REQ_FAIL_BRANCH,
    REQ_FAIL_BRANCH_ONREPLY,
    REQ_FAIL_ONREPLY,
    ModuleExports,
    RouteType,
)
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import PVError, compile_pv
from siprouter.core.runtime.sip_pvs import credentials, message, request
from siprouter.core.runtime.sip_transforms import try_uri, uri_host, uri_user
from siprouter.core.runtime.sip_transforms import uri_param as param_of
from siprouter.core.runtime.values import Value, to_str
from siprouter.core.sip import SIPError, SIPMessage, SIPRequest, SipURI, TelURI

exports = ModuleExports("siputils", doc="SIP message and URI helper functions")

# Parameters
exports.param("options_accept", str, "*/*", doc="This parameter is the content of the Accept header field.")
exports.param("options_accept_encoding", str, "", doc="This parameter is the content of the Accept-Encoding header field.")
exports.param("options_accept_language", str, "en", doc="This parameter is the content of the Accept-Language header field.")
exports.param("options_support", str, "", doc="This parameter is the content of the Support header field, indicating SIP extensions.")
exports.param("contact_flds_separator", str, "*", doc="First char of this parameter is used as separator for encoding/decoding Contact header.")
exports.param("rpid_prefix", str, "", doc="Prefix to be added to Remote-Party-ID header field just before the URI returned from...")
exports.param("rpid_suffix", str, ";party=calling;id-type=subscriber;screen=yes", doc="Suffix to be added to Remote-Party-ID header field after the URI returned from either...")
exports.param("rpid_avp", str, "$avp(s:rpid)", doc="Full AVP specification for the AVP which stores the RPID value.")

# Functions: declared only (the others are declared with their implementation below)
exports.function("options_reply", args=0, routes=RouteType.REQUEST, doc="This function checks if the request method is OPTIONS and if the request URI does not...")
exports.function("encode_contact", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="This function will encode uri-s inside Contact header in the following manner...")
exports.function("decode_contact", args=0, routes=RouteType.REQUEST, doc="This function will decode the request URI.")
exports.function("decode_contact_header", args=0, routes=REQ_FAIL_ONREPLY, doc="This function will decode URIs inside Contact header.")
exports.function("cmp_hdr_name", args=2, routes=RouteType.ANY, doc="The function returns true (return code 1) if the two parameters matches as header names.")
exports.function("is_rpid_user_e164", args=0, routes=RouteType.REQUEST, doc="The function checks if the SIP URI received from the database or radius server and will...")
exports.function("append_rpid_hf", args=(0, 2), routes=REQ_FAIL_BRANCH, doc="Appends to the message a Remote-Party-ID header that contains header 'Remote-Party-ID: '...")
exports.function("set_uri_user", args=2, routes=RouteType.ANY, doc="Sets userpart of SIP URI stored in writable pseudo variable 'uri' to value of pseudo...")
exports.function("set_uri_host", args=2, routes=RouteType.ANY, doc="Sets hostpart of SIP URI stored in writable pseudo variable 'uri' to value of pseudo...")
exports.function("sip_p_charging_vector", args=1, routes=RouteType.ANY, doc="Manage the P-Charging-Vector header (RFC7315).")
exports.function("contact_param_encode", args=2, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="This function encodes URI inside Contact headers by building a new URI from 'saddr'...")
exports.function("contact_param_decode", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="This function decodes URI inside Contact headers by building a new URI from 'pname'...")
exports.function("contact_param_decode_ruri", args=1, routes=RouteType.REQUEST, doc="Rebuild the R-URI from a Base64URL-encoded parameter of it.")
exports.function("contact_param_rm", args=1, routes=RouteType.ONREPLY | RouteType.REQUEST, doc="This function removes the parameter from the URIs inside the Contact headers.")
exports.function("hdr_date_check", args=1, routes=RouteType.ANY, doc="Returns true if sip message has Date header and its value is lower than 'NOW() - tdiff'.")

# Pseudo-variables
exports.pv("pcv", inner=True, doc="P-Charging-Vector parts: all, value, genaddr, orig, term")


_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_TEL_NUMBER = re.compile(r"\+?[0-9]+")


def _sip_ruri(ctx: Context, what: str) -> tuple[SIPRequest, SipURI] | None:
    req = request(ctx)
    uri = None if req is None else req.new_ruri
    if req is None or not isinstance(uri, SipURI):
        ctx.log.error("%s: no SIP Request-URI", what)
        return None
    return req, uri


def _with_params(uri: SipURI, params: tuple[tuple[str, str | None], ...]) -> SipURI:
    return SipURI(uri.scheme, uri.user_raw, uri.password_raw, uri.host, uri.port, params,
                  uri.raw_headers)


@exports.function("has_totag", args=0, routes=RouteType.ANY, doc="Check if To header field uri contains tag parameter.")
def has_totag(ctx: Context) -> int:
    """True when the To header has a tag (an in-dialog request)."""
    msg = ctx.msg
    if not isinstance(msg, SIPMessage):
        return -1
    try:
        to = msg.to
    except SIPError as exc:
        ctx.log.error("has_totag: %s", exc)
        return -1
    if to is None:
        return -1
    tag = to.params.get("tag")  # to.tag without a call when it is not quoted
    return 1 if tag and (tag[0] != '"' or to.tag) else -1


@exports.function("is_request", args=0, routes=RouteType.ANY, doc="Return true if the SIP message is a request.")
def is_request(ctx: Context) -> int:
    """True for a request."""
    msg = message(ctx)
    return 1 if msg is not None and msg.is_request else -1


@exports.function("is_reply", args=0, routes=RouteType.ANY, doc="Return true if the SIP message is a reply.")
def is_reply(ctx: Context) -> int:
    """True for a reply."""
    msg = message(ctx)
    return 1 if msg is not None and not msg.is_request else -1


@exports.function("uri_param", formats=(0, 1), args=(1, 2), routes=REQ_FAIL_BRANCH, doc="Find if Request URI has a given parameter with no value")
def uri_param(ctx: Context, name: Value, value: Value = None) -> int:
    """True when the R-URI has the parameter without a value (or with exactly `value`)."""
    got = _sip_ruri(ctx, "uri_param")
    if got is None:
        return -1
    found = [v for k, v in got[1].raw_params if k.lower() == to_str(name).lower()]
    if not found:
        return -1
    if value is None:
        return 1 if found[0] is None else -1
    return 1 if found[0] == to_str(value) else -1


@exports.function("uri_param_any", formats=(0,), args=1, routes=REQ_FAIL_BRANCH, doc="Find if Request URI has a given parameter with or without value.")
def uri_param_any(ctx: Context, name: Value) -> int:
    """True when the R-URI has the parameter, with or without a value."""
    got = _sip_ruri(ctx, "uri_param_any")
    return 1 if got is not None and param_of(got[1], to_str(name)) is not None else -1


@exports.function("add_uri_param", formats=(0,), args=1, routes=RouteType.REQUEST, doc="Add to RURI a parameter (name=value);")
def add_uri_param(ctx: Context, param: Value) -> int:
    """Add `name[=value]` to the R-URI's parameters."""
    got = _sip_ruri(ctx, "add_uri_param")
    text = to_str(param).strip().lstrip(";")
    if got is None or not text or ";" in text:
        return -1
    req, uri = got
    name, eq, value = text.partition("=")
    try:
        req.set_ruri(_with_params(uri, uri.raw_params + ((name, value if eq else None),)))
    except SIPError as exc:
        ctx.log.error("add_uri_param: %s", exc)
        return -1
    return 1


@exports.function("uri_param_rm", formats=(0,), args=1, routes=REQ_FAIL_BRANCH, doc="Remove parameter from Request URI.")
def uri_param_rm(ctx: Context, name: Value) -> int:
    """Remove the parameter from the R-URI."""
    got = _sip_ruri(ctx, "uri_param_rm")
    if got is None:
        return -1
    req, uri = got
    kept = tuple(p for p in uri.raw_params if p[0].lower() != to_str(name).lower())
    if len(kept) == len(uri.raw_params):
        return -1
    req.set_ruri(_with_params(uri, kept))
    return 1


def _assign(ctx: Context, var: Value, value: Value, what: str) -> int:
    try:
        target = compile_pv(to_str(var).strip())
    except PVError as exc:
        ctx.log.error("%s: %s", what, exc)
        return -1
    if target.set is None:
        ctx.log.error("%s: %s is read-only", what, to_str(var))
        return -1
    target.set(ctx, value)
    return 1


@exports.function("get_uri_param", args=2, routes=RouteType.REQUEST | RouteType.LOCAL, doc="Get the value of RURI parameter.")
def get_uri_param(ctx: Context, name: Value, var: Value) -> int:
    """Store the R-URI parameter's value in the PV named `var`."""
    got = _sip_ruri(ctx, "get_uri_param")
    value = None if got is None else param_of(got[1], to_str(name))
    if value is None:
        return -1
    return _assign(ctx, var, value, "get_uri_param")


@exports.function("tel2sip", formats=(0, 1), args=3, routes=REQ_FAIL_BRANCH_ONREPLY, doc="Converts URI in first param (pseudo variable or string) to SIP URI, if it is a tel URI.")
def tel2sip(ctx: Context, uri: Value, hostpart: Value, result: Value) -> int:
    """tel:NUMBER;params -> sip:NUMBER;params@hostpart;user=phone into the PV `result` (visual
    separators dropped); 2 when the URI is not a tel URI, -1 when it cannot be converted."""
    parsed = try_uri(to_str(uri))
    if parsed is None:
        return -1
    if not isinstance(parsed, TelURI):
        return 2
    number = re.sub(r"[-.()]", "", parsed.number)
    params = "".join(f";{k.lower()}" if v is None else f";{k.lower()}={v}"
                     for k, v in parsed.raw_params)
    host = to_str(hostpart)
    host = host[4:] if host.startswith("sip:") else host
    return _assign(ctx, result, f"sip:{number}{params}@{host};user=phone", "tel2sip")


@exports.function("is_uri", formats=(0,), args=1, routes=RouteType.ANY, doc="Checks if string value of pseudo variable argument is a valid uri.")
def is_uri(ctx: Context, value: Value) -> int:
    """True when the value parses as a URI."""
    return 1 if try_uri(to_str(value)) is not None else -1


@exports.function("is_e164", formats=(0,), args=1, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.LOCAL, doc="Checks if string value of pseudo variable argument is an E164 number.")
def is_e164(ctx: Context, value: Value) -> int:
    """True for "+" followed by 2 to 15 digits, the first not 0."""
    return 1 if _E164.fullmatch(to_str(value).strip()) else -1


@exports.function("is_uri_user_e164", formats=(0,), args=1, routes=RouteType.ANY, doc="Checks if userpart of URI stored in pseudo variable is E164 number.")
def is_uri_user_e164(ctx: Context, uri: Value) -> int:
    """True when the URI's user part is an E.164 number."""
    parsed = try_uri(to_str(uri))
    return 1 if parsed is not None and _E164.fullmatch(uri_user(parsed)) else -1


@exports.function("is_user", formats=(0,), args=1, routes=RouteType.REQUEST | RouteType.LOCAL, doc="Check if the username in credentials matches the given username.")
def is_user(ctx: Context, username: Value) -> int:
    """True when the user of the credentials' username is `username`."""
    msg = message(ctx)
    cred = None if msg is None else credentials(msg)
    if cred is None or "username" not in cred:
        return -1
    return 1 if cred["username"].partition("@")[0] == to_str(username) else -1


def _via_count(msg: SIPMessage) -> int:
    return len(msg.vias)


@exports.function("is_first_hop", args=(0, 1), routes=RouteType.ANY, doc="The function returns true if the proxy is first hop after the original sender based on a...")
def is_first_hop(ctx: Context, mode: Value = 0) -> int:
    """True when the request has one Via (we are the first hop); for a reply, two."""
    msg = message(ctx)
    if msg is None:
        return -1
    try:
        count = _via_count(msg)
    except SIPError as exc:
        ctx.log.error("is_first_hop: %s", exc)
        return -1
    return 1 if count == (1 if msg.is_request else 2) else -1


@exports.function("is_supported", formats=(0,), args=1, routes=RouteType.ANY, doc="Function returns true if given option is listed in Supported header(s) (if any) of the...")
def is_supported(ctx: Context, option: Value) -> int:
    """True when the Supported header lists the option tag."""
    msg = message(ctx)
    if msg is None:
        return -1
    tags = {t.strip().lower() for t in msg.header_values("supported")
            for t in t.split(",")}
    return 1 if to_str(option).strip().lower() in tags else -1


@exports.function("cmp_uri", formats=(0, 1), args=2, routes=RouteType.ANY, doc="The function returns true if the two parameters matches as SIP URI.")
def cmp_uri(ctx: Context, a: Value, b: Value) -> int:
    """True when both are SIP URIs equal as RFC 3261 s19.1.4 compares them (approximately:
    components compared after unescaping, host and parameter names without case)."""
    ua, ub = try_uri(to_str(a)), try_uri(to_str(b))
    if not isinstance(ua, SipURI) or not isinstance(ub, SipURI):
        return -1
    same = (ua.scheme, ua.user, ua.password, ua.host.lower(), ua.port, ua.params, ua.headers) == (
        ub.scheme, ub.user, ub.password, ub.host.lower(), ub.port, ub.params, ub.headers)
    return 1 if same else -1


@exports.function("cmp_aor", formats=(0, 1), args=2, routes=RouteType.ANY, doc="The function returns true if the two parameters matches as AoR.")
def cmp_aor(ctx: Context, a: Value, b: Value) -> int:
    """True when both URIs have the same user and host (port: default port when absent)."""
    ua, ub = try_uri(to_str(a)), try_uri(to_str(b))
    if not isinstance(ua, SipURI) or not isinstance(ub, SipURI):
        return -1
    same = (ua.user, uri_host(ua).lower(), ua.effective_port) == (
        ub.user, uri_host(ub).lower(), ub.effective_port)
    return 1 if same else -1


@exports.function("is_tel_number", formats=(0,), args=1, routes=RouteType.ANY, doc="Checks if the parameter value is a telephone number: starting with one optional +...")
def is_tel_number(ctx: Context, value: Value) -> int:
    """True for an optional "+" followed by digits."""
    return 1 if _TEL_NUMBER.fullmatch(to_str(value)) else -1


@exports.function("is_numeric", formats=(0,), args=1, routes=RouteType.ANY, doc="Checks if the parameter value consists solely of decimal digits.")
def is_numeric(ctx: Context, value: Value) -> int:
    """True when the value is made of decimal digits only."""
    text = to_str(value)
    return 1 if text.isascii() and text.isdigit() else -1


@exports.function("is_alphanum", formats=(0,), args=1, routes=RouteType.ANY, doc="Checks if the parameter value consists solely of decimal digits or alphabetic ASCII...")
def is_alphanum(ctx: Context, value: Value) -> int:
    """True when the value is made of ASCII letters and digits only."""
    text = to_str(value)
    return 1 if text.isascii() and text.isalnum() else -1


@exports.function("is_alphanumex", formats=(0, 1), args=2, routes=RouteType.ANY, doc="Checks if the value of parameter 'tval' consists solely of decimal digits, alphabetic...")
def is_alphanumex(ctx: Context, value: Value, extra: Value) -> int:
    """is_alphanum() that also accepts the characters of `extra`."""
    text, allowed = to_str(value), set(to_str(extra))
    ok = bool(text) and all((c.isascii() and c.isalnum()) or c in allowed for c in text)
    return 1 if ok else -1


@exports.function("is_gruu", args=(0, 1), routes=RouteType.ANY, doc="The function returns true if the uri is GRUU ('gr' parameter is present): 1 - pub-gruu; 2...")
def is_gruu(ctx: Context, uri: Value = None) -> int:
    """1 for a public GRUU (gr=value), 2 for a temporary one (gr flag), -1 otherwise; the
    R-URI when no URI is given."""
    if uri is None:
        req = request(ctx)
        parsed = None if req is None else req.new_ruri
    else:
        parsed = try_uri(to_str(uri))
    if not isinstance(parsed, SipURI):
        return -1
    gr = param_of(parsed, "gr")
    if gr is None:
        return -1
    return 1 if gr else 2
