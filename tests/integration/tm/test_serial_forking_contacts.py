"""Serial/parallel forking by q end to end (tm README, "Serial forking"): three UAs register
for bob, two at q=1.0 and one at q=0.5; a call to bob rings the two q=1.0 UAs in parallel
(t_load_contacts + t_next_contacts + t_relay) and, once both said 486, the q=0.5 one from
failure_route (t_next_contacts again), which answers the call."""

from __future__ import annotations

import re
import socket
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.integration.conftest import Process, free_port, udp_exchange

SCENARIOS = Path(__file__).parent / "scenarios"
CFG = SCENARIOS / "serial_forking_contacts.cfg"
WAIT = 10.0  # seconds a socket or process waits for what must come (a bound, not a measure)
QUIET = 0.5  # seconds a UA is watched to show that nothing came


def register(proxy: int, user: str, port: int, q: str, n: int) -> None:
    """REGISTER <sip:user@127.0.0.1:port>;q=q as a binding of bob (answered 200)."""
    text = (f"REGISTER sip:127.0.0.1:{proxy} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKreg{n};rport\r\n"
            f"From: <sip:bob@127.0.0.1>;tag=r{n}\r\nTo: <sip:bob@127.0.0.1>\r\n"
            f"Call-ID: reg-{n}-{port}\r\nCSeq: 1 REGISTER\r\n"
            f"Contact: <sip:{user}@127.0.0.1:{port}>;q={q}\r\nExpires: 300\r\n"
            "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
    got = udp_exchange(proxy, text.encode(), timeout=WAIT)
    assert got is not None and got.startswith(b"SIP/2.0 200"), got


# --- real SIPp on both sides ----------------------------------------------------------------------


STAMP = re.compile(r"^-+ (\d{4}-\d\d-\d\d\t?\s?\d\d:\d\d:\d\d\.\d+)", re.M)


def sipp_messages(log: Path) -> list[tuple[datetime, str]]:
    """(when, first line) of each message in a SIPp -trace_msg file."""
    out = []
    text = log.read_text(errors="replace")
    for block in re.split(r"\n(?=-{10,} )", text):
        m = STAMP.match(block.strip("\n"))
        if not m:
            continue
        when = datetime.strptime(re.sub(r"\s+", " ", m.group(1)), "%Y-%m-%d %H:%M:%S.%f")
        lines = [ln for ln in block.splitlines()[1:] if ln.strip()]
        start = next((ln.strip() for ln in lines if re.match(r"\s*(SIP/2.0 |[A-Z]+ \S+ SIP/2.0)",
                                                              ln)), "")
        out.append((when, start))
    return out


def test_sipp_call_rings_both_q1_uas_in_parallel_then_the_q05_one_which_answers(
        sipp: str, tmp_path: Path, processes: list[Process], start_siprouter) -> None:
    proxy = free_port()
    ports = {"busy1": free_port(), "busy2": free_port(), "answer": free_port()}
    for name, port in ports.items():
        scenario = "uas.xml" if name == "answer" else "uas_busy.xml"
        processes.append(Process(
            [sipp, "-sf", str(SCENARIOS / scenario), "-i", "127.0.0.1", "-p", str(port),
             "-m", "1", "-nostdin", "-trace_msg", "-message_file", str(tmp_path / f"{name}.msg")],
            cwd=tmp_path, log=tmp_path / f"{name}.log"))
    start_siprouter(CFG, proxy, "-l", f"udp:127.0.0.1:{proxy}")
    register(proxy, "busy1", ports["busy1"], "1.0", 1)
    register(proxy, "answer", ports["answer"], "0.5", 2)
    register(proxy, "busy2", ports["busy2"], "1.0", 3)
    uac = subprocess.run(
        [sipp, "-sf", str(SCENARIOS / "uac.xml"), "-s", "bob", f"127.0.0.1:{proxy}",
         "-i", "127.0.0.1", "-p", str(free_port()), "-m", "1", "-timeout", "30", "-nostdin"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert uac.returncode == 0, uac.stdout[-3000:] + uac.stderr[-2000:]
    for uas in processes:
        assert uas.wait(WAIT) == 0, uas.output()[-3000:]
    seen = {name: sipp_messages(tmp_path / f"{name}.msg") for name in ports}
    for name in ports:
        invites = [(t, s) for t, s in seen[name] if s.startswith("INVITE ")]
        assert len(invites) == 1, (name, seen[name])
        assert invites[0][1].startswith(f"INVITE sip:{name}@127.0.0.1:{ports[name]} ")
    busy_sent = [t for name in ("busy1", "busy2") for t, s in seen[name]
                 if s.startswith("SIP/2.0 486")]
    answer_invite = next(t for t, s in seen["answer"] if s.startswith("INVITE "))
    assert len(busy_sent) == 2 and answer_invite > max(busy_sent)
    assert [s.split()[0] for _, s in seen["answer"] if not s.startswith("SIP/2.0")] == [
        "INVITE", "ACK", "BYE"]


# --- hand-driven UAs: exactly who gets what, and when --------------------------------------------


class UA:
    """A UDP endpoint that reads what the proxy sends and answers it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(WAIT)
        self.port = self.sock.getsockname()[1]

    def expect(self, start: str) -> tuple[str, tuple[str, int]]:
        """The next message starting with `start` (others, e.g. 100 Trying, skipped)."""
        while True:
            data, addr = self.sock.recvfrom(65535)
            text = data.decode()
            if text.startswith(start):
                return text, addr

    def silent(self) -> bool:
        """Nothing arrives for QUIET seconds."""
        self.sock.settimeout(QUIET)
        try:
            self.sock.recvfrom(65535)
        except TimeoutError:
            return True
        finally:
            self.sock.settimeout(WAIT)
        return False

    def send(self, text: str, addr: tuple[str, int]) -> None:
        self.sock.sendto(text.encode(), addr)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def uas() -> Iterator[list[UA]]:
    made: list[UA] = []
    yield made
    for ua in made:
        ua.close()


def _ua(made: list[UA]) -> UA:
    ua = UA()
    made.append(ua)
    return ua


def _header(msg: str, name: str) -> list[str]:
    return [line.partition(":")[2].strip() for line in msg.split("\r\n")
            if line.partition(":")[0].strip().lower() == name]


def answer(msg: str, code: int, reason: str, tag: str) -> str:
    lines = [f"SIP/2.0 {code} {reason}"]
    lines += [f"Via: {v}" for v in _header(msg, "via")]
    lines += [f"From: {_header(msg, 'from')[0]}", f"To: {_header(msg, 'to')[0]};tag={tag}"]
    lines += [f"Call-ID: {_header(msg, 'call-id')[0]}", f"CSeq: {_header(msg, 'cseq')[0]}"]
    lines += [f"Record-Route: {r}" for r in _header(msg, "record-route")]
    lines += [f"Contact: <sip:{tag}@127.0.0.1>", "Content-Length: 0", "", ""]
    return "\r\n".join(lines)


def invite(caller: UA, proxy: int, call_id: str) -> str:
    return (f"INVITE sip:bob@127.0.0.1:{proxy} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{caller.port};branch=z9hG4bK{call_id};rport\r\n"
            f"From: <sip:alice@127.0.0.1>;tag=a1\r\nTo: <sip:bob@127.0.0.1>\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 INVITE\r\n"
            f"Contact: <sip:alice@127.0.0.1:{caller.port}>\r\nMax-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n")


def _start(start_siprouter) -> int:
    proxy = free_port()
    start_siprouter(CFG, proxy, "-l", f"udp:127.0.0.1:{proxy}")
    return proxy


def _final(caller: UA) -> str:
    while True:
        text, _ = caller.expect("SIP/2.0 ")
        if not text.startswith("SIP/2.0 1"):
            return text


def test_the_q05_contact_gets_the_invite_only_after_both_q1_contacts_failed(
        start_siprouter, uas: list[UA]) -> None:
    caller, high1, high2, low = _ua(uas), _ua(uas), _ua(uas), _ua(uas)
    proxy = _start(start_siprouter)
    register(proxy, "high1", high1.port, "1.0", 1)
    register(proxy, "low", low.port, "0.5", 2)
    register(proxy, "high2", high2.port, "1", 3)
    caller.sock.sendto(invite(caller, proxy, "serialq1").encode(), ("127.0.0.1", proxy))
    inv1, via1 = high1.expect("INVITE ")
    inv2, via2 = high2.expect("INVITE ")
    assert inv1.startswith(f"INVITE sip:high1@127.0.0.1:{high1.port} ")
    assert inv2.startswith(f"INVITE sip:high2@127.0.0.1:{high2.port} ")
    assert low.silent()
    high1.send(answer(inv1, 486, "Busy Here", "h1"), via1)
    high1.expect("ACK ")
    assert low.silent()  # the other q=1.0 branch is still ringing
    high2.send(answer(inv2, 486, "Busy Here", "h2"), via2)
    high2.expect("ACK ")
    inv3, via3 = low.expect("INVITE ")
    assert inv3.startswith(f"INVITE sip:low@127.0.0.1:{low.port} ")
    low.send(answer(inv3, 200, "OK", "l1"), via3)
    ok = _final(caller)
    assert ok.startswith("SIP/2.0 200") and "tag=l1" in _header(ok, "to")[0]


def test_when_every_class_failed_the_caller_gets_the_best_answer(
        start_siprouter, uas: list[UA]) -> None:
    caller, high, low = _ua(uas), _ua(uas), _ua(uas)
    proxy = _start(start_siprouter)
    register(proxy, "high", high.port, "0.9", 1)
    register(proxy, "low", low.port, "0.1", 2)
    caller.sock.sendto(invite(caller, proxy, "serialq2").encode(), ("127.0.0.1", proxy))
    inv1, via1 = high.expect("INVITE ")
    high.send(answer(inv1, 486, "Busy Here", "h1"), via1)
    inv2, via2 = low.expect("INVITE ")
    low.send(answer(inv2, 603, "Decline", "l1"), via2)
    final = _final(caller)
    assert final.startswith("SIP/2.0 603")  # failure_route: t_next_contacts() was -2, exit


def test_a_single_contact_is_called_directly(start_siprouter, uas: list[UA]) -> None:
    caller, only = _ua(uas), _ua(uas)
    proxy = _start(start_siprouter)
    register(proxy, "only", only.port, "0.7", 1)
    caller.sock.sendto(invite(caller, proxy, "serialq3").encode(), ("127.0.0.1", proxy))
    inv, via = only.expect("INVITE ")
    assert inv.startswith(f"INVITE sip:only@127.0.0.1:{only.port} ")
    only.send(answer(inv, 200, "OK", "o1"), via)
    assert _final(caller).startswith("SIP/2.0 200")
