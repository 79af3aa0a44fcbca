"""dbg_pv_dump and dbg_sip_msg log what the script has at that point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.modules.debugger.rig import Rig

CFG = """\
loadmodule "pv.so"
loadmodule "debugger.so"
request_route {
    $var(n) = 5;
    $avp(a) = "x";
    $ru = "sip:carol@example.org";
    dbg_pv_dump();
    dbg_pv_dump(4, 1);
    dbg_sip_msg();
    exit;
}
"""


@pytest.fixture
def logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> list[str]:
    rig = Rig(tmp_path, cfg=CFG)
    try:
        with caplog.at_level("DEBUG", logger="siprouter.debugger"):
            rig.run()
    finally:
        rig.close()
    return [r.getMessage() for r in caplog.records]


def test_pv_dump_logs_vars_avps_and_the_scripts_other_pvs(logged: list[str]) -> None:
    dump = json.loads(logged[0])
    assert dump["$var(n)"] == 5 and dump["$avp(a)"] == "x"
    assert dump["$ru"] == "sip:carol@example.org"


def test_pv_dump_mask_selects_the_classes(logged: list[str]) -> None:
    assert json.loads(logged[1]) == {"$var(n)": 5}


def test_sip_msg_logs_the_message_as_it_would_be_sent(logged: list[str]) -> None:
    assert logged[2].startswith("msg out:{\nOPTIONS sip:carol@example.org SIP/2.0\r\n")
