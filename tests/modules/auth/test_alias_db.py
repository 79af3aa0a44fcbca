"""alias_db against a real SQLite dbaliases table."""

from __future__ import annotations

import pytest

from siprouter.core.db import Database
from siprouter.core.sip import SIPRequest
from siprouter.modules import alias_db
from tests.modules.auth.helpers import context, request


@pytest.fixture(autouse=True)
def aliases(db: Database) -> Database:
    for alias, user, domain in (("sales", "alice", "example.com"),
                                ("sales", "carol", "example.org"),
                                ("boss", "bob", "example.com")):
        db.insert("dbaliases", {"alias_username": alias, "alias_domain": "example.com",
                                "username": user, "domain": domain})
    return db


def lookup(ruri: str, flags: str | None = None) -> tuple[int, str]:
    ctx, _ = context(request("INVITE", ruri=ruri))
    code = alias_db.alias_db_lookup(ctx, "dbaliases", flags)
    assert ctx.sip is not None
    assert isinstance(ctx.msg, SIPRequest)
    return code, str(ctx.msg.new_ruri)


def test_alias_replaces_the_ruri() -> None:
    assert lookup("sip:boss@example.com") == (1, "sip:bob@example.com")


def test_not_an_alias_leaves_the_ruri() -> None:
    assert lookup("sip:nobody@example.com") == (-1, "sip:nobody@example.com")


def test_domain_counts_with_use_domain_or_u() -> None:
    assert lookup("sip:boss@elsewhere.net")[0] == 1  # use_domain 0: the user alone
    assert lookup("sip:boss@elsewhere.net", "u")[0] == -1
    alias_db.configure(db_url=alias_db.settings.db_url, use_domain=True)
    assert lookup("sip:boss@elsewhere.net")[0] == -1
    assert lookup("sip:boss@elsewhere.net", "d")[0] == 1


def test_several_targets_become_branches_with_append_branches() -> None:
    alias_db.configure(db_url=alias_db.settings.db_url, append_branches=True)
    ctx, _ = context(request("INVITE", ruri="sip:sales@example.com"))
    assert alias_db.alias_db_lookup(ctx, "dbaliases") == 1
    assert ctx.sip is not None
    assert [b.uri for b in ctx.sip.branches] == ["sip:carol@example.org"]


def test_reverse_lookup_finds_the_alias() -> None:
    ctx, _ = context(request("INVITE"))
    assert alias_db.alias_db_find(ctx, "dbaliases", "sip:bob@example.com", "$avp(a)", "r") == 1
    assert ctx.avps["a"] == ["sip:boss@example.com"]


@pytest.mark.parametrize(("table", "uri"), [("dbaliases", "not a uri"),
                                            ("dbaliases", "sip:example.com"),
                                            ("missing_table", "sip:boss@example.com"),
                                            ("x; drop table", "sip:boss@example.com")])
def test_bad_input_is_minus_1(table: str, uri: str) -> None:
    ctx, _ = context(request("INVITE"))
    assert alias_db.alias_db_find(ctx, table, uri, "$avp(a)") == -1
