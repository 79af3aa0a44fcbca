"""Parse + check time of generated configs of 1k, 3k and 10k lines (issue target: 3k < 0.3 s).

Run: python bench/bench_cfg_frontend.py
The configs look like real ones: module loads and modparams, then many named routes with
conditions, calls, assignments, switches and transformations, all reachable from request_route.
"""

from __future__ import annotations

import statistics
import sys
import time

from siprouter.core.cfg.frontend import analyze_text

HEADER = """#!KAMAILIO
#!define FLT_ACC 1
debug=2
children=4
listen=udp:127.0.0.1:5060
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("tm", "fr_timer", 30000)
modparam("rr", "enable_full_lr", 0)
"""

ROUTE = """route[R{n}] {{
	if (!mf_process_maxfwd_header("10")) {{
		sl_send_reply("483", "Too Many Hops");
		exit;
	}}
	if (is_method("INVITE|SUBSCRIBE") && !has_totag()) {{
		record_route();
		setflag(FLT_ACC);
	}}
	$var(n{n}) = $(ru{{uri.user}}{{s.len}}) + {n};
	switch ($rU) {{
		case "alice":
			xlog("L_INFO", "call to alice from $fu ($si:$sp)\\n");
			break;
		case /"^\\+49":
			append_hf("X-Country: DE\\r\\n");
			break;
		default:
			$avp(dst) = "sip:" + $rU + "@example.com";
	}}
	while ($var(i) < 3) {{
		$var(i) = $var(i) + 1;
	}}
	if (lookup("location")) {{
		t_relay();
	}}
	route(R{next});
}}
"""


def make_config(lines: int) -> str:
    per_route = ROUTE.count("\n")
    routes = max(1, (lines - HEADER.count("\n") - 4) // per_route)
    body = [HEADER, "request_route {\n\troute(R0);\n}\n"]
    for n in range(routes):
        body.append(ROUTE.format(n=n, next=n + 1 if n + 1 < routes else 0))
    return "".join(body)


def measure(lines: int, repeat: int = 5) -> tuple[int, float, float]:
    text = make_config(lines)
    actual = text.count("\n")
    analysis = analyze_text(text, "bench.cfg")
    assert not analysis.errors, analysis.errors[:3]
    wall, cpu = [], []
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        analyze_text(text, "bench.cfg")
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - cpu_start)
    # CPU time is reported too: on a shared 2-core machine wall time includes other load.
    return actual, statistics.median(wall), min(cpu)


def main() -> int:
    print(f"{'lines':>7} {'wall median s':>14} {'cpu best s':>11} {'µs/line':>8}")
    for target in (1000, 3000, 10000):
        lines, wall, cpu = measure(target)
        print(f"{lines:>7} {wall:>14.3f} {cpu:>11.3f} {cpu / lines * 1e6:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
