"""Server addresses: the forms sercmd accepts and the local default it looks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from siprouter.tools.sercmd import urls
from siprouter.tools.sercmd.urls import DEFAULT_URL, Endpoint, URLError, local_candidates, parse_url


def test_http_url_is_json_rpc_over_http() -> None:
    assert parse_url("http://127.0.0.1:5080/RPC") == Endpoint("http", "127.0.0.1", 5080, "/RPC")


def test_http_url_without_path_posts_to_rpc() -> None:
    assert parse_url("http://localhost:8080").path == "/RPC"


def test_http_url_without_port_uses_80() -> None:
    assert parse_url("http://example.net/x").port == 80


def test_https_url_uses_tls_and_443() -> None:
    ep = parse_url("https://rpc.example.net/RPC")
    assert (ep.tls, ep.port) == (True, 443)


def test_xmlrpc_url_is_xml_rpc_over_http_with_rpc2_default() -> None:
    assert parse_url("xmlrpc+http://127.0.0.1:5080") == Endpoint("xmlrpc", "127.0.0.1", 5080, "/RPC2")


def test_udp_address_needs_host_and_port() -> None:
    assert parse_url("udp:127.0.0.1:2046") == Endpoint("udp", "127.0.0.1", 2046)
    with pytest.raises(URLError, match="no port"):
        parse_url("udp:127.0.0.1")


def test_ipv6_hosts_are_bracketed() -> None:
    assert parse_url("udp:[::1]:2046") == Endpoint("udp", "::1", 2046)
    assert parse_url("http://[::1]:5080/RPC").host == "::1"


def test_unix_forms_keep_kamcmd_spellings() -> None:
    assert parse_url("unix:/run/siprouter/kamailio_rpc.sock") == Endpoint(
        "unix", path="/run/siprouter/kamailio_rpc.sock")
    assert parse_url("unixs:/tmp/s").kind == "unixs"
    assert parse_url("unixd:/tmp/s").kind == "unixd"


def test_bare_path_is_a_unix_socket_and_bare_host_is_http() -> None:
    assert parse_url("/tmp/rpc.sock") == Endpoint("unix", path="/tmp/rpc.sock")
    assert parse_url("10.0.0.1:5081") == Endpoint("http", "10.0.0.1", 5081, "/RPC")
    assert parse_url("10.0.0.1").port == 5080


@pytest.mark.parametrize("bad", ["", "tcp:localhost:2049", "ftp://x/", "http://:80/", "udp:h:99999",
                                 "unix:", "udp:[::1:5"])
def test_unusable_addresses_say_why(bad: str) -> None:
    with pytest.raises(URLError):
        parse_url(bad)


def test_describe_and_label_name_the_server() -> None:
    ep = parse_url("http://127.0.0.1:5080/RPC")
    assert ep.describe() == "http://127.0.0.1:5080/RPC"
    assert ep.label() == "127.0.0.1:5080"
    assert parse_url("xmlrpc+http://h:1").label() == "xmlrpc+h:1"
    assert parse_url("unix:/x").label() == "unix:/x"


def test_sercmd_url_variable_is_the_only_candidate() -> None:
    assert local_candidates({"SERCMD_URL": "udp:127.0.0.1:9"}) == ["udp:127.0.0.1:9"]


def test_without_variable_the_http_default_comes_first() -> None:
    assert local_candidates({})[0] == DEFAULT_URL == "http://127.0.0.1:5080/RPC"


def test_existing_default_datagram_sockets_are_candidates(monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    sock = tmp_path / "kamailio_rpc.sock"
    sock.touch()
    monkeypatch.setattr("siprouter.tools.sercmd.urls.DEFAULT_RUN_DIRS", (str(tmp_path),))
    assert f"unix:{sock}" in local_candidates({})


def test_defaults_match_the_servers() -> None:
    # sercmd must not import server internals at run time; this test keeps the copies honest.
    from siprouter.core.rpc import config

    assert DEFAULT_URL == f"http://{config.DEFAULT_HTTP}/RPC"
    assert config.DEFAULT_RUN_DIR in urls.DEFAULT_RUN_DIRS
