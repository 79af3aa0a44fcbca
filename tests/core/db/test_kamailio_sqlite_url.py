"""A sqlite db_url shared with real Kamailio 5.6 names the same file in both: Kamailio (Debian's
kamailio and kamailio-sqlite-modules, run from the unpacked packages, in its default working
directory `/`) saves a registration through it, siprouter reads it back through the same URL."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from siprouter.core.db import connect, create_schema, parse_db_url
from tests.core.db.kamailio_sql import kamailio_scripts
from tests.integration.conftest import READY_TIMEOUT, Process, free_port

CFG = """#!KAMAILIO
children=1
listen=udp:127.0.0.1:{port}
loadmodule "{db_sqlite}"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "db_url", "{url}")
modparam("usrloc", "db_mode", 1)
request_route {{
  if (method == "REGISTER") {{ save("location"); exit; }}
  sl_send_reply("404", "Not here");
}}
"""


def _kamailio_argv(stock_kamailio_cfg: Path) -> list[str]:
    root = stock_kamailio_cfg.parents[2]
    lib = root / "usr" / "lib" / "x86_64-linux-gnu" / "kamailio"
    return ["env", f"LD_LIBRARY_PATH={lib}", str(root / "usr" / "sbin" / "kamailio"),
            "-L", str(lib / "modules")]


def _db_sqlite_module() -> Path:
    root = kamailio_scripts("db_sqlite").parents[3]  # the unpacked kamailio-sqlite-modules
    module = root / "usr" / "lib" / "x86_64-linux-gnu" / "kamailio" / "modules" / "db_sqlite.so"
    assert module.exists(), module
    return module


def _register(port: int, proc: Process) -> None:
    """REGISTER alice until Kamailio (still starting) answers 200."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as ua:
        ua.bind(("127.0.0.1", 0))
        ua.settimeout(0.5)
        own = ua.getsockname()[1]
        request = (f"REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP 127.0.0.1:{own};branch=z9hG4bKdburl{own}\r\n"
                   f"From: <sip:alice@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n"
                   f"Call-ID: dburl-{own}\r\nCSeq: 1 REGISTER\r\n"
                   f"Contact: <sip:alice@127.0.0.1:{own}>;expires=600\r\n"
                   f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            assert proc.proc.poll() is None, f"kamailio exited:\n{proc.output()}"
            ua.sendto(request, ("127.0.0.1", port))
            try:
                reply = ua.recv(4096)
            except TimeoutError:
                continue
            assert reply.startswith(b"SIP/2.0 200"), reply
            return
    pytest.fail(f"no answer from kamailio:\n{proc.output()}")


@pytest.mark.parametrize("slashes", [3, 4])
def test_kamailio_and_siprouter_use_the_same_file(stock_kamailio_cfg: Path, tmp_path: Path,
                                                  slashes: int) -> None:
    # 3: sqlite:///tmp/.../shared.db, relative to Kamailio's working directory "/";
    # 4: sqlite:////tmp/.../shared.db, absolute.
    path = tmp_path / "shared.db"
    url = "sqlite:" + "/" * slashes + str(path).lstrip("/")
    assert parse_db_url(url).path == str(path)
    db = connect(url)
    create_schema(db)  # Kamailio's db_sqlite creates no tables: siprouter's schema it is
    port = free_port()
    cfg = tmp_path / "kamailio.cfg"
    cfg.write_text(CFG.format(port=port, db_sqlite=_db_sqlite_module(), url=url))
    proc = Process([*_kamailio_argv(stock_kamailio_cfg), "-x", "tlsf", "-f", str(cfg), "-DD",
                    "-E"], cwd=tmp_path, log=tmp_path / "kamailio.log")
    try:
        _register(port, proc)
    finally:
        proc.stop()
    rows = db.query("location", ["username", "contact"])
    assert [r["username"] for r in rows] == ["alice"]
    assert rows[0]["contact"].startswith("sip:alice@127.0.0.1:")
    db.close()
