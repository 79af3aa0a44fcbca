"""Kamailio's `alias_db` module: user aliases in a database table (`dbaliases`).

`alias_db_lookup(table[, flags])` replaces the R-URI with the `sip:username@domain` an alias
(`alias_username@alias_domain`) maps to; more than one mapping gives branches with
`append_branches`. `alias_db_find(table, input, output[, flags])` does the same for any URI
into any writable PV. Flags (characters): `d` match on the user only, `u` on user and domain
(default: the `use_domain` parameter), `r` reverse: from a user to its alias. 1 when an alias
was found, -1 when not (or for a bad URI, a bad table name or a database error).

Each query goes to the database (no cache): every worker sees a change at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from siprouter.core.db.module_db import ModuleDatabase
from siprouter.core.exports import REQ_FAIL, ModuleExports, RouteType
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.pv import PVError, compile_pv
from siprouter.core.runtime.sip_pvs import request
from siprouter.core.runtime.sipstate import Branch
from siprouter.core.runtime.values import Value, to_str
from siprouter.core.sip import SIPError, SipURI, parse_uri

log = logging.getLogger("siprouter.alias_db")

exports = ModuleExports("alias_db", doc="User aliases looked up in a database table")

# Parameters
exports.param("db_url", str, "mysql://kamailioro:kamailioro@localhost/kamailio", doc="Database URL.")
exports.param("user_column", str, "username", doc="Name of the column storing username.")
exports.param("domain_column", str, "domain", doc="Name of the column storing user's domain.")
exports.param("alias_user_column", str, "alias_username", doc="Name of the column storing alias username.")
exports.param("alias_domain_column", str, "alias_domain", doc="Name of the column storing alias domain.")
exports.param("use_domain", int, 0, doc="Specifies whether to use or not the domain from R-URI when searching for alias.")
exports.param("domain_prefix", str, None, doc="Specifies the prefix to be stripped from the domain in R-URI before doing the search.")
exports.param("append_branches", int, 0, doc="If the alias resolves to many SIP IDs, the first is replacing the R-URI, the rest are...")


@dataclass
class AliasDbSettings:
    """The parameters this implementation acts on (the server applies modparams here)."""

    db_url: str = ""
    user_column: str = "username"
    domain_column: str = "domain"
    alias_user_column: str = "alias_username"
    alias_domain_column: str = "alias_domain"
    use_domain: bool = False
    domain_prefix: str = ""
    append_branches: bool = False


settings = AliasDbSettings()
exports.settings = settings

# This process's connection to `db_url` (opened on first use; core/db reopens it after fork).
database = ModuleDatabase("alias_db", lambda: settings.db_url)


def configure(**params: Any) -> None:
    """Set this process's alias_db parameters (tests, tools); the server uses the modparams."""
    database.configure(settings, params)


def _sip_uri(text: str) -> SipURI | None:
    try:
        uri = parse_uri(text.strip())
    except (SIPError, ValueError):
        return None
    return uri if isinstance(uri, SipURI) and uri.user else None


def find_aliases(table: str, uri: SipURI, flags: str) -> list[str]:
    """The URIs `uri` maps to (its aliases with `r`), in table order. Raises DBError or
    ValueError (a table name that is not an identifier)."""
    use_domain = "u" in flags or (settings.use_domain and "d" not in flags)
    if "r" in flags:
        key_user, key_domain = settings.user_column, settings.domain_column
        out_user, out_domain = settings.alias_user_column, settings.alias_domain_column
    else:
        key_user, key_domain = settings.alias_user_column, settings.alias_domain_column
        out_user, out_domain = settings.user_column, settings.domain_column
    host = uri.host
    prefix = settings.domain_prefix
    if prefix and host.startswith(prefix):
        host = host[len(prefix):]
    where: dict[str, Any] = {key_user: uri.user}
    if use_domain:
        where[key_domain] = host
    rows = database().query(table, [out_user, out_domain], where, order=["id"])
    return [f"sip:{r[out_user]}@{r[out_domain]}" for r in rows if r[out_user]]


def _lookup(ctx: Context, table: str, text: str, flags: str, what: str) -> list[str] | None:
    uri = _sip_uri(text)
    if uri is None:
        ctx.log.error("%s: not a SIP URI with a user: %s", what, text)
        return None
    return database.answer(ctx.log, what, lambda: find_aliases(table, uri, flags), None)


@exports.function("alias_db_lookup", args=(1, 2), formats=(0, 1), routes=REQ_FAIL, doc="The function takes the R-URI and search to see whether it is an alias or not.")
def alias_db_lookup(ctx: Context, table: Value, flags: Value = None) -> int:
    """Replace the R-URI with the URI its alias maps to; further ones become branches with
    append_branches. 1 found, -1 not."""
    req, sip = request(ctx), ctx.sip
    if req is None or sip is None:
        return -1
    try:
        ruri = str(req.new_ruri)
    except SIPError:
        return -1
    found = _lookup(ctx, to_str(table), ruri, to_str(flags) if flags is not None else "",
                    "alias_db_lookup")
    if not found:
        return -1
    try:
        req.set_ruri(found[0])
    except SIPError as exc:
        ctx.log.error("alias_db_lookup: %s", exc)
        return -1
    if settings.append_branches:
        sip.branches.extend(Branch(uri=u) for u in found[1:])
    return 1


@exports.function("alias_db_find", args=(3, 4), formats=(0, 1, 3), routes=RouteType.ONREPLY | RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="The function is very similar to alias_db_lookup(), but instead of using fixed input...")
def alias_db_find(ctx: Context, table: Value, uri: Value, output: Value,
                  flags: Value = None) -> int:
    """Set the PV `output` to the URI `uri` maps to (with append_branches and an AVP output,
    every one). 1 found, -1 not."""
    found = _lookup(ctx, to_str(table), to_str(uri), to_str(flags) if flags is not None else "",
                    "alias_db_find")
    if not found:
        return -1
    try:
        target = compile_pv(to_str(output).strip())
    except PVError as exc:
        ctx.log.error("alias_db_find: %s", exc)
        return -1
    if target.set is None:
        ctx.log.error("alias_db_find: %s is read-only", to_str(output))
        return -1
    for value in (found if settings.append_branches else found[:1]):
        target.set(ctx, value)
    return 1
