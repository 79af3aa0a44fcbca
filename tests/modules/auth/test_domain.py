"""domain against real SQLite domain and domain_attrs tables."""

from __future__ import annotations

import pytest

from siprouter.core.db import Database
from siprouter.core.rpc.errors import RPCFault
from siprouter.modules import domain
from tests.modules.auth.helpers import context, request


@pytest.fixture(autouse=True)
def domains(db: Database) -> Database:
    db.insert("domain", {"domain": "example.com", "did": "d1"})
    db.insert("domain", {"domain": "example.net"})
    db.insert("domain_attrs", {"did": "d1", "name": "max_calls", "type": 0, "value": "10"})
    db.insert("domain_attrs", {"did": "d1", "name": "tier", "type": 2, "value": "gold"})
    return db


def test_is_from_local() -> None:
    ctx, _ = context(request("INVITE"))
    assert domain.is_from_local(ctx) == 1
    ctx, _ = context(request("INVITE").replace(b"alice@example.com>;tag", b"a@example.org>;tag"))
    assert domain.is_from_local(ctx) == -1


def test_is_uri_host_local() -> None:
    ctx, _ = context(request("INVITE", ruri="sip:bob@EXAMPLE.net"))
    assert domain.is_uri_host_local(ctx) == 1
    ctx, _ = context(request("INVITE", ruri="sip:bob@example.org"))
    assert domain.is_uri_host_local(ctx) == -1


@pytest.mark.parametrize(("name", "code"), [("example.com", 1), ("Example.COM", 1),
                                            ("example.org", -1), ("", -1)])
def test_is_domain_local(name: str, code: int) -> None:
    ctx, _ = context(request())
    assert domain.is_domain_local(ctx, name) == code


def test_lookup_domain_sets_did_and_attributes_with_a_prefix() -> None:
    ctx, _ = context(request())
    assert domain.lookup_domain(ctx, "example.com", "from_") == 1
    assert ctx.avps == {"from_did": ["d1"], "from_max_calls": [10], "from_tier": ["gold"]}


def test_lookup_domain_without_did_uses_the_domain() -> None:
    ctx, _ = context(request())
    assert domain.lookup_domain(ctx, "example.net") == 1
    assert ctx.avps == {"did": ["example.net"]}
    assert domain.lookup_domain(ctx, "example.org") == -1


def test_rpcs() -> None:
    assert domain.rpc_dump(None) == [{"domain": "example.com", "did": "d1"},
                                     {"domain": "example.net", "did": "example.net"}]
    domain.rpc_reload(None)
    domain.configure(db_url=domain.settings.db_url, domain_table="missing")
    with pytest.raises(RPCFault):
        domain.rpc_dump(None)
    ctx, _ = context(request())
    assert domain.is_domain_local(ctx, "example.com") == -1  # no table: not local, no crash
