"""Building the route graph: which nodes and edges a config gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from siprouter.tools.route_graph.graph import build_graph, ordered_edges
from siprouter.tools.route_graph.load import ConfigError, load_config


@pytest.fixture
def graph_of(write_cfg: Callable[..., Path]) -> Callable[..., nx.MultiDiGraph]:
    def build(text: str, defines: dict[str, str | None] | None = None) -> nx.MultiDiGraph:
        return build_graph(load_config(str(write_cfg(text)), defines or {}))

    return build


def edges(g: nx.MultiDiGraph) -> list[tuple[str, str, str, int | None]]:
    return [(u, v, d["kind"], d["line"]) for u, v, d in ordered_edges(g)]


def test_main_route_is_request_route_whether_written_route_or_request_route(graph_of):
    assert "request_route" in graph_of("route {\n exit;\n}\n")
    assert "request_route" in graph_of("request_route {\n exit;\n}\n")


def test_every_block_kind_is_a_node_with_kind_name_file_and_line(graph_of, tmp_path):
    g = graph_of("request_route {\n exit;\n}\n"
                 "route[R] {\n exit;\n}\n"
                 "failure_route[F] {\n exit;\n}\n"
                 "branch_route[B] {\n exit;\n}\n"
                 "onreply_route[O] {\n exit;\n}\n"
                 "reply_route {\n exit;\n}\n"
                 "onsend_route {\n exit;\n}\n"
                 "event_route[tm:local-request] {\n exit;\n}\n"
                 "branch_failure_route[BF] {\n exit;\n}\n")
    kinds = {n: (d["kind"], d["name"], d["line"]) for n, d in g.nodes(data=True)
             if d["kind"] != "module"}
    assert kinds == {
        "request_route": ("request_route", None, 1),
        "route:R": ("route", "R", 4),
        "failure_route:F": ("failure_route", "F", 7),
        "branch_route:B": ("branch_route", "B", 10),
        "onreply_route:O": ("onreply_route", "O", 13),
        "reply_route": ("reply_route", None, 16),
        "onsend_route": ("onsend_route", None, 19),
        "event_route:tm:local-request": ("event_route", "tm:local-request", 22),
        "branch_failure_route:BF": ("branch_failure_route", "BF", 25),
    }
    assert g.nodes["route:R"]["file"] == str(tmp_path / "test.cfg")


def test_route_call_is_an_edge_with_its_call_site_line(graph_of):
    g = graph_of("request_route {\n  xlog(\"x\");\n  route(A);\n}\nroute[A] {\n exit;\n}\n")
    assert edges(g) == [("request_route", "route:A", "route", 3)]


def test_quoted_and_numeric_route_names_name_the_same_block(graph_of):
    g = graph_of('request_route {\n route("A");\n route(2);\n}\nroute[A] { exit; }\n'
                 "route[2] { exit; }\n")
    assert [e[:3] for e in edges(g)] == [("request_route", "route:A", "route"),
                                         ("request_route", "route:2", "route")]


def test_each_call_site_is_its_own_edge(graph_of):
    g = graph_of("request_route {\n route(A);\n route(A);\n}\nroute[A] { exit; }\n")
    assert edges(g) == [("request_route", "route:A", "route", 2),
                        ("request_route", "route:A", "route", 3)]


@pytest.mark.parametrize(("call", "kind", "target"), [
    ('t_on_failure("F")', "t_on_failure", "failure_route:F"),
    ('t_on_branch("B")', "t_on_branch", "branch_route:B"),
    ('t_on_reply("O")', "t_on_reply", "onreply_route:O"),
    ('t_on_branch_failure("BF")', "t_on_branch_failure", "branch_failure_route:BF"),
])
def test_t_on_functions_are_edges_to_the_block_they_arm(graph_of, call, kind, target):
    g = graph_of(f"loadmodule \"tm.so\"\nrequest_route {{\n {call};\n t_relay();\n}}\n"
                 "failure_route[F] { exit; }\nbranch_route[B] { exit; }\n"
                 "onreply_route[O] { exit; }\nbranch_failure_route[BF] { exit; }\n")
    assert edges(g) == [("request_route", target, kind, 3)]


def test_t_on_branch_failure_arms_the_tm_branch_failure_event_route(graph_of):
    g = graph_of('request_route {\n t_on_branch_failure("rtf");\n}\n'
                 "event_route[tm:branch-failure:rtf] { exit; }\n")
    assert ("request_route", "event_route:tm:branch-failure:rtf", "t_on_branch_failure", 2) \
        in edges(g)


def test_dynamic_route_with_constant_prefix_has_edges_to_the_matching_routes(graph_of):
    g = graph_of('request_route {\n route("DISP_" + $rU);\n}\n'
                 "route[DISP_A] { exit; }\nroute[DISP_B] { exit; }\nroute[OTHER] { exit; }\n")
    assert edges(g) == [("request_route", "route:DISP_A", "dynamic", 2),
                        ("request_route", "route:DISP_B", "dynamic", 2)]
    assert {d["prefix"] for _, _, d in g.edges(data=True)} == {"DISP_"}


def test_dynamic_route_without_prefix_goes_to_one_pseudo_node(graph_of):
    g = graph_of("request_route {\n route($var(next));\n}\nroute[A] { exit; }\n")
    assert edges(g) == [("request_route", "dynamic:*", "dynamic", 2)]
    assert g.nodes["dynamic:*"]["kind"] == "dynamic"


def test_undefined_target_is_a_node_marked_not_defined(graph_of):
    g = graph_of("request_route {\n route(NOPE);\n}\n")
    assert edges(g) == [("request_route", "route:NOPE", "route", 2)]
    assert g.nodes["route:NOPE"]["defined"] is False
    assert g.nodes["route:NOPE"]["file"] is None


def test_module_that_raises_an_event_route_is_a_pseudo_node_with_an_event_edge(graph_of):
    g = graph_of('loadmodule "xhttp.so"\nrequest_route { exit; }\n'
                 "event_route[xhttp:request] {\n exit;\n}\n")
    assert edges(g) == [("module:xhttp", "event_route:xhttp:request", "event", 1)]
    assert dict(g.nodes["module:xhttp"]) == {
        "kind": "module", "name": "xhttp", "file": g.nodes["request_route"]["file"], "line": 1,
        "defined": True, "reachable": True}


def test_wildcard_event_declaration_matches_the_event_name(graph_of):
    g = graph_of('loadmodule "htable.so"\nevent_route[htable:expired:calls] { exit; }\n')
    assert ("module:htable", "event_route:htable:expired:calls", "event", 1) in edges(g)


def test_event_route_of_a_module_not_loaded_has_no_module_edge(graph_of):
    g = graph_of("request_route { exit; }\nevent_route[xhttp:request] { exit; }\n")
    assert "module:xhttp" not in g
    assert g.in_degree("event_route:xhttp:request") == 0


def test_core_event_routes_are_raised_by_the_core(graph_of):
    g = graph_of("event_route[core:worker-one-init] { exit; }\n")
    assert edges(g) == [("module:core", "event_route:core:worker-one-init", "event", None)]


def test_route_named_in_a_modparam_is_run_by_that_module(graph_of):
    g = graph_of('loadmodule "xmlrpc.so"\nmodparam("xmlrpc", "route", "XMLRPC")\n'
                 "route[XMLRPC] { exit; }\n")
    assert edges(g) == [("module:xmlrpc", "route:XMLRPC", "event", 2)]
    assert g.nodes["route:XMLRPC"]["reachable"] is True


def test_ifdef_disabled_calls_give_no_edges(graph_of):
    text = ("request_route {\n#!ifdef WITH_B\n route(B);\n#!else\n route(C);\n#!endif\n}\n"
            "route[B] { exit; }\nroute[C] { exit; }\n")
    assert [e[1] for e in edges(graph_of(text))] == ["route:C"]
    assert [e[1] for e in edges(graph_of(text, {"WITH_B": None}))] == ["route:B"]


def test_ifdef_disabled_blocks_give_no_nodes(graph_of):
    text = "request_route { exit; }\n#!ifdef WITH_X\nroute[X] { exit; }\n#!endif\n"
    assert "route:X" not in graph_of(text)
    assert "route:X" in graph_of(text, {"WITH_X": None})


def test_blocks_in_included_files_carry_their_own_file(graph_of, write_cfg):
    inc = write_cfg("route[INC] {\n exit;\n}\n", "inc.cfg")
    g = graph_of(f'include_file "{inc}"\nrequest_route {{\n route(INC);\n}}\n')
    assert (g.nodes["route:INC"]["file"], g.nodes["route:INC"]["line"]) == (str(inc), 1)


def test_reachability_is_marked_on_nodes(graph_of):
    g = graph_of("request_route {\n route(A);\n}\nroute[A] { exit; }\nroute[LOST] { exit; }\n")
    assert g.nodes["route:A"]["reachable"] is True
    assert g.nodes["route:LOST"]["reachable"] is False


def test_config_with_syntax_errors_is_refused(write_cfg):
    path = write_cfg("request_route {\n route(A)\n}\n")
    with pytest.raises(ConfigError, match=r"test.cfg:2:\d+: E121"):
        load_config(str(path))


def test_missing_config_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(str(tmp_path / "missing.cfg"))
