"""The routing script as a networkx graph, built from the shared call graph.

`core.cfg.callgraph` is the one reader of route references (the checker uses it too), so this
module only turns its blocks and references into nodes and edges and adds what a picture needs:
pseudo-nodes for modules that run blocks, for undefined targets and for dynamic `route()` calls
that cannot be narrowed.

Node ids and attributes (the JSON output is these, see docs/route-graph.md):
  id        `<kind>:<name>`, or the kind alone for unnamed blocks (`request_route`, `reply_route`)
  kind      route block kind (`request_route`, `route`, `failure_route`, ...), `module` or `dynamic`
  name      block name (None for unnamed blocks)
  file,line where the block (or the module's loadmodule) is; None for undefined targets
  defined   False for a target that no block defines
  reachable True when the block runs from some entry point (same answer as the checker's W201)
Edge attributes: kind (`route`, `t_on_failure`, `t_on_branch`, `t_on_reply`,
`t_on_branch_failure`, `event`, `dynamic`), file and line of the call site, and for dynamic calls
the constant `prefix` of the name (None otherwise). A MultiDiGraph: every call site is an edge,
keyed by a sequence number in source order (networkx itself groups edges by target).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from siprouter.core.cfg import ast
from siprouter.core.cfg.callgraph import CallGraph, RouteRef, modparam_route_names
from siprouter.core.exports import Registry, default_registry

from .modules import ModuleRun, loaded_modules, module_runs

MODULE = "module"
DYNAMIC = "dynamic"
EVENT = "event"
# Edges that run the target now, inside the caller: only these can recurse or form a chain.
# t_on_* only arm a block for later (a failure_route arming itself is normal serial forking).
CALL_EDGE_KINDS = frozenset({"route", DYNAMIC})
PSEUDO_KINDS = frozenset({MODULE, DYNAMIC})


def _add_node(g: nx.MultiDiGraph, node_id: str, kind: str, name: str | None, file: str | None,
              line: int | None, *, defined: bool = True) -> None:
    if node_id not in g:
        g.add_node(node_id, kind=kind, name=name, file=file, line=line, defined=defined,
                   reachable=False)


def _add_edge(g: nx.MultiDiGraph, source: str, target: str, kind: str, site: ast.Node | None,
              prefix: str | None = None) -> None:
    attrs: dict[str, Any] = {"kind": kind, "file": site.span.file if site else None,
                             "line": site.span.line if site else None, "prefix": prefix}
    # A counter, not number_of_edges(): that one walks every edge of a MultiDiGraph.
    key = g.graph["edges_added"] = g.graph.get("edges_added", 0) + 1
    g.add_edge(source, target, key=key, **attrs)


def _add_ref(g: nx.MultiDiGraph, calls: CallGraph, ref: RouteRef) -> None:
    targets = calls.resolve(ref)
    if ref.kind != DYNAMIC:
        if not targets:
            # Undefined target: a node of the kind the reference needs, so the edge has an end.
            key = ref.target_key or ""
            _add_node(g, key, ref.target_kind, ref.target_name, None, None, defined=False)
            targets = [key]
        for target in targets:
            _add_edge(g, ref.source, target, ref.kind, ref.call)
        return
    if ref.prefix:
        if targets:
            for target in targets:
                _add_edge(g, ref.source, target, DYNAMIC, ref.call, ref.prefix)
            return
        # A prefix no route name starts with: nothing can be called, report it as undefined.
        node_id = f"{DYNAMIC}:{ref.prefix}*"
        _add_node(g, node_id, DYNAMIC, f"{ref.prefix}*", None, None, defined=False)
    else:
        # Any named route may be called; one pseudo-node keeps the picture readable.
        node_id = f"{DYNAMIC}:*"
        _add_node(g, node_id, DYNAMIC, "*", None, None)
    _add_edge(g, ref.source, node_id, DYNAMIC, ref.call, ref.prefix)


def _add_module_run(g: nx.MultiDiGraph, run: ModuleRun,
                    loaded: dict[str, ast.LoadModule]) -> None:
    lm = loaded.get(run.module)
    node_id = f"{MODULE}:{run.module}"
    _add_node(g, node_id, MODULE, run.module, lm.span.file if lm else None,
              lm.span.line if lm else None,
              # The core is always there; another module named only in a modparam is not.
              defined=lm is not None or run.module == "core")
    _add_edge(g, node_id, run.target, EVENT, run.site)


def _mark_reachable(g: nx.MultiDiGraph, calls: CallGraph, config: ast.Config) -> None:
    for key in calls.reachable(set(modparam_route_names(config))):
        g.nodes[key]["reachable"] = True
    for node_id, data in g.nodes(data=True):
        if data["kind"] == MODULE:
            data["reachable"] = True
        elif data["kind"] == DYNAMIC and data["defined"]:
            data["reachable"] = any(g.nodes[p]["reachable"] for p in g.predecessors(node_id))


def build_graph(config: ast.Config, registry: Registry | None = None) -> nx.MultiDiGraph:
    """The route graph of `config`: one node per route block, one edge per reference."""
    calls = CallGraph.build(config)
    g = nx.MultiDiGraph()
    for key, block in calls.blocks.items():
        _add_node(g, key, block.canonical_kind, block.canonical_name, block.span.file,
                  block.span.line)
    for ref in calls.refs:
        _add_ref(g, calls, ref)
    loaded = loaded_modules(config)
    for run in module_runs(config, calls.blocks.values(), registry or default_registry()):
        _add_module_run(g, run, loaded)
    _mark_reachable(g, calls, config)
    return g


def is_route(g: nx.MultiDiGraph, node_id: str) -> bool:
    """True for nodes that stand for route blocks (defined or not), not pseudo-nodes."""
    return g.nodes[node_id]["kind"] not in PSEUDO_KINDS


def call_graph(g: nx.MultiDiGraph) -> nx.DiGraph:
    """The plain DiGraph of immediate calls (`route` and `dynamic` edges) between nodes."""
    calls = nx.DiGraph()
    calls.add_nodes_from(g.nodes)
    calls.add_edges_from((u, v) for u, v, k in g.edges(data="kind") if k in CALL_EDGE_KINDS)
    return calls


Edge = tuple[str, str, dict[str, Any]]


def ordered_edges(g: nx.MultiDiGraph, node_id: str | None = None) -> list[Edge]:
    """Edges as (source, target, data) in source order: all, or those leaving `node_id`."""
    edges = (g.edges(keys=True, data=True) if node_id is None
             else g.out_edges(node_id, keys=True, data=True))
    return [(u, v, d) for u, v, _, d in sorted(edges, key=lambda e: e[2])]
