"""Kamailio's `auth` module: Digest authentication (RFC 2617, RFC 7616's SHA-256, RFC 3261 s22).

Challenges (`www_challenge`, `proxy_challenge`, `auth_challenge`) answer 401/407 statelessly
through the server's reply path (as sl does) with a fresh nonce. The credential checks
(`pv_www_authenticate`, `pv_proxy_authenticate`, `pv_auth_check`, and auth_db's functions through
`authenticate`) return Kamailio's codes: 1 ok, -1 error (also a nonce that is not ours, or
credentials that do not parse: the script's challenge then sends a fresh one), -2 wrong
password, -3 unknown user, -4 nonce expired (the next challenge says stale=true), -5 no
credentials for the realm, -6 nonce reused (nonce_count / one_time_nonce), -8 auth user
mismatch.

Nonces are self-validating (core/sip/digest.py): an HMAC over the issue time and an index, with
a secret made once in the main process at start-up (or the `secret` modparam) and inherited by
every worker, so any worker checks any worker's nonce with nothing shared in memory. The replay
state of `nonce_count`/`one_time_nonce` (the highest nc seen per nonce index) is the one thing
workers must share: it lives in a small SQLite file in /dev/shm made by the main process, like
usrloc's cache.
"""

from __future__ import annotations

import atexit
import contextlib
import hmac
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from siprouter.core.db import Cmp, DBError
from siprouter.core.exports import REQ_FAIL_ONREPLY, ModuleEnv, ModuleExports, RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import PVError, compile_pv
from siprouter.core.runtime.sip_pvs import marks, request
from siprouter.core.runtime.sipstate import SipState
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.shared.shmstore import SharedStore
from siprouter.core.sip import SIPError, SIPRequest, SipURI, digest, parse_uri
from siprouter.core.sip.digest import Credentials, DigestError, NonceStatus

log = logging.getLogger("siprouter.auth")

exports = ModuleExports("auth", doc="Digest authentication: challenges, nonces and credential checks")

# Parameters
exports.param("secret", str, None, doc="Secret phrase used to calculate the nonce value used to challenge the client for...")
exports.param("nonce_expire", int, 300, doc="Nonces have limited lifetime.")
exports.param("nonce_auth_max_drift", int, 3, doc="Maximum difference in seconds between a nonce creation time and the current time, if the...")
exports.param("protect_contacts", int, None, doc="Include the Contact header in the nonce (old option, not in the README).")
exports.param("challenge_attr", str, None, doc="AVP that receives the built challenge header (old option).")
exports.param("proxy_challenge_header", str, None, doc="Header name used for proxy challenges.")
exports.param("www_challenge_header", str, None, doc="Header name used for www challenges.")
exports.param("qop", str, "", doc="If set, enable qop for challenges: each challenge will include a qop parameter.")
exports.param("auth_checks_register", int, None, doc="See description of parameter auth_checks_in_dlg.")
exports.param("auth_checks_no_dlg", int, None, doc="See description of parameter auth_checks_in_dlg.")
exports.param("auth_checks_in_dlg", int, None, doc="These three module parameters control which optional integrity checks will be performed...")
exports.param("nonce_count", int, 0, doc="If enabled the received nc value is remembered and checked against the older value (for a...")
exports.param("nc_array_size", int, 1048576, doc="Maximum number of in-flight nonces for nonce_count.")
exports.param("nc_array_order", int, 20, doc="Equivalent to nc_array_size, but instead of directly specifying the size, its value is...")
exports.param("one_time_nonce", int, 0, doc="If set to 1 nonce reuse is disabled: each nonce is allowed only once, in the first...")
exports.param("otn_in_flight_no", int, 1048576, doc="Maximum number of in-flight nonces for one_time_nonce.")
exports.param("otn_in_flight_order", int, 20, doc="Equivalent to otn_in_flight_no, but instead of directly specifying the size, its value is...")
exports.param("nid_pool_no", int, 1, doc="Controls the number of partitions for the nonce_count and one_time_nonce arrays (it's...")
exports.param("force_stateless_reply", int, None, doc="If set to 1, www_challenge() and proxy_challenge() functions send reply statelessly no...")
exports.param("realm_prefix", str, "", doc="Prefix to be automatically stripped from the realm.")
exports.param("use_domain", int, None, doc="If set to 1, pv_auth_check() uses domain parts of the URIs to check user identity.")
exports.param("algorithm", str, None, doc="Configure hash algorithm used for digest authentication.")
exports.param("add_authinfo_hdr", int, 0, doc="Should an Authentication-Info header be added on 200 OK responses? The...")


# --- return codes (Kamailio's auth_cfg_result) ------------------------------------------------

AUTH_OK = 1
AUTH_ERROR = -1
AUTH_INVALID_PASSWORD = -2
AUTH_USER_UNKNOWN = -3
AUTH_NONCE_EXPIRED = -4
AUTH_NO_CREDENTIALS = -5
AUTH_NONCE_REUSED = -6
AUTH_USER_MISMATCH = -8

WWW = "authorization"
PROXY = "proxy-authorization"
MAX_NC = 255  # Kamailio: a higher nc makes the nonce stale


# --- settings ---------------------------------------------------------------------------------


@dataclass
class AuthSettings:
    """The parameters this implementation acts on (the server applies modparams here)."""

    secret: str = ""
    nonce_expire: int = 300
    nonce_auth_max_drift: int = 3
    qop: str = ""
    nonce_count: bool = False
    one_time_nonce: bool = False
    realm_prefix: str = ""
    use_domain: bool = False
    algorithm: str = ""
    add_authinfo_hdr: bool = False


settings = AuthSettings()
exports.settings = settings

# The wall clock; tests replace it.
clock: Callable[[], float] = time.time

_secret: bytes = b""


def secret() -> bytes:
    """The nonce secret: the modparam, else random bytes made once (in the main process at
    start-up, so every worker inherits the same)."""
    global _secret
    if not _secret:
        _secret = settings.secret.encode() if settings.secret else secrets.token_bytes(32)
    return _secret


def configure(**params: Any) -> None:
    """Set this process's auth parameters (tests and tools; the server uses the modparams):
    unknown names raise, the secret and the replay store start afresh."""
    global _secret
    fresh = AuthSettings()
    for name, value in params.items():
        if not hasattr(fresh, name):
            raise ValueError(f"auth: unknown parameter {name}")
        setattr(fresh, name, value)
    for name, value in vars(fresh).items():
        setattr(settings, name, value)
    _secret = b""
    replay.reset()


def _algorithm() -> str:
    name = settings.algorithm.strip()
    if not name:
        return digest.MD5
    return digest.SHA256 if name.upper() == digest.SHA256 else digest.MD5


# --- replay protection (nonce_count, one_time_nonce) ------------------------------------------


class ReplayStore(SharedStore):
    """The highest nc accepted per nonce index, in an SQLite file every process of one server
    opens (made by the main process in `init`), or in memory for a process alone (tests)."""

    TABLE = "auth_nonce"

    def __init__(self) -> None:
        super().__init__("auth", (
            f"CREATE TABLE IF NOT EXISTS {self.TABLE} ("
            "nid INTEGER PRIMARY KEY, nc INTEGER NOT NULL, issued INTEGER NOT NULL)",))
        self._writes = 0

    def advance(self, index: int, issued: int, nc: int, now: int) -> bool:
        """Record `nc` for the nonce `index` if it is higher than any seen: False when not
        (a replay). Atomic across processes: the update only matches a lower stored nc."""
        db = self.database()
        db.insert(self.TABLE, {"nid": index, "nc": 0, "issued": issued}, unless_exists=["nid"])
        accepted = db.update(self.TABLE, {"nc": nc}, {"nid": index, "nc": Cmp("<", nc)}) == 1
        self._writes += 1
        if self._writes % 256 == 0:  # forget nonces that expired anyway
            db.delete(self.TABLE, {"issued": Cmp("<", now - settings.nonce_expire
                                                 - settings.nonce_auth_max_drift)})
        return accepted


replay = ReplayStore()
atexit.register(replay.remove_file)


def _init(env: ModuleEnv) -> None:
    """Main process, before the workers fork: the secret and the replay store they share."""
    global _secret
    _secret = b""
    secret()
    if settings.nonce_count or settings.one_time_nonce:
        replay.create()


exports.init = _init


# --- per-message state ------------------------------------------------------------------------


@dataclass
class AuthMarks:
    """What the checks learnt about this request, for the challenge and consume_credentials."""

    stale: bool = False  # the credentials carried our nonce, expired: challenge with stale=true
    authorized: dict[str, int] = field(default_factory=dict)  # header key -> line index used
    credentials: Credentials | None = None


def auth_marks(sip: SipState) -> AuthMarks:
    """This message's `AuthMarks`, created on first use (kept on the SipState like sl's marks)."""
    store = vars(sip)
    got = store.get("auth_marks")
    if not isinstance(got, AuthMarks):
        got = AuthMarks()
        store["auth_marks"] = got
    return got


# --- realms and credentials -------------------------------------------------------------------


def strip_realm(realm: str) -> str:
    """The realm without `realm_prefix` ("sip.example.com" -> "example.com" with "sip.")."""
    prefix = settings.realm_prefix
    if prefix and realm.startswith(prefix) and len(realm) > len(prefix):
        return realm[len(prefix):]
    return realm


def _host_of(req: SIPRequest, header: str) -> str:
    try:
        addr = req.to if header == "to" else req.from_
    except SIPError:
        return ""
    uri = addr.uri if addr is not None else None
    return uri.host if isinstance(uri, SipURI) else ""


def default_realm(req: SIPRequest) -> str:
    """The realm for an empty realm argument: the To domain of a REGISTER, else the From
    domain (Kamailio's README)."""
    return _host_of(req, "to" if req.method == "REGISTER" else "from")


@dataclass(frozen=True)
class Found:
    """The credentials for a realm: the header line they came from and their parameters."""

    key: str
    line: int
    credentials: Credentials


class BadCredentials(Exception):
    """A credentials header that does not parse (the check answers -1, no reply)."""


def find_credentials(req: SIPRequest, realm: str, key: str) -> Found | None:
    """The first `key` header whose Digest realm is `realm`; BadCredentials when a header of
    that kind does not parse and none matched."""
    bad: str | None = None
    for i, h in enumerate(req.headers):
        if h.key != key:
            continue
        try:
            cred = digest.parse_credentials(h.value)
        except DigestError as exc:
            bad = exc.detail
            continue
        if strip_realm(cred.realm) == realm:
            return Found(key, i, cred)
    if bad is not None:
        raise BadCredentials(bad)
    return None


def has_credentials_for(req: SIPRequest, realm: str) -> bool:
    """Whether an Authorization or Proxy-Authorization header carries `realm`."""
    for key in (WWW, PROXY):
        with contextlib.suppress(BadCredentials):
            if find_credentials(req, realm, key) is not None:
                return True
    return False


# --- the check --------------------------------------------------------------------------------

# Gives the HA1 for credentials: (username, realm, credentials) -> HA1 hex, or None when the user
# is unknown; raises DBError when the store cannot answer.
HA1Source = Callable[[Credentials, str], "str | None"]


def authenticate(ctx: Context, realm_arg: str, key: str, ha1_of: HA1Source,
                 method: str | None = None) -> int:
    """Check the request's credentials of kind `key` (WWW or PROXY) for the realm, with the HA1
    `ha1_of` gives; Kamailio's return codes. On success the header is marked as authorized
    (for consume_credentials)."""
    req, sip = request(ctx), ctx.sip
    if req is None or sip is None:
        ctx.log.error("auth: no request to authenticate")
        return AUTH_ERROR
    if req.method in ("ACK", "CANCEL"):
        return AUTH_OK  # cannot be challenged (RFC 3261 s22.1); Kamailio lets them through
    realm = strip_realm(realm_arg or default_realm(req))
    if not realm:
        ctx.log.error("auth: no realm")
        return AUTH_ERROR
    try:
        found = find_credentials(req, realm, key)
    except BadCredentials as exc:
        ctx.log.info("auth: malformed credentials from %s: %s", sip.rcv.src_ip, exc)
        return AUTH_ERROR
    if found is None:
        return AUTH_NO_CREDENTIALS
    cred = found.credentials
    marks_ = auth_marks(sip)
    marks_.credentials = cred
    now = int(clock())
    check = digest.check_nonce(secret(), cred.nonce, now, settings.nonce_expire,
                               settings.nonce_auth_max_drift)
    if check.status is NonceStatus.INVALID:
        ctx.log.info("auth: a nonce that is not ours from %s", sip.rcv.src_ip)
        return AUTH_ERROR
    if check.status is NonceStatus.EXPIRED or cred.nc_value > MAX_NC:
        marks_.stale = True
        return AUTH_NONCE_EXPIRED
    if not digest.supported(cred.algorithm):
        ctx.log.info("auth: unsupported algorithm %s", cred.algorithm)
        return AUTH_ERROR
    try:
        ha1 = ha1_of(cred, realm)
    except (DBError, ValueError) as exc:
        ctx.log.error("auth: cannot get the credentials of %s: %s", cred.username, exc)
        return AUTH_ERROR
    if ha1 is None:
        return AUTH_USER_UNKNOWN
    ha1 = digest.session_ha1(cred.algorithm, ha1, cred.nonce, cred.cnonce)
    ha2 = digest.ha2(cred.algorithm, method or req.method, cred.uri, cred.qop, req.body)
    expected = digest.response(cred.algorithm, ha1, cred.nonce, ha2, qop=cred.qop, nc=cred.nc,
                               cnonce=cred.cnonce)
    if not hmac.compare_digest(expected, cred.response):
        return AUTH_INVALID_PASSWORD
    # Replay checks after the response is proven: forged requests cannot use up a nonce.
    try:
        if settings.nonce_count and cred.qop and cred.nc:
            if not replay.advance(check.index, check.issued, cred.nc_value, now):
                return AUTH_NONCE_REUSED
        elif settings.one_time_nonce:
            if not replay.advance(check.index, check.issued, 1, now):
                return AUTH_NONCE_REUSED
    except DBError as exc:
        ctx.log.error("auth: replay store: %s", exc)
        return AUTH_ERROR
    marks_.authorized[found.key] = found.line
    return AUTH_OK


def password_ha1(password: str, is_ha1: bool) -> HA1Source:
    """An HA1 source for a password given to the script (pv_*_authenticate)."""
    def source(cred: Credentials, realm: str) -> str | None:
        if is_ha1:
            return password
        return digest.ha1(cred.algorithm, cred.username, realm, password)

    return source


def check_identity(ctx: Context, realm: str, flags: int) -> int:
    """auth_check's user checks after a successful authentication (flags bit 1): the auth
    user must be the From (and To for REGISTER, To and R-URI for PUBLISH) user; with bit 2,
    INVITE/BYE/PRACK/UPDATE/MESSAGE skip it (anonymous callers). 1 or -8."""
    req, sip = request(ctx), ctx.sip
    if not flags & 1 or req is None or sip is None:
        return AUTH_OK
    if flags & 2 and req.method in ("INVITE", "BYE", "PRACK", "UPDATE", "MESSAGE"):
        return AUTH_OK
    cred = auth_marks(sip).credentials
    if cred is None:
        return AUTH_ERROR
    uris: list[Any] = []
    try:
        uris.append(req.from_.uri if req.from_ is not None else None)
        if req.method in ("REGISTER", "PUBLISH"):
            uris.append(req.to.uri if req.to is not None else None)
        if req.method == "PUBLISH":
            uris.append(req.ruri)
    except SIPError:
        return AUTH_ERROR
    for uri in uris:
        if not isinstance(uri, SipURI) or (uri.user or "") != cred.user:
            return AUTH_USER_MISMATCH
        if settings.use_domain and strip_realm(uri.host.lower()) != realm.lower():
            return AUTH_USER_MISMATCH
    return AUTH_OK


# --- challenges -------------------------------------------------------------------------------


def build_challenge(ctx: Context, realm_arg: str, flags: int, key: str) -> str | None:
    """The `WWW-Authenticate: ...` (or Proxy-Authenticate) line for this request: a fresh
    nonce; qop=auth with flags 1, auth-int with 2 (else the qop modparam); stale=true with
    flags 16 or after an expired nonce."""
    req, sip = request(ctx), ctx.sip
    if req is None or sip is None:
        return None
    realm = strip_realm(realm_arg or default_realm(req))
    if not realm:
        ctx.log.error("auth: no realm for the challenge")
        return None
    qop = "auth-int" if flags & 2 else "auth" if flags & 1 else settings.qop.strip()
    stale = bool(flags & 16) or auth_marks(sip).stale
    nonce = digest.make_nonce(secret(), int(clock()), secrets.randbits(63))
    value = digest.challenge_header(realm, nonce, algorithm=_algorithm(), qop=qop, stale=stale)
    name = "WWW-Authenticate" if key == WWW else "Proxy-Authenticate"
    return f"{name}: {value}"


def _challenge(ctx: Context, realm: Value, flags: Value, key: str, what: str) -> int:
    sip = ctx.sip
    if request(ctx) is None or sip is None or sip.forwarder is None:
        ctx.log.error("%s: no request to challenge", what)
        return AUTH_ERROR
    bits = to_int(flags) if flags is not None and to_str(flags) != "" else 0
    line = build_challenge(ctx, to_str(realm), bits, key)
    status, reason = (401, "Unauthorized") if key == WWW else (407, "Proxy Authentication Required")
    if line is not None:
        headers = [*marks(sip).reply_headers, line]
        if sip.forwarder.reply(ctx, status, reason, headers):
            return AUTH_OK
    ctx.log.error("%s: could not send the %d challenge", what, status)
    if not bits & 4:
        sip.forwarder.reply(ctx, 500, "Internal Server Error", [])
    return AUTH_ERROR


@exports.function("www_challenge", args=2, formats=(0, 1), routes=REQ_FAIL_ONREPLY, doc="The function challenges a user agent.")
def www_challenge(ctx: Context, realm: Value, flags: Value) -> int:
    """Reply 401 with a WWW-Authenticate challenge for `realm`."""
    return _challenge(ctx, realm, flags, WWW, "www_challenge")


@exports.function("proxy_challenge", args=2, formats=(0, 1), routes=REQ_FAIL_ONREPLY, doc="The function challenges a user agent.")
def proxy_challenge(ctx: Context, realm: Value, flags: Value) -> int:
    """Reply 407 with a Proxy-Authenticate challenge for `realm`."""
    return _challenge(ctx, realm, flags, PROXY, "proxy_challenge")


@exports.function("auth_challenge", args=2, formats=(0, 1), routes=REQ_FAIL_ONREPLY, doc="The function challenges a user agent for authentication.")
def auth_challenge(ctx: Context, realm: Value, flags: Value) -> int:
    """401 for a REGISTER, 407 for other requests."""
    req = request(ctx)
    key = WWW if req is not None and req.method == "REGISTER" else PROXY
    return _challenge(ctx, realm, flags, key, "auth_challenge")


@exports.function("consume_credentials", args=0, routes=RouteType.REQUEST, doc="This function removes previously authorized credential headers from the message being...")
def consume_credentials(ctx: Context) -> int:
    """Remove the credentials header an authentication accepted: 1, or -1 when none was."""
    req, sip = request(ctx), ctx.sip
    if req is None or sip is None:
        return AUTH_ERROR
    used = auth_marks(sip).authorized
    if not used:
        ctx.log.error("consume_credentials: no authorized credentials found")
        return AUTH_ERROR
    for line in used.values():
        req.edits.set_value(line, None)
    used.clear()
    return AUTH_OK


@exports.function("has_credentials", args=1, formats=(0,), routes=RouteType.REQUEST, doc="This function returns true of the request has Authorization or Proxy-Authorization header...")
def has_credentials(ctx: Context, realm: Value) -> int:
    """1 when an Authorization or Proxy-Authorization header has `realm`, else -1."""
    req = request(ctx)
    if req is None:
        return AUTH_ERROR
    return AUTH_OK if has_credentials_for(req, strip_realm(to_str(realm))) else AUTH_ERROR


def _pv_authenticate(ctx: Context, realm: Value, passwd: Value, flags: Value, key: str,
                     method: Value = None) -> int:
    bits = to_int(flags) if to_str(flags) != "" else 0
    source = password_ha1(to_str(passwd), bool(bits & 1))
    method_text = to_str(method) if method is not None else None
    code = authenticate(ctx, to_str(realm), key, source, method_text or None)
    if code != AUTH_OK and bits & (2 | 4 | 8 | 16):
        # Kamailio's challenge-into-AVP flags: 2 no qop, 4 auth, 8 auth-int, 16 stale.
        cflags = (1 if bits & 4 else 0) | (2 if bits & 8 else 0) | (bits & 16)
        line = build_challenge(ctx, to_str(realm), cflags, key)
        if line is not None:
            ctx.avps["digest_challenge"] = [line]
    return code


@exports.function("pv_www_authenticate", args=(3, 4), formats=(0, 1, 2, 3), routes=RouteType.REQUEST, doc="The function verifies credentials according to RFC2617.")
def pv_www_authenticate(ctx: Context, realm: Value, passwd: Value, flags: Value,
                        method: Value = None) -> int:
    """Check the Authorization credentials against `passwd` (an HA1 with flags 1)."""
    return _pv_authenticate(ctx, realm, passwd, flags, WWW, method)


@exports.function("pv_www_authorize", args=3, formats=(0, 1, 2), routes=RouteType.REQUEST, doc="Alias of pv_www_authenticate(realm, passwd, flags).")
def pv_www_authorize(ctx: Context, realm: Value, passwd: Value, flags: Value) -> int:
    """Alias of pv_www_authenticate."""
    return _pv_authenticate(ctx, realm, passwd, flags, WWW)


@exports.function("pv_proxy_authenticate", args=3, formats=(0, 1, 2), routes=RouteType.REQUEST, doc="The function verifies credentials according to RFC2617.")
def pv_proxy_authenticate(ctx: Context, realm: Value, passwd: Value, flags: Value) -> int:
    """Check the Proxy-Authorization credentials against `passwd`."""
    return _pv_authenticate(ctx, realm, passwd, flags, PROXY)


@exports.function("pv_proxy_authorize", args=3, formats=(0, 1, 2), routes=RouteType.REQUEST, doc="Alias of pv_proxy_authenticate(realm, passwd, flags).")
def pv_proxy_authorize(ctx: Context, realm: Value, passwd: Value, flags: Value) -> int:
    """Alias of pv_proxy_authenticate."""
    return _pv_authenticate(ctx, realm, passwd, flags, PROXY)


@exports.function("pv_auth_check", args=4, formats=(0, 1, 2, 3), routes=RouteType.REQUEST, doc="The function combines the functionalities of pv_www_authenticate and...")
def pv_auth_check(ctx: Context, realm: Value, passwd: Value, flags: Value, checks: Value) -> int:
    """pv_www_authenticate for a REGISTER, pv_proxy_authenticate otherwise; with checks 1 the
    auth user must match the From/To user (-8)."""
    req = request(ctx)
    key = WWW if req is not None and req.method == "REGISTER" else PROXY
    code = _pv_authenticate(ctx, realm, passwd, flags, key)
    if code != AUTH_OK:
        return code
    realm_text = to_str(realm) or (default_realm(req) if req is not None else "")
    return check_identity(ctx, strip_realm(realm_text), to_int(checks) if to_str(checks) else 0)


@exports.function("auth_get_www_authenticate", args=3, formats=(0, 1), routes=RouteType.REQUEST, doc="Build WWW-Authentication header and set the resulting value in 'pvdest' pseudo-variable...")
def auth_get_www_authenticate(ctx: Context, realm: Value, flags: Value, pvdest: Value) -> int:
    """Set the PV `pvdest` to a WWW-Authenticate value (no reply is sent): 1, or -1."""
    bits = to_int(flags) if to_str(flags) != "" else 0
    line = build_challenge(ctx, to_str(realm), bits, WWW)
    try:
        target = compile_pv(to_str(pvdest).strip())
    except PVError as exc:
        ctx.log.error("auth_get_www_authenticate: %s", exc)
        return AUTH_ERROR
    if line is None or target.set is None:
        return AUTH_ERROR
    target.set(ctx, line.partition(": ")[2])
    return AUTH_OK


def parse_aor(text: str) -> SipURI | None:
    """A SIP URI from script text, or None (never raises for bad input)."""
    try:
        uri = parse_uri(text.strip())
    except (SIPError, ValueError):
        return None
    return uri if isinstance(uri, SipURI) else None
