"""`--format mermaid`: a flowchart that GitHub renders inside a ```mermaid fence.

Mermaid ids cannot hold `:` or `-` safely, so nodes get ids `n0`, `n1`, ... and show the route as
their label. Blocks are grouped in one subgraph per kind, like the text format's sections.
"""

from __future__ import annotations

import os

import networkx as nx

from .analysis import label
from .graph import ordered_edges

# Arrow per edge kind: calls solid, t_on_* arming thick, module events and dynamic calls dotted.
ARROWS = {"route": "-->", "event": "-.->", "dynamic": "-.->"}
ARMING_ARROW = "==>"


def escape(text: str) -> str:
    """Text safe inside a Mermaid double-quoted label (entity codes for quote and brackets)."""
    return (text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;"))


def render_mermaid(g: nx.MultiDiGraph) -> str:
    """The graph as Mermaid flowchart text, ending in a newline."""
    ids = {node_id: f"n{i}" for i, node_id in enumerate(g.nodes)}
    by_kind: dict[str, list[str]] = {}
    for node_id, kind in g.nodes(data="kind"):
        by_kind.setdefault(kind, []).append(node_id)
    lines = ["flowchart LR"]
    for kind, members in by_kind.items():
        lines.append(f'  subgraph sg_{kind}["{escape(kind)}"]')
        for node_id in members:
            d = g.nodes[node_id]
            where = f"<br/>{escape(os.path.basename(d['file']))}:{d['line']}" if d["file"] else ""
            lines.append(f'    {ids[node_id]}["{escape(label(g, node_id))}{where}"]')
        lines.append("  end")
    for u, v, d in ordered_edges(g):
        arrow = ARROWS.get(d["kind"], ARMING_ARROW)
        text = d["kind"] if d["line"] is None else f"{d['kind']} @{d['line']}"
        lines.append(f'  {ids[u]} {arrow}|"{escape(text)}"| {ids[v]}')
    undefined = [ids[n] for n, d in g.nodes(data=True) if not d["defined"]]
    unreachable = [ids[n] for n, d in g.nodes(data=True) if d["defined"] and not d["reachable"]]
    lines.append("  classDef undefined stroke:#c00,stroke-width:2px,stroke-dasharray:5 5")
    lines.append("  classDef unreachable fill:#eee,color:#888")
    if undefined:
        lines.append(f"  class {','.join(undefined)} undefined")
    if unreachable:
        lines.append(f"  class {','.join(unreachable)} unreachable")
    return "\n".join(lines) + "\n"
