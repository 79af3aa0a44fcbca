"""acc end to end: Kamailio 5.6's stock kamailio.cfg, unchanged, served by the real siprouter
while real SIPp phones call through it: an answered call (INVITE, ACK, BYE) to a registered
user and a call the registered callee refuses with 486.

The stock config sets FLT_ACC on INVITEs and BYEs and FLT_ACCMISSED on calls routed through
usrloc, so Kamailio writes `transaction answered` for the INVITE and the BYE and `call missed`
for the 486. The log records are compared with real Kamailio's for the same calls; with
-A WITH_ACCDB the rows must land in `acc` and `missed_calls` (SQLite and PostgreSQL), the
extra columns added as the stock config's comment tells the operator to.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from siprouter.core.db import connect
from tests.core.db.pgcluster import Cluster, remove_cluster, start_cluster
from tests.integration.conftest import READY_TIMEOUT, REPO, Process, _apt_install, free_port
from tests.integration.test_stock_config_runs import phone, request, status_of

SCENARIOS = Path(__file__).parent / "tm" / "scenarios"
ACC_LINE = re.compile(r"ACC: (?P<event>[a-z ]+): (?P<fields>\S.*)$")
WAIT = 10.0  # bound on waiting for what must come, not a measure


@pytest.fixture(scope="session")
def kamailio() -> str:
    """Real Kamailio (Debian's package), installed when missing."""
    if shutil.which("kamailio") is None:
        _apt_install("kamailio")
    path = shutil.which("kamailio")
    assert path
    return path


def start_server(argv: list[str], port: int, log: Path) -> Process:
    """Start a server on 127.0.0.1:port and wait until the stock config's keepalive answers."""
    server = Process(argv, cwd=REPO, log=log)
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        assert server.proc.poll() is None, f"server exited:\n{server.output()}"
        with phone() as probe:
            probe.settimeout(0.2)
            probe.sendto(request("OPTIONS", f"sip:127.0.0.1:{port}", probe.getsockname()[1]),
                         ("127.0.0.1", port))
            try:
                if probe.recv(65535):
                    return server
            except TimeoutError:
                pass
        if time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"no answer from the stock config:\n{server.output()}")


def send_until_answered(ua: socket.socket, data: bytes, port: int) -> bytes:
    """Send a request over UDP as a phone does: again every 500 ms until something answers
    (RFC 3261 timers A/E; a server that has just started may lose the first one)."""
    ua.settimeout(0.5)
    deadline = time.monotonic() + WAIT
    try:
        while True:
            ua.sendto(data, ("127.0.0.1", port))
            try:
                return ua.recv(65535)
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
    finally:
        ua.settimeout(3)


def register(port: int, user: str, contact_port: int) -> None:
    with phone() as ua:
        answer = send_until_answered(ua, request(
            "REGISTER", f"sip:{user}@127.0.0.1:{port}", ua.getsockname()[1],
            contact=f"sip:{user}@127.0.0.1:{contact_port}", extra="Expires: 60\r\n"), port)
        assert status_of(answer) == 200, answer


def busy_call(port: int) -> str:
    """INVITE carol, whose phone answers 486; ACK the 486. The Call-ID."""
    with phone() as ua:
        own = ua.getsockname()[1]
        invite = request("INVITE", f"sip:carol@127.0.0.1:{port}", own)
        answer = send_until_answered(ua, invite, port)
        while (status_of(answer) or 0) < 200:
            answer = ua.recv(65535)
        assert status_of(answer) == 486, answer
        head = answer.decode().split("\r\n")
        to = next(line for line in head if line.lower().startswith("to:"))
        ack = (invite.decode().replace("INVITE sip:", "ACK sip:", 1)
               .replace("CSeq: 1 INVITE", "CSeq: 1 ACK"))
        ack = re.sub(r"(?m)^To: .*$", to, ack)
        ua.sendto(ack.encode(), ("127.0.0.1", port))
    call_id = re.search(rb"Call-ID: (\S+)", invite)
    assert call_id
    return call_id.group(1).decode()


def calls(sipp: str, port: int, tmp_path: Path) -> str:
    """Register alice (a SIPp UAS answering 200) and carol (a SIPp UAS answering 486); call
    alice from a SIPp UAC (INVITE, ACK, BYE through the Record-Route), then carol. The busy
    call's Call-ID."""
    alice, carol = free_port(), free_port()
    phones = [Process([sipp, "-sf", str(SCENARIOS / name), "-i", "127.0.0.1", "-p", str(p),
                       "-m", "1", "-nostdin"], cwd=tmp_path, log=tmp_path / f"{name}.log")
              for name, p in (("uas.xml", alice), ("uas_busy.xml", carol))]
    try:
        register(port, "alice", alice)
        register(port, "carol", carol)
        uac = subprocess.run(
            [sipp, "-sf", str(SCENARIOS / "uac.xml"), f"127.0.0.1:{port}", "-s", "alice",
             "-i", "127.0.0.1", "-p", str(free_port()), "-m", "1", "-timeout", "15",
             "-nostdin"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert uac.returncode == 0, uac.stdout[-2000:] + uac.stderr[-2000:]
        call_id = busy_call(port)
        for p in phones:
            assert p.wait(WAIT) == 0, p.output()
        return call_id
    finally:
        for p in phones:
            p.stop()


def acc_records(server: Process, count: int) -> list[tuple[str, dict[str, str]]]:
    """The server's ACC log records (event, fields in order), once `count` are there."""
    deadline = time.monotonic() + WAIT
    while True:
        found = []
        for line in server.output().splitlines():
            m = ACC_LINE.search(line)
            if m:
                fields = dict(item.split("=", 1) for item in m.group("fields").split(";"))
                found.append((m.group("event"), fields))
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def comparable(records: list[tuple[str, dict[str, str]]]) -> list[tuple[str, list[str]]]:
    """Records with what differs between two runs (time, tags, Call-IDs) masked."""
    out = []
    for event, fields in records:
        masked = [f"{k}=*" if k in ("timestamp", "from_tag", "to_tag", "call_id") else f"{k}={v}"
                  for k, v in fields.items()]
        out.append((event, masked))
    return sorted(out)


def test_stock_config_logs_the_records_kamailio_logs(
        sipp: str, kamailio: str, stock_kamailio_cfg: Path, tmp_path: Path) -> None:
    results = {}
    for name in ("kamailio", "siprouter"):
        port = free_port()
        work = tmp_path / name
        work.mkdir()
        if name == "kamailio":
            argv = [kamailio, "-f", str(stock_kamailio_cfg), "-E", "-D", "-Y", str(work),
                    "-P", str(work / "kamailio.pid"), "-l", f"udp:127.0.0.1:{port}"]
        else:
            argv = [sys.executable, "-m", "siprouter.core.main", "-f", str(stock_kamailio_cfg),
                    "-l", f"udp:127.0.0.1:{port}"]
        server = start_server(argv, port, work / "server.log")
        try:
            busy_id = calls(sipp, port, work)
            records = acc_records(server, 3)
        finally:
            code = server.stop()
        results[name] = records
        if name == "siprouter":
            assert code == 0, server.output()
            assert "Traceback" not in server.output()
            assert re.search(r"(?m)^\d+ NOTICE: <siprouter\.acc> ACC: call missed: timestamp=\d+;"
                             rf"method=INVITE;from_tag=\w+;to_tag=\w+;call_id={busy_id};"
                             r"code=486;reason=Busy Here;src_user=bob;src_domain=127\.0\.0\.1;"
                             r"src_ip=127\.0\.0\.1;dst_ouser=carol;dst_user=carol;"
                             r"dst_domain=127\.0\.0\.1$", server.output()), server.output()
    ours = results["siprouter"]
    assert [e for e, _ in ours] == ["transaction answered", "transaction answered",
                                    "call missed"]
    assert comparable(ours) == comparable(results["kamailio"])
    invite, bye, _ = (fields for _, fields in ours)
    assert invite["method"] == "INVITE" and bye["method"] == "BYE"
    assert invite["call_id"] == bye["call_id"]
    assert invite["from_tag"] == bye["from_tag"] and "SIPpTag00" in invite["from_tag"]
    assert invite["to_tag"] == bye["to_tag"] and "SIPpTag01" in invite["to_tag"]


# --- WITH_ACCDB -------------------------------------------------------------------------------


def extra_columns(cfg: Path) -> list[str]:
    """The ALTER TABLE statements the stock config's comment asks the operator to run."""
    return re.findall(r"(?m)^\s*(ALTER TABLE \w+ ADD COLUMN .*?);\s*$", cfg.read_text())


@pytest.fixture(scope="module")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        remove_cluster(cluster)


@pytest.fixture(params=["sqlite", "postgres"])
def acc_db_url(request: pytest.FixtureRequest, tmp_path: Path, stock_kamailio_cfg: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path / 'kamailio.sqlite'}"
    else:
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database("acc_" + uuid.uuid4().hex[:10])
    subprocess.run([sys.executable, "-m", "siprouter.core.main", "db", "init", "--db-url", url],
                   cwd=REPO, check=True, capture_output=True, timeout=60)
    db = connect(url)
    statements = extra_columns(stock_kamailio_cfg)
    assert len(statements) == 12
    for sql in statements:
        db.execute(sql)
    db.close()
    return url


COLUMNS = ["method", "from_tag", "to_tag", "callid", "sip_code", "sip_reason", "time",
           "src_user", "src_domain", "src_ip", "dst_ouser", "dst_user", "dst_domain"]


def test_stock_config_with_accdb_writes_acc_and_missed_calls_rows(
        sipp: str, stock_kamailio_cfg: Path, acc_db_url: str, tmp_path: Path) -> None:
    port = free_port()
    server = start_server([sys.executable, "-m", "siprouter.core.main", "-f",
                           str(stock_kamailio_cfg), "-l", f"udp:127.0.0.1:{port}",
                           "-A", "WITH_ACCDB", "-A", f'DBURL="{acc_db_url}"'],
                          port, tmp_path / "siprouter.log")
    started = time.time()
    try:
        busy_id = calls(sipp, port, tmp_path)
        assert len(acc_records(server, 3)) == 3
    finally:
        code = server.stop()
    out = server.output()
    assert code == 0, out
    assert "Traceback" not in out, out
    assert not re.search(r"ERROR: <siprouter\.(acc|db)", out), out
    db = connect(acc_db_url)
    answered = db.query("acc", COLUMNS, order=["id"])
    missed = db.query("missed_calls", COLUMNS, order=["id"])
    db.close()
    assert [(r["method"], r["sip_code"], r["sip_reason"]) for r in answered] == [
        ("INVITE", "200", "OK"), ("BYE", "200", "OK")]
    invite, bye = answered
    assert invite["callid"] == bye["callid"] and invite["to_tag"] == bye["to_tag"]
    assert {k: invite[k] for k in COLUMNS[7:]} == {
        "src_user": "sipp", "src_domain": "127.0.0.1", "src_ip": "127.0.0.1",
        "dst_ouser": "alice", "dst_user": "alice", "dst_domain": "127.0.0.1"}
    assert bye["dst_user"] == ""  # the BYE's R-URI is a Contact without a user
    (call,) = missed
    assert (call["method"], call["callid"], call["sip_code"], call["sip_reason"]) == (
        "INVITE", busy_id, "486", "Busy Here")
    assert "SIPpTag02" in call["to_tag"]
    assert (call["src_user"], call["dst_ouser"], call["dst_user"]) == ("bob", "carol", "carol")
    stamp = call["time"]
    seconds = stamp.timestamp() if hasattr(stamp, "timestamp") else time.mktime(
        time.strptime(str(stamp)[:19], "%Y-%m-%d %H:%M:%S"))
    assert started - 1 <= seconds <= time.time() + 1


# --- replies the script makes ---------------------------------------------------------------

LOCAL_REPLY_CFG = """\
debug=2
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "textops.so"
loadmodule "acc.so"
modparam("acc", "log_flag", 1)
modparam("acc", "log_missed_flag", 2)
modparam("acc", "failed_transaction_flag", 3)
modparam("acc", "log_extra", "src_user=$fU;dst_user=$rU")
request_route {
    if (is_method("OPTIONS")) { sl_send_reply("200", "Keepalive"); exit; }
    if (is_method("ACK")) { t_check_trans(); exit; }
    setflag(1); setflag(2); setflag(3);
    t_newtran();
    send_reply("404", "Nobody Here");
    exit;
}
"""


def test_a_reply_sent_in_the_transaction_is_accounted_as_missed_and_failed(
        tmp_path: Path) -> None:
    cfg = tmp_path / "acc-local.cfg"
    cfg.write_text(LOCAL_REPLY_CFG)
    port = free_port()
    server = start_server([sys.executable, "-m", "siprouter.core.main", "-f", str(cfg),
                           "-l", f"udp:127.0.0.1:{port}"], port, tmp_path / "siprouter.log")
    try:
        with phone() as ua:
            invite = request("INVITE", f"sip:nobody@127.0.0.1:{port}", ua.getsockname()[1])
            answer = send_until_answered(ua, invite, port)
            while (status_of(answer) or 0) < 200:
                answer = ua.recv(65535)
            # the transaction's reply: a retransmitted INVITE gets the 404 again
            ua.sendto(invite, ("127.0.0.1", port))
            again = ua.recv(65535)
            while (status_of(again) or 0) < 200:
                again = ua.recv(65535)
        records = acc_records(server, 2)
    finally:
        code = server.stop()
    assert code == 0, server.output()
    assert answer.startswith(b"SIP/2.0 404 Nobody Here\r\n")
    assert again == answer
    to_tag = re.search(rb"(?m)^To: .*;tag=(\S+)\r$", answer)
    assert to_tag
    assert [e for e, _ in records] == ["call missed", "transaction answered"]
    for _, fields in records:
        # Kamailio records a reply of its own with the standard phrase for the code
        assert (fields["method"], fields["code"], fields["reason"]) == ("INVITE", "404",
                                                                      "Not Found")
        assert fields["to_tag"] == to_tag.group(1).decode()
        assert (fields["src_user"], fields["dst_user"]) == ("bob", "nobody")
