"""Completion follows kamcmd's state machine: command, then method names after help, cfg group
then variable after cfg.get and friends, counter group then name after cnt.get and friends."""

from __future__ import annotations

from typing import Any

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from siprouter.tools.sercmd.catalogue import Catalogue
from siprouter.tools.sercmd.client import RPCConnectionError, RPCFault
from siprouter.tools.sercmd.completion import Context, SercmdCompleter, State, context_for

METHODS = ["cfg.get", "cfg.help", "cfg.list", "cfg.seti", "cnt.get", "cnt.grp_get_all",
           "cnt.grps_list", "cnt.var_list", "core.echo", "core.ps", "core.psx", "core.uptime",
           "core.version", "system.listMethods", "system.methodHelp"]
REPLIES: dict[tuple[Any, ...], Any] = {
    ("system.listMethods",): METHODS,
    ("cfg.list",): ["core: debug", "core: log_facility", "registrar: default_expires",
                    "registrar: max_expires", "registrar: min_expires"],
    ("cnt.grps_list",): ["script", "sl", "tcp"],
    ("cnt.var_list", "script"): ["foo", "bar"],
}


class FakeServer:
    """Answers from a table and counts the questions."""

    def __init__(self) -> None:
        self.asked: list[tuple[Any, ...]] = []

    def __call__(self, *key: Any) -> Any:
        self.asked.append(key)
        if key not in REPLIES:
            raise RPCFault(-32601, f"Method not found: {key[0]}")
        return REPLIES[key]


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def completer(server: FakeServer) -> SercmdCompleter:
    cat = Catalogue(server)
    return SercmdCompleter(lambda: cat, lambda: ["udp:127.0.0.1:2046"])


def complete(completer: SercmdCompleter, text: str) -> list[str]:
    doc = Document(text, len(text))
    return [c.text for c in completer.get_completions(doc, CompleteEvent(completion_requested=True))]


@pytest.mark.parametrize("text, ctx", [
    ("", Context(State.COMMAND)),
    ("cor", Context(State.COMMAND, "cor")),
    ("core.echo ", Context(State.NOTHING)),
    ("help ", Context(State.METHOD)),
    ("? sys", Context(State.METHOD, "sys")),
    ("system.methodHelp co", Context(State.METHOD, "co")),
    ("cfg.get ", Context(State.CFG_GROUP)),
    ("cfg.get reg", Context(State.CFG_GROUP, "reg")),
    ("cfg.get registrar m", Context(State.CFG_VAR, "m", "registrar")),
    ("cfg.seti core debug ", Context(State.NOTHING)),
    ("cfg.list ", Context(State.CFG_GROUP)),
    ("cnt.get ", Context(State.CNT_GROUP)),
    ("cnt.get script f", Context(State.CNT_NAME, "f", "script")),
    ("cnt.grp_get_all script ", Context(State.NOTHING)),
    ("connect ", Context(State.URL)),
])
def test_state_machine(text: str, ctx: Context) -> None:
    assert context_for(text) == ctx


def test_first_word_offers_methods_aliases_and_builtins(completer: SercmdCompleter) -> None:
    offered = complete(completer, "")
    assert {"core.version", "ps", "ls", "help", "quit", "connect"} <= set(offered)


def test_cor_offers_the_core_methods(completer: SercmdCompleter) -> None:
    assert complete(completer, "cor") == ["core.echo", "core.ps", "core.psx", "core.uptime",
                                          "core.version"]


def test_completion_replaces_only_the_word_being_typed(completer: SercmdCompleter) -> None:
    doc = Document("cfg.get reg", 11)
    (completion,) = completer.get_completions(doc, CompleteEvent())
    assert (completion.text, completion.start_position) == ("registrar", -3)


def test_after_help_method_names(completer: SercmdCompleter) -> None:
    assert complete(completer, "help core.p") == ["core.ps", "core.psx"]


def test_cfg_group_then_variable(completer: SercmdCompleter) -> None:
    assert complete(completer, "cfg.get ") == ["core", "registrar"]
    assert complete(completer, "cfg.get reg") == ["registrar"]
    assert complete(completer, "cfg.get registrar m") == ["max_expires", "min_expires"]
    assert complete(completer, "cfg.help core ") == ["debug", "log_facility"]


def test_counter_group_then_name(completer: SercmdCompleter) -> None:
    assert complete(completer, "cnt.get ") == ["script", "sl", "tcp"]
    assert complete(completer, "cnt.get script ") == ["bar", "foo"]


def test_counter_group_only_commands_stop_after_the_group(completer: SercmdCompleter) -> None:
    assert complete(completer, "cnt.grp_get_all script ") == []


def test_alias_before_arguments_acts_as_its_method(completer: SercmdCompleter) -> None:
    assert context_for("ls x") == Context(State.NOTHING, "x")


def test_connect_offers_servers_used_before(completer: SercmdCompleter) -> None:
    assert complete(completer, "connect u") == ["udp:127.0.0.1:2046"]


def test_server_is_asked_once(completer: SercmdCompleter, server: FakeServer) -> None:
    for _ in range(3):
        complete(completer, "cor")
        complete(completer, "cfg.get ")
    assert server.asked.count(("system.listMethods",)) == 1
    assert server.asked.count(("cfg.list",)) == 1


def test_missing_rpc_gives_no_candidates_and_is_not_asked_again() -> None:
    calls: list[str] = []

    def no_cfg(*key: Any) -> Any:
        calls.append(key[0])
        raise RPCFault(-32601, "Method not found")

    cat = Catalogue(no_cfg)
    completer = SercmdCompleter(lambda: cat)
    assert complete(completer, "cfg.get ") == []
    assert complete(completer, "cfg.get ") == []
    assert calls == ["cfg.list"]


def test_unreachable_server_gives_no_candidates_and_is_asked_again() -> None:
    calls: list[str] = []

    def down(*key: Any) -> Any:
        calls.append(key[0])
        raise RPCConnectionError("cannot reach it")

    cat = Catalogue(down)
    completer = SercmdCompleter(lambda: cat)
    assert complete(completer, "cor") == []
    assert complete(completer, "cor") == []
    assert calls == ["system.listMethods", "system.listMethods"]
