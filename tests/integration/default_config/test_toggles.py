"""Every toggle of the bundled default config passes `siprouter -c`, alone and all together
(the parametrised check of tests/core/test_main.py, extended here)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.integration.conftest import REPO
from tests.integration.default_config.helpers import CONFIG

TOGGLES = ["WITH_AUTH", "WITH_USRLOCDB", "WITH_MULTIDOMAIN", "WITH_ALIASDB", "WITH_TLS",
           "WITH_ANTIFLOOD", "WITH_XMLRPC"]


def check(*defines: str) -> subprocess.CompletedProcess[str]:
    args = [a for d in defines for a in ("-A", d)]
    return subprocess.run([sys.executable, "-m", "siprouter.core.main", "-c", "-f", str(CONFIG),
                           *args], cwd=REPO, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("toggle", TOGGLES)
def test_each_toggle_passes_the_config_check(toggle: str) -> None:
    r = check(toggle)
    assert r.returncode == 0, r.stdout + r.stderr


def test_all_toggles_together_pass_the_config_check() -> None:
    r = check(*TOGGLES)
    assert r.returncode == 0, r.stdout + r.stderr


def test_the_bundled_config_is_what_siprouter_runs_without_f() -> None:
    r = subprocess.run([sys.executable, "-m", "siprouter.core.main", "-c", "-A", "WITH_ANTIFLOOD"],
                       cwd=REPO, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
