"""Kamailio's `domain` module: which domains are local, from the `domain` table, and their
attributes from `domain_attrs` (multidomain).

`is_from_local()`, `is_uri_host_local()` and `is_domain_local(domain)` answer 1 when the host
is in the table (case-insensitive, as Kamailio compares domains), else -1. `lookup_domain(domain
[, prefix])` also adds the domain's attributes as AVPs (named prefix+name; type 0 integers,
others strings) and `$avp(<prefix>did)`: the row's did, or the domain itself when did is NULL.

Kamailio loads the table into shared memory and `domain.reload` re-reads it. Workers here share
no memory, so every check asks the database (an indexed look-up): a change is seen at once by
every worker, and `domain.reload` has nothing to do. `domain.dump` lists the table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from siprouter.core.db import DBError, Row
from siprouter.core.db.module_db import ModuleDatabase
from siprouter.core.exports import ModuleExports, RouteType
from siprouter.core.rpc.errors import RPCFault
from siprouter.core.runtime.context import Context
from siprouter.core.runtime.sip_pvs import request
from siprouter.core.runtime.values import Value, to_str
from siprouter.core.sip import SIPError, SipURI

log = logging.getLogger("siprouter.domain")

exports = ModuleExports("domain", doc="Local domain checks against a domain table")

# Parameters
exports.param("db_url", str, "mysql://kamailioro:kamailioro@localhost/kamailio", doc="This is URL of the database to be used.")
exports.param("domain_table", str, "domain", doc="Name of table containing names of local domains that the proxy is responsible for.")
exports.param("domain_attrs_table", str, "domain_attrs", doc="Name of table containing attributes of local domains.")
exports.param("did_col", str, "did", doc="Name of column containing domain id (did) of domain in domain and domain_attrs tables.")
exports.param("domain_col", str, "domain", doc="Name of column containing domain name in domain table.")
exports.param("name_col", str, "name", doc="Name of column containing attribute name in domain_attrs table.")
exports.param("type_col", str, "type", doc="Name of column containing attribute type in domain_attrs table.")
exports.param("value_col", str, "value", doc="Name of column containing attribute value in domain_attrs table.")
exports.param("register_myself", int, 0, doc="Register the list of domains to match 'myself' check: 0 means no myself registration, 1...")

INT_TYPE = 0  # domain_attrs.type of an integer value (Kamailio: 0 int, 2 string)


@dataclass
class DomainSettings:
    """The parameters this implementation acts on (the server applies modparams here)."""

    db_url: str = ""
    domain_table: str = "domain"
    domain_attrs_table: str = "domain_attrs"
    did_col: str = "did"
    domain_col: str = "domain"
    name_col: str = "name"
    type_col: str = "type"
    value_col: str = "value"


settings = DomainSettings()
exports.settings = settings

# This process's connection to `db_url` (opened on first use; core/db reopens it after fork).
database = ModuleDatabase("domain", lambda: settings.db_url)


def configure(**params: Any) -> None:
    """Set this process's domain parameters (tests, tools); the server uses the modparams."""
    database.configure(settings, params)


def find_did(host: str) -> str | None:
    """The did of a local domain (the domain itself when its did is NULL), or None when the
    host is not local. Stored names are matched as written and in lower case (Kamailio's
    kamctl stores them lower-cased). Raises DBError."""
    if not host:
        return None
    for name in dict.fromkeys((host, host.lower())):
        rows = database().query(settings.domain_table, [settings.domain_col, settings.did_col],
                                {settings.domain_col: name}, limit=1)
        if rows:
            return str(rows[0][settings.did_col] or rows[0][settings.domain_col])
    return None


def domain_attributes(host: str) -> tuple[str, list[Row]] | None:
    """The did of a local domain and its `domain_attrs` rows (by id), None when the host is
    not local. Raises DBError."""
    did = find_did(host)
    if did is None:
        return None
    return did, database().query(settings.domain_attrs_table,
                                 [settings.name_col, settings.type_col, settings.value_col],
                                 {settings.did_col: did}, order=["id"])


def _is_local(ctx: Context, host: str, what: str) -> int:
    return database.answer(ctx.log, what, lambda: 1 if find_did(host) is not None else -1, -1)


def _header_host(ctx: Context, header: str) -> str:
    req = request(ctx)
    if req is None:
        return ""
    try:
        if header == "ruri":
            uri: Any = req.new_ruri
        else:
            addr = req.from_
            uri = addr.uri if addr is not None else None
    except SIPError:
        return ""
    return uri.host if isinstance(uri, SipURI) else ""


@exports.function("is_from_local", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="Checks based on domain table if host part of From header uri is one of the local domains...")
def is_from_local(ctx: Context) -> int:
    """1 when the From URI's host is a local domain, else -1."""
    return _is_local(ctx, _header_host(ctx, "from"), "is_from_local")


@exports.function("is_uri_host_local", args=0, routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="If called from route or failure route block, checks based on domain table if host part of...")
def is_uri_host_local(ctx: Context) -> int:
    """1 when the R-URI's host is a local domain, else -1."""
    return _is_local(ctx, _header_host(ctx, "ruri"), "is_uri_host_local")


@exports.function("is_domain_local", args=1, formats=(0,), routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="This function checks if the domain contained in the parameter is local.")
def is_domain_local(ctx: Context, domain: Value) -> int:
    """1 when `domain` is a local domain, else -1."""
    return _is_local(ctx, to_str(domain).strip(), "is_domain_local")


@exports.function("lookup_domain", args=(1, 2), formats=(0, 1), routes=RouteType.REQUEST | RouteType.FAILURE | RouteType.BRANCH | RouteType.LOCAL, doc="This function checks if domain given in domain argument is local and, if so, adds...")
def lookup_domain(ctx: Context, domain: Value, prefix: Value = None) -> int:
    """For a local domain: `$avp(<prefix>did)` and the domain's attributes as AVPs; 1. -1
    when the domain is not local (or the database cannot answer)."""
    pre = to_str(prefix) if prefix is not None else ""
    found = database.answer(ctx.log, "lookup_domain",
                            lambda: domain_attributes(to_str(domain).strip()), None)
    if found is None:
        return -1
    did, rows = found
    ctx.avps.setdefault(f"{pre}did", []).append(did)
    for row in rows:
        value: Value = str(row[settings.value_col])
        if row[settings.type_col] == INT_TYPE:
            try:
                value = int(str(value))
            except ValueError:
                ctx.log.error("lookup_domain: attribute %s of %s is not an integer",
                              row[settings.name_col], did)
                continue
        ctx.avps.setdefault(f"{pre}{row[settings.name_col]}", []).append(value)
    return 1


@exports.rpc("domain.reload", "Causes domain module to re-read the contents of domain table into cache memory.", ())
def rpc_reload(ctx: Any) -> None:
    """Nothing to re-read: every check reads the table (kept for Kamailio's tools)."""
    try:
        database().count(settings.domain_table)
    except (DBError, ValueError) as exc:
        raise RPCFault(500, f"Domain table reload failed: {exc}") from None


@exports.rpc("domain.dump", "Causes domain module to dump domain names in its cache memory.", ())
def rpc_dump(ctx: Any) -> list[dict[str, str]]:
    """Every domain of the table with its did."""
    try:
        rows = database().query(settings.domain_table, [settings.domain_col, settings.did_col],
                                order=[settings.domain_col])
    except (DBError, ValueError) as exc:
        raise RPCFault(500, str(exc)) from None
    return [{"domain": str(r[settings.domain_col]),
             "did": str(r[settings.did_col] or r[settings.domain_col])} for r in rows]
