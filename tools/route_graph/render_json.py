"""`--format json`: `{"nodes": [...], "edges": [...]}`, the shape CI scripts read.

The shape is a public interface (docs/route-graph.md): add keys if needed, never rename or drop.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from .analysis import fan
from .graph import ordered_edges


def graph_data(g: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    """The graph as plain data, nodes and edges in source order."""
    nodes = []
    for node_id, d in g.nodes(data=True):
        fan_in, fan_out = fan(g, node_id)
        nodes.append({"id": node_id, "kind": d["kind"], "name": d["name"], "file": d["file"],
                      "line": d["line"], "defined": d["defined"], "reachable": d["reachable"],
                      "fan_in": fan_in, "fan_out": fan_out})
    edges = [{"source": u, "target": v, "kind": d["kind"], "line": d["line"], "file": d["file"],
              "prefix": d["prefix"]}
             for u, v, d in ordered_edges(g)]
    return {"nodes": nodes, "edges": edges}


def render_json(g: nx.MultiDiGraph) -> str:
    """The graph as JSON text with one node or edge per line, ending in a newline.

    One object per line reads and diffs well and is several times faster to write than
    `indent=2` on large configs.
    """
    data = graph_data(g)
    parts = []
    for key in ("nodes", "edges"):
        items = ",\n    ".join(json.dumps(item) for item in data[key])
        parts.append(f'  "{key}": [\n    {items}\n  ]' if items else f'  "{key}": []')
    return "{\n" + ",\n".join(parts) + "\n}\n"
