"""A throwaway PostgreSQL cluster for tests: Debian's `postgresql` (installed when missing),
`initdb` in a temporary directory owned by the `postgres` user (initdb refuses root), started
with `pg_ctl` on a free port of 127.0.0.1 and stopped (by `pg_ctl stop`) at the end."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "siprouter"


def _apt_install(*packages: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env, timeout=600)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *packages], check=True, env=env,
                   timeout=900)


def pg_bindir() -> Path:
    """The directory of initdb/pg_ctl, installing Debian's postgresql when needed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        _apt_install("postgresql")
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL's initdb is not installed"
    return Path(found[-1]).parent


def free_tcp_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running cluster: `url(db)` is a siprouter db_url for one of its databases."""

    bindir: Path
    datadir: Path
    port: int
    user: str

    def _as_owner(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        if os.geteuid() == 0:
            argv = ["runuser", "-u", self.user, "--", *argv]
        return subprocess.run(argv, check=check, capture_output=True, text=True, timeout=120)

    def url(self, database: str = "siprouter") -> str:
        return f"postgres://siprouter:{PASSWORD}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self._as_owner([str(self.bindir / "psql"), "-h", "127.0.0.1", "-p",
                               str(self.port), "-U", self.user, "-d", database, "-Atc",
                               sql]).stdout

    def create_database(self, name: str) -> str:
        """A new empty database owned by the `siprouter` role; its db_url."""
        self.psql(f'CREATE DATABASE "{name}" OWNER siprouter')
        return self.url(name)

    def start(self) -> None:
        self._as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-w", "-t", "60",
                        "-l", str(self.datadir / "server.log"), "-o",
                        f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1",
                        "start"])

    def running(self) -> bool:
        r = self._as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "status"],
                           check=False)
        return r.returncode == 0

    def ensure_running(self) -> None:
        if not self.running():
            self.start()

    def stop(self, mode: str = "fast") -> None:
        self._as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", mode,
                        "-w", "stop"], check=False)


def start_cluster() -> Cluster:
    """initdb + start a cluster with a password role `siprouter` (CREATEDB)."""
    bindir = pg_bindir()
    user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    top = Path(tempfile.mkdtemp(prefix="siprouter-pg-"))
    datadir = top / "data"
    if os.geteuid() == 0:
        shutil.chown(top, user)
        top.chmod(0o755)
    cluster = Cluster(bindir, datadir, free_tcp_port(), user)
    cluster._as_owner([str(bindir / "initdb"), "-D", str(datadir), "-U", user, "-A", "trust",
                       "--no-sync", "-E", "UTF8"])
    with open(datadir / "postgresql.conf", "a") as conf:
        conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
    cluster.start()
    cluster.psql(f"CREATE ROLE siprouter LOGIN CREATEDB PASSWORD '{PASSWORD}'")
    return cluster


def remove_cluster(cluster: Cluster) -> None:
    cluster.stop("immediate")
    shutil.rmtree(cluster.datadir.parent, ignore_errors=True)
