"""Pseudo-variables: $var, $avp, $xavp, $shv, $rc, $null, $TV and the PV-class table."""

from __future__ import annotations

import pytest

from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.pv import (
    PVError,
    compile_format,
    compile_pv,
    register_pv_class,
)


def ctx() -> Context:
    return Context(worker=WorkerState(vars={}, shared={}, clock=lambda: 1700000000.25))


def test_var_reads_zero_before_any_assignment() -> None:
    assert compile_pv("$var(never)").get(ctx()) == 0


def test_var_assigned_null_becomes_zero() -> None:
    c = ctx()
    pv = compile_pv("$var(x)")
    assert pv.set is not None
    pv.set(c, "a")
    pv.set(c, None)
    assert pv.get(c) == 0


def test_var_survives_into_the_next_message_of_the_worker(h) -> None:  # type: ignore[no-untyped-def]
    script = h.compile("request_route { $var(n) = $var(n) + 1; }")
    for _ in range(3):
        script.run("request_route", h.context())
    assert h.worker.vars["n"] == 3


def test_avp_assignment_pushes_and_read_gives_newest() -> None:
    c = ctx()
    pv = compile_pv("$avp(x)")
    assert pv.set is not None
    pv.set(c, 1)
    pv.set(c, "two")
    assert pv.get(c) == "two"
    assert compile_pv("$(avp(x)[1])").get(c) == 1
    assert compile_pv("$(avp(x)[-1])").get(c) == 1
    assert compile_pv("$(avp(x)[2])").get(c) is None


def test_avp_star_reads_all_values_newest_first() -> None:
    c = ctx()
    c.avps["x"] = [1, 2, 3]
    assert compile_pv("$(avp(x)[*])").get(c) == "3,2,1"


def test_avp_null_deletes_the_newest_value(h) -> None:  # type: ignore[no-untyped-def]
    _, c = h.run("request_route { $avp(x) = 1; $avp(x) = 2; $avp(x) = $null; }")
    assert c.avps == {"x": [1]}


def test_avp_star_null_deletes_all_values(h) -> None:  # type: ignore[no-untyped-def]
    _, c = h.run("request_route { $avp(x) = 1; $avp(x) = 2; $(avp(x)[*]) = $null; }")
    assert c.avps == {}


def test_avp_star_assignment_replaces_all_values(h) -> None:  # type: ignore[no-untyped-def]
    _, c = h.run("request_route { $avp(x) = 1; $avp(x) = 2; $(avp(x)[*]) = 9; }")
    assert c.avps == {"x": [9]}


def test_avp_index_assignment_replaces_that_value(h) -> None:  # type: ignore[no-untyped-def]
    _, c = h.run("request_route { $avp(x) = 1; $avp(x) = 2; $(avp(x)[1]) = 5; }")
    assert c.avps == {"x": [5, 2]}


def test_avp_s_prefix_names_the_same_avp() -> None:
    c = ctx()
    c.avps["x"] = ["v"]
    assert compile_pv("$avp(s:x)").get(c) == "v"


def test_avps_are_per_message(h) -> None:  # type: ignore[no-untyped-def]
    script = h.compile("request_route { $avp(x) = 1; }")
    c1, c2 = h.context(), h.context()
    script.run("request_route", c1)
    assert c2.avps == {}
    script.run("request_route", c2)
    assert c2.avps == {"x": [1]}


def test_undefined_avp_is_not_defined(h) -> None:  # type: ignore[no-untyped-def]
    assert h.eval("defined $avp(nope)") == 0
    assert h.eval("defined $var(nope)") == 1


def test_dynamic_index(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after("$avp(x) = 'a'; $avp(x) = 'b'; $var(i) = 1; $var(r) = $(avp(x)[$var(i)]);")
    assert v["r"] == "a"


def test_xavp_field_assignment_without_index_starts_a_new_item(h) -> None:  # type: ignore[no-untyped-def]
    v = h.vars_after(
        '$xavp(sf=>uri) = "sip:a"; $xavp(sf[0]=>t) = 10;'
        '$xavp(sf=>uri) = "sip:b"; $xavp(sf[0]=>t) = 20;'
        "$var(u0) = $xavp(sf=>uri); $var(t0) = $xavp(sf=>t);"
        "$var(u1) = $xavp(sf[1]=>uri); $var(t1) = $xavp(sf[1]=>t);")
    assert (v["u0"], v["t0"], v["u1"], v["t1"]) == ("sip:b", 20, "sip:a", 10)


def test_xavp_null_deletes_field_and_item(h) -> None:  # type: ignore[no-untyped-def]
    _, c = h.run('request_route { $xavp(a=>f) = 1; $xavp(a[0]=>g) = 2; $xavp(a=>f) = $null; }')
    assert c.xavps["a"][0].fields == {"g": [2]}
    _, c = h.run('request_route { $xavp(a=>f) = 1; $xavp(a) = $null; }')
    assert c.xavps["a"] == []


def test_shv_is_shared_between_contexts_of_a_worker() -> None:
    worker = WorkerState(vars={}, shared={})
    pv = compile_pv("$shv(x)")
    assert pv.set is not None
    pv.set(Context(worker=worker), 5)
    assert pv.get(Context(worker=worker)) == 5
    assert compile_pv("$shv(unset)").get(Context(worker=worker)) == 0


def test_retcode_names_read_the_last_return_code() -> None:
    c = ctx()
    c.last_retcode = -3
    assert [compile_pv(t).get(c) for t in ("$rc", "$retcode", "$?")] == [-3, -3, -3]
    assert compile_pv("$rc").set is None


def test_null_is_undefined() -> None:
    assert compile_pv("$null").get(ctx()) is None


def test_tv_message_time_is_cached_and_pv_spelling_is_accepted() -> None:
    c = ctx()
    assert compile_pv("$TV(s)").get(c) == 1700000000
    assert compile_pv("$TV(u)").get(c) == 250000
    assert compile_pv("$PV(s)").get(c) == 1700000000
    assert compile_pv("$TV(Sn)").get(c) == "1700000000.250000"


def test_unknown_class_is_a_compile_error() -> None:
    with pytest.raises(PVError, match=r"unknown pseudo-variable class \$nosuch"):
        compile_pv("$nosuch(x)")


def test_transformed_pv_is_read_only() -> None:
    assert compile_pv("$(var(x){s.len})").set is None


def test_registered_class_is_used() -> None:
    register_pv_class("testconst", lambda ref, index: ((lambda c: ref.inner), None))
    assert compile_pv("$testconst(hello)").get(ctx()) == "hello"


def test_pv_text_is_compiled_once() -> None:
    assert compile_pv("$var(once)") is compile_pv("$var(once)")


def test_format_string_expands_pvs() -> None:
    c = ctx()
    c.vars["x"] = 5
    fmt = compile_format("x=$var(x) len=$(var(x){s.len}) none=$avp(n) cost $ 5")
    assert fmt(c) == "x=5 len=1 none=<null> cost $ 5"
