"""Build the management side of a config in this process (private counters and cfg)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from siprouter.core.cfg.frontend import analyze_text
from siprouter.core.rpc.bootstrap import Management, build_management
from siprouter.core.rpc.settings import ConfigSettings
from siprouter.core.shared.counters import CounterSet

BASE = """#!KAMAILIO
#!define WITH_DEMO
debug=2
listen=udp:127.0.0.1:5060
alias=example.com:5070
loadmodule "jsonrpcs.so"
loadmodule "xmlrpc.so"
loadmodule "counters.so"
loadmodule "kex.so"
loadmodule "cfg_rpc.so"
loadmodule "registrar.so"
loadmodule "tls.so"
loadmodule "ctl.so"
modparam("counters", "script_counter", "foo my test counter")
modparam("counters", "script_counter", "location.offline requests for offline users")
modparam("registrar", "default_expires", 1800)
request_route { exit; }
"""


def settings_for(text: str) -> ConfigSettings:
    analysis = analyze_text(text)
    assert analysis.ok, [d.render() for d in analysis.diagnostics]
    defines = {k: d.value for k, d in analysis.preprocessed.defines.items()}
    return ConfigSettings.from_config(analysis.config, defines)


@pytest.fixture
def make_mgmt() -> Callable[..., Management]:
    def make(text: str = BASE, **kw: Any) -> Management:
        kw.setdefault("share", False)
        kw.setdefault("counters", CounterSet())
        return build_management(settings_for(text), **kw)

    return make


@pytest.fixture
def mgmt(make_mgmt: Callable[..., Management]) -> Management:
    return make_mgmt()
