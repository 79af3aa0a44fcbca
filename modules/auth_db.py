"""Kamailio's `auth_db` module: Digest authentication against the `subscriber` table.

`www_authorize`/`www_authenticate`, `proxy_authorize`/`proxy_authenticate` and `auth_check`
check the request's credentials (auth's `authenticate`, same return codes) with the HA1 of the
subscriber row: computed from the plain `password_column` with `calculate_ha1`, else read from
`password_column` (`ha1`) or, when the UA sent `user@domain` as username, `password_column_2`
(`ha1b`). The row is found by `user_column` (and `domain_column` = the realm with `use_domain`).
`load_credentials` columns become AVPs after a successful check (and after any check with
`force_generate_avps`); `is_subscriber(uri, table, flags)` checks a URI against the table.

Each process opens its own connection through core/db (SQLite or PostgreSQL); every value is a
statement parameter and table/column names are checked identifiers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from siprouter.core.db.module_db import ModuleDatabase
from siprouter.core.exports import ModuleExports, RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import avp_name
from siprouter.core.runtime.sip_pvs import request
from siprouter.core.runtime.values import Value, to_int, to_str
from siprouter.core.sip import digest
from siprouter.core.sip.digest import Credentials
from siprouter.modules import auth

log = logging.getLogger("siprouter.auth_db")

exports = ModuleExports("auth_db", doc="Digest authentication against a subscriber database table")

# Parameters
exports.param("db_url", str, "mysql://kamailioro:kamailioro@localhost/kamailio", doc="This is URL of the database to be used.")
exports.param("user_column", str, "username", doc="This is the name of the column holding usernames.")
exports.param("domain_column", str, "domain", doc="This is the name of the column holding domains of users.")
exports.param("password_column", str, "ha1", doc="This is the name of the column holding passwords.")
exports.param("password_column_2", str, "ha1b", doc="As described in the previous section this parameter contains name of column holding...")
exports.param("calculate_ha1", int, 0, doc="This parameter tells the server whether it should use a pre-calculated HA1 string or...")
exports.param("use_domain", int, 0, doc="If true (not 0), domain will be also used when looking up in the subscriber table.")
exports.param("load_credentials", str, None, doc="This parameter specifies of credentials to be fetch from database when the authentication...")
exports.param("version_table", int, 1, doc="If set to 0, the module will skip checking the version for subscriber table.")
exports.param("force_generate_avps", int, 0, doc="If set to different than 0, the module will fetch user DB attributes even if...")


@dataclass
class AuthDbSettings:
    """The parameters this implementation acts on (the server applies modparams here)."""

    db_url: str = ""
    user_column: str = "username"
    domain_column: str = "domain"
    password_column: str = "ha1"
    password_column_2: str = "ha1b"
    calculate_ha1: bool = False
    use_domain: bool = False
    load_credentials: str = ""
    force_generate_avps: bool = False


settings = AuthDbSettings()
exports.settings = settings

# This process's connection to `db_url` (opened on first use; core/db reopens it after fork).
database = ModuleDatabase("auth_db", lambda: settings.db_url)


def configure(**params: Any) -> None:
    """Set this process's auth_db parameters (tests, tools); the server uses the modparams."""
    database.configure(settings, params)


def credential_columns(spec: str) -> list[tuple[str, str]]:
    """load_credentials as (AVP name, column) pairs: `$avp(i:123)=rpid;email_address` ->
    [("123", "rpid"), ("email_address", "email_address")]. Bad items are skipped with a log."""
    out = []
    for item in spec.split(";"):
        item = item.strip()
        if not item:
            continue
        name, eq, column = item.partition("=")
        if not eq:
            out.append((item, item))
            continue
        name = name.strip()
        if name.startswith("$avp(") and name.endswith(")"):
            out.append((avp_name(name[5:-1]), column.strip()))
        else:
            log.error("auth_db: load_credentials: bad item %r", item)
    return out


def _row(table: str, user: str, domain: str | None, columns: list[str]) -> dict[str, Any] | None:
    where = {settings.user_column: user}
    if domain is not None:
        where[settings.domain_column] = domain
    rows = database().query(table, columns, where, limit=1)
    return rows[0] if rows else None


def _load_avps(ctx: Context, row: dict[str, Any] | None) -> None:
    if row is None:
        return
    for avp, column in credential_columns(settings.load_credentials):
        value = row.get(column)
        if value is not None:
            ctx.avps.setdefault(avp, []).append(value if isinstance(value, int) else str(value))


class _Lookup:
    """The HA1 source for one check: reads the subscriber row once and keeps it for the AVPs."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.row: dict[str, Any] | None = None

    def __call__(self, cred: Credentials, realm: str) -> str | None:
        with_domain = bool(cred.domain) and not settings.calculate_ha1
        column = settings.password_column_2 if with_domain else settings.password_column
        extra = [c for _, c in credential_columns(settings.load_credentials)]
        self.row = _row(self.table, cred.user, realm if settings.use_domain else None,
                        list(dict.fromkeys([column, *extra])))
        if self.row is None:
            return None
        secret = str(self.row.get(column) or "")
        if settings.calculate_ha1:
            return digest.ha1(cred.algorithm, cred.username, realm, secret)
        return secret.lower()


def _authorize(ctx: Context, realm: Value, table: Value, key: str, method: Value = None,
               flags: int = 0) -> int:
    lookup = _Lookup(to_str(table))
    realm_text = to_str(realm)
    method_text = to_str(method) if method is not None else ""
    code = auth.authenticate(ctx, realm_text, key, lookup, method_text or None)
    if code == auth.AUTH_OK and flags:
        req = request(ctx)
        realm_text = auth.strip_realm(realm_text or (auth.default_realm(req) if req else ""))
        code = auth.check_identity(ctx, realm_text, flags)
    if code == auth.AUTH_OK or settings.force_generate_avps:
        _load_avps(ctx, lookup.row)
    return code


@exports.function("www_authenticate", args=(2, 3), formats=(0, 1, 2), routes=RouteType.REQUEST, doc="Name alias: www_authorize(realm, table)")
def www_authenticate(ctx: Context, realm: Value, table: Value, method: Value = None) -> int:
    """Check the Authorization credentials against the subscriber `table`."""
    return _authorize(ctx, realm, table, auth.WWW, method)


@exports.function("www_authorize", args=2, formats=(0, 1), routes=RouteType.REQUEST, doc="It is same function as www_authenticate(realm, table).")
def www_authorize(ctx: Context, realm: Value, table: Value) -> int:
    """Alias of www_authenticate(realm, table)."""
    return _authorize(ctx, realm, table, auth.WWW)


@exports.function("proxy_authenticate", args=2, formats=(0, 1), routes=RouteType.REQUEST, doc="Name alias: proxy_authorize(realm, table)")
def proxy_authenticate(ctx: Context, realm: Value, table: Value) -> int:
    """Check the Proxy-Authorization credentials against the subscriber `table`."""
    return _authorize(ctx, realm, table, auth.PROXY)


@exports.function("proxy_authorize", args=2, formats=(0, 1), routes=RouteType.REQUEST, doc="It is same function as proxy_authenticate(realm, table).")
def proxy_authorize(ctx: Context, realm: Value, table: Value) -> int:
    """Alias of proxy_authenticate(realm, table)."""
    return _authorize(ctx, realm, table, auth.PROXY)


@exports.function("auth_check", args=3, formats=(0, 1, 2), routes=RouteType.REQUEST, doc="The function combines the functionalities of www_authenticate and proxy_authenticate...")
def auth_check(ctx: Context, realm: Value, table: Value, flags: Value) -> int:
    """www_authenticate for a REGISTER, proxy_authenticate otherwise; flags 1: the auth user
    must be the From (REGISTER: and To; PUBLISH: and To and R-URI) user, else -8; flags 3:
    not for INVITE, BYE, PRACK, UPDATE, MESSAGE."""
    req = request(ctx)
    key = auth.WWW if req is not None and req.method == "REGISTER" else auth.PROXY
    bits = to_int(flags) if to_str(flags) != "" else 0
    return _authorize(ctx, realm, table, key, flags=bits)


@exports.function("is_subscriber", args=3, formats=(0, 1, 2), routes=RouteType.ANY, doc="The function checks if there is a subscriber corresponding to the AoR in uri parameter.")
def is_subscriber(ctx: Context, uri: Value, table: Value, flags: Value) -> int:
    """1 when the URI's user (and host, with flags bit 1) is in `table`; the load_credentials
    AVPs are set unless flags bit 2. -1 when not, or for a bad URI or database error."""
    aor = auth.parse_aor(to_str(uri))
    if aor is None or not aor.user:
        ctx.log.error("is_subscriber: not a SIP URI with a user: %s", to_str(uri))
        return -1
    bits = to_int(flags) if to_str(flags) != "" else 0
    extra = [c for _, c in credential_columns(settings.load_credentials)]
    # A database error answers as an unknown subscriber does (-1), after its log line.
    row = database.answer(ctx.log, "is_subscriber", lambda: _row(
        to_str(table), aor.user, aor.host if bits & 1 else None,
        list(dict.fromkeys([settings.user_column, *extra]))), None)
    if row is None:
        return -1
    if not bits & 2:
        _load_avps(ctx, row)
    return 1
