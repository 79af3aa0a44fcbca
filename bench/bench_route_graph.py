"""Benchmark: route graph of a generated 10,000-line config, from file to JSON text.

Target (issue 8): under 1 s for the whole path `route-graph -f json` takes: preprocess, lex,
parse (the shared front-end), build the graph with its analyses, render JSON.

    python bench/bench_route_graph.py [--lines 10000] [--repeat 5]

Prints the best time of each stage and the total; record results in docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

from siprouter.core.cfg.frontend import analyze_file
from siprouter.tools.route_graph.analysis import findings
from siprouter.tools.route_graph.graph import build_graph
from siprouter.tools.route_graph.render_json import render_json

HEADER = """\
#!KAMAILIO
#!define WITH_NAT
debug=2
children=4
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "xlog.so"
loadmodule "xhttp.so"
loadmodule "textops.so"
modparam("tm", "fr_timer", 30000)
modparam("rr", "enable_full_lr", 1)
event_route[xhttp:request] {
    xhttp_reply("200", "OK", "text/plain", "ok");
}
"""


def route_block(i: int, n: int) -> list[str]:
    """One named route of about 24 lines: conditions, logging, calls, arming, an #!ifdef."""
    nxt, far = (i + 1) % n, (i * 7 + 3) % n
    return [
        f"route[R{i}] {{",
        f'    xlog("L_INFO", "route R{i}: $rm from $si:$sp\\n");',
        f'    if ($rU =~ "^\\+?[0-9]+$" && $rd == "example{i}.org") {{',
        f"        $var(hops) = $var(hops) + {i % 5};",
        '        if (is_method("INVITE")) {',
        f'            t_on_failure("F{i % 50}");',
        f'            t_on_branch("B{i % 50}");',
        "        }",
        f"        route(R{nxt});",
        "    } else {",
        "        switch ($rm) {",
        '            case "OPTIONS":',
        '                sl_send_reply("200", "Keepalive");',
        "                exit;",
        '            case "REGISTER":',
        f"                route(R{far});",
        "                break;",
        "            default:",
        '                append_hf("X-Seen: yes\\r\\n");',
        "        }",
        "    }",
        "#!ifdef WITH_NAT",
        f'    if (nat_uac_test("19")) {{ route(R{(i + 2) % n}); }}',
        "#!endif",
        "}",
    ]


def small_block(kind: str, name: str, body: str) -> list[str]:
    return [f"{kind}[{name}] {{", f"    {body}", "}"]


def generate(lines: int) -> str:
    """Config text of about `lines` lines (never fewer)."""
    out = HEADER.splitlines()
    out += ["request_route {", '    if (!mf_process_maxfwd_header("10")) { exit; }',
            "    route(R0);", '    route("R" + $var(next));', "}"]
    for i in range(50):
        out += small_block("failure_route", f"F{i}", f"if (t_is_canceled()) {{ exit; }} route(R{i});")
        out += small_block("branch_route", f"B{i}", 'xlog("L_DBG", "branch\\n");')
    n = max(1, (lines - len(out)) // 25 + 1)
    for i in range(n):
        out += route_block(i, n)
    return "\n".join(out) + "\n"


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    text = generate(args.lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.cfg")
        with open(path, "w") as fh:
            fh.write(text)
        t_front, analysis = best(lambda: analyze_file(path, check=False), args.repeat)
        assert analysis.ok, analysis.errors[:3]
        t_graph, g = best(lambda: build_graph(analysis.config), args.repeat)
        t_find, _ = best(lambda: findings(g), args.repeat)
        t_json, _ = best(lambda: render_json(g), args.repeat)
        t_total, _ = best(lambda: render_json(build_graph(analyze_file(path, check=False).config)),
                          args.repeat)
    print(f"config: {text.count(chr(10))} lines, {g.number_of_nodes()} nodes, "
          f"{g.number_of_edges()} edges")
    print(f"front-end (preprocess+parse): {t_front * 1000:8.1f} ms")
    print(f"build graph:                  {t_graph * 1000:8.1f} ms")
    print(f"findings:                     {t_find * 1000:8.1f} ms")
    print(f"render json:                  {t_json * 1000:8.1f} ms")
    print(f"total file -> json:           {t_total * 1000:8.1f} ms (target < 1000 ms)")


if __name__ == "__main__":
    main()
