"""Real kamcmd (Debian's Kamailio 5.6 package) driving a real `siprouter -f` through the ctl
module's binrpc listeners: unix stream and datagram sockets, TCP and UDP; replies printed the
way kamcmd prints Kamailio's, faults with Kamailio's codes and wording."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from siprouter.core.rpc import binrpc
from tests.integration.conftest import READY_TIMEOUT, REPO, Process, free_port

CFG = """#!KAMAILIO
debug=2
children=2
listen=udp:127.0.0.1:{sip}
alias=example.com:5070
alias=other.example
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "kex.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "cfg_rpc.so"
loadmodule "counters.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:{run}/kamailio_ctl")
modparam("ctl", "binrpc", "unixd:{run}/kamailio_ctl.dgram")
modparam("ctl", "binrpc", "tcp:127.0.0.1:{tcp}")
modparam("ctl", "binrpc", "udp:127.0.0.1:{udp}")
modparam("ctl", "mode", 0660)
modparam("counters", "script_counter", "hits requests seen by the script")
modparam("registrar", "default_expires", 1800)
request_route {{
  if (method == "REGISTER") {{ save("location"); exit; }}
  sl_send_reply("200", "OK");
  exit;
}}
"""


def kamcmd_binary(stock_kamailio_cfg: Path) -> str:
    """kamcmd from the Debian package the stock config comes from (apt-get download + dpkg -x,
    cached): it runs from there (libreadline comes with Debian's Python), and nothing gets
    installed or started."""
    extracted = stock_kamailio_cfg.parents[2] / "usr" / "sbin" / "kamcmd"
    assert extracted.exists(), extracted
    return str(extracted)


@pytest.fixture(scope="session")
def kamcmd(stock_kamailio_cfg: Path) -> str:
    return kamcmd_binary(stock_kamailio_cfg)


@dataclass
class Served:
    proc: Process
    run: Path
    sip: int
    tcp: int
    udp: int
    kamcmd: str

    @property
    def unix(self) -> str:
        return f"unix:{self.run}/kamailio_ctl"

    def cmd(self, *args: str, address: str | None = None, stdin: str | None = None) -> str:
        """kamcmd's stdout (it exits 0 for faults too, as against Kamailio)."""
        done = subprocess.run([self.kamcmd, "-s", address or self.unix, *args], input=stdin,
                              capture_output=True, text=True, timeout=20)
        assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
        assert done.stderr == "", done.stderr
        return done.stdout


def _wait_for_kamcmd(kamcmd: str, address: str, proc: Process) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        assert proc.proc.poll() is None, f"siprouter exited:\n{proc.output()}"
        done = subprocess.run([kamcmd, "-s", address, "core.version"], capture_output=True,
                              text=True, timeout=10)
        if done.returncode == 0 and done.stdout.startswith("siprouter "):
            return
        time.sleep(0.1)
    pytest.fail(f"kamcmd got no answer on {address}:\n{proc.output()}")


@pytest.fixture(scope="module")
def served(kamcmd: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("kamcmd")
    run = tmp / "run"
    ports = {"sip": free_port(), "tcp": free_port(), "udp": free_port()}
    cfg = tmp / "ctl.cfg"
    cfg.write_text(CFG.format(run=run, **ports))
    proc = Process([sys.executable, "-m", "siprouter.core.main", "-f", str(cfg)], cwd=REPO,
                   log=tmp / "siprouter.log")
    server = Served(proc, run, kamcmd=kamcmd, **ports)
    try:
        _wait_for_kamcmd(kamcmd, server.unix, proc)
        yield server
    finally:
        code = proc.stop()
    out = proc.output()
    assert code == 0, f"siprouter exited with {code}:\n{out}"
    assert "Traceback" not in out, out


def test_core_version_over_the_unix_socket(served: Served) -> None:
    assert re.fullmatch(r"siprouter \S+ \(\S+/\S+\)\n", served.cmd("core.version"))


@pytest.mark.parametrize("kind", ["tcp", "udp", "unixd"])
def test_every_transport_answers(served: Served, kind: str) -> None:
    address = {"tcp": f"tcp:127.0.0.1:{served.tcp}", "udp": f"udp:127.0.0.1:{served.udp}",
               "unixd": f"unixd:{served.run}/kamailio_ctl.dgram"}[kind]
    assert served.cmd("cfg.get", "registrar", "default_expires", address=address) == "1800\n"


def test_core_uptime_prints_a_struct(served: Served) -> None:
    lines = served.cmd("core.uptime").splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert [line.split(":")[0] for line in lines[1:-1]] == ["\tnow", "\tup_since", "\tuptime"]
    assert re.fullmatch(r"\tuptime: \d+", lines[3])


def test_core_psx_prints_one_struct_per_process(served: Served) -> None:
    out = served.cmd("core.psx")
    assert out.count("{\n") == out.count("}\n") >= 4  # attendant, RPC handler, two workers
    assert re.search(r"^\tIDX: 0\n\tPID: \d+\n\tDSC: main process - attendant$", out, re.M)
    assert "\tDSC: RPC handler" in out


def test_system_list_methods_prints_one_name_per_line(served: Served) -> None:
    names = served.cmd("system.listMethods").splitlines()
    assert {"core.version", "cfg.get", "ul.dump", "ctl.who"} <= set(names)


def test_stats_get_statistics_prints_kamailios_lines(served: Served) -> None:
    lines = served.cmd("stats.get_statistics", "all").splitlines()
    assert "script:hits = 0" in lines
    assert all(re.fullmatch(r"[\w.]+:\w+ = -?\d+", line) for line in lines), lines


def test_ul_dump_nests_like_kamailio(served: Served) -> None:
    port = _register(served.sip, "alice")
    out = served.cmd("ul.dump")
    skeleton = [line for line in out.splitlines() if line.endswith("{") or line.strip() == "}"]
    assert skeleton[:7] == ["{", "\tDomains: {", "\t\tDomain: {", "\t\t\tAoRs: {",
                            "\t\t\t\tInfo: {", "\t\t\t\t\tContacts: {", "\t\t\t\t\t\tContact: {"]
    assert f"\t\t\t\t\t\t\tAddress: sip:alice@127.0.0.1:{port}\n" in out
    assert "\t\t\t\t\tAoR: alice\n" in out


def test_unknown_method_is_error_500(served: Served) -> None:
    assert served.cmd("nosuch.method") == "error: 500 - command nosuch.method not found\n"


def test_wrong_parameter_type_is_error_400(served: Served) -> None:
    assert served.cmd("cfg.seti", "core", "debug", "x") == (
        "error: 400 - error at parameter 2: expected integer type but record doesn't match "
        "type\n")


def test_missing_parameter_is_error_400(served: Served) -> None:
    assert served.cmd("cnt.get") == (
        "error: 400 - error at parameter 0: expected string type but end of packet "
        "encountered\n")


def test_handler_fault_keeps_its_code(served: Served) -> None:
    assert served.cmd("cfg.get", "nosuchgroup", "debug").startswith("error: 400 - ")


def test_interactive_session_reuses_one_connection(served: Served) -> None:
    out = served.cmd(stdin="core.echo a 1\nnosuch\nctl.connections\n")
    assert "kamcmd> core.echo a 1\na\n1\n" in out
    assert "kamcmd> nosuch\nerror: 500 - command nosuch not found\n" in out
    assert "kamcmd> ctl.connections\n1\n" in out  # this one connection


def test_who_and_listen_aliases(served: Served) -> None:
    who = served.cmd("who")
    assert who == (f"[binrpc] unix_stream: <anonymous unix socket>  -> "
                   f"{served.run}/kamailio_ctl \n")
    listen = served.cmd("listen").splitlines()
    assert listen == [f"[binrpc] unix_stream: {served.run}/kamailio_ctl ",
                      f"[binrpc] unix_dgram: {served.run}/kamailio_ctl.dgram ",
                      f"[binrpc] tcp: 127.0.0.1 {served.tcp}",
                      f"[binrpc] udp: 127.0.0.1 {served.udp}"]


def test_tcp_connection_is_listed_by_who(served: Served) -> None:
    who = served.cmd("who", address=f"tcp:127.0.0.1:{served.tcp}")
    assert re.fullmatch(rf"\[binrpc\] tcp: 127\.0\.0\.1 \d+ -> 127\.0\.0\.1 {served.tcp}\n", who)


def test_unix_socket_has_the_configured_mode(served: Served) -> None:
    st = os.stat(served.run / "kamailio_ctl")
    assert stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o660


def test_malformed_frame_gets_a_fault_and_a_close(served: Served) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(str(served.run / "kamailio_ctl"))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk  # until the server closes
    reply = binrpc.decode_reply(binrpc.decode_frame(data))
    assert reply == binrpc.Fault(400, "bad request: corrupted packet")
    assert served.cmd("core.version").startswith("siprouter ")  # still serving


def test_bad_record_in_a_request_gets_a_fault_and_a_close(served: Served) -> None:
    body = b"\x91\x0ccore.version\x00\x05"  # a struct member where a parameter belongs
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(str(served.run / "kamailio_ctl"))
        s.sendall(binrpc.header(binrpc.REQUEST, len(body), 77) + body)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    frame = binrpc.decode_frame(data)
    assert frame.cookie == 77
    fault = binrpc.decode_reply(frame)
    assert isinstance(fault, binrpc.Fault) and fault.code == 400
    assert fault.message.startswith("bad request method: ")


# --- the stock kamailio.cfg ------------------------------------------------------------------

def test_stock_config_answers_kamcmd(kamcmd: str, stock_kamailio_cfg: Path,
                                     tmp_path: Path) -> None:
    # The stock config loads ctl with its default socket (/run/kamailio/kamailio_ctl); the
    # copy adds one binrpc line, as its commented example shows, so that the test owns the
    # socket path.
    text = stock_kamailio_cfg.read_text()
    marker = '# modparam("ctl", "binrpc", "unix:/run/kamailio/kamailio_ctl")'
    assert marker in text
    cfg = tmp_path / "kamailio.cfg"
    cfg.write_text(text.replace(
        marker, f'{marker}\nmodparam("ctl", "binrpc", "unix:{tmp_path}/kamailio_ctl")'))
    port = free_port()
    proc = Process([sys.executable, "-m", "siprouter.core.main", "-f", str(cfg),
                    "-l", f"udp:127.0.0.1:{port}"], cwd=REPO, log=tmp_path / "siprouter.log")
    address = f"unix:{tmp_path}/kamailio_ctl"
    try:
        _wait_for_kamcmd(kamcmd, address, proc)
        run = Served(proc, tmp_path, port, 0, 0, kamcmd)
        methods = run.cmd("system.listMethods").splitlines()
        assert {"ul.dump", "tm.stats", "sl.stats", "cfg.get"} <= set(methods)
        assert run.cmd("cfg.get", "registrar", "default_expires",
                       address=address) == "3600\n"
        assert run.cmd("ul.dump", address=address).startswith("{\n\tDomains: {\n")
        assert run.cmd("nosuch", address=address) == "error: 500 - command nosuch not found\n"
    finally:
        code = proc.stop()
    assert code == 0, proc.output()
    assert "Traceback" not in proc.output()
    assert not (tmp_path / "kamailio_ctl").exists()  # removed at exit


# --- side by side with real Kamailio --------------------------------------------------------

def kamailio_argv(stock_kamailio_cfg: Path) -> list[str]:
    """Real Kamailio run straight from the Debian package the stock config comes from (the same
    5.6 build as kamcmd): no apt install, no daemon; its modules and their libraries are
    taken from the unpacked package."""
    root = stock_kamailio_cfg.parents[2]
    lib = root / "usr" / "lib" / "x86_64-linux-gnu" / "kamailio"
    return ["env", f"LD_LIBRARY_PATH={lib}", str(root / "usr" / "sbin" / "kamailio"),
            "-L", str(lib / "modules")]


@pytest.fixture(scope="module")
def kamailio(kamcmd: str, stock_kamailio_cfg: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Real Kamailio on the same config, its binrpc sockets in a directory of its own."""
    tmp = tmp_path_factory.mktemp("kamailio")
    run = tmp / "run"
    run.mkdir()
    ports = {"sip": free_port(), "tcp": free_port(), "udp": free_port()}
    cfg = tmp / "ctl.cfg"
    cfg.write_text(CFG.format(run=run, **ports))
    proc = Process([*kamailio_argv(stock_kamailio_cfg), "-x", "tlsf", "-f", str(cfg), "-DD",
                    "-E", "-w", str(tmp)], cwd=tmp, log=tmp / "kamailio.log")
    server = Served(proc, run, kamcmd=kamcmd, **ports)
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            assert proc.proc.poll() is None, f"kamailio exited:\n{proc.output()}"
            done = subprocess.run([kamcmd, "-s", server.unix, "core.version"],
                                  capture_output=True, text=True, timeout=10)
            if done.returncode == 0 and done.stdout.startswith("kamailio "):
                break
            assert time.monotonic() < deadline, f"no answer from kamailio:\n{proc.output()}"
            time.sleep(0.1)
        yield server
    finally:
        proc.stop()


def _send_register(port: int, user: str, contact: str | None = None) -> tuple[bytes, int]:
    """Send one REGISTER for `user` (Contact: its own address, or `contact` with an Expires of
    600); (the reply's status line, the UA's port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as ua:
        ua.bind(("127.0.0.1", 0))
        ua.settimeout(5)
        own = ua.getsockname()[1]
        binding = (f"Contact: <sip:{user}@127.0.0.1:{own}>;expires=600\r\n" if contact is None
                   else f"Contact: {contact}\r\nExpires: 600\r\n")
        ua.sendto((f"REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP 127.0.0.1:{own};branch=z9hG4bK{user}{own}\r\n"
                   f"From: <sip:{user}@127.0.0.1>;tag=1\r\nTo: <sip:{user}@127.0.0.1>\r\n"
                   f"Call-ID: {user}-{own}\r\nCSeq: 1 REGISTER\r\n{binding}"
                   f"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").encode(),
                  ("127.0.0.1", port))
        return ua.recv(4096).split(b"\r\n", 1)[0], own


def _register(port: int, user: str) -> int:
    """Register `user` at its own address; the UA's port."""
    status, own = _send_register(port, user)
    assert status.startswith(b"SIP/2.0 200"), status
    return own


SAME_OUTPUT = [
    ("cfg.get", "registrar", "default_expires"),
    ("cfg.help", "core", "debug"),
    ("cnt.get", "script", "hits"),
    ("cnt.var_list", "script"),
    ("cnt.grp_get_all", "script"),
    ("core.echo", "a", "1"),
    ("core.prints", "x", "y"),
    ("nosuch.method",),
    ("cnt.get",),
    ("cfg.seti", "core", "debug", "x"),
    ("cfg.seti", "core"),
    ("core.printi", "a"),
    ("cfg.get", "nosuchgroup"),
    ("cnt.get", "script"),
    ("cnt.get", "nosuchgroup"),
    ("cnt.var_list", "sl"),
    ("cnt.var_list", "registrar"),
    ("cnt.var_list", "nosuchgroup"),
    ("cnt.grp_get_all", "nosuchgroup"),
    ("system.methodHelp", "nosuch"),
    ("system.methodHelp",),
    ("ul.lookup", "location", "nobody"),
    ("ul.lookup", "nosuchtable", "nobody"),
    ("ul.rm", "location", "nobody"),
    ("ul.rm", "nosuchtable", "nobody"),
    ("ul.rm_contact", "location", "nobody", "sip:nobody@127.0.0.1"),
    ("ul.lookup", "location"),
    ("ul.lookup",),
    ("ul.rm", "location"),
    ("ul.rm_contact", "location", "nobody"),
    ("ul.add", "location", "x"),
    ("ul.db_users", "location"),
    ("cfg.get", "registrar", "realm_pref"),
    ("cfg.get", "registrar", "realm_prefix"),
    ("cfg.list", "registrar"),
]


@pytest.mark.parametrize("command", SAME_OUTPUT, ids=" ".join)
def test_kamcmd_prints_the_same_as_against_kamailio(
        served: Served, kamailio: Served, command: tuple[str, ...]) -> None:
    assert served.cmd(*command) == kamailio.cmd(*command)


def _skeleton(out: str) -> list[str]:
    """The lines that open and close structs (names and indentation), values left out."""
    return [line for line in out.splitlines() if line.endswith("{") or line.strip() == "}"]


def test_core_uptime_has_kamailios_shape(served: Served, kamailio: Served) -> None:
    def keys(out: str) -> list[str]:
        return [line.split(":")[0] for line in out.splitlines()]
    assert keys(served.cmd("core.uptime")) == keys(kamailio.cmd("core.uptime"))


def test_core_psx_has_kamailios_shape(served: Served, kamailio: Served) -> None:
    def first(out: str) -> list[str]:
        return [line.split(":")[0] for line in out.splitlines()[:5]]
    assert first(served.cmd("core.psx")) == first(kamailio.cmd("core.psx"))


def test_ul_dump_has_kamailios_nesting(served: Served, kamailio: Served) -> None:
    _register(served.sip, "carol")
    _register(kamailio.sip, "carol")
    ours = served.cmd("ul.dump")
    theirs = kamailio.cmd("ul.dump")
    assert "AoR: carol" in ours and "AoR: carol" in theirs
    # The same structs nest the same way (served may hold more AoRs from earlier tests).
    assert set(_skeleton(ours)) == set(_skeleton(theirs))
    assert _skeleton(ours)[:7] == _skeleton(theirs)[:7]


def test_cfg_list_names_tms_variables_in_kamailios_order(served: Served,
                                                        kamailio: Served) -> None:
    # fr_inv_timer_next (the INVITE timer of serial branches after the first) is not there
    # yet: t_next_contacts sets no timers, as in 3.1.
    theirs = [line for line in kamailio.cmd("cfg.list", "tm").splitlines()
              if line != "tm: fr_inv_timer_next"]
    assert served.cmd("cfg.list", "tm").splitlines() == theirs


def _without_times(out: str) -> list[str]:
    """kamcmd's lines with what differs per run (ports, times, ids) left out."""
    varying = ("Address:", "Expires:", "Call-ID:", "Socket:", "Ruid:", "Last-")
    return [line for line in out.splitlines() if not line.strip().startswith(varying)]


def test_ul_dump_and_lookup_print_what_kamailio_prints(served: Served,
                                                       kamailio: Served) -> None:
    for server in (served, kamailio):
        _register(server.sip, "Frank")
        server.cmd("ul.rm", "location", "nobody")  # no such AOR: no error either
    # The same fields in the same order, HashID (Kamailio's core_hash of the AOR) included;
    # the AOR given with a domain and in upper case finds the stored one (use_domain 0).
    assert (_without_times(served.cmd("ul.lookup", "location", "FRANK@example.org"))
            == _without_times(kamailio.cmd("ul.lookup", "location", "FRANK@example.org")))
    ours, theirs = served.cmd("ul.dump"), kamailio.cmd("ul.dump")
    frank = "\t\t\t\t\tAoR: frank\n\t\t\t\t\tHashID: "
    assert frank in ours and frank in theirs
    hash_line = [x for x in theirs.splitlines() if "HashID" in x and
                 theirs.splitlines()[theirs.splitlines().index(x) - 1].endswith("frank")]
    assert hash_line[0] in ours.splitlines()
    assert "\t\t\tSize: 1024\n" in ours and "Max-Slots: " in ours
    assert "\t\t\t\tAoR: frank\n" in served.cmd("ul.dump", "brief")
    assert "Contact" not in served.cmd("ul.dump", "brief")
    for server in (served, kamailio):
        assert server.cmd("ul.rm", "location", "Frank@example.org") == ""
        assert server.cmd("ul.lookup", "location", "frank") == \
            "error: 500 - AOR not found in location table\n"


def test_stats_get_statistics_lines_look_like_kamailios(served: Served,
                                                        kamailio: Served) -> None:
    pattern = re.compile(r"[\w.]+:\w+ = -?\d+")
    ours = served.cmd("stats.get_statistics", "all").splitlines()
    theirs = kamailio.cmd("stats.get_statistics", "all").splitlines()
    assert all(pattern.fullmatch(line) for line in theirs)
    assert all(pattern.fullmatch(line) for line in ours)
    assert "script:hits = 0" in ours and "script:hits = 0" in theirs


@pytest.mark.parametrize("command", ["core.sockets_list", "core.aliases_list"])
def test_sockets_and_aliases_print_as_against_kamailio(served: Served, kamailio: Served,
                                                      command: str) -> None:
    # The same config but for the ports each server was given.
    ours = served.cmd(command).replace(str(served.sip), "SIP")
    theirs = kamailio.cmd(command).replace(str(kamailio.sip), "SIP")
    assert ours == theirs
    if command == "core.sockets_list":
        assert ours.startswith("{\n\tsocket: {\n\t\tproto: udp\n\t\taddress: 127.0.0.1\n")
    else:
        assert "\taliases: {\n\t\talias: {\n\t\t\tproto: udp\n\t\t\taddress: localhost\n" in ours


def test_counter_groups_are_sorted_as_kamailio_sorts_them(served: Served,
                                                          kamailio: Served) -> None:
    ours = served.cmd("cnt.grps_list").splitlines()
    theirs = kamailio.cmd("cnt.grps_list").splitlines()
    assert theirs == sorted(theirs) and ours == sorted(ours)
    assert {"registrar", "script", "sl", "usrloc"} <= set(ours) & set(theirs)


def _members(out: str) -> dict[str, str]:
    """`name: value` lines of a one-level struct."""
    lines = out.splitlines()
    assert lines[0] == "{" and lines[-1] == "}", out
    members = [line.lstrip("\t").partition(": ") for line in lines[1:-1]]
    return {name: value for name, _, value in members}


def test_cfg_get_of_a_group_lists_its_variables_as_kamailio_does(served: Served,
                                                                 kamailio: Served) -> None:
    ours = _members(served.cmd("cfg.get", "registrar"))
    theirs = _members(kamailio.cmd("cfg.get", "registrar"))
    common = set(ours) & set(theirs)
    assert {"default_expires", "min_expires", "max_expires", "max_contacts"} <= common
    assert {name: ours[name] for name in common} == {name: theirs[name] for name in common}
    assert ours["default_expires"] == "1800"


def test_sl_stats_has_kamailios_names(served: Served, kamailio: Served) -> None:
    assert list(_members(served.cmd("sl.stats"))) == list(_members(kamailio.cmd("sl.stats")))


def test_registrar_statistics_have_kamailios_names_and_parameter_values(
        served: Served, kamailio: Served) -> None:
    ours = _members(served.cmd("stats.fetch", "registrar:"))
    theirs = _members(kamailio.cmd("stats.fetch", "registrar:"))
    assert list(ours) == list(theirs)
    parameters = [f"registrar.{n}" for n in ("default_expire", "default_expires_range",
                                              "expires_range", "max_contacts", "max_expires")]
    assert [ours[p] for p in parameters] == [theirs[p] for p in parameters]
    assert ours["registrar.default_expire"] == "1800"


def _bad_register(port: int) -> bytes:
    """A REGISTER with `Contact: *` and a non-zero Expires: 400 from either server."""
    return _send_register(port, "dave", contact="*")[0]


def test_accepted_and_rejected_registrations_are_counted_as_kamailio_counts_them(
        served: Served, kamailio: Served) -> None:
    def counts(server: Served) -> tuple[int, int]:
        got = _members(server.cmd("stats.fetch", "registrar:"))
        return int(got["registrar.accepted_regs"]), int(got["registrar.rejected_regs"])

    before = {"ours": counts(served), "theirs": counts(kamailio)}
    for server in (served, kamailio):
        _register(server.sip, "erin")
        assert _bad_register(server.sip).startswith(b"SIP/2.0 400")
    after = {"ours": counts(served), "theirs": counts(kamailio)}
    deltas = {k: (after[k][0] - before[k][0], after[k][1] - before[k][1]) for k in before}
    assert deltas == {"ours": (1, 1), "theirs": (1, 1)}


def test_usrloc_statistics_name_and_count_the_location_table_as_kamailio_does(
        served: Served, kamailio: Served) -> None:
    def stats(server: Served) -> dict[str, int]:
        return {k: int(v) for k, v in _members(server.cmd("stats.fetch", "usrloc:")).items()}

    before = {"ours": stats(served), "theirs": stats(kamailio)}
    for server in (served, kamailio):
        _register(server.sip, "frank")
        _register(server.sip, "frank")  # a second contact of the same AOR
    after = {"ours": stats(served), "theirs": stats(kamailio)}
    assert list(after["ours"]) == list(after["theirs"])
    growth = {k: {name: after[k][name] - before[k][name] for name in after[k]} for k in after}
    assert growth["ours"] == growth["theirs"] == {
        "usrloc.location_contacts": 2, "usrloc.location_expires": 0,
        "usrloc.location_users": 1, "usrloc.registered_users": 1}


def test_ps_alias_prints_pid_and_description(served: Served) -> None:
    lines = served.cmd("ps").splitlines()
    assert re.fullmatch(r"\d+\tmain process - attendant", lines[0])
    assert any(re.fullmatch(r"\d+\tRPC handler \(management server\)", ln) for ln in lines)


# --- who may talk to the binrpc listeners --------------------------------------------------

def _kamcmd_result(kamcmd: str, address: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([kamcmd, "-s", address, "core.version"], capture_output=True,
                          text=True, timeout=20)


def test_tcp_listener_beyond_loopback_without_access_list_does_not_start(launch) -> None:
    result = launch(extra=f'modparam("ctl", "binrpc", "tcp:0.0.0.0:{free_port()}")')
    assert result.returncode == 1
    assert b'modparam("ctl", "allow_from"' in result.stdout


def test_access_list_keeps_other_peers_out(launch, outside_ip: str, kamcmd: str) -> None:
    port = free_port()
    launch(extra=f'modparam("ctl", "binrpc", "tcp:0.0.0.0:{port}")\n'
                 f'modparam("ctl", "allow_from", "198.51.100.0/24")')
    refused = _kamcmd_result(kamcmd, f"tcp:{outside_ip}:{port}")
    assert refused.returncode != 0 and refused.stdout == ""
    assert _kamcmd_result(kamcmd, f"tcp:127.0.0.1:{port}").stdout.startswith("siprouter ")


def test_allowed_network_gets_answers(launch, outside_ip: str, kamcmd: str) -> None:
    port = free_port()
    launch(extra=f'modparam("ctl", "binrpc", "tcp:0.0.0.0:{port}")\n'
                 f'modparam("ctl", "allow_from", "{outside_ip}/32")')
    assert _kamcmd_result(kamcmd, f"tcp:{outside_ip}:{port}").stdout.startswith("siprouter ")
