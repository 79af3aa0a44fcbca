"""Kamailio's own create scripts, from Debian's packages (fetched and cached the way
tests/conftest.py fetches the stock config), to check compatibility both ways. The scripts ship
with the engine's module package: kamailio-sqlite-modules (db_sqlite/) and
kamailio-postgres-modules (postgres/)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CACHE = Path(os.environ.get("SIPROUTER_TEST_CACHE", Path.home() / ".cache" / "siprouter-tests"))
PACKAGES = {"db_sqlite": "kamailio-sqlite-modules", "postgres": "kamailio-postgres-modules"}


def kamailio_scripts(engine_dir: str) -> Path:
    """usr/share/kamailio/<engine_dir> of the Debian package that ships it."""
    package = PACKAGES[engine_dir]
    root = CACHE / package
    target = root / "root" / "usr" / "share" / "kamailio" / engine_dir
    if (target / "usrloc-create.sql").exists():
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


def script(engine_dir: str, group: str) -> str:
    """The text of `<engine_dir>/<group>-create.sql` (engine_dir: db_sqlite or postgres)."""
    return (kamailio_scripts(engine_dir) / f"{group}-create.sql").read_text()
