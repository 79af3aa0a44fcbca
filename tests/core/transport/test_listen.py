"""`listen=`, `alias=` and `advertise` values as Kamailio writes them."""

from __future__ import annotations

import pytest

from siprouter.core.runtime.sipstate import SocketInfo
from siprouter.core.transport.listen import (
    Alias,
    ListenError,
    parse_alias,
    parse_listen,
    split_host_port,
)


def test_proto_address_and_port() -> None:
    assert parse_listen("udp:127.0.0.1:5070") == [SocketInfo("udp", "127.0.0.1", 5070)]


def test_without_protocol_every_running_protocol_listens() -> None:
    got = parse_listen("127.0.0.1", protos=("udp", "tcp", "tls"))
    assert [(s.proto, s.port) for s in got] == [("udp", 5060), ("tcp", 5060), ("tls", 5061)]


def test_the_port_parameter_is_the_default_port() -> None:
    assert parse_listen("tcp:127.0.0.1", default_port=5080)[0].port == 5080


def test_ipv6_in_brackets() -> None:
    assert parse_listen("tls:[::1]:5061") == [SocketInfo("tls", "::1", 5061)]


def test_advertise_sets_what_our_via_says() -> None:
    [s] = parse_listen("udp:10.0.0.1:5060 advertise 203.0.113.7:5080")
    assert (s.via_host, s.via_port) == ("203.0.113.7", 5080)


@pytest.mark.parametrize("bad", ["sctp:1.2.3.4:5060", "udp:1.2.3.4:99999", "udp:[::1",
                                 "udp:1.2.3.4:5060 whatever"])
def test_bad_values_are_one_clear_error(bad: str) -> None:
    with pytest.raises(ListenError):
        parse_listen(bad)


def test_alias_with_and_without_port_and_protocol() -> None:
    assert parse_alias("example.com") == Alias("example.com")
    assert parse_alias('"tls:Example.COM:5061"') == Alias("example.com", 5061, "tls")


def test_split_host_port_keeps_bare_ipv6_whole() -> None:
    assert split_host_port("2001:db8::1").port is None
    assert split_host_port("[2001:db8::1]:5070").port == 5070
