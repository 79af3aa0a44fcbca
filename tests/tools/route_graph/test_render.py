"""Output formats: json shape, DOT that reads back, Mermaid that renders, text sections."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from siprouter.tools.route_graph.graph import build_graph
from siprouter.tools.route_graph.load import load_config
from siprouter.tools.route_graph.render_dot import render_dot
from siprouter.tools.route_graph.render_json import render_json
from siprouter.tools.route_graph.render_mermaid import render_mermaid
from siprouter.tools.route_graph.render_text import render_text

# Every kind of node and edge, including ids with `:`, `*` and `-` in them.
EVERYTHING = """\
loadmodule "tm.so"
loadmodule "xhttp.so"
request_route {
    route(A);
    route("DISP_" + $rU);
    route($var(x));
    route(NOPE);
    t_on_failure("F");
    t_on_branch("B");
    t_on_reply("R");
    t_on_branch_failure("BF");
}
route[A] {
    route(A);
}
route[DISP_ONE] { exit; }
failure_route[F] { exit; }
branch_route[B] { exit; }
onreply_route[R] { exit; }
event_route[tm:branch-failure:BF] { exit; }
event_route[xhttp:request] { exit; }
reply_route { exit; }
onsend_route { exit; }
"""


@pytest.fixture
def everything(write_cfg: Callable[..., Path]) -> tuple[nx.MultiDiGraph, Path]:
    path = write_cfg(EVERYTHING)
    return build_graph(load_config(str(path))), path


def test_json_has_exactly_nodes_and_edges_at_the_top(everything):
    data = json.loads(render_json(everything[0]))
    assert list(data) == ["nodes", "edges"]


def test_json_node_fields(everything):
    nodes = {n["id"]: n for n in json.loads(render_json(everything[0]))["nodes"]}
    assert nodes["route:A"] == {"id": "route:A", "kind": "route", "name": "A",
                                "file": str(everything[1]), "line": 13, "defined": True,
                                "reachable": True, "fan_in": 2, "fan_out": 1}
    assert nodes["request_route"]["name"] is None


def test_json_edge_fields(everything):
    edges = json.loads(render_json(everything[0]))["edges"]
    assert edges[0] == {"source": "request_route", "target": "route:A", "kind": "route",
                        "line": 4, "file": str(everything[1]), "prefix": None}


def test_json_edge_kinds_cover_calls_arming_dynamic_and_events(everything):
    kinds = {e["kind"] for e in json.loads(render_json(everything[0]))["edges"]}
    assert kinds == {"route", "dynamic", "t_on_failure", "t_on_branch", "t_on_reply",
                     "t_on_branch_failure", "event"}


def test_json_edges_are_in_source_order(everything):
    lines = [e["line"] for e in json.loads(render_json(everything[0]))["edges"]
             if e["source"] == "request_route"]
    assert lines == sorted(lines)


def test_dot_with_every_node_kind_reads_back_with_the_same_nodes_and_edges(everything, tmp_path):
    g = everything[0]
    path = tmp_path / "g.dot"
    path.write_text(render_dot(g))
    back = nx.nx_pydot.read_dot(path)
    assert {n.strip('"') for n in back.nodes} == set(g.nodes)
    assert sorted((u.strip('"'), v.strip('"'), d["kind"].strip('"'))
                  for u, v, d in back.edges(data=True)) == sorted(
        (u, v, d["kind"]) for u, v, d in g.edges(data=True))


def test_dot_renders_with_graphviz(everything, graphviz_dot, tmp_path):
    import subprocess

    done = subprocess.run([graphviz_dot, "-Tsvg"], input=render_dot(everything[0]),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "<svg" in done.stdout


def test_mermaid_ids_are_plain_and_labels_carry_the_route(everything):
    text = render_mermaid(everything[0])
    assert text.startswith("flowchart LR\n")
    assert 'n1["route[A]<br/>test.cfg:13"]' in text


def test_mermaid_with_every_node_kind_renders(everything, mermaid_render):
    done, svg = mermaid_render(render_mermaid(everything[0]))
    assert done.returncode == 0, done.stderr
    assert "tm:branch-failure:BF" in svg.read_text()


def test_text_has_a_section_per_route_kind(everything):
    text = render_text(everything[0], str(everything[1]))
    titles = [line for line in text.splitlines() if line and line[0].isupper()]
    assert titles[:9] == ["Request route", "Failure routes", "Branch routes", "Onreply routes",
                          "Reply route", "Onsend route", "Event routes",
                          "Modules that run routes", "Findings"]


def test_text_shows_edge_kind_call_line_and_definition_line(everything):
    text = render_text(everything[0], str(everything[1]))
    assert "t_on_failure @8 → failure_route[F]  line 17" in text


def test_text_marks_recursion_instead_of_descending(everything):
    assert "route @14 → route[A]  line 13  ↻ recursion" in render_text(everything[0], str(everything[1]))


def test_text_marks_undefined_targets(everything):
    assert "route @7 → route[NOPE]  not defined" in render_text(everything[0], str(everything[1]))


def test_text_lists_findings_and_longest_chain(everything):
    text = render_text(everything[0], str(everything[1]))
    assert "undefined: route(NOPE) calls route[NOPE]" in text
    assert "Longest call chain\n1 call: request_route → route[A]" in text


def test_text_without_color_has_no_escape_codes(everything):
    assert "\x1b[" not in render_text(everything[0], str(everything[1]))


def test_text_prints_a_blocks_calls_once_and_refers_back_after(write_cfg):
    path = write_cfg("request_route {\n route(A);\n route(A);\n}\n"
                     "route[A] {\n route(B);\n}\nroute[B] { exit; }\n")
    text = render_text(build_graph(load_config(str(path))), str(path))
    assert text.count("route @6 → route[B]") == 1
    assert "route @3 → route[A]  line 5  (calls shown above)" in text


def test_text_stops_expanding_at_the_depth_limit(write_cfg):
    from siprouter.tools.route_graph.render_text import MAX_DEPTH

    chain = "".join(f"route[R{i}] {{\n route(R{i + 1});\n}}\n" for i in range(MAX_DEPTH + 5))
    path = write_cfg(f"request_route {{\n route(R0);\n}}\n{chain}route[R{MAX_DEPTH + 5}] {{ exit; }}\n")
    text = render_text(build_graph(load_config(str(path))), str(path))
    assert f"depth limit {MAX_DEPTH}" in text
    assert f"→ route[R{MAX_DEPTH + 1}]  line" not in text
