"""Acceptance of the bundled default config with real phones: two `baresip` instances (Debian
package) register to siprouter, alice calls bob, the call is established on both sides, alice
hangs up, both see it closed. With -A WITH_AUTH they authenticate with passwords from the
subscriber table. baresip is driven over ctrl_tcp (netstring-framed JSON); every process is stopped by its
PID."""

from __future__ import annotations

import json
import shutil
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from siprouter.core.db import connect
from tests.integration.conftest import Process, _apt_install, free_port
from tests.integration.default_config.helpers import CONFIG, make_db

TIMEOUT = 20.0


@pytest.fixture(scope="session")
def baresip() -> str:
    """The `baresip` binary, installed when missing."""
    if shutil.which("baresip") is None:
        _apt_install("baresip")
    path = shutil.which("baresip")
    assert path
    return path


def spaced_port(taken: set[int]) -> int:
    """A free port whose next one is free too (baresip opens TLS on sip_listen + 1)."""
    while True:
        port = free_port()
        if not taken & {port - 1, port, port + 1}:
            with socket.socket() as t:
                try:
                    t.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
            taken.update({port, port + 1})
            return port


class Phone:
    """One baresip instance in its own folder, controlled over ctrl_tcp."""

    def __init__(self, binary: str, folder: Path, user: str, server_port: int,
                 taken: set[int], password: str | None = None) -> None:
        self.user = user
        folder.mkdir()
        sip_port, self.ctrl_port = spaced_port(taken), spaced_port(taken)
        (folder / "config").write_text("\n".join([
            f"sip_listen 127.0.0.1:{sip_port}", "net_interface 127.0.0.1",
            "module_path /usr/lib/baresip/modules", "module g711.so", "module alsa.so",
            "module ausine.so", "module_tmp account.so", "module_app menu.so",
            "module_app ctrl_tcp.so", f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}",
            "audio_player alsa,null", "audio_alert alsa,null", "audio_source ausine,440",
            "ausrc_srate 48000", "ausrc_channels 2", ""]))
        auth = f";auth_pass={password}" if password else ""
        (folder / "accounts").write_text(
            f"<sip:{user}@127.0.0.1>{auth};outbound=\"sip:127.0.0.1:{server_port}\";"
            "regint=60;answermode=auto;audio_codecs=pcmu\n")
        self.process = Process([binary, "-f", str(folder)], log=folder / "baresip.log")
        self.events: list[dict[str, object]] = []
        self._buffer = b""
        self.ctrl = self._connect()

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                return socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
            except OSError:
                assert self.process.proc.poll() is None, self.process.output()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def command(self, command: str, params: str = "") -> None:
        body = json.dumps({"command": command, "params": params,
                           "token": uuid.uuid4().hex[:8]}).encode()
        self.ctrl.sendall(str(len(body)).encode() + b":" + body + b",")

    def _read_messages(self) -> None:
        try:
            self._buffer += self.ctrl.recv(65535)
        except TimeoutError:
            return
        while b":" in self._buffer:
            head, _, rest = self._buffer.partition(b":")
            size = int(head)
            if len(rest) < size + 1:
                return
            message = json.loads(rest[:size])
            self._buffer = rest[size + 1:]
            if message.get("event"):
                self.events.append(message)

    def wait_for(self, event_type: str) -> dict[str, object]:
        """The first event of `event_type` (already seen or arriving within TIMEOUT)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            for e in self.events:
                if e.get("type") == event_type:
                    return e
            assert time.monotonic() < deadline, (
                f"{self.user}: no {event_type}; events {self.events}\n"
                f"{self.process.output()}")
            self._read_messages()

    def wait_registered(self) -> None:
        """Until baresip logs its 200 for the REGISTER (it may come before ctrl_tcp is
        connected, so its REGISTER_OK event is not waited for)."""
        deadline = time.monotonic() + TIMEOUT
        while "200 OK" not in self.process.output():
            assert time.monotonic() < deadline, f"{self.user}: not registered\n" \
                f"{self.process.output()}"
            time.sleep(0.2)

    def stop(self) -> None:
        try:
            self.command("quit")
        except OSError:
            pass
        self.ctrl.close()
        self.process.stop()


@pytest.fixture
def phones(processes: list[Process]) -> Iterator[list[Phone]]:
    """Phones a test made; each is stopped (quit, then by PID) at the end."""
    made: list[Phone] = []
    yield made
    for phone in made:
        phone.stop()


def call_and_hang_up(baresip: str, tmp_path: Path, port: int, phones: list[Phone],
                     passwords: dict[str, str] | None = None) -> None:
    taken: set[int] = {port}
    for user in ("alice", "bob"):
        phones.append(Phone(baresip, tmp_path / user, user, port, taken,
                            (passwords or {}).get(user)))
    alice, bob = phones
    alice.wait_registered()
    bob.wait_registered()
    alice.command("dial", "sip:bob@127.0.0.1")
    alice.wait_for("CALL_ESTABLISHED")
    bob.wait_for("CALL_ESTABLISHED")
    alice.command("hangup")
    alice.wait_for("CALL_CLOSED")
    bob.wait_for("CALL_CLOSED")


def test_two_phones_register_and_call(baresip: str, start_siprouter, phones: list[Phone],
                                      tmp_path: Path) -> None:
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}")
    call_and_hang_up(baresip, tmp_path, port, phones)


def test_two_phones_authenticate_register_and_call(baresip: str, start_siprouter,
                                                   phones: list[Phone],
                                                   tmp_path: Path) -> None:
    url = make_db(tmp_path)
    db = connect(url)
    passwords = {"alice": "alice-secret", "bob": "bob-secret"}
    for user, password in passwords.items():
        db.insert("subscriber", {"username": user, "domain": "127.0.0.1",
                                 "password": password})
    db.close()
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-A", "WITH_AUTH",
                    "-A", f'DBURL="{url}"')
    call_and_hang_up(baresip, tmp_path, port, phones, passwords)
