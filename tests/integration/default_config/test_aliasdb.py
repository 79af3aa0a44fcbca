"""WITH_ALIASDB: a request to an alias in the dbaliases table reaches the user it stands for
(registered under its own name)."""

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


def test_a_call_to_an_alias_reaches_the_aliased_user(start_siprouter, tmp_path: Path) -> None:
    url = make_db(tmp_path)
    db = connect(url)
    db.insert("dbaliases", {"alias_username": "support", "alias_domain": "127.0.0.1",
                            "username": "alice", "domain": "127.0.0.1"})
    db.close()
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-A", "WITH_ALIASDB",
                    "-A", f'DBURL="{url}"')
    with udp_socket() as alice, udp_socket() as bob:
        alice_at = f"127.0.0.1:{alice.getsockname()[1]}"
        alice.sendto(request("REGISTER", f"sip:127.0.0.1:{port}", via=alice_at,
                             from_uri="sip:alice@127.0.0.1", to_uri="sip:alice@127.0.0.1",
                             contact=f"sip:alice@{alice_at}", extra="Expires: 60\r\n"),
                     ("127.0.0.1", port))
        assert status_of(final_reply(alice)) == 200
        bob_at = f"127.0.0.1:{bob.getsockname()[1]}"
        bob.sendto(request("MESSAGE", f"sip:support@127.0.0.1:{port}", via=bob_at,
                           from_uri="sip:bob@127.0.0.1"), ("127.0.0.1", port))
        relayed = first_request(alice)
        assert relayed is not None
        assert relayed.startswith(f"MESSAGE sip:alice@{alice_at} SIP/2.0".encode())
