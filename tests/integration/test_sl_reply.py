"""sl_send_reply / send_reply / t_reply expand pseudo-variables in code and reason, as Kamailio."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import free_port, options_probe, udp_exchange

CFG = """children=1
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "pv.so"
request_route {{
    $var(code) = 202;
    {call}
}}
"""


@pytest.mark.parametrize("call", [
    'sl_send_reply("$var(code)", "Seen $rm from $si");',
    'send_reply("$var(code)", "Seen $rm from $si");',
    't_newtran(); t_reply("$var(code)", "Seen $rm from $si");',
])
def test_reply_code_and_reason_expand_pvs(start_siprouter, tmp_path: Path, call: str) -> None:
    cfg = tmp_path / "reply.cfg"
    cfg.write_text(CFG.format(call=call))
    port = free_port()
    start_siprouter(cfg, port, "-l", f"udp:127.0.0.1:{port}")
    answer = udp_exchange(port, options_probe(port, max_forwards=70))
    assert answer is not None
    assert answer.split(b"\r\n", 1)[0] == b"SIP/2.0 202 Seen OPTIONS from 127.0.0.1"
