"""`--diff OLD NEW`: route blocks and references added or removed between two configs.

Nodes are compared by id and edges by (source, target, kind), counted: a second `route(X)` from
the same block is an added edge, a call that only moved to another line is no change. Lines are
reported from the version the item is in (NEW for added, OLD for removed).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .analysis import label
from .render_json import graph_data

EdgeKey = tuple[str, str, str]


@dataclass
class GraphDiff:
    """Nodes and edges (JSON-shaped dicts, as in `--format json`) only in one of two graphs."""

    added_nodes: list[dict[str, Any]] = field(default_factory=list)
    removed_nodes: list[dict[str, Any]] = field(default_factory=list)
    added_edges: list[dict[str, Any]] = field(default_factory=list)
    removed_edges: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added_nodes or self.removed_nodes or self.added_edges
                    or self.removed_edges)


def _key(edge: dict[str, Any]) -> EdgeKey:
    return (edge["source"], edge["target"], edge["kind"])


def _surplus(edges: list[dict[str, Any]], other: Counter[EdgeKey]) -> list[dict[str, Any]]:
    """The edges beyond those `other` has of the same key (the later call sites, in order)."""
    seen: Counter[EdgeKey] = Counter()
    out = []
    for edge in edges:
        seen[_key(edge)] += 1
        if seen[_key(edge)] > other[_key(edge)]:
            out.append(edge)
    return out


def diff_graphs(old: nx.MultiDiGraph, new: nx.MultiDiGraph) -> GraphDiff:
    """What changed from `old` to `new`."""
    a, b = graph_data(old), graph_data(new)
    a_ids = {n["id"] for n in a["nodes"]}
    b_ids = {n["id"] for n in b["nodes"]}
    a_edges = Counter(_key(e) for e in a["edges"])
    b_edges = Counter(_key(e) for e in b["edges"])
    return GraphDiff(
        added_nodes=[n for n in b["nodes"] if n["id"] not in a_ids],
        removed_nodes=[n for n in a["nodes"] if n["id"] not in b_ids],
        added_edges=_surplus(b["edges"], a_edges),
        removed_edges=_surplus(a["edges"], b_edges),
    )


def render_diff_json(diff: GraphDiff) -> str:
    """`{"nodes": {"added": [...], "removed": [...]}, "edges": {"added": [...], "removed": [...]}}`."""
    data = {"nodes": {"added": diff.added_nodes, "removed": diff.removed_nodes},
            "edges": {"added": diff.added_edges, "removed": diff.removed_edges}}
    return json.dumps(data, indent=2) + "\n"


def _node_line(sign: str, g: nx.MultiDiGraph, node: dict[str, Any]) -> str:
    where = f"  {node['file']}:{node['line']}" if node["file"] else (
        "" if node["defined"] else "  (not defined)")
    return f"{sign} {label(g, node['id'])}{where}"


def _edge_line(sign: str, g: nx.MultiDiGraph, edge: dict[str, Any]) -> str:
    at = f" @{edge['line']}" if edge["line"] is not None else ""
    return (f"{sign} {label(g, edge['source'])} --{edge['kind']}{at}--> "
            f"{label(g, edge['target'])}")


def render_diff_text(diff: GraphDiff, old: nx.MultiDiGraph, new: nx.MultiDiGraph) -> str:
    """A unified-diff-like listing: `+` lines from NEW, `-` lines from OLD."""
    if diff.empty:
        return "no route or edge changes\n"
    lines = []
    if diff.added_nodes or diff.removed_nodes:
        lines.append("routes:")
        lines += [_node_line("-", old, n) for n in diff.removed_nodes]
        lines += [_node_line("+", new, n) for n in diff.added_nodes]
    if diff.added_edges or diff.removed_edges:
        lines.append("edges:")
        lines += [_edge_line("-", old, e) for e in diff.removed_edges]
        lines += [_edge_line("+", new, e) for e in diff.added_edges]
    return "\n".join(lines) + "\n"
