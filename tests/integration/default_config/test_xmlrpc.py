"""WITH_XMLRPC: XML-RPC on the SIP TCP port answers `core.version` to 127.0.0.1 and refuses
other sources with a 403 fault (xmlrpc_reply answers in XML-RPC, as Kamailio's does)."""

from __future__ import annotations

import http.client
import xmlrpc.client

import pytest

from tests.integration.conftest import free_port
from tests.integration.default_config.helpers import CONFIG


def start(start_siprouter) -> int:
    port = free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-l", f"tcp:127.0.0.1:{port}",
                    "-A", "WITH_XMLRPC")
    return port


def test_core_version_over_the_sip_tcp_port(start_siprouter) -> None:
    port = start(start_siprouter)
    proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/RPC")
    version = proxy.core.version()
    assert isinstance(version, str) and version


def test_other_sources_are_refused(start_siprouter) -> None:
    port = start(start_siprouter)
    body = xmlrpc.client.dumps((), "core.version").encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5,
                                      source_address=("127.0.0.2", 0))
    try:
        conn.request("POST", "/RPC", body, {"Content-Type": "text/xml"})
        answer = conn.getresponse().read().decode()
        with pytest.raises(xmlrpc.client.Fault) as fault:
            xmlrpc.client.loads(answer)
        assert fault.value.faultCode == 403
    finally:
        conn.close()
