"""pike as Kamailio's default config uses it: requests counted per source IP and sampling
unit, -2 when an IP first exceeds reqs_density_per_unit, -1 while it stays blocked, unblocked
by a calm unit; other IPs unaffected; counters shared between processes; bad input allowed
with a log line (as Kamailio's internal errors are)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from typing import Any

import pytest

from siprouter.modules import htable, pike
from tests.modules.htable import helpers

MODULES = ("sl", "pv", "xlog", "htable", "pike")
OPTIONS = (b"OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5062;"
           b"branch=z9hG4bK-1\r\nFrom: <sip:a@example.com>;tag=1\r\nTo: <sip:bob@example.com>"
           b"\r\nCall-ID: pk-1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
# Kamailio's default config's ANTIFLOOD block (without its src_ip!=myself exemption).
ANTIFLOOD = """
if ($sht(ipban=>$si) != $null) { $var(out) = "banned"; exit; }
if (!pike_check_req()) { $var(out) = "blocked"; $sht(ipban=>$si) = 1; exit; }
$var(out) = "passed";
"""


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    """density 3 per 2 s unit, ipban expiring after 10 s, fresh in-memory stores."""
    pike.settings.sampling_time_unit = 2
    pike.settings.reqs_density_per_unit = 3
    pike.settings.remove_latency = 4
    htable.settings.htable = ["ipban=>size=8;autoexpire=10;"]
    pike.counters.reset()
    htable.store.reset()
    yield
    for name, value in vars(pike.PikeSettings()).items():
        setattr(pike.settings, name, value)
    htable.settings.htable = []
    pike.counters.reset()
    htable.store.reset()


class Script(helpers.Script):
    """A request_route with this file's modules."""

    MODULES = MODULES
    MESSAGE = OPTIONS


def codes(script: Script, n: int, src_ip: str = "198.51.100.7") -> list[Any]:
    return [script.run(src_ip).vars["rc"] for _ in range(n)]


CHECK = "pike_check_req(); $var(rc) = $rc;"


def test_requests_up_to_the_density_pass_then_minus_2_then_minus_1() -> None:
    assert codes(Script(CHECK), 6) == [1, 1, 1, -2, -1, -1]


def test_other_addresses_are_counted_apart() -> None:
    script = Script(CHECK)
    codes(script, 5)
    assert codes(script, 1, "192.0.2.44") == [1]


def test_a_block_lasts_through_the_next_unit_and_a_calm_unit_lifts_it() -> None:
    script = Script(CHECK)
    codes(script, 5)
    script.clock.now += 2  # next unit: the one just ended exceeded, still blocked
    assert codes(script, 1) == [-1]
    script.clock.now += 2  # a unit after a calm one: allowed again
    assert codes(script, 1) == [1]


def test_pike_check_ip_counts_the_given_address() -> None:
    script = Script('pike_check_ip("$si"); $var(rc) = $rc;')
    assert codes(script, 4) == [1, 1, 1, -2]


@pytest.mark.parametrize("body", ['pike_check_ip("not-an-ip"); $var(rc) = $rc;',
                                  'pike_check_ip(""); $var(rc) = $rc;'])
def test_a_bad_address_is_allowed_and_logged(body: str) -> None:
    assert codes(Script(body), 1) == [1]


def test_the_antiflood_block_bans_then_the_ban_expires() -> None:
    script = Script(ANTIFLOOD)
    outs = [script.run().vars["out"] for _ in range(6)]
    assert outs == ["passed", "passed", "passed", "blocked", "banned", "banned"]
    script.clock.now += 11  # past ipban's autoexpire; pike's unit long gone by
    assert script.run().vars["out"] == "passed"


def test_pike_top_lists_the_blocked_address_as_hot() -> None:
    script = Script(CHECK)
    codes(script, 4)
    codes(script, 1, "192.0.2.44")
    pike.counters.sweep(script.clock.now)
    entries = pike.counters.top(script.clock.now)
    assert [(e["ip_addr"], e["status"], e["leaf_hits_curr"]) for e in entries] == [
        ("198.51.100.7", "HOT", 4), ("192.0.2.44", "WARM", 1)]


def test_idle_addresses_are_forgotten_after_remove_latency() -> None:
    script = Script(CHECK)
    codes(script, 1)
    pike.counters.sweep(script.clock.now + 5)
    assert pike.counters.top(script.clock.now + 5) == []


def _hit_in_child(url: str, now: float) -> None:
    pike.counters.url = url
    pike.counters._db = None  # the child opens its own connection to the same file
    for _ in range(3):
        pike.counters.check("203.0.113.9", now)


def test_counts_from_another_process_add_up() -> None:
    pike.counters.create()
    try:
        assert pike.counters.url is not None
        now = 1_000_000.0
        child: Any = multiprocessing.get_context("fork").Process(
            target=_hit_in_child, args=(pike.counters.url, now))
        child.start()
        child.join(10)
        assert child.exitcode == 0
        assert pike.counters.check("203.0.113.9", now) == pike.NEWLY_BLOCKED
    finally:
        pike.counters.remove_file()
