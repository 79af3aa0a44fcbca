"""--diff semantics: what counts as a change between two versions of a config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from siprouter.tools.route_graph.diff import diff_graphs, render_diff_text
from siprouter.tools.route_graph.graph import build_graph
from siprouter.tools.route_graph.load import load_config

BASE = "request_route {\n route(A);\n}\nroute[A] { exit; }\n"


@pytest.fixture
def graph_of(write_cfg: Callable[..., Path]) -> Callable[[str, str], nx.MultiDiGraph]:
    return lambda text, name: build_graph(load_config(str(write_cfg(text, name))))


def test_identical_configs_have_no_changes(graph_of):
    old, new = graph_of(BASE, "old.cfg"), graph_of(BASE, "new.cfg")
    assert diff_graphs(old, new).empty
    assert render_diff_text(diff_graphs(old, new), old, new) == "no route or edge changes\n"


def test_a_call_that_only_moved_lines_is_no_change(graph_of):
    moved = "request_route {\n xlog(\"x\");\n\n route(A);\n}\nroute[A] { exit; }\n"
    assert diff_graphs(graph_of(BASE, "old.cfg"), graph_of(moved, "new.cfg")).empty


def test_a_second_call_to_the_same_route_is_an_added_edge(graph_of):
    twice = "request_route {\n route(A);\n route(A);\n}\nroute[A] { exit; }\n"
    diff = diff_graphs(graph_of(BASE, "old.cfg"), graph_of(twice, "new.cfg"))
    assert [(e["target"], e["line"]) for e in diff.added_edges] == [("route:A", 3)]
    assert diff.removed_edges == diff.added_nodes == diff.removed_nodes == []


def test_changing_the_arming_kind_is_a_removed_and_an_added_edge(graph_of):
    old = 'request_route {\n t_on_failure("X");\n}\nfailure_route[X] { exit; }\n'
    new = 'request_route {\n t_on_branch("X");\n}\nbranch_route[X] { exit; }\n'
    diff = diff_graphs(graph_of(old, "old.cfg"), graph_of(new, "new.cfg"))
    assert [e["kind"] for e in diff.removed_edges] == ["t_on_failure"]
    assert [e["kind"] for e in diff.added_edges] == ["t_on_branch"]
