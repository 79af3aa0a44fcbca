"""Fixtures for cfglint: the real CLI in a subprocess and small configs written per test."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

CONFIGS = {
    # Accepted without a finding.
    "good.cfg": "request_route {\n\texit;\n}\n",
    # One error (E209, line 2) and one warning (W203, line 3), whatever modules are declared.
    "bad.cfg": "request_route {\n    route(MISSING);\n    return 0;\n}\n",
    # Clean unless -A WITH_BAD is given.
    "ifdef.cfg": "request_route {\n#!ifdef WITH_BAD\n    route(MISSING);\n#!endif\n    exit;\n}\n",
}

Runner = Callable[..., subprocess.CompletedProcess[str]]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment minus anything that changes colour decisions, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "TTY_COMPATIBLE"}}
    env.update(extra)
    return env


@pytest.fixture
def cfglint(tmp_path: Path) -> Runner:
    """Run `python -m siprouter.tools.cfglint ARGS` in tmp_path and return the finished process."""

    def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "siprouter.tools.cfglint", *args],
            cwd=tmp_path, input=stdin, capture_output=True, text=True, timeout=60,
            env=env if env is not None else clean_env(),
        )

    return run


@pytest.fixture(scope="session")
def make_env() -> Callable[..., dict[str, str]]:
    """`clean_env` for tests that start cfglint themselves (on a pseudo-terminal)."""
    return clean_env


@pytest.fixture(scope="session")
def configs() -> dict[str, str]:
    """Name -> text of the sample configs (good.cfg, bad.cfg, ifdef.cfg)."""
    return dict(CONFIGS)


@pytest.fixture
def cfg(tmp_path: Path) -> Callable[..., str]:
    """Write a sample config (or `text` under `name`) into the runner's cwd; returns the name."""

    def _write(name: str, text: str | None = None) -> str:
        (tmp_path / name).write_text(CONFIGS[name] if text is None else text, encoding="utf-8")
        return name

    return _write
