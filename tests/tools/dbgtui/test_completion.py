"""PV completion: class names from the registry of the loaded modules, `$var` names seen."""

from __future__ import annotations

from siprouter.tools.dbgtui.completion import complete, pv_candidates, pv_classes


def test_classes_come_from_the_core_and_loaded_modules() -> None:
    classes = pv_classes(["pv", "htable"])
    assert classes["var"] is True  # $var(name)
    assert classes["ru"] is False  # $ru
    assert classes["sht"] is True  # htable's, because it is loaded
    assert "sht" not in pv_classes(["pv"])


def test_candidates_mark_classes_that_take_a_name() -> None:
    got = pv_candidates({"var": True, "ru": False, "avp": None}, ["caller"])
    assert got == ["$avp", "$ru", "$var(", "$var(caller)"]


def test_complete_the_last_pv_word() -> None:
    cands = ["$ru", "$rU", "$var(", "$var(caller)", "$var(callee)"]
    assert complete("$v", cands) == "$var("
    assert complete("$var(cal", cands) == "$var(callee)"
    assert complete("x $r", cands) == "x $ru" or complete("x $r", cands) == "x $rU"
    assert complete("$var(caller)", cands) is None
    assert complete("no dollar", cands) is None
    assert complete("$zz", cands) is None
