"""`--format dot`: Graphviz DOT that networkx (pydot) reads back into the same graph.

Every node and edge attribute of the graph is written as a DOT attribute, so `read_dot` gives
back ids, kinds, names, files and lines; `label`, `shape` and `style` are for the picture only.
A node's `name` is written as `route_name`: pydot reserves `name` for the node id.
"""

from __future__ import annotations

import os
import re

import networkx as nx

from .analysis import label
from .graph import ordered_edges

# How each kind of edge looks: calls solid, arming dashed, module events dotted.
EDGE_STYLE = {"route": "solid", "dynamic": "bold", "event": "dotted"}
NODE_SHAPE = {"module": "component", "dynamic": "diamond"}


_BARE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)")
_KEYWORDS = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict"})


def quote(value: object) -> str:
    """A DOT id for `value`: bare when DOT allows it (so readers get it back without quotes),
    else double-quoted (ids with `:` must be, or they would read as node ports)."""
    text = str(value)
    if _BARE_ID.fullmatch(text) and text.lower() not in _KEYWORDS:
        return text
    text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _attrs(attrs: dict[str, object]) -> str:
    # None means "no value": leave the attribute out rather than write the string "None".
    return ", ".join(f"{k}={quote(v)}" for k, v in attrs.items() if v is not None)


def render_dot(g: nx.MultiDiGraph) -> str:
    """The graph as a DOT digraph, nodes and edges in source order."""
    lines = ["digraph route_graph {", "  rankdir=LR;", '  node [shape="box"];']
    for node_id, d in g.nodes(data=True):
        # The base name keeps boxes narrow; the full path is in the `file` attribute.
        where = f"\n{os.path.basename(d['file'])}:{d['line']}" if d["file"] else (
            "" if d["defined"] else "\n(not defined)")
        attrs: dict[str, object] = {
            "kind": d["kind"], "route_name": d["name"], "file": d["file"], "line": d["line"],
            "defined": str(d["defined"]).lower(), "reachable": str(d["reachable"]).lower(),
            "label": label(g, node_id) + where,
            "shape": NODE_SHAPE.get(d["kind"]),
            "color": None if d["defined"] else "red",
        }
        lines.append(f"  {quote(node_id)} [{_attrs(attrs)}];")
    for u, v, d in ordered_edges(g):
        attrs = {"kind": d["kind"], "file": d["file"], "line": d["line"], "prefix": d["prefix"],
                 "label": f"{d['kind']} @{d['line']}" if d["line"] else d["kind"],
                 "style": EDGE_STYLE.get(d["kind"], "dashed")}
        lines.append(f"  {quote(u)} -> {quote(v)} [{_attrs(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
