"""The distribution installs everything under the one package `siprouter`."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_puts_every_module_under_siprouter(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-q", "-w", str(tmp_path), str(REPO)], check=True, timeout=300,
                   capture_output=True)
    (wheel,) = tmp_path.glob("siprouter-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"siprouter"}
    assert "siprouter/core/cfg/parser.py" in names
    assert "siprouter/modules/tm/__init__.py" in names  # tm is a package
    assert "siprouter/modules/sl.py" in names
    assert "siprouter/tools/cfglint/cli.py" in names
    assert "siprouter/examples/siprouter.cfg" in names
    assert "siprouter/tools/dbgtui/dbgtui.tcss" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    for script in ("siprouter", "cfglint", "route-graph", "sercmd", "dbgtui"):
        assert f"{script} = " in scripts
