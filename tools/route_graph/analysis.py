"""What CI and reviewers want to know about a route graph.

Findings (what `--check` gates on): `undefined` targets, `unreachable` route blocks and `cycles`
(recursion through `route()`). Facts: the longest call chain and per-node fan-in/out.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .graph import DYNAMIC, MODULE, call_graph, is_route

# Finding categories, as `--allow` names them.
UNDEFINED = "undefined"
UNREACHABLE = "unreachable"
CYCLES = "cycles"
CATEGORIES = (UNDEFINED, UNREACHABLE, CYCLES)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located where the operator can fix it."""

    file: str
    line: int
    category: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.category}: {self.message}"


def label(g: nx.MultiDiGraph, node_id: str) -> str:
    """How the cfg writes a node: `route[RELAY]`, `request_route`, `module xhttp`."""
    data = g.nodes[node_id]
    if data["kind"] == MODULE:
        return f"module {data['name']}"
    if data["kind"] == DYNAMIC:
        return f"route({data['name']})"
    return data["kind"] if data["name"] is None else f"{data['kind']}[{data['name']}]"


def undefined_targets(g: nx.MultiDiGraph) -> list[Finding]:
    """One finding per reference (call site) to a block no one defines."""
    out = []
    for source, target, data in g.edges(data=True):
        if g.nodes[target]["defined"] or g.nodes[target]["kind"] == MODULE:
            continue
        if data["kind"] == DYNAMIC:
            what = f'route("{data["prefix"]}" + ...) matches no route'
        elif data["kind"] == "route":
            what = f"route({g.nodes[target]['name']}) calls {label(g, target)}, which is not defined"
        else:
            what = (f'{data["kind"]}("{g.nodes[target]["name"]}") arms {label(g, target)}, '
                    "which is not defined")
        out.append(Finding(data["file"], data["line"], UNDEFINED, f"{what} (in {label(g, source)})"))
    return out


def unreachable_routes(g: nx.MultiDiGraph) -> list[Finding]:
    """Defined route blocks that no entry point (main routes, event routes, modules) reaches."""
    return [Finding(d["file"], d["line"], UNREACHABLE,
                    f"{label(g, n)} is never reached from any entry point")
            for n, d in g.nodes(data=True)
            if is_route(g, n) and d["defined"] and not d["reachable"]]


def recursion_cycles(g: nx.MultiDiGraph) -> list[list[str]]:
    """One cycle of `route()` calls per group of mutually recursive blocks (each strongly
    connected component), as node ids with the first repeated at the end.

    One cycle per component rather than every simple cycle: the count of simple cycles can grow
    exponentially, while one example per component names every block involved.
    """
    calls = call_graph(g)
    cycles = []
    for component in nx.strongly_connected_components(calls):
        start = min(component)
        if len(component) == 1 and not calls.has_edge(start, start):
            continue
        edges = nx.find_cycle(calls.subgraph(component), source=start)
        cycles.append([u for u, _ in edges] + [edges[-1][1]])
    return sorted(cycles, key=lambda c: (g.nodes[c[0]]["file"] or "", g.nodes[c[0]]["line"] or 0))


def cycle_findings(g: nx.MultiDiGraph) -> list[Finding]:
    """A finding per recursion cycle, at the block where it is reported to start."""
    out = []
    for cycle in recursion_cycles(g):
        first = g.nodes[cycle[0]]
        chain = " -> ".join(label(g, n) for n in cycle)
        out.append(Finding(first["file"], first["line"], CYCLES, f"recursion: {chain}"))
    return out


def findings(g: nx.MultiDiGraph) -> list[Finding]:
    """Every finding, sorted by place."""
    return sorted(undefined_targets(g) + unreachable_routes(g) + cycle_findings(g))


def longest_call_chain(g: nx.MultiDiGraph) -> list[str]:
    """The longest chain of nested `route()` calls, as node ids (empty without calls).

    Calls inside a recursion cycle are left out (the chain would be endless), so the chain is
    the longest one that runs without recursing.
    """
    calls = call_graph(g)
    for component in nx.strongly_connected_components(calls):
        if len(component) > 1:
            calls.remove_edges_from([(u, v) for u, v in calls.subgraph(component).edges])
    calls.remove_edges_from(list(nx.selfloop_edges(calls)))
    if calls.number_of_edges() == 0:
        return []
    return list(nx.dag_longest_path(calls))


def fan(g: nx.MultiDiGraph, node_id: str) -> tuple[int, int]:
    """(fan-in, fan-out) of a node: distinct blocks that reference it, distinct blocks it
    references (all edge kinds; several calls to the same block count once)."""
    return (len(set(g.predecessors(node_id))), len(set(g.successors(node_id))))


def gate(found: list[Finding], allowed: frozenset[str] | set[str]) -> list[Finding]:
    """The findings that fail `--check`: those whose category is not allowed."""
    return [f for f in found if f.category not in allowed]
