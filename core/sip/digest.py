"""HTTP Digest authentication for SIP (RFC 2617, RFC 7616 hashes, RFC 3261 s22.4), sans-IO.

The maths (`ha1`, `ha2`, `response`), the `Authorization`/`Proxy-Authorization` header parser
(`parse_credentials`), the challenge builder (`challenge_header`) and self-validating nonces
(`make_nonce`, `check_nonce`). Nothing here reads a clock or a socket: the caller passes the
time and the secret in, so every worker of a server (separate processes) validates the nonces
of every other one, and tests run on fixed values.

A nonce is `base64url(issued:u32 | index:u64 | HMAC-SHA256(secret, issued | index)[:16])`: the
issue time says when it expires, the index names it for replay tracking (nc counters), the MAC
says we made it. Nothing about a nonce has to be remembered to check it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from dataclasses import dataclass, field
from enum import Enum

MD5 = "MD5"
SHA256 = "SHA-256"
# RFC 7616's names, upper-cased -> hashlib's; "-sess" variants share the hash.
_HASHES = {"MD5": "md5", "MD5-SESS": "md5", "SHA-256": "sha256", "SHA-256-SESS": "sha256"}

_NONCE = struct.Struct(">IQ")
_MAC_LEN = 16
NONCE_LEN = len(base64.urlsafe_b64encode(b"\0" * (_NONCE.size + _MAC_LEN)))


class DigestError(ValueError):
    """Credentials that cannot be used: `status` is what Kamailio answers (400)."""

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status = status


# --- hashes ---------------------------------------------------------------------------------------


def supported(algorithm: str) -> bool:
    """Whether `algorithm` (as a client names it, any case) is one we compute."""
    return algorithm.upper() in _HASHES


def _h(algorithm: str, text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.new(_HASHES[algorithm.upper()], data).hexdigest()


def ha1(algorithm: str, username: str, realm: str, password: str, *, nonce: str = "",
        cnonce: str = "") -> str:
    """H(username:realm:password); for a `-sess` algorithm H(that:nonce:cnonce) (RFC 7616 3.4.2)."""
    value = _h(algorithm, f"{username}:{realm}:{password}")
    return session_ha1(algorithm, value, nonce, cnonce)


def session_ha1(algorithm: str, ha1_value: str, nonce: str, cnonce: str) -> str:
    """A stored HA1 as the algorithm uses it: unchanged, or re-hashed with the nonces (-sess)."""
    if algorithm.upper().endswith("-SESS"):
        return _h(algorithm, f"{ha1_value}:{nonce}:{cnonce}")
    return ha1_value


def ha2(algorithm: str, method: str, uri: str, qop: str = "", body: bytes = b"") -> str:
    """H(method:uri), or H(method:uri:H(body)) for qop=auth-int."""
    if qop.lower() == "auth-int":
        return _h(algorithm, f"{method}:{uri}:{_h(algorithm, body)}")
    return _h(algorithm, f"{method}:{uri}")


def response(algorithm: str, ha1_value: str, nonce: str, ha2_value: str, *, qop: str = "",
             nc: str = "", cnonce: str = "") -> str:
    """The request-digest: H(HA1:nonce:nc:cnonce:qop:HA2), or RFC 2069's H(HA1:nonce:HA2)
    without qop."""
    if qop:
        return _h(algorithm, f"{ha1_value}:{nonce}:{nc}:{cnonce}:{qop}:{ha2_value}")
    return _h(algorithm, f"{ha1_value}:{nonce}:{ha2_value}")


def looks_like_ha1(algorithm: str, value: str) -> bool:
    """Whether `value` has the shape of an HA1 of `algorithm` (hex of the hash's length)."""
    size = hashlib.new(_HASHES.get(algorithm.upper(), "md5")).digest_size * 2
    return len(value) == size and all(c in "0123456789abcdefABCDEF" for c in value)


# --- credentials ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    """The digest parameters of one Authorization / Proxy-Authorization value."""

    username: str
    realm: str
    nonce: str
    uri: str
    response: str
    algorithm: str = MD5
    qop: str = ""
    nc: str = ""
    cnonce: str = ""
    opaque: str = ""
    userhash: bool = False
    params: dict[str, str] = field(default_factory=dict)  # every parameter, names lower-cased

    @property
    def user(self) -> str:
        """The user part of `username` (some UAs send user@domain)."""
        return self.username.partition("@")[0]

    @property
    def domain(self) -> str:
        """The domain part of `username`, or ""."""
        return self.username.partition("@")[2]

    @property
    def nc_value(self) -> int:
        """The nonce count as a number (checked as 8 hex digits by the parser)."""
        return int(self.nc, 16) if self.nc else 0


def _scan_params(text: str, pos: int) -> dict[str, str]:
    """`name=value` or `name="quoted"` pairs separated by commas, from `pos`."""
    out: dict[str, str] = {}
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t,":
            pos += 1
        if pos >= n:
            return out
        eq = text.find("=", pos)
        if eq < 0:
            raise DigestError(f"digest parameter without a value at {pos}")
        name = text[pos:eq].strip().lower()
        if not name or any(c in name for c in ' \t",'):
            raise DigestError(f"bad digest parameter name at {pos}")
        pos = eq + 1
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos < n and text[pos] == '"':
            value, pos = _quoted(text, pos)
        else:
            end = text.find(",", pos)
            end = n if end < 0 else end
            value = text[pos:end].strip()
            if any(c in value for c in ' \t"'):
                raise DigestError(f"bad value of digest parameter {name}")
            pos = end
        if name in out:
            raise DigestError(f"digest parameter {name} given twice")
        out[name] = value
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos < n and text[pos] != ",":
            raise DigestError(f"expected ',' after digest parameter {name}")


def _quoted(text: str, pos: int) -> tuple[str, int]:
    """The unescaped quoted string starting at `pos` (a '"') and the offset after it."""
    out = []
    i = pos + 1
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), i + 1
        out.append(c)
        i += 1
    raise DigestError("unterminated quoted string in digest credentials")


def parse_credentials(value: str) -> Credentials:
    """The `Digest ...` credentials of a header value; DigestError (status 400) when the
    value is not Digest or lacks username, realm, nonce, uri or response, or is malformed."""
    text = value.strip()
    scheme, sep, _ = text.partition(" ")
    if scheme.lower() != "digest" or not sep:
        raise DigestError("credentials are not Digest")
    params = _scan_params(text, len(scheme))
    missing = [p for p in ("username", "realm", "nonce", "uri", "response") if p not in params]
    if missing:
        raise DigestError(f"digest credentials without {', '.join(missing)}")
    qop = params.get("qop", "")
    nc = params.get("nc", "")
    cnonce = params.get("cnonce", "")
    if qop:
        if qop.lower() not in ("auth", "auth-int"):
            raise DigestError(f"unsupported qop {qop!r}")
        if len(nc) != 8 or not all(c in "0123456789abcdefABCDEF" for c in nc) or not cnonce:
            raise DigestError("qop without a valid nc and cnonce")
    return Credentials(
        username=params["username"], realm=params["realm"], nonce=params["nonce"],
        uri=params["uri"], response=params["response"].lower(),
        algorithm=params.get("algorithm", MD5), qop=qop.lower(), nc=nc, cnonce=cnonce,
        opaque=params.get("opaque", ""), userhash=params.get("userhash", "").lower() == "true",
        params=params)


# --- challenges -----------------------------------------------------------------------------------


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def challenge_header(realm: str, nonce: str, *, algorithm: str = MD5, qop: str = "",
                     stale: bool = False, opaque: str = "") -> str:
    """The value of a WWW-Authenticate / Proxy-Authenticate challenge, in Kamailio's order:
    `Digest realm="..", nonce=".."[, qop="auth"][, opaque=".."][, stale=true], algorithm=MD5`."""
    parts = [f"Digest realm={_q(realm)}", f"nonce={_q(nonce)}"]
    if qop:
        parts.append(f"qop={_q(qop)}")
    if opaque:
        parts.append(f"opaque={_q(opaque)}")
    if stale:
        parts.append("stale=true")
    parts.append(f"algorithm={algorithm}")
    return ", ".join(parts)


# --- nonces ---------------------------------------------------------------------------------------


class NonceStatus(Enum):
    """What `check_nonce` found."""

    VALID = "valid"
    EXPIRED = "expired"  # ours, but too old (or too far in the future): stale=true
    INVALID = "invalid"  # not ours: bad shape, or a MAC made with another secret


@dataclass(frozen=True)
class NonceCheck:
    status: NonceStatus
    issued: int = 0
    index: int = 0


def _mac(secret: bytes, head: bytes) -> bytes:
    return hmac.new(secret, head, hashlib.sha256).digest()[:_MAC_LEN]


def make_nonce(secret: bytes, now: int, index: int) -> str:
    """A nonce issued at `now` (Unix seconds) with the 64-bit `index`."""
    head = _NONCE.pack(now & 0xFFFFFFFF, index & 0xFFFFFFFFFFFFFFFF)
    return base64.urlsafe_b64encode(head + _mac(secret, head)).decode()


def check_nonce(secret: bytes, nonce: str, now: int, expire: int, max_drift: int = 3) -> NonceCheck:
    """Whether `nonce` was made with `secret` and is no older than `expire` seconds (nor more
    than `max_drift` seconds in the future, Kamailio's nonce_auth_max_drift)."""
    if len(nonce) != NONCE_LEN:
        return NonceCheck(NonceStatus.INVALID)
    try:
        raw = base64.urlsafe_b64decode(nonce.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return NonceCheck(NonceStatus.INVALID)
    head, mac = raw[:_NONCE.size], raw[_NONCE.size:]
    if not hmac.compare_digest(mac, _mac(secret, head)):
        return NonceCheck(NonceStatus.INVALID)
    issued, index = _NONCE.unpack(head)
    if now - issued > expire or issued - now > max_drift:
        return NonceCheck(NonceStatus.EXPIRED, issued, index)
    return NonceCheck(NonceStatus.VALID, issued, index)
