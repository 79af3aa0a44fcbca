"""route-graph: the routing script as a networkx graph, for people and CI (docs/route-graph.md)."""

from .analysis import Finding, findings, longest_call_chain
from .cli import main
from .diff import GraphDiff, diff_graphs
from .graph import build_graph
from .load import ConfigError, load_config

__all__ = ["ConfigError", "Finding", "GraphDiff", "build_graph", "diff_graphs", "findings",
           "load_config", "longest_call_chain", "main"]
