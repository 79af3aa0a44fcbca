"""The route-graph command line, run for real: formats, files, --check gate, exit codes."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

CLEAN = "request_route {\n route(A);\n}\nroute[A] {\n exit;\n}\n"
BROKEN = "request_route {\n route(NOPE);\n}\nroute[LOST] {\n exit;\n}\n"


def assert_one_line_error(done, *fragments: str) -> None:
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in done.stderr


def test_default_output_is_the_text_tree(route_graph, write_cfg):
    done = route_graph(write_cfg(CLEAN))
    assert done.returncode == 0
    assert "request_route  line 1\n└── route @2 → route[A]  line 4" in done.stdout


@pytest.mark.parametrize(("fmt", "start"), [("json", "{"), ("dot", "digraph route_graph {"),
                                            ("mermaid", "flowchart LR"), ("text", "Request")])
def test_format_selects_the_output(route_graph, write_cfg, fmt, start):
    done = route_graph("--format", fmt, write_cfg(CLEAN))
    assert done.returncode == 0
    assert done.stdout.startswith(start)


def test_json_output_parses_with_nodes_and_edges(route_graph, write_cfg):
    data = json.loads(route_graph("--format", "json", write_cfg(CLEAN)).stdout)
    assert [n["id"] for n in data["nodes"]] == ["request_route", "route:A"]
    assert [(e["source"], e["target"], e["kind"], e["line"]) for e in data["edges"]] == [
        ("request_route", "route:A", "route", 2)]


def test_define_option_evaluates_ifdef(route_graph, write_cfg):
    path = write_cfg("request_route {\n#!ifdef WITH_A\n route(A);\n#!endif\n}\n"
                     "route[A] { exit; }\n")
    without = json.loads(route_graph("-f", "json", path).stdout)["edges"]
    with_a = json.loads(route_graph("-A", "WITH_A", "-f", "json", path).stdout)["edges"]
    assert (without, [e["target"] for e in with_a]) == ([], ["route:A"])


def test_define_with_value_is_accepted(route_graph, write_cfg):
    path = write_cfg("#!ifdef LEVEL\nrequest_route { exit; }\n#!endif\n")
    data = json.loads(route_graph("-A", "LEVEL=3", "-f", "json", path).stdout)
    assert [n["id"] for n in data["nodes"]] == ["request_route"]


def test_output_file_gets_the_graph_and_stdout_stays_empty(route_graph, write_cfg, tmp_path):
    out = tmp_path / "g.json"
    done = route_graph("-f", "json", "-o", out, write_cfg(CLEAN))
    assert (done.returncode, done.stdout) == (0, "")
    assert json.loads(out.read_text())["edges"][0]["target"] == "route:A"


def test_output_file_suffix_chooses_the_format(route_graph, write_cfg, tmp_path):
    out = tmp_path / "g.mmd"
    assert route_graph("-o", out, write_cfg(CLEAN)).returncode == 0
    assert out.read_text().startswith("flowchart LR")


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<svg"), ("png", b"\x89PNG")])
def test_image_formats_go_through_graphviz(route_graph, write_cfg, tmp_path, graphviz_dot,
                                           fmt, magic):
    out = tmp_path / f"g.{fmt}"
    done = route_graph("--format", fmt, "-o", out, write_cfg(CLEAN))
    assert done.returncode == 0, done.stderr
    assert magic in out.read_bytes()[:400]


def test_image_format_without_graphviz_says_what_to_install(route_graph, write_cfg):
    # A PATH holding only this Python: no `dot` on it.
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    done = route_graph("--format", "svg", write_cfg(CLEAN), env=env)
    assert_one_line_error(done, "Graphviz", "apt-get install graphviz", "--format dot")


def test_check_passes_with_exit_0_on_a_clean_config(route_graph, write_cfg):
    done = route_graph("--check", write_cfg(CLEAN))
    assert done.returncode == 0
    assert done.stdout == "route-graph: check passed\n"


def test_check_fails_with_exit_1_and_lists_findings(route_graph, write_cfg):
    path = write_cfg(BROKEN)
    done = route_graph("--check", path)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{path}:2: undefined: route(NOPE) calls route[NOPE], which is not defined "
        "(in request_route)",
        f"{path}:4: unreachable: route[LOST] is never reached from any entry point",
        "route-graph: check failed: 2 finding(s) (undefined, unreachable)",
    ]


def test_check_fails_on_recursion(route_graph, write_cfg):
    done = route_graph("--check", write_cfg("request_route {\n route(A);\n}\n"
                                            "route[A] {\n route(A);\n}\n"))
    assert done.returncode == 1
    assert "cycles: recursion: route[A] -> route[A]" in done.stdout


def test_allowed_findings_are_reported_but_do_not_fail(route_graph, write_cfg):
    done = route_graph("--check", "--allow", "unreachable,undefined", write_cfg(BROKEN))
    assert done.returncode == 0
    assert done.stdout.count("(allowed)") == 2


def test_allowing_some_kinds_still_fails_on_the_others(route_graph, write_cfg):
    assert route_graph("--check", "--allow", "unreachable", write_cfg(BROKEN)).returncode == 1


def test_check_with_format_writes_graph_to_stdout_and_findings_to_stderr(route_graph,
                                                                         write_cfg):
    done = route_graph("--check", "--format", "json", write_cfg(BROKEN))
    assert done.returncode == 1
    assert json.loads(done.stdout)["nodes"]
    assert "check failed" in done.stderr


def test_missing_file_is_exit_2_with_one_line(route_graph, tmp_path):
    assert_one_line_error(route_graph(tmp_path / "nope.cfg"), "nope.cfg: no such file")


def test_syntax_error_is_exit_2_with_its_location(route_graph, write_cfg):
    path = write_cfg("request_route {\n route(A)\n}\n")
    assert_one_line_error(route_graph(path), f"{path}:2:", "E121")


@pytest.mark.parametrize("args", [
    [], ["--format", "bogus", "x.cfg"], ["-A", "1BAD", "x.cfg"], ["--allow", "cycles", "x.cfg"],
    ["--check", "--allow", "everything", "x.cfg"], ["--diff", "a.cfg"],
    ["--diff", "a.cfg", "b.cfg", "x.cfg"], ["--diff", "a.cfg", "b.cfg", "--format", "dot"],
])
def test_usage_errors_are_exit_2_with_one_line(route_graph, args):
    assert_one_line_error(route_graph(*args), "usage error")


def test_unwritable_output_is_exit_2_with_one_line(route_graph, write_cfg, tmp_path):
    done = route_graph("-o", tmp_path / "no" / "such" / "dir.json", write_cfg(CLEAN))
    assert_one_line_error(done, "cannot write")


def test_diff_lists_added_and_removed_routes_and_edges(route_graph, write_cfg):
    old = write_cfg(CLEAN, "old.cfg")
    new = write_cfg("request_route {\n route(B);\n}\nroute[B] {\n exit;\n}\n", "new.cfg")
    done = route_graph("--diff", old, new)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [
        "routes:", f"- route[A]  {old}:4", f"+ route[B]  {new}:4",
        "edges:", "- request_route --route @2--> route[A]",
        "+ request_route --route @2--> route[B]",
    ]


def test_diff_as_json(route_graph, write_cfg):
    old = write_cfg(CLEAN, "old.cfg")
    new = write_cfg(CLEAN + "route[EXTRA] { exit; }\n", "new.cfg")
    data = json.loads(route_graph("--diff", old, new, "--format", "json").stdout)
    assert [n["id"] for n in data["nodes"]["added"]] == ["route:EXTRA"]
    assert data["nodes"]["removed"] == data["edges"]["added"] == data["edges"]["removed"] == []


def test_diff_with_check_gates_on_the_new_config(route_graph, write_cfg):
    old = write_cfg(CLEAN, "old.cfg")
    new = write_cfg(BROKEN, "new.cfg")
    done = route_graph("--diff", old, new, "--check")
    assert done.returncode == 1
    assert "+ route[LOST]" in done.stdout
    assert "check failed" in done.stderr


def test_help_exits_0(route_graph):
    done = route_graph("--help")
    assert done.returncode == 0
    assert "--check" in done.stdout
