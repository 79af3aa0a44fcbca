"""Fixtures for route-graph tests: small configs, the real CLI, Graphviz and the Mermaid CLI.

Nothing is skipped: what a test needs and is missing is installed here, the way CI installs it.
CI can install everything up front with `python tests/tools/route_graph/conftest.py`
(Debian packages `graphviz chromium`, npm package `@mermaid-js/mermaid-cli`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("SIPROUTER_TEST_CACHE", Path.home() / ".cache" / "siprouter-tests"))
MERMAID_PREFIX = CACHE / "mermaid-cli"
MMDC = MERMAID_PREFIX / "node_modules" / ".bin" / "mmdc"
CHROMIUM = Path("/usr/bin/chromium")
# Chromium must not reach the network: no DNS, no background services (see test-peers.md).
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--dns-prefetch-disable",
                 "--no-pings", "--host-resolver-rules=MAP * ~NOTFOUND",
                 "--disable-features=AsyncDns,DnsOverHttps"]


def _apt_install(*packages: str) -> None:
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *packages],
                   check=True, stdout=subprocess.DEVNULL, timeout=900,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def install_graphviz() -> str:
    """Path of Graphviz's `dot`, installing Debian's graphviz when missing."""
    if shutil.which("dot") is None:
        _apt_install("graphviz")
    dot = shutil.which("dot")
    assert dot, "graphviz installed but no dot on PATH"
    return dot


def install_mermaid_cli() -> Path:
    """Path of `mmdc`, installing Debian's chromium and npm's @mermaid-js/mermaid-cli (into the
    test cache, without Puppeteer's own browser download) when missing."""
    if not CHROMIUM.exists():
        _apt_install("chromium")
    if not MMDC.exists():
        MERMAID_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(MERMAID_PREFIX),
                        "@mermaid-js/mermaid-cli"], check=True, stdout=subprocess.DEVNULL,
                       timeout=900, env={**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"})
    return MMDC


MermaidRun = tuple[subprocess.CompletedProcess[str], Path]


def install_all() -> None:
    """Everything the route-graph tests need (for CI set-up scripts)."""
    install_graphviz()
    install_mermaid_cli()


@pytest.fixture(scope="session")
def graphviz_dot() -> str:
    return install_graphviz()


@pytest.fixture(scope="session")
def mermaid_render(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], MermaidRun]:
    """A function that renders Mermaid text to SVG with mmdc, inside a network namespace that
    has only loopback; returns the finished process and the path the SVG is written to."""
    mmdc = install_mermaid_cli()
    workdir = tmp_path_factory.mktemp("mermaid")
    config = workdir / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": str(CHROMIUM), "args": CHROMIUM_ARGS}))
    counter = iter(range(1_000_000))

    def render(text: str) -> MermaidRun:
        n = next(counter)
        src, out = workdir / f"g{n}.mmd", workdir / f"g{n}.svg"
        src.write_text(text)
        script = (f"ip link set lo up && {mmdc} -i {src} -o {out} -p {config} --quiet")
        done = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True,
                              text=True, timeout=120, check=False,
                              env={**os.environ, "PUPPETEER_EXECUTABLE_PATH": str(CHROMIUM),
                                   "HOME": str(workdir)})
        return done, out

    return render


@pytest.fixture
def write_cfg(tmp_path: Path) -> Callable[..., Path]:
    """Write config text to a file in tmp_path and return its path."""

    def write(text: str, name: str = "test.cfg") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


def run_route_graph(*args: str | Path, cwd: Path | None = None,
                    env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, as CI would run it."""
    return subprocess.run([sys.executable, "-m", "siprouter.tools.route_graph",
                           *map(str, args)], capture_output=True, text=True, timeout=120,
                          cwd=cwd, env=env, check=False)


@pytest.fixture
def route_graph() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_route_graph


if __name__ == "__main__":
    install_all()
