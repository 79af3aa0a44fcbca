"""Acceptance: Debian's stock Kamailio 5.6 kamailio.cfg, with and without defines.

The file is fetched by the `stock_kamailio_cfg` fixture (apt-get download kamailio), never
committed. Call-site lines are checked against the file's own text rather than pinned numbers,
so a Debian revision that moves lines does not break the tests.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import networkx as nx
import pytest

from siprouter.tools.route_graph.analysis import findings
from siprouter.tools.route_graph.graph import build_graph, ordered_edges
from siprouter.tools.route_graph.load import load_config
from siprouter.tools.route_graph.render_dot import render_dot
from siprouter.tools.route_graph.render_mermaid import render_mermaid

NAT_AUTH = {"WITH_NAT": None, "WITH_AUTH": None}

STOCK_NODES = {
    "request_route", "reply_route",
    "route:RELAY", "route:REQINIT", "route:WITHINDLG", "route:REGISTRAR", "route:LOCATION",
    "route:PRESENCE", "route:AUTH", "route:NATDETECT", "route:NATMANAGE", "route:DLGURI",
    "route:SIPOUT", "route:PSTN", "route:TOVOICEMAIL",
    "branch_route:MANAGE_BRANCH", "onreply_route:MANAGE_REPLY", "failure_route:MANAGE_FAILURE",
}

# (source, target, kind) of every reference when no #!ifdef'd call is enabled.
STOCK_EDGES = Counter([
    ("request_route", "route:REQINIT", "route"),
    ("request_route", "route:NATDETECT", "route"),
    ("request_route", "route:RELAY", "route"),
    ("request_route", "route:WITHINDLG", "route"),
    ("request_route", "route:AUTH", "route"),
    ("request_route", "route:SIPOUT", "route"),
    ("request_route", "route:PRESENCE", "route"),
    ("request_route", "route:REGISTRAR", "route"),
    ("request_route", "route:PSTN", "route"),
    ("request_route", "route:LOCATION", "route"),
    ("route:RELAY", "branch_route:MANAGE_BRANCH", "t_on_branch"),
    ("route:RELAY", "onreply_route:MANAGE_REPLY", "t_on_reply"),
    ("route:RELAY", "failure_route:MANAGE_FAILURE", "t_on_failure"),
    ("route:WITHINDLG", "route:DLGURI", "route"),
    ("route:WITHINDLG", "route:NATMANAGE", "route"),
    ("route:WITHINDLG", "route:RELAY", "route"),
    ("route:WITHINDLG", "route:PRESENCE", "route"),
    ("route:WITHINDLG", "route:RELAY", "route"),
    ("route:LOCATION", "route:TOVOICEMAIL", "route"),
    ("route:LOCATION", "route:RELAY", "route"),
    ("route:PRESENCE", "route:TOVOICEMAIL", "route"),
    ("route:SIPOUT", "route:RELAY", "route"),
    ("branch_route:MANAGE_BRANCH", "route:NATMANAGE", "route"),
    ("onreply_route:MANAGE_REPLY", "route:NATMANAGE", "route"),
    ("failure_route:MANAGE_FAILURE", "route:NATMANAGE", "route"),
])

# Calls that sit inside #!ifdef branches none of the tested defines enable.
DISABLED_CALLS = [
    ("route:LOCATION", "route:SIPOUT"),  # WITH_SPEEDDIAL, WITH_ALIASDB
    ("route:TOVOICEMAIL", "route:RELAY"),  # WITH_VOICEMAIL
    ("route:PSTN", "route:RELAY"),  # WITH_PSTN
    ("failure_route:MANAGE_FAILURE", "route:TOVOICEMAIL"),  # WITH_VOICEMAIL
]


def stock_graph(path: Path, defines: dict[str, str | None]) -> nx.MultiDiGraph:
    return build_graph(load_config(str(path), defines))


def edge_keys(g: nx.MultiDiGraph) -> Counter[tuple[str, str, str]]:
    return Counter((u, v, d["kind"]) for u, v, d in g.edges(data=True))


@pytest.fixture(scope="module")
def plain(stock_kamailio_cfg: Path) -> nx.MultiDiGraph:
    return stock_graph(stock_kamailio_cfg, {})


@pytest.fixture(scope="module")
def nat_auth(stock_kamailio_cfg: Path) -> nx.MultiDiGraph:
    return stock_graph(stock_kamailio_cfg, NAT_AUTH)


def test_without_defines_the_nodes_are_the_enabled_route_blocks(plain):
    assert set(plain.nodes) == STOCK_NODES


def test_without_defines_the_edges_are_the_enabled_references(plain):
    assert edge_keys(plain) == STOCK_EDGES


def test_with_nat_and_auth_the_nodes_are_the_enabled_route_blocks(nat_auth):
    assert set(nat_auth.nodes) == STOCK_NODES


def test_with_nat_and_auth_the_edges_are_the_enabled_references(nat_auth):
    assert edge_keys(nat_auth) == STOCK_EDGES


@pytest.mark.parametrize("which", ["plain", "nat_auth"])
def test_request_route_calls_reqinit_and_relay_arms_manage_failure(which, request):
    g = request.getfixturevalue(which)
    assert g.has_edge("request_route", "route:REQINIT")
    (arm,) = [d for _, v, d in g.out_edges("route:RELAY", data=True)
              if v == "failure_route:MANAGE_FAILURE"]
    assert arm["kind"] == "t_on_failure"


@pytest.mark.parametrize("which", ["plain", "nat_auth"])
def test_no_edges_from_disabled_ifdef_branches(which, request):
    g = request.getfixturevalue(which)
    assert [pair for pair in DISABLED_CALLS if g.has_edge(*pair)] == []
    assert "event_route:xhttp:request" not in g


def test_enabling_a_define_adds_the_calls_in_its_branch(stock_kamailio_cfg):
    g = stock_graph(stock_kamailio_cfg, {"WITH_VOICEMAIL": None})
    assert g.has_edge("route:TOVOICEMAIL", "route:RELAY")
    assert g.has_edge("failure_route:MANAGE_FAILURE", "route:TOVOICEMAIL")


def test_jsonrpc_define_adds_the_xhttp_event_route_armed_by_the_module(stock_kamailio_cfg):
    g = stock_graph(stock_kamailio_cfg, {"WITH_JSONRPC": None})
    assert ("module:xhttp", "event_route:xhttp:request", "event") in edge_keys(g)


@pytest.mark.parametrize("which", ["plain", "nat_auth"])
def test_every_edge_line_is_the_line_of_its_call(which, request, stock_kamailio_cfg):
    g = request.getfixturevalue(which)
    lines = stock_kamailio_cfg.read_text().splitlines()
    for u, v, d in ordered_edges(g):
        name = g.nodes[v]["name"]
        function = "route" if d["kind"] == "route" else d["kind"]
        text = lines[d["line"] - 1].replace('"', "")
        assert f"{function}({name})" in text, (u, v, d["line"], text)


@pytest.mark.parametrize("which", ["plain", "nat_auth"])
def test_stock_config_has_no_findings(which, request):
    assert findings(request.getfixturevalue(which)) == []


def _unquote(value: object) -> str:
    return str(value).strip('"')


def _as_dot_strings(attrs: dict[str, object], keys: tuple[str, ...]) -> dict[str, str]:
    """Attributes as DOT carries them: strings, booleans lower-case, None left out."""
    out = {}
    for key in keys:
        value = attrs.get(key)
        if value is not None:
            out[key] = str(value).lower() if isinstance(value, bool) else _unquote(value)
    return out


NODE_KEYS = ("kind", "name", "file", "line", "defined", "reachable")
EDGE_KEYS = ("kind", "line", "file", "prefix")


def test_dot_output_read_back_by_networkx_equals_the_graph(nat_auth, tmp_path):
    path = tmp_path / "stock.dot"
    path.write_text(render_dot(nat_auth))
    back = nx.nx_pydot.read_dot(path)
    # pydot reserves `name`, so the DOT output calls it `route_name`.
    back_nodes = {_unquote(n): _as_dot_strings({**d, "name": d.get("route_name")}, NODE_KEYS)
                  for n, d in back.nodes(data=True)}
    assert back_nodes == {n: _as_dot_strings(d, NODE_KEYS) for n, d in nat_auth.nodes(data=True)}

    def edge_view(g: nx.MultiDiGraph) -> Counter[tuple[object, ...]]:
        return Counter((_unquote(u), _unquote(v),
                        tuple(sorted(_as_dot_strings(d, EDGE_KEYS).items())))
                       for u, v, d in g.edges(data=True))

    assert edge_view(back) == edge_view(nat_auth)


def test_mermaid_output_renders_with_the_mermaid_cli(stock_kamailio_cfg, mermaid_render):
    g = stock_graph(stock_kamailio_cfg, {**NAT_AUTH, "WITH_JSONRPC": None})
    done, svg = mermaid_render(render_mermaid(g))
    assert done.returncode == 0, done.stderr
    assert "MANAGE_FAILURE" in svg.read_text()
