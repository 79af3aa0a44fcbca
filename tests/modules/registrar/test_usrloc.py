"""usrloc's db_modes, expiry timer and RPCs, driven through save()/lookup() and the service."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from siprouter.core.db import connect
from siprouter.core.db.location import LocationTable
from siprouter.core.rpc.errors import RPCFault
from siprouter.core.shared.counters import COUNTERS
from siprouter.modules import usrloc
from tests.modules.registrar.helpers import FakeClock, Script, invite, register

SAVE = Script('save("location");')
LOOKUP = Script('lookup("location"); $var(rc) = $rc;')


def in_db(url: str) -> list[str]:
    return [b.contact for b in LocationTable(connect(url), "location").all()]


def restart(setup, url: str, mode: int) -> usrloc.Usrloc:
    """A new service over the same database with an empty cache: what a restart sees."""
    return setup(db_mode=mode, db_url=url, cache="sqlite://:memory:")


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'persist.db'}"


def test_mode_0_keeps_nothing_in_the_database(setup, url: str) -> None:
    setup(db_mode=0, db_url=url)
    SAVE.run(register(expires=600))
    assert LOOKUP.run(invite()).code == 1
    assert not Path(url[len("sqlite://"):]).exists()


def test_mode_1_writes_through_and_survives_a_restart(setup, url: str) -> None:
    setup(db_mode=1, db_url=url)
    SAVE.run(register(expires=600))
    assert in_db(url) == ["sip:alice@198.51.100.7:5062"]
    restart(setup, url, 1)
    assert LOOKUP.run(invite()).code == 1


def test_mode_2_writes_back_on_the_timer(setup, url: str) -> None:
    ul = setup(db_mode=2, db_url=url)
    SAVE.run(register(expires=600))
    assert in_db(url) == []
    ul.timer()
    assert in_db(url) == ["sip:alice@198.51.100.7:5062"]
    SAVE.run(register(expires=0, cseq=2))
    assert in_db(url) == ["sip:alice@198.51.100.7:5062"]
    assert ul.flush() == 1
    assert in_db(url) == []


def test_mode_2_flushes_when_closed(setup, url: str) -> None:
    ul = setup(db_mode=2, db_url=url)
    SAVE.run(register(expires=600))
    ul.close()
    restart(setup, url, 2)
    assert LOOKUP.run(invite()).code == 1


def test_save_flag_1_keeps_the_binding_out_of_the_database(setup, url: str) -> None:
    setup(db_mode=1, db_url=url)
    Script('save("location", "0x01");').run(register(expires=600))
    assert in_db(url) == [] and LOOKUP.run(invite()).code == 1


def test_mode_3_every_node_reads_the_database(setup, url: str, clock: FakeClock) -> None:
    setup(db_mode=3, db_url=url)
    SAVE.run(register(expires=600))
    other_node = usrloc.Usrloc(usrloc.UsrlocSettings(db_mode=3, db_url=url), clock=clock)
    assert [b.contact for b in other_node.bindings("location", "alice")] == [
        "sip:alice@198.51.100.7:5062"]


def test_the_timer_removes_expired_bindings(setup, url: str, clock: FakeClock) -> None:
    ul = setup(db_mode=1, db_url=url)
    SAVE.run(register(contacts=["<sip:alice@192.0.2.1>;expires=60",
                                "<sip:alice@192.0.2.2>;expires=600"]))
    expired = COUNTERS.define("usrloc", "location_expires")  # as the loaded module declares it
    before = expired.get()
    clock.now += 120
    assert ul.expire() == 1
    assert expired.get() - before == 1  # usrloc:location_expires, as Kamailio counts it
    assert in_db(url) == ["sip:alice@192.0.2.2"]
    assert [b.contact for b in ul.dump("location")["alice"]] == ["sip:alice@192.0.2.2"]


def test_a_database_error_is_500_and_minus_1_with_one_log_line(
        setup, clock: FakeClock, caplog: pytest.LogCaptureFixture) -> None:
    setup(db_mode=3, db_url="postgres://nobody:pw@127.0.0.1:1/none")
    r = Script('save("location"); $var(rc) = $rc;').run(register(expires=600))
    assert (r.reply.status, r.ctx.vars["rc"]) == (500, -1)
    assert LOOKUP.run(invite()).ctx.vars["rc"] == -3
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert errors and all("Traceback" not in rec.getMessage() for rec in errors)
    assert len([e for e in errors if e.name == "siprouter.db"]) == 1


def test_a_location_table_of_another_version_is_refused(setup, url: str) -> None:
    db = connect(url)
    db.update("version", {"table_version": 6}, {"table_name": "location"})
    setup(db_mode=3, db_url=url)
    r = Script('save("location");').run(register(expires=600))
    assert r.reply.status == 500


# --- RPC ------------------------------------------------------------------------------------------

def test_ul_dump_lookup_rm_and_add(setup) -> None:
    SAVE.run(register(contacts=["<sip:alice@192.0.2.1>", "<sip:alice@192.0.2.2>"], expires=600))
    dump = usrloc.rpc_dump(None)
    (domain,) = dump["Domains"]
    (aor,) = domain["Domain"]["AoRs"]
    assert aor["Info"]["AoR"] == "alice" and len(aor["Info"]["Contacts"]) == 2
    got = usrloc.rpc_lookup(None, "location", "alice")
    assert got["Contacts"][0]["Contact"]["Expires"] == 600
    usrloc.rpc_rm_contact(None, "location", "alice", "sip:alice@192.0.2.1")
    assert len(usrloc.rpc_lookup(None, "location", "alice")["Contacts"]) == 1
    usrloc.rpc_rm(None, "location", "alice")
    with pytest.raises(RPCFault) as exc:
        usrloc.rpc_lookup(None, "location", "alice")
    assert (exc.value.code, exc.value.message) == (500, "AOR not found in location table")
    usrloc.rpc_rm(None, "location", "alice")  # gone already: no error, as in Kamailio
    usrloc.rpc_add(None, "location", "bob", "sip:bob@192.0.2.9", 300, 0.5, ".", 0, 0, -1)
    assert LOOKUP.run(invite("sip:bob@example.com")).code == 1


def test_ul_rpcs_refuse_unknown_tables_and_contacts(setup) -> None:
    with pytest.raises(RPCFault) as exc:
        usrloc.rpc_lookup(None, "nosuch", "alice")
    assert (exc.value.code, exc.value.message) == (500, "Domain table not found")
    SAVE.run(register(expires=600))
    with pytest.raises(RPCFault):
        usrloc.rpc_rm_contact(None, "location", "alice", "sip:other@192.0.2.1")


def test_ul_flush_writes_back_in_mode_2(setup, url: str) -> None:
    setup(db_mode=2, db_url=url)
    SAVE.run(register(expires=600))
    usrloc.rpc_flush(None)
    assert in_db(url) == ["sip:alice@198.51.100.7:5062"]


def test_db_counts(setup, url: str) -> None:
    setup(db_mode=1, db_url=url)
    SAVE.run(register(contacts=["<sip:alice@192.0.2.1>", "<sip:alice@192.0.2.2>"], expires=600))
    assert usrloc.rpc_db_users(None, "location") == {"User count": 1}
    assert usrloc.rpc_db_contacts(None, "location") == {"Contact count": 2}


def _save_many(cache: str, db_url: str, mode: int, first: int, count: int) -> None:
    """In a forked process: save `count` users through a usrloc of its own over `cache`."""
    from siprouter.core.db.location import Binding

    svc = usrloc.Usrloc(usrloc.UsrlocSettings(db_mode=mode, db_url=db_url),
                        cache_url=cache)
    now = svc.clock()
    for i in range(first, first + count):
        b = Binding(aor=f"user{i}", contact=f"sip:user{i}@192.0.2.1", expires=now + 600)
        svc.apply("location", [usrloc.Change("insert", b)])
    svc.close()


@pytest.mark.parametrize("mode", [0, 1])
def test_processes_writing_at_once_all_land_and_the_lock_file_goes(
        tmp_path: Path, url: str, mode: int) -> None:
    """Workers of one server write the shared cache (and in db_mode 1 a local SQLite database)
    at the same time: every binding lands, and a clean stop removes the cache's lock file."""
    import multiprocessing

    cache_file = tmp_path / "shm" / "siprouter-usrloc-1-ab.db"
    cache = f"sqlite://{cache_file}"
    owner = usrloc.Usrloc(usrloc.UsrlocSettings(db_mode=mode, db_url=url), cache_url=cache)
    assert owner.dump("location") == {}  # creates the cache table, as the server does at start
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_save_many, args=(cache, url, mode, n * 300, 300))
             for n in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert len(owner.dump("location")) == 900
    if mode == 1:
        assert len(in_db(url)) == 900
    assert (tmp_path / "shm" / "siprouter-usrloc-1-ab.lock.db").exists()
    owner.close(remove_cache=True)
    assert list((tmp_path / "shm").iterdir()) == []
