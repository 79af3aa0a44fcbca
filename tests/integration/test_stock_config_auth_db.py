"""Kamailio 5.6's stock kamailio.cfg, unchanged, with -A WITH_AUTH -A WITH_USRLOCDB and a DBURL
on SQLite and on PostgreSQL: REGISTERs are authenticated against the subscriber table and the
binding is written to the location table (usrloc db_mode 2 writes back at the latest at stop)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from siprouter.core.db import connect
from tests.core.db.pgcluster import Cluster, remove_cluster, start_cluster
from tests.integration.auth.test_sipp_auth import SCENARIOS
from tests.integration.conftest import REPO, free_port

# The stock config relays only for its own domain (uri==myself): the users live at 127.0.0.1.
DOMAIN = "127.0.0.1"


def play(sipp: str, port: int, scenario: str, tmp_path: Path) -> None:
    """Run one call of the auth scenario `scenario`, for the domain 127.0.0.1, as alice."""
    text = (SCENARIOS / scenario).read_text()
    path = tmp_path / scenario
    path.write_text(text.replace("example\\.com", DOMAIN.replace(".", "\\."))
                    .replace("example.com", DOMAIN))
    errors = tmp_path / f"sipp-{uuid.uuid4().hex[:6]}-errors.log"
    r = subprocess.run([sipp, f"127.0.0.1:{port}", "-sf", str(path), "-m", "1",
                        "-i", "127.0.0.1", "-p", str(free_port()), "-key", "user", "alice",
                        "-au", "alice", "-ap", "secret", "-timeout", "15s",
                        "-trace_err", "-error_file", str(errors)],
                       cwd=tmp_path, capture_output=True, timeout=60)
    detail = errors.read_text(errors="replace") if errors.exists() else ""
    assert r.returncode == 0, detail + r.stderr.decode(errors="replace")


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        remove_cluster(cluster)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'kamailio.sqlite'}"
    else:
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("stock_" + uuid.uuid4().hex[:10])
    subprocess.run([sys.executable, "-m", "siprouter.core.main", "db", "init", "--db-url", url],
                   cwd=REPO, check=True, capture_output=True, timeout=60)
    db = connect(url)
    db.insert("subscriber", {"username": "alice", "domain": DOMAIN,
                             "password": "secret"})
    db.close()
    return url


def test_stock_config_authenticates_and_stores_the_binding(
        sipp: str, start_siprouter, stock_kamailio_cfg: Path, db_url: str,
        tmp_path: Path) -> None:
    port = free_port()
    server = start_siprouter(stock_kamailio_cfg, port, "-l", f"udp:127.0.0.1:{port}",
                             "-A", "WITH_AUTH", "-A", "WITH_USRLOCDB",
                             "-A", f'DBURL="{db_url}"')
    play(sipp, port, "register_auth_wrong.xml", tmp_path)  # 401, then 401 again
    play(sipp, port, "register_auth_ok.xml", tmp_path)  # 401, then 200
    server.stop_cleanly()
    db = connect(db_url)
    rows = db.query("location", ["username"])
    db.close()
    assert [r["username"] for r in rows] == ["alice"]
