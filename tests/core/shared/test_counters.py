"""Counters: defined once, incremented per process, summed on read; in one process, shared
across forked processes (each in its own row) and joined by a spawned process."""

from __future__ import annotations

import multiprocessing as mp

import pytest

from siprouter.core.shared.counters import CounterError, CounterSet


def test_a_defined_counter_starts_at_zero_and_counts_increments():
    cs = CounterSet()
    c = cs.define("sl", "200_replies", "number of 200 replies")
    c.inc()
    c.inc(4)
    assert cs.value("sl", "200_replies") == 5
    assert c.get() == 5


def test_defining_the_same_counter_twice_gives_the_same_handle():
    cs = CounterSet()
    assert cs.define("g", "n") is cs.define("g", "n")


def test_groups_and_names_are_listed_sorted_as_kamailio_sorts_them():
    cs = CounterSet()
    cs.define("tm", "freed", "transactions freed")
    cs.define("sl", "sent_replies", "replies sent")
    cs.define("tm", "created", "transactions created")
    cs.define("sl", "received_ACKs", "ACKs")
    cs.define("sl", "200_replies", "200s")
    assert cs.groups() == ["sl", "tm"]
    assert cs.names("tm") == ["created", "freed"]
    assert cs.names("sl") == ["200_replies", "received_ACKs", "sent_replies"]  # byte order
    assert [d.key for d in cs.definitions()] == [
        "sl.200_replies", "sl.received_ACKs", "sl.sent_replies", "tm.created", "tm.freed"]
    assert cs.doc("sl", "sent_replies") == "replies sent"


def test_unknown_counter_or_group_is_a_counter_error():
    cs = CounterSet()
    with pytest.raises(CounterError):
        cs.value("nope", "x")
    with pytest.raises(CounterError):
        cs.names("nope")


def test_reset_starts_counting_from_zero_again():
    cs = CounterSet()
    c = cs.define("g", "n")
    c.inc(7)
    cs.reset("g", "n")
    c.inc()
    assert c.get() == 1


def test_a_counter_with_a_getter_reads_the_getter_and_raw_reads_the_store():
    cs = CounterSet()
    c = cs.define("shmem", "used_size", getter=lambda: 4096)
    c.inc(3)
    assert cs.value("shmem", "used_size") == 4096
    assert cs.raw("shmem", "used_size") == 3


def test_many_counters_survive_growing_the_private_store():
    cs = CounterSet()
    handles = [cs.define("g", f"c{i}") for i in range(300)]
    for i, h in enumerate(handles):
        h.inc(i)
    assert [cs.value("g", f"c{i}") for i in range(300)] == list(range(300))


def test_sharing_keeps_the_counts_so_far_and_forbids_new_definitions():
    cs = CounterSet()
    c = cs.define("g", "n")
    c.inc(2)
    seg = cs.share(processes=3)
    try:
        assert c.get() == 2
        with pytest.raises(CounterError):
            cs.define("g", "late")
    finally:
        cs.close()
        seg.unlink()


def test_each_rank_counts_in_its_own_row_and_readers_sum_them():
    cs = CounterSet()
    c = cs.define("g", "n")
    seg = cs.share(processes=3)
    try:
        for rank in range(3):
            cs.bind(rank)
            c.inc(rank + 1)
        assert c.get() == 6
        with pytest.raises(CounterError):
            cs.bind(3)
    finally:
        cs.close()
        seg.unlink()


def _forked_worker(cs: CounterSet, rank: int, n: int) -> None:
    cs.bind(rank)
    counter = cs.handle("sl", "sent_replies")
    for _ in range(n):
        counter.inc()


def test_forked_workers_increment_without_losing_counts():
    cs = CounterSet()
    cs.define("sl", "sent_replies")
    seg = cs.share(processes=5)
    try:
        ctx = mp.get_context("fork")
        procs = [ctx.Process(target=_forked_worker, args=(cs, rank, 10000))
                 for rank in range(1, 5)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0, 0, 0, 0]
        assert cs.value("sl", "sent_replies") == 40000
    finally:
        cs.close()
        seg.unlink()


def _spawned_worker(path: str, rank: int, q: mp.Queue) -> None:
    cs = CounterSet()
    mine = cs.define("sl", "sent_replies")  # as a re-imported module would
    cs.join(path, rank)
    mine.inc(5)
    q.put(cs.value("sl", "sent_replies"))


def test_a_spawned_process_joins_by_path_and_shares_the_counters():
    cs = CounterSet()
    cs.define("tm", "created")
    c = cs.define("sl", "sent_replies")
    c.inc(1)
    seg = cs.share(processes=2)
    try:
        ctx = mp.get_context("spawn")
        q = ctx.Queue()
        p = ctx.Process(target=_spawned_worker, args=(seg.path, 1, q))
        p.start()
        seen_by_child = q.get(timeout=60)
        p.join(60)
        assert p.exitcode == 0
        assert seen_by_child == 6
        assert c.get() == 6
    finally:
        cs.close()
        seg.unlink()


def test_joining_without_a_counter_the_process_defined_is_refused():
    cs = CounterSet()
    cs.define("g", "a")
    seg = cs.share(processes=1)
    try:
        other = CounterSet()
        other.define("g", "b")
        with pytest.raises(CounterError):
            other.join(seg.path, 0)
    finally:
        cs.close()
        seg.unlink()
