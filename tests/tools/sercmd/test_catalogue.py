"""The catalogue reads listing replies in the shapes Kamailio and siprouter send."""

from __future__ import annotations

from typing import Any

from siprouter.tools.sercmd.catalogue import Catalogue, names_in, parse_cfg_list
from siprouter.tools.sercmd.client import RPCFault


def test_cfg_list_lines_group_colon_variable() -> None:
    assert parse_cfg_list(["core: debug", "core: memlog", "tm: fr_timer"]) == {
        "core": ["debug", "memlog"], "tm": ["fr_timer"]}


def test_cfg_list_structured_shapes() -> None:
    assert parse_cfg_list({"core": ["debug"], "tm": {"fr_timer": 3}}) == {
        "core": ["debug"], "tm": ["fr_timer"]}
    assert parse_cfg_list([{"group": "core", "name": "debug"}]) == {"core": ["debug"]}


def test_names_from_lists_structs_and_text() -> None:
    assert names_in(["sl", "tcp"]) == ["sl", "tcp"]
    assert names_in({"sl": 1, "tcp": 2}) == ["sl", "tcp"]
    assert names_in("sl\ntcp\n") == ["sl", "tcp"]
    assert names_in([{"name": "foo", "value": 1}]) == ["foo"]


def test_signature_and_help_are_cached_for_hints() -> None:
    replies: dict[tuple[Any, ...], Any] = {
        ("system.methodSignature", "cfg.get"): [["any", "string", "string"]],
        ("system.methodHelp", "cfg.get"): "Get the value of a configuration variable.",
    }
    cat = Catalogue(lambda *key: replies[key])
    assert cat.cached_hint("cfg.get") is None
    assert cat.signature("cfg.get") == ["any", "string", "string"]
    assert cat.help("cfg.get").startswith("Get the value")
    assert cat.cached_hint("cfg.get") == (["any", "string", "string"],
                                          "Get the value of a configuration variable.")


def test_kamailio_without_signatures_gives_an_empty_one() -> None:
    def not_yet(*key: Any) -> Any:
        raise RPCFault(500, "Not Implemented Yet")

    assert Catalogue(not_yet).signature("core.ps") == []


def test_forget_asks_again() -> None:
    calls: list[Any] = []

    def server(*key: Any) -> Any:
        calls.append(key)
        return ["core.ps"]

    cat = Catalogue(server)
    cat.methods()
    cat.forget()
    cat.methods()
    assert len(calls) == 2
