"""Shared fixtures: real artefacts the tests need, fetched the way a user would get them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("SIPROUTER_TEST_CACHE", Path.home() / ".cache" / "siprouter-tests"))


def _debian_package_file(package: str, member: str) -> Path:
    """Extract `member` of Debian package `package` (apt-get download + dpkg -x), cached."""
    root = CACHE / package
    target = root / "root" / member.lstrip("/")
    if target.exists():
        return target
    root.mkdir(parents=True, exist_ok=True)
    for deb in root.glob("*.deb"):
        deb.unlink()
    subprocess.run(["apt-get", "download", package], cwd=root, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    (deb,) = root.glob("*.deb")
    if (root / "root").exists():
        shutil.rmtree(root / "root")
    subprocess.run(["dpkg", "-x", str(deb), str(root / "root")], check=True, timeout=120)
    return target


@pytest.fixture(scope="session")
def stock_kamailio_cfg() -> Path:
    """The stock kamailio.cfg of Debian's Kamailio 5.6 (not committed: fetched here)."""
    return _debian_package_file("kamailio", "etc/kamailio/kamailio.cfg")
