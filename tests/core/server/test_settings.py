"""Core parameters and command-line options become the server's settings."""

from __future__ import annotations

import pytest

from siprouter.core.cfg.frontend import analyze_text
from siprouter.core.server.settings import SettingsError, from_config
from siprouter.core.transport.listen import Alias


def settings(text: str, **kw):
    analysis = analyze_text(text)
    assert not analysis.errors
    return from_config(analysis.config, **kw)


def test_without_listen_the_server_stays_on_loopback() -> None:
    s = settings("debug=1\n")
    assert [str(x) for x in s.listen] == ["udp:127.0.0.1:5060", "tcp:127.0.0.1:5060"]


def test_command_line_listen_replaces_the_config() -> None:
    s = settings("listen=udp:127.0.0.1:5060\n", listen_override=["tcp:127.0.0.1:5099"])
    assert [str(x) for x in s.listen] == ["tcp:127.0.0.1:5099"]


def test_port_children_and_tcp_parameters() -> None:
    s = settings("port=5070\nchildren=3\ntcp_connection_lifetime=30\ntcp_accept_no_cl=yes\n"
                 "listen=udp:127.0.0.1\n")
    assert s.listen[0].port == 5070 and s.children == 3
    assert s.limits.lifetime == 30 and s.limits.accept_no_cl


def test_minus_n_overrides_children() -> None:
    assert settings("children=4\n", children=1).children == 1


def test_aliases_and_auto_aliases() -> None:
    s = settings('alias="example.com:5060"\nauto_aliases=no\n')
    assert s.aliases == [Alias("example.com", 5060)]
    assert Alias("localhost") in settings("debug=1\n").aliases


def test_tls_listen_needs_enable_tls_and_the_tls_module() -> None:
    with pytest.raises(SettingsError, match="enable_tls"):
        settings("listen=tls:127.0.0.1:5061\n")
    with pytest.raises(SettingsError, match="tls.so"):
        settings("enable_tls=yes\nlisten=tls:127.0.0.1:5061\n")


def test_tls_module_parameters_are_read() -> None:
    s = settings('enable_tls=yes\nlisten=tls:127.0.0.1:5061\nloadmodule "tls.so"\n'
                 'modparam("tls", "certificate", "/c.pem")\n'
                 'modparam("tls", "require_certificate", 1)\n')
    assert s.tls is not None and s.tls.certificate == "/c.pem" and s.tls.require_certificate
