"""Runtime-changeable registrar parameters are read through the cfg framework: a change
applies to the next REGISTER without a restart (Kamailio 3.1's cfg framework)."""

from __future__ import annotations

import pytest

from siprouter.core.shared.cfgdecl import declare_modules
from siprouter.core.shared.cfgframework import CfgFramework
from siprouter.modules import registrar
from tests.modules.registrar.helpers import Script, register


@pytest.fixture
def cfg(monkeypatch: pytest.MonkeyPatch) -> CfgFramework:
    framework = CfgFramework()
    declare_modules(framework, [registrar.exports], {("registrar", "default_expires"): 1200})
    monkeypatch.setattr(registrar, "_server_cfg", lambda: framework)
    return framework


def test_the_modparam_is_the_starting_value(setup, cfg: CfgFramework) -> None:
    r = Script('save("location");').run(register())
    assert r.reply.contacts == ["<sip:alice@198.51.100.7:5062>;expires=1200"]


def test_a_cfg_change_applies_to_the_next_register(setup, cfg: CfgFramework) -> None:
    cfg.set_now("registrar", "default_expires", 300)
    cfg.set_now("registrar", "max_contacts", 1)
    s = Script('save("location");')
    assert s.run(register()).reply.contacts == ["<sip:alice@198.51.100.7:5062>;expires=300"]
    assert s.run(register(contacts=["<sip:alice@192.0.2.5>"], callid="x")).reply.status == 503
