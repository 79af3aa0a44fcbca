"""Every test leaves HTTP on SIP ports switched off and the RPC dispatcher unset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.modules.xhttp.rig import reset


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    reset()
