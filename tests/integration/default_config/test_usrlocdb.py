"""WITH_USRLOCDB: registrations are written to the location table (usrloc db_mode 2, write-back,
flushed at the latest when the server stops) and survive a restart: after it, the registered
user is still reached at its contact."""

from __future__ import annotations

from pathlib import Path

from siprouter.core.db import connect
from tests.integration.conftest import free_port
from tests.integration.default_config.helpers import (
    CONFIG,
    final_reply,
    first_request,
    make_db,
    request,
    status_of,
    udp_socket,
)


def test_a_registration_survives_a_restart(start_siprouter, tmp_path: Path) -> None:
    url = make_db(tmp_path)
    port = free_port()
    args = ("-l", f"udp:127.0.0.1:{port}", "-A", "WITH_USRLOCDB", "-A", f'DBURL="{url}"')
    first = start_siprouter(CONFIG, port, *args)
    with udp_socket() as alice, udp_socket() as bob:
        alice_at = f"127.0.0.1:{alice.getsockname()[1]}"
        alice.sendto(request("REGISTER", f"sip:127.0.0.1:{port}", via=alice_at,
                             from_uri="sip:alice@127.0.0.1", to_uri="sip:alice@127.0.0.1",
                             contact=f"sip:alice@{alice_at}", extra="Expires: 600\r\n"),
                     ("127.0.0.1", port))
        assert status_of(final_reply(alice)) == 200
        first.stop_cleanly()
        db = connect(url)
        rows = db.query("location", ["username", "contact"])
        db.close()
        assert [(r["username"], r["contact"]) for r in rows] == [("alice", f"sip:alice@{alice_at}")]
        start_siprouter(CONFIG, port, *args)
        bob_at = f"127.0.0.1:{bob.getsockname()[1]}"
        bob.sendto(request("MESSAGE", f"sip:alice@127.0.0.1:{port}", via=bob_at,
                           from_uri="sip:bob@127.0.0.1"), ("127.0.0.1", port))
        relayed = first_request(alice)
        assert relayed is not None
        assert relayed.startswith(f"MESSAGE sip:alice@{alice_at} SIP/2.0".encode())
