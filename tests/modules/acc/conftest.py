"""Every acc test starts and ends with acc's defaults (no flags: tm's callbacks unregistered)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import siprouter.core.runtime.sip_pvs  # noqa: F401 -- registers $fU, $si, $rU ... as the server does
from siprouter.modules import acc


@pytest.fixture(autouse=True)
def _acc_defaults() -> Iterator[None]:
    acc.configure()
    yield
    acc.configure()
