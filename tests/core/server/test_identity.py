"""`myself`: listen addresses, advertised addresses and aliases."""

from __future__ import annotations

from siprouter.core.runtime.sipstate import SocketInfo
from siprouter.core.server.identity import LocalIdentity
from siprouter.core.transport.listen import Alias

IDENTITY = LocalIdentity(
    [SocketInfo("udp", "127.0.0.1", 5060), SocketInfo("tls", "::1", 5061),
     SocketInfo("udp", "10.0.0.1", 5060, "203.0.113.7", 5080)],
    [Alias("example.com"), Alias("sip.example.org", 5070)])


def test_listen_addresses_on_their_ports() -> None:
    assert IDENTITY.is_myself("127.0.0.1", 5060)
    assert IDENTITY.is_myself("127.0.0.1")
    assert not IDENTITY.is_myself("127.0.0.1", 5099)
    assert IDENTITY.is_myself("[::1]", 5061)


def test_advertised_address_is_ours() -> None:
    assert IDENTITY.is_myself("203.0.113.7", 5080)


def test_aliases_with_and_without_port() -> None:
    assert IDENTITY.is_myself("EXAMPLE.com", 1234)
    assert IDENTITY.is_myself("sip.example.org", 5070)
    assert not IDENTITY.is_myself("sip.example.org", 5060)


def test_force_send_socket_names_a_socket() -> None:
    assert IDENTITY.find_socket("tls:[::1]:5061") == SocketInfo("tls", "::1", 5061)
    assert IDENTITY.find_socket("udp:127.0.0.1:5060") == SocketInfo("udp", "127.0.0.1", 5060)
    assert IDENTITY.find_socket("udp:127.0.0.2:5060") is None
