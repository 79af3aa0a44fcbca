"""Analyses: undefined targets, unreachable routes, recursion, longest chain, fan-in/out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from siprouter.tools.route_graph.analysis import (
    fan,
    findings,
    gate,
    longest_call_chain,
    recursion_cycles,
)
from siprouter.tools.route_graph.graph import build_graph
from siprouter.tools.route_graph.load import load_config


@pytest.fixture
def graph_of(write_cfg: Callable[..., Path]) -> Callable[[str], nx.MultiDiGraph]:
    return lambda text: build_graph(load_config(str(write_cfg(text))))


def categories(g: nx.MultiDiGraph) -> list[tuple[str, int, str]]:
    return [(f.category, f.line, f.message) for f in findings(g)]


def test_clean_config_has_no_findings(graph_of):
    assert findings(graph_of("request_route {\n route(A);\n}\nroute[A] { exit; }\n")) == []


def test_call_to_undefined_route_is_a_finding_at_the_call_site(graph_of):
    assert categories(graph_of("request_route {\n route(NOPE);\n}\n")) == [
        ("undefined", 2, "route(NOPE) calls route[NOPE], which is not defined "
                         "(in request_route)")]


def test_arming_an_undefined_failure_route_is_a_finding(graph_of):
    assert categories(graph_of('request_route {\n t_on_failure("GONE");\n}\n')) == [
        ("undefined", 2, 't_on_failure("GONE") arms failure_route[GONE], which is not '
                         "defined (in request_route)")]


def test_dynamic_prefix_matching_no_route_is_an_undefined_finding(graph_of):
    (found,) = findings(graph_of('request_route {\n route("X_" + $rU);\n}\n'))
    assert (found.category, found.message) == (
        "undefined", 'route("X_" + ...) matches no route (in request_route)')


def test_route_reached_from_no_entry_point_is_unreachable(graph_of):
    assert categories(graph_of("request_route { exit; }\nroute[LOST] {\n exit;\n}\n")) == [
        ("unreachable", 2, "route[LOST] is never reached from any entry point")]


def test_failure_route_armed_only_by_itself_is_unreachable(graph_of):
    g = graph_of('request_route { exit; }\nfailure_route[F] {\n t_on_failure("F");\n}\n')
    assert [c[0] for c in categories(g)] == ["unreachable"]


def test_failure_route_arming_itself_is_not_recursion(graph_of):
    g = graph_of('request_route {\n t_on_failure("F");\n}\n'
                 'failure_route[F] {\n t_on_failure("F");\n}\n')
    assert recursion_cycles(g) == []


def test_routes_an_unnarrowed_dynamic_call_may_reach_are_not_unreachable(graph_of):
    # Same answer as the checker: route($var(x)) may run any named route.
    g = graph_of("request_route {\n route($var(x));\n}\nroute[MAYBE] { exit; }\n")
    assert findings(g) == []


def test_mutual_recursion_is_one_cycle_finding(graph_of):
    g = graph_of("request_route {\n route(A);\n}\nroute[A] {\n route(B);\n}\n"
                 "route[B] {\n route(A);\n}\n")
    assert categories(g) == [
        ("cycles", 4, "recursion: route[A] -> route[B] -> route[A]")]


def test_self_recursion_is_a_cycle(graph_of):
    g = graph_of("request_route {\n route(A);\n}\nroute[A] {\n route(A);\n}\n")
    assert recursion_cycles(g) == [["route:A", "route:A"]]


def test_longest_call_chain_follows_nested_route_calls(graph_of):
    g = graph_of("request_route {\n route(A);\n route(C);\n}\nroute[A] {\n route(B);\n}\n"
                 "route[B] {\n route(C);\n}\nroute[C] { exit; }\n")
    assert longest_call_chain(g) == ["request_route", "route:A", "route:B", "route:C"]


def test_longest_call_chain_ignores_arming_edges(graph_of):
    g = graph_of('request_route {\n t_on_failure("F");\n}\nfailure_route[F] { exit; }\n')
    assert longest_call_chain(g) == []


def test_longest_call_chain_does_not_go_round_a_cycle(graph_of):
    g = graph_of("request_route {\n route(A);\n}\nroute[A] {\n route(B);\n}\n"
                 "route[B] {\n route(A);\n}\n")
    assert longest_call_chain(g) == ["request_route", "route:A"]


def test_fan_in_and_out_count_distinct_blocks(graph_of):
    g = graph_of("request_route {\n route(A);\n route(A);\n route(B);\n}\n"
                 "route[A] {\n route(B);\n}\nroute[B] { exit; }\n")
    assert fan(g, "request_route") == (0, 2)
    assert fan(g, "route:B") == (2, 0)


def test_allowed_categories_do_not_gate(graph_of):
    g = graph_of("request_route {\n route(NOPE);\n}\nroute[LOST] { exit; }\n")
    assert [f.category for f in gate(findings(g), {"unreachable"})] == ["undefined"]
