"""docs/examples/route-graph-ci.yml: its route-graph commands run and gate as documented."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import yaml

from siprouter.tools.route_graph.cli import build_parser

WORKFLOW = Path(__file__).parents[3] / "docs" / "examples" / "route-graph-ci.yml"


def route_graph_commands() -> list[str]:
    """The route-graph command lines of the workflow's steps, without shell redirections."""
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["route-graph"]
    commands = []
    for step in job["steps"]:
        for line in step.get("run", "").splitlines():
            line = line.strip()
            if line.startswith("route-graph "):
                commands.append(line.split(" >")[0])
    return commands


def test_workflow_runs_check_export_and_diff():
    options = [shlex.split(c) for c in route_graph_commands()]
    assert any("--check" in o for o in options)
    assert any("--diff" in o for o in options)
    assert any("mermaid" in o for o in options)


def test_workflow_commands_pass_on_the_stock_config(route_graph, stock_kamailio_cfg, tmp_path):
    env_vars = yaml.safe_load(WORKFLOW.read_text())["env"]
    for root in (tmp_path, tmp_path / "base"):
        (root / Path(env_vars["CFG"]).parent).mkdir(parents=True, exist_ok=True)
        shutil.copy(stock_kamailio_cfg, root / env_vars["CFG"])
    variables = {**env_vars, "RUNNER_TEMP": str(tmp_path)}
    for command in route_graph_commands():
        # The shell would expand these; $DEFINES unquoted, so it splits into words.
        expanded = re.sub(r"\$(\w+)", lambda m: variables[m.group(1)], command)
        argv = shlex.split(expanded)[1:]
        build_parser().parse_args(argv)
        done = route_graph(*argv, cwd=tmp_path)
        assert done.returncode == 0, (command, done.stderr)
