"""REGISTER scenarios played by SIPp against the real server: Expires 0, `*` unregister,
too many contacts."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from tests.integration.conftest import free_port
from tests.integration.registrar.conftest import CONFIG, SCENARIOS


def play(sipp: str, port: int, scenario: str, tmp_path: Path) -> None:
    """Run one call of `scenario` against the server; fail with SIPp's error log."""
    r = subprocess.run([sipp, f"127.0.0.1:{port}", "-sf", str(SCENARIOS / scenario), "-m", "1",
                        "-i", "127.0.0.1", "-p", str(free_port()), "-key", "user",
                        f"u{uuid.uuid4().hex[:8]}", "-timeout", "15s", "-trace_err",
                        "-error_file", str(tmp_path / "sipp-errors.log")],
                       cwd=tmp_path, capture_output=True, timeout=60)
    errors = (tmp_path / "sipp-errors.log")
    detail = errors.read_text(errors="replace") if errors.exists() else r.stdout.decode()
    assert r.returncode == 0, detail


@pytest.mark.parametrize("db", ["0", "1"])
@pytest.mark.parametrize("scenario", ["register_expires_0.xml", "register_star.xml",
                                      "register_star_bad.xml"])
def test_register_scenarios(sipp: str, start_siprouter, tmp_path: Path, scenario: str,
                            db: str) -> None:
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-A", f"DBMODE={db}", "-A",
                    f'DBURL="sqlite://{tmp_path / "loc.db"}"')
    play(sipp, port, scenario, tmp_path)


def test_too_many_contacts_is_503(sipp: str, start_siprouter, tmp_path: Path) -> None:
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-A", "MAXC=1")
    play(sipp, port, "register_too_many.xml", tmp_path)
