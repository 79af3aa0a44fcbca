"""htable as a config uses it: `$sht(table=>key)` reads, writes, `$null` removal, autoexpire,
the sht_* functions, the RPCs, bad definitions and bad input without a traceback, and items
shared between processes through the store's file."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from typing import Any

import pytest

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import default_registry
from siprouter.core.rpc.errors import RPCFault
from siprouter.core.runtime.compiler import compile_config
from siprouter.modules import htable
from tests.modules.htable import helpers

MODULES = ("sl", "pv", "xlog", "htable")
OPTIONS = (b"OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5062;"
           b"branch=z9hG4bK-1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>"
           b"\r\nCall-ID: ht-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")


@pytest.fixture(autouse=True)
def tables() -> Iterator[None]:
    """ipban (autoexpire 300) and counters (initval 0) in a fresh in-memory store."""
    htable.settings.htable = ["ipban=>size=8;autoexpire=300;", "counters=>initval=0;"]
    htable.store.reset()
    yield
    htable.settings.htable = []
    htable.store.reset()


class Script(helpers.Script):
    """A request_route with this file's modules."""

    MODULES = MODULES
    MESSAGE = OPTIONS


def test_missing_item_reads_null_and_a_set_one_reads_back() -> None:
    script = Script('$var(before) = $sht(ipban=>$si); $sht(ipban=>$si) = 1;'
                    '$var(after) = $sht(ipban=>$si);')
    ctx = script.run()
    assert ctx.vars["before"] == 0  # $var() stores $null as 0
    assert ctx.vars["after"] == 1
    assert htable.store.get("ipban", "198.51.100.7", script.clock.now) == 1


def test_null_comparison_as_the_antiflood_block_writes_it() -> None:
    script = Script('if ($sht(ipban=>$si) != $null) { $var(banned) = 1; } '
                    'else { $var(banned) = 0; $sht(ipban=>$si) = 1; }')
    assert script.run().vars["banned"] == 0
    assert script.run().vars["banned"] == 1


def test_assigning_null_removes_the_item() -> None:
    script = Script('$sht(ipban=>x) = "a"; $sht(ipban=>x) = $null;')
    script.run()
    assert htable.store.get("ipban", "x", script.clock.now) is None


def test_autoexpire_forgets_the_item_after_its_seconds() -> None:
    script = Script('$sht(ipban=>$si) = 1;')
    script.run()
    script.clock.now += 299
    assert htable.store.get("ipban", "198.51.100.7", script.clock.now) == 1
    script.clock.now += 2
    assert htable.store.get("ipban", "198.51.100.7", script.clock.now) is None


def test_shtex_reads_the_seconds_left_and_can_change_them() -> None:
    script = Script('$sht(ipban=>k) = 1; $var(left) = $shtex(ipban=>k); $shtex(ipban=>k) = 5;'
                    '$var(after) = $shtex(ipban=>k);')
    ctx = script.run()
    assert ctx.vars["left"] == 300
    assert ctx.vars["after"] == 5


def test_initval_is_what_a_missing_item_reads_and_shtinc_counts() -> None:
    script = Script('$var(zero) = $sht(counters=>n); $var(a) = $shtinc(counters=>n);'
                    '$var(b) = $shtinc(counters=>n); $var(c) = $shtdec(counters=>n);')
    ctx = script.run()
    assert (ctx.vars["zero"], ctx.vars["a"], ctx.vars["b"], ctx.vars["c"]) == (0, 1, 2, 1)


def test_sht_rm_and_regular_expression_removal() -> None:
    script = Script('$sht(ipban=>10.0.0.1) = 1; $sht(ipban=>10.0.0.2) = "x";'
                    '$sht(ipban=>192.0.2.1) = 1; sht_rm("ipban", "10.0.0.1");'
                    'sht_rm_value_re("ipban=>^x$"); $var(rc) = $rc;')
    ctx = script.run()
    assert ctx.vars["rc"] == 1
    assert [n for n, _, _ in htable.store.items("ipban", script.clock.now)] == ["192.0.2.1"]
    Script('sht_rm_name_re("ipban=>^192\\.");').run()
    assert htable.store.items("ipban", script.clock.now) == []


def test_sht_rm_name_with_operators_and_sht_reset() -> None:
    script = Script('$sht(counters=>abc) = 1; $sht(counters=>xbc) = 2;'
                    'sht_rm_name("counters", "sw", "a");')
    script.run()
    assert [n for n, _, _ in htable.store.items("counters", script.clock.now)] == ["xbc"]
    Script('sht_reset("counters");').run()
    assert htable.store.items("counters", script.clock.now) == []


def test_sht_setxs_sets_a_value_with_its_own_expiry() -> None:
    script = Script('sht_setxs("counters", "k", "v", "10");')
    script.run()
    assert htable.store.get("counters", "k", script.clock.now + 9) == "v"
    assert htable.store.get("counters", "k", script.clock.now + 11) is None


@pytest.mark.parametrize("body", [
    '$var(x) = $sht(nosuch=>k);',
    '$sht(nosuch=>k) = 1;',
    'sht_rm("nosuch", "k");',
    'sht_rm_name_re("no arrow");',
    'sht_rm_name_re("ipban=>([");',
    'sht_rm_name("ipban", "zz", "x");',
    'sht_print();',
])
def test_bad_input_is_logged_not_raised(body: str) -> None:
    Script(body).run()


def test_a_pv_without_an_arrow_is_a_compile_error() -> None:
    config, diags = parse_text('loadmodule "htable.so"\nrequest_route { $var(x) = $sht(k); }\n',
                               "t.cfg")
    with pytest.raises(Exception, match="table=>key"):
        compile_config(config, default_registry().loaded(("htable",)))


@pytest.mark.parametrize("text", ["ipban", "=>size=8;", "t=>autoexpire=x;", "t=>size;",
                                  "t=>autoexpire=-1;"])
def test_bad_table_definitions_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        htable.parse_table_def(text)


def test_a_bad_definition_is_left_out_and_the_others_stay() -> None:
    htable.settings.htable = ["broken", "good=>autoexpire=1;"]
    assert list(htable.tables()) == ["good"]


def test_rpcs_get_sets_dump_and_errors() -> None:
    htable.rpc_sets(None, "ipban", "1.2.3.4", "yes")
    htable.rpc_seti(None, "counters", "n", "7")
    assert htable.rpc_get(None, "ipban", "1.2.3.4") == {"item": {"name": "1.2.3.4",
                                                                 "value": "yes"}}
    (entry,) = htable.rpc_dump(None, "counters")
    assert entry["name"] == "n" and entry["value"] == 7 and entry["type"] == "int"
    with pytest.raises(RPCFault):
        htable.rpc_get(None, "ipban", "nope")
    with pytest.raises(RPCFault):
        htable.rpc_dump(None, "nosuch")
    with pytest.raises(RPCFault):
        htable.rpc_seti(None, "counters", "n", "seven")
    htable.rpc_delete(None, "ipban", "1.2.3.4")
    htable.rpc_flush(None, "counters")
    assert htable.rpc_dump(None, "counters") == []
    assert {t["name"] for t in htable.rpc_list_tables(None)} == {"ipban", "counters"}


def _ban_in_child(url: str) -> None:
    htable.store.url = url
    htable.store._db = None  # the child opens its own connection to the same file
    htable.store.set("ipban", "203.0.113.9", 1, 0)


def test_an_item_written_by_another_process_is_seen() -> None:
    htable.store.create()
    try:
        assert htable.store.url is not None
        child: Any = multiprocessing.get_context("fork").Process(
            target=_ban_in_child, args=(htable.store.url,))
        child.start()
        child.join(10)
        assert child.exitcode == 0
        assert htable.store.get("ipban", "203.0.113.9", 0) == 1
    finally:
        htable.store.remove_file()
