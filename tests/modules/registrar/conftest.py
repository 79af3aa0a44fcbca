"""A fresh usrloc (cache in memory, fake clock) and registrar settings for every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from siprouter.modules import registrar, usrloc
from tests.modules.registrar.helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def setup(clock: FakeClock, tmp_path: Any) -> Iterator[Callable[..., usrloc.Usrloc]]:
    """setup(registrar_params, **usrloc_params): configure both modules; db_mode 0 by
    default, with an in-memory cache; db_mode 1-3 use an SQLite file in tmp_path."""
    def make(reg: dict[str, Any] | None = None, *, cache: str = "sqlite://:memory:",
             **ul: Any) -> usrloc.Usrloc:
        registrar.configure(reg or {})
        ul.setdefault("db_url", f"sqlite://{tmp_path / 'loc.db'}")
        return usrloc.configure(ul, clock=clock, cache_url=cache)

    make()
    yield make
    usrloc.reset()
    registrar.configure({})
