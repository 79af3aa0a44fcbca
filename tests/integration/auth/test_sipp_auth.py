"""The bundled default config with -A WITH_AUTH against SIPp: REGISTERs are authenticated with
passwords from the subscriber table (right password: 401 then 200; wrong password: 401 again;
an expired nonce of ours: 401 with stale=true, then 200 with the new nonce)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from siprouter.core.db import connect
from siprouter.core.sip import digest
from tests.integration.conftest import REPO, free_port, udp_exchange

SCENARIOS = Path(__file__).parent / "scenarios"
CONFIG = REPO / "examples" / "siprouter.cfg"
SECRET = "integration-secret"


@pytest.fixture
def auth_server(start_siprouter, tmp_path: Path) -> int:
    """The default config with WITH_AUTH on a fresh SQLite database holding alice/secret."""
    url = f"sqlite://{tmp_path / 'db.sqlite'}"
    subprocess.run([sys.executable, "-m", "siprouter.core.main", "db", "init", "--db-url", url],
                   cwd=REPO, check=True, capture_output=True, timeout=60)
    db = connect(url)
    db.insert("subscriber", {"username": "alice", "domain": "example.com",
                             "password": "secret"})
    db.close()
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-A", "WITH_AUTH",
                    "-A", f'DBURL="{url}"', "-A", f'AUTH_SECRET="{SECRET}"')
    return port


def play(sipp: str, port: int, scenario: str, tmp_path: Path, *keys: str) -> None:
    """Run one call of `scenario` as alice; fail with SIPp's error log."""
    extra = [a for i in range(0, len(keys), 2) for a in ("-key", keys[i], keys[i + 1])]
    errors = tmp_path / f"sipp-{uuid.uuid4().hex[:6]}-errors.log"
    r = subprocess.run([sipp, f"127.0.0.1:{port}", "-sf", str(SCENARIOS / scenario), "-m", "1",
                        "-i", "127.0.0.1", "-p", str(free_port()), "-key", "user", "alice",
                        "-au", "alice", "-ap", "secret", *extra, "-timeout", "15s",
                        "-trace_err", "-error_file", str(errors)],
                       cwd=tmp_path, capture_output=True, timeout=60)
    detail = errors.read_text(errors="replace") if errors.exists() else ""
    assert r.returncode == 0, detail + r.stderr.decode(errors="replace")


def test_right_password_is_200_after_a_401(sipp: str, auth_server: int, tmp_path: Path) -> None:
    play(sipp, auth_server, "register_auth_ok.xml", tmp_path)


def test_wrong_password_is_401_again(sipp: str, auth_server: int, tmp_path: Path) -> None:
    play(sipp, auth_server, "register_auth_wrong.xml", tmp_path)


def test_stale_nonce_is_401_with_stale_true(sipp: str, auth_server: int,
                                            tmp_path: Path) -> None:
    # A nonce the server made an hour ago (same secret): well past nonce_expire (300 s).
    nonce = digest.make_nonce(SECRET.encode(), int(time.time()) - 3600, 1)
    uri = "sip:example.com"
    ha1 = digest.ha1("MD5", "alice", "example.com", "secret")
    resp = digest.response("MD5", ha1, nonce, digest.ha2("MD5", "REGISTER", uri))
    value = (f'Digest username="alice", realm="example.com", nonce="{nonce}", uri="{uri}", '
             f'response="{resp}", algorithm=MD5')
    play(sipp, auth_server, "register_auth_stale.xml", tmp_path, "stale_auth", value)


@pytest.mark.parametrize("authorization", [
    "Digest garbage",
    'Digest username="alice", realm="example.com", nonce="x"',
    'Digest username="alice", realm="example.com", nonce="not-ours", uri="sip:example.com", '
    'response="00000000000000000000000000000000"',
    "Basic YWxpY2U6c2VjcmV0",
])
def test_bad_credentials_get_a_fresh_challenge(auth_server: int, authorization: str) -> None:
    # The server log is checked for tracebacks when the fixture stops it.
    tag = uuid.uuid4().hex[:8]
    data = ("REGISTER sip:example.com SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK{tag};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:alice@example.com>;tag={tag}\r\n"
            "To: <sip:alice@example.com>\r\n"
            f"Call-ID: {tag}\r\nCSeq: 1 REGISTER\r\n"
            f"Authorization: {authorization}\r\n"
            "Content-Length: 0\r\n\r\n").encode()
    answer = udp_exchange(auth_server, data)
    assert answer is not None and answer.startswith(b"SIP/2.0 401 Unauthorized"), answer
    assert b"WWW-Authenticate: Digest realm=\"example.com\"" in answer
    assert b"stale" not in answer
