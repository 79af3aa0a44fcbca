"""Acceptance: Kamailio 5.6's stock kamailio.cfg lints clean and `siprouter -c` accepts it.

The file comes from Debian's `kamailio` package, fetched by the `stock_kamailio_cfg` fixture.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from siprouter.core.cfg.frontend import analyze_file

# Every WITH_* toggle the stock file offers. Those that use DBURL need WITH_MYSQL to define it,
# exactly as the file's own header explains.
WITH_DEFINES = [
    "WITH_DEBUG", "WITH_MYSQL", "WITH_AUTH", "WITH_IPAUTH", "WITH_USRLOCDB", "WITH_PRESENCE",
    "WITH_MSGREBUILD", "WITH_NAT", "WITH_NATSIPPING", "WITH_RTPENGINE", "WITH_PSTN",
    "WITH_ALIASDB", "WITH_SPEEDDIAL", "WITH_MULTIDOMAIN", "WITH_TLS", "WITH_JSONRPC",
    "WITH_ANTIFLOOD", "WITH_BLOCK3XX", "WITH_BLOCK401407", "WITH_VOICEMAIL", "WITH_ACCDB",
]
NEEDS_DB = {"WITH_AUTH", "WITH_IPAUTH", "WITH_USRLOCDB", "WITH_PRESENCE", "WITH_ALIASDB",
            "WITH_SPEEDDIAL", "WITH_MULTIDOMAIN", "WITH_ACCDB"}
NEEDS_NAT = {"WITH_NATSIPPING", "WITH_RTPENGINE"}


def errors_of(path, defines):
    analysis = analyze_file(str(path), defines)
    return [d.render() for d in analysis.errors], analysis


def test_stock_file_offers_the_defines_we_test(stock_kamailio_cfg):
    offered = set(re.findall(r"#!ifn?def (WITH_\w+)", stock_kamailio_cfg.read_text()))
    assert offered <= set(WITH_DEFINES)


def test_stock_config_without_defines_has_no_errors(stock_kamailio_cfg):
    errors, analysis = errors_of(stock_kamailio_cfg, {})
    assert errors == []
    assert {r.key for r in analysis.config.routes} >= {
        "request_route", "route:REQINIT", "route:RELAY", "failure_route:MANAGE_FAILURE",
        "onreply_route:MANAGE_REPLY", "branch_route:MANAGE_BRANCH", "reply_route"}


@pytest.mark.parametrize("define", WITH_DEFINES)
def test_stock_config_with_each_define_has_no_errors(stock_kamailio_cfg, define):
    defines: dict[str, str | None] = {define: None}
    if define in NEEDS_DB:
        defines["WITH_MYSQL"] = None
    if define in NEEDS_NAT:
        defines["WITH_NAT"] = None
    errors, _ = errors_of(stock_kamailio_cfg, defines)
    assert errors == []


def test_siprouter_check_accepts_stock_config(stock_kamailio_cfg):
    proc = subprocess.run([sys.executable, "-m", "siprouter.core.main", "-c", "-f",
                           str(stock_kamailio_cfg)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.rstrip().endswith("config file ok, exiting...")


def test_siprouter_check_accepts_stock_config_with_command_line_defines(stock_kamailio_cfg):
    proc = subprocess.run([sys.executable, "-m", "siprouter.core.main", "-c", "-f",
                           str(stock_kamailio_cfg), "-A", "WITH_MYSQL", "-A", "WITH_AUTH",
                           "-A", "WITH_NAT"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
