"""WITH_MULTIDOMAIN: the domains of the domain table are served (a user of example.com
registers and is called there, with use_domain on); a request for a domain not in the table
takes the non-local path: relayed out with `P-Hint: outbound` for a local caller, 403 Not
relaying for anyone else."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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


@pytest.fixture
def server(start_siprouter, tmp_path: Path) -> Iterator[int]:
    url = make_db(tmp_path)
    db = connect(url)
    db.insert("domain", {"domain": "example.com"})
    db.close()
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-A", "WITH_MULTIDOMAIN",
                    "-A", f'DBURL="{url}"')
    yield port


def test_a_user_of_a_served_domain_registers_and_is_called(server: int) -> None:
    with udp_socket() as alice, udp_socket() as bob:
        alice_at = f"127.0.0.1:{alice.getsockname()[1]}"
        alice.sendto(request("REGISTER", "sip:example.com", via=alice_at,
                             from_uri="sip:alice@example.com", to_uri="sip:alice@example.com",
                             contact=f"sip:alice@{alice_at}", extra="Expires: 60\r\n"),
                     ("127.0.0.1", server))
        assert status_of(final_reply(alice)) == 200
        bob_at = f"127.0.0.1:{bob.getsockname()[1]}"
        bob.sendto(request("MESSAGE", "sip:alice@example.com", via=bob_at,
                           from_uri="sip:bob@example.com"), ("127.0.0.1", server))
        relayed = first_request(alice)
        assert relayed is not None
        assert relayed.startswith(f"MESSAGE sip:alice@{alice_at} SIP/2.0".encode())


def test_a_local_caller_reaches_a_foreign_domain_with_an_outbound_hint(server: int) -> None:
    with udp_socket() as bob, udp_socket() as foreign:
        foreign_at = f"127.0.0.1:{foreign.getsockname()[1]}"
        bob_at = f"127.0.0.1:{bob.getsockname()[1]}"
        bob.sendto(request("MESSAGE", f"sip:carol@{foreign_at}", via=bob_at,
                           from_uri="sip:bob@example.com"), ("127.0.0.1", server))
        relayed = first_request(foreign)
        assert relayed is not None
        assert b"P-Hint: outbound" in relayed


def test_a_foreign_caller_to_a_foreign_domain_is_not_relayed(server: int) -> None:
    with udp_socket() as mallory:
        at = f"127.0.0.1:{mallory.getsockname()[1]}"
        mallory.sendto(request("MESSAGE", "sip:carol@foreign.example.org", via=at,
                               from_uri="sip:mallory@foreign.example.org"),
                       ("127.0.0.1", server))
        reply = final_reply(mallory)
        assert status_of(reply) == 403 and reply is not None and b"Not relaying" in reply
