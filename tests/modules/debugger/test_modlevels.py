"""dbg.set_mod_level / dbg.get_mod_level and the facility pair."""

from __future__ import annotations

import logging
from pathlib import Path

from siprouter.modules.debugger.settings import DebuggerSettings
from tests.modules.debugger.rig import Rig


def test_get_mod_level_falls_back_to_the_core_debug_level(rig: Rig) -> None:
    assert rig.call("dbg.get_mod_level", "tm") == 0


def test_set_then_get_mod_level(rig: Rig) -> None:
    assert rig.call("dbg.set_mod_level", "tm", 3) == "200 ok"
    assert rig.call("dbg.get_mod_level", "tm") == 3
    assert rig.call("dbg.mod_level", "sl", 1) == "200 ok"
    assert rig.call("dbg.get_mod_level", "sl") == 1


def test_facility(rig: Rig) -> None:
    assert rig.call("dbg.get_mod_facility", "tm") == "LOG_DAEMON"
    assert rig.call("dbg.set_mod_facility", "tm", "LOG_LOCAL1") == "200 ok"
    assert rig.call("dbg.get_mod_facility", "tm") == "LOG_LOCAL1"


def test_workers_apply_levels_with_mod_level_mode(tmp_path: Path) -> None:
    rig = Rig(tmp_path, DebuggerSettings(mod_level_mode=1))
    logger = logging.getLogger("siprouter.dbgtestmod")
    try:
        rig.call("dbg.set_mod_level", "dbgtestmod", 3)
        rig.run()
        assert logger.level == logging.DEBUG
    finally:
        logger.setLevel(logging.NOTSET)
        rig.close()
