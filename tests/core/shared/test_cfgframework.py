"""The cfg framework: declared variables, set now or delayed + commit, seen by every process
at its next refresh (once per message)."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Iterator

import pytest

from siprouter.core.exports import ModuleExports
from siprouter.core.shared.cfgdecl import declare_core, declare_modules
from siprouter.core.shared.cfgframework import STR_CAPACITY, CfgError, CfgFramework
from siprouter.core.shared.worker import SharedState, start_worker


def _cfg() -> CfgFramework:
    cfg = CfgFramework()
    cfg.declare("core", "debug", int, 0, "debug level")
    cfg.declare("tm", "fr_timer", int, 30000, "final response timer", min=0)
    cfg.declare("tls", "cipher_list", str, "DEFAULT", "ciphers")
    return cfg


@pytest.fixture
def shared() -> Iterator[CfgFramework]:
    cfg = _cfg()
    seg = cfg.share()
    yield cfg
    cfg.close()
    seg.unlink()


def test_declared_variables_start_at_their_default():
    cfg = _cfg()
    assert cfg.get("tm", "fr_timer") == 30000
    assert cfg.get("tls", "cipher_list") == "DEFAULT"


def test_set_now_changes_the_value_at_once(shared):
    shared.set_now("core", "debug", 3)
    assert shared.get("core", "debug") == 3


def test_delayed_changes_apply_only_at_commit_and_all_together(shared):
    shared.set_delayed("core", "debug", 2)
    shared.set_delayed("tls", "cipher_list", "HIGH")
    assert shared.get("core", "debug") == 0
    assert [(d.name, old, new) for d, old, new in shared.diff()] == [
        ("debug", 0, 2), ("cipher_list", "DEFAULT", "HIGH")]
    shared.commit()
    assert (shared.get("core", "debug"), shared.get("tls", "cipher_list")) == (2, "HIGH")
    assert shared.diff() == []


def test_rollback_drops_prepared_changes(shared):
    shared.set_delayed("core", "debug", 2)
    shared.rollback()
    shared.commit()
    assert shared.get("core", "debug") == 0


def test_values_are_checked_against_the_declaration():
    cfg = _cfg()
    with pytest.raises(CfgError):
        cfg.set_now("tm", "fr_timer", "soon")
    with pytest.raises(CfgError):
        cfg.set_now("tm", "fr_timer", -1)
    with pytest.raises(CfgError):
        cfg.set_now("tls", "cipher_list", "x" * (STR_CAPACITY + 1))
    with pytest.raises(CfgError, match="unknown cfg group"):
        cfg.get("nope", "x")
    with pytest.raises(CfgError, match="unknown cfg variable"):
        cfg.get("core", "nope")


def test_a_numeric_string_sets_an_int_variable():
    cfg = _cfg()
    cfg.set_now("core", "debug", "3")
    assert cfg.get("core", "debug") == 3


def test_a_change_callback_runs_with_the_current_and_each_new_value(shared):
    seen = []
    shared.on_change("core", "debug", seen.append)
    shared.set_now("core", "debug", 3)
    assert seen == [0, 3]


def test_reset_group_restores_defaults(shared):
    shared.set_now("tm", "fr_timer", 1000)
    shared.reset_group("tm")
    assert shared.get("tm", "fr_timer") == 30000


def test_core_group_and_module_runtime_params_are_declared_with_config_values():
    mod = ModuleExports("registrar")
    mod.param("default_expires", int, 3600, runtime=True, doc="default expires")
    mod.param("db_url", str, "", doc="not runtime")
    cfg = CfgFramework()
    declare_core(cfg, {"debug": 3})
    declare_modules(cfg, [mod], {("registrar", "default_expires"): 1800})
    assert cfg.get("core", "debug") == 3
    assert cfg.get("core", "max_while_loops") == 100
    assert cfg.get("registrar", "default_expires") == 1800
    assert [d.name for d in cfg.variables("registrar")] == ["default_expires"]


def test_a_module_param_range_is_checked_by_cfg_set_not_at_start():
    # As Kamailio: modparam("tm", "cancel_b_method", ...) out of 0..2 is taken at start (tm's
    # own start-up check decides about it), cfg.set refuses it
    mod = ModuleExports("tm")
    mod.param("cancel_b_method", int, 1, runtime=True, range=(0, 2))
    cfg = CfgFramework()
    declare_modules(cfg, [mod], {("tm", "cancel_b_method"): 5})
    assert cfg.get("tm", "cancel_b_method") == 5
    seg = cfg.share()
    try:
        with pytest.raises(CfgError, match=r"tm.cancel_b_method must be in 0..2"):
            cfg.set_now("tm", "cancel_b_method", 3)
        cfg.set_now("tm", "cancel_b_method", 2)
        assert cfg.get("tm", "cancel_b_method") == 2
    finally:
        cfg.close()
        seg.unlink()


def _worker(cfg: CfgFramework, go: mp.Queue, out: mp.Queue) -> None:
    while True:
        msg = go.get(timeout=60)
        if msg == "stop":
            return
        cfg.refresh()  # what a worker does before each message
        out.put((cfg.get("core", "debug"), cfg.get("tls", "cipher_list")))


def test_a_forked_worker_sees_a_commit_at_its_next_message(shared):
    ctx = mp.get_context("fork")
    go, out = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_worker, args=(shared, go, out))
    p.start()
    try:
        go.put("msg")
        assert out.get(timeout=60) == (0, "DEFAULT")
        shared.set_delayed("core", "debug", 4)
        shared.set_delayed("tls", "cipher_list", "HIGH:!aNULL")
        go.put("msg")
        assert out.get(timeout=60) == (0, "DEFAULT")
        shared.commit()
        go.put("msg")
        assert out.get(timeout=60) == (4, "HIGH:!aNULL")
    finally:
        go.put("stop")
        p.join(60)


def _spawned(state: SharedState, out: mp.Queue) -> None:
    cfg = state.join(rank=0)
    out.put(cfg.get("tm", "fr_timer"))


def test_a_spawned_process_joins_by_path(shared):
    shared.set_now("tm", "fr_timer", 5000)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    p = ctx.Process(target=_spawned, args=(SharedState(None, shared.segment.path), out))
    p.start()
    assert out.get(timeout=60) == 5000
    p.join(60)


def test_start_worker_keeps_the_worker_state_in_step(shared):
    class State:
        max_while_loops = 0

    cfg = CfgFramework()
    declare_core(cfg)
    seg = cfg.share()
    try:
        state = State()
        start_worker(0, cfg, worker_state=state)
        assert state.max_while_loops == 100
        cfg.set_now("core", "max_while_loops", 7)
        assert state.max_while_loops == 7
    finally:
        cfg.close()
        seg.unlink()
