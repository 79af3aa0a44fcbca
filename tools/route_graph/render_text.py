"""`--format text`: route trees in the terminal, one section per route kind (rich styles).

Like Kamailio's route_graph.py (a `Main` tree, then `Branch routes`, `Failure routes` ...), but
each line says how the block is reached (`route`, `t_on_failure` ...) and where (call-site line,
definition file:line), recursion is marked instead of cut by a depth limit, and the findings,
the longest call chain and fan-in/out follow the trees.
"""

from __future__ import annotations

import io
import os

import networkx as nx
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .analysis import fan, findings, label, longest_call_chain
from .graph import CALL_EDGE_KINDS, MODULE, ordered_edges

# Section titles in the order they print; blocks of kinds not listed print under their kind.
SECTIONS = (
    ("request_route", "Request route"),
    ("failure_route", "Failure routes"),
    ("branch_route", "Branch routes"),
    ("branch_failure_route", "Branch failure routes"),
    ("onreply_route", "Onreply routes"),
    ("reply_route", "Reply route"),
    ("onsend_route", "Onsend route"),
    ("event_route", "Event routes"),
    ("error_route", "Error route"),
    ("local_route", "Local route"),
    ("route", "Named routes not called from another route"),
    (MODULE, "Modules that run routes"),
)


# Trees deeper than this stop expanding: a chain of hundreds of nested calls is unreadable as
# text and quadratic to print (the guides grow with the depth).
MAX_DEPTH = 40


class _TreePrinter:
    """Builds the rich trees of one graph; `root_file` is shown as bare line numbers."""

    def __init__(self, g: nx.MultiDiGraph, root_file: str) -> None:
        self.g = g
        self.root_file = root_file
        # Shared by all sections: each block's calls print once in the whole output, so the
        # text grows with the number of edges, not with the number of paths.
        self.expanded: set[str] = set()
        self._node_texts: dict[str, Text] = {}

    def where(self, node_id: str) -> str:
        d = self.g.nodes[node_id]
        if not d["defined"]:
            return "not defined"
        if d["file"] is None:
            return ""
        if d["file"] == self.root_file:
            return f"line {d['line']}"
        return f"{os.path.relpath(d['file'])}:{d['line']}"

    def node_text(self, node_id: str) -> Text:
        if node_id not in self._node_texts:
            self._node_texts[node_id] = self._make_node_text(node_id)
        return self._node_texts[node_id]

    def _make_node_text(self, node_id: str) -> Text:
        d = self.g.nodes[node_id]
        text = Text(label(self.g, node_id), style="bold" if d["defined"] else "bold red")
        where = self.where(node_id)
        if where:
            text.append(f"  {where}", style="dim" if d["defined"] else "red")
        if d["defined"] and not d["reachable"] and d["kind"] != MODULE:
            text.append("  (never reached)", style="yellow")
        if d["kind"] == "event_route" and not any(
                self.g.nodes[p]["kind"] == MODULE for p in self.g.predecessors(node_id)):
            # Kamailio runs it only if a loaded module raises the event: likely a typo or a
            # missing loadmodule.
            text.append("  (no loaded module raises this event)", style="yellow")
        return text

    def edge_text(self, data: dict, target: str, note: str = "") -> Text:
        text = Text(f"{data['kind']}", style="cyan")
        if data["line"] is not None:
            text.append(f" @{data['line']}", style="dim")
        text.append(" → ")
        text.append_text(self.node_text(target))
        if note:
            text.append(f"  {note}", style="magenta")
        return text

    def grow(self, lines: list[Text], node_id: str, prefix: str, path: set[str]) -> None:
        """Append `node_id`'s references as tree lines, expanding route() calls depth first."""
        expanded = self.expanded
        expanded.add(node_id)
        edges = ordered_edges(self.g, node_id)
        for i, (_, target, data) in enumerate(edges):
            last = i == len(edges) - 1
            is_call = data["kind"] in CALL_EDGE_KINDS and self.g.nodes[target]["defined"]
            note, expand = "", False
            if not is_call:
                pass
            elif target in path or target == node_id:
                note = "↻ recursion"
            elif target in expanded and self.g.out_degree(target):
                note = "(calls shown above)"
            elif len(path) >= MAX_DEPTH and self.g.out_degree(target):
                note = f"(deeper calls not shown: depth limit {MAX_DEPTH}; see --format json)"
            else:
                expand = True
            line = Text(prefix + ("└── " if last else "├── "), style="dim")
            line.append_text(self.edge_text(data, target, note))
            lines.append(line)
            if expand:
                self.grow(lines, target, prefix + ("    " if last else "│   "),
                          path | {node_id})

    def section_roots(self, kind: str) -> list[str]:
        nodes = [n for n, d in self.g.nodes(data=True) if d["kind"] == kind and d["defined"]]
        if kind != "route":
            return nodes
        # Named routes show inside their callers' trees; list here only the ones nobody calls.
        return [n for n in nodes
                if not any(k in CALL_EDGE_KINDS and self.g.nodes[u]["kind"] != MODULE
                           for u, _, k in self.g.in_edges(n, data="kind"))]

    def sections(self) -> list[tuple[str, list[Text]]]:
        known = {kind for kind, _ in SECTIONS}
        extra = sorted({d for _, d in self.g.nodes(data="kind")} - known - {"dynamic"})
        out = []
        for kind, title in [*SECTIONS, *((k, k) for k in extra)]:
            lines: list[Text] = []
            for root in self.section_roots(kind):
                lines.append(self.node_text(root))
                self.grow(lines, root, "", set())
            if lines:
                out.append((title, lines))
        return out


def _facts(g: nx.MultiDiGraph) -> list[object]:
    items: list[object] = []
    found = findings(g)
    items.append(Text("Findings", style="bold underline"))
    if not found:
        items.append(Text("none: no undefined targets, unreachable routes or recursion",
                          style="green"))
    for f in found:
        items.append(Text(str(f), style="red" if f.category != "unreachable" else "yellow"))
    chain = longest_call_chain(g)
    items.append(Text(""))
    items.append(Text("Longest call chain", style="bold underline"))
    calls = len(chain) - 1
    items.append(Text(f"{calls} call{'s' if calls != 1 else ''}: "
                      + " → ".join(label(g, n) for n in chain) if chain else "no route() calls"))
    table = Table(title="Fan-in / fan-out", title_justify="left", title_style="bold underline")
    for column in ("block", "kind", "fan-in", "fan-out"):
        table.add_column(column, justify="right" if column.startswith("fan") else "left")
    for node_id, kind in g.nodes(data="kind"):
        fan_in, fan_out = fan(g, node_id)
        table.add_row(Text(label(g, node_id)), Text(kind), str(fan_in), str(fan_out))
    items.append(Text(""))
    items.append(table)
    return items


def render_text(g: nx.MultiDiGraph, root_file: str, *, color: bool = False,
                width: int = 100) -> str:
    """The graph as text: one titled section of trees per route kind, then the analyses."""
    out = io.StringIO()
    # no_color=None when colouring: rich then still honours the NO_COLOR convention.
    console = Console(file=out, force_terminal=color, no_color=None if color else True,
                      width=width, highlight=False, emoji=False)
    # soft_wrap: long lines stay whole, so findings can be grepped and copied.
    for title, lines in _TreePrinter(g, root_file).sections():
        console.print(Text(title, style="bold underline"))
        console.print(Text("\n").join(lines), soft_wrap=True)
        console.print()
    for item in _facts(g):
        console.print(item, soft_wrap=not isinstance(item, Table))
    return out.getvalue()
