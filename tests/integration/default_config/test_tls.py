"""WITH_TLS: the default config serves SIP over TLS with the certificate and key named by the
TLS_CERT and TLS_KEY defines: an OPTIONS keepalive and a REGISTER over TLS get 200."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from tests.integration.certs import make_pki
from tests.integration.conftest import free_port
from tests.integration.default_config.helpers import CONFIG, request, status_of


def read_reply(tls: ssl.SSLSocket) -> bytes:
    """One reply: its head (no body is expected)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(65535)
        if not chunk:
            break
        data += chunk
    return data


def test_options_and_register_over_tls(start_siprouter, tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    port, tls_port = free_port(), free_port()
    start_siprouter(CONFIG, port, "-l", f"udp:127.0.0.1:{port}", "-l",
                    f"tls:127.0.0.1:{tls_port}", "-A", "WITH_TLS",
                    "-A", f'TLS_CERT="{pki.server_cert}"', "-A", f'TLS_KEY="{pki.server_key}"')
    context = ssl.create_default_context(cafile=str(pki.ca))
    with socket.create_connection(("127.0.0.1", tls_port), timeout=5) as raw, \
            context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        via = f"127.0.0.1:{tls.getsockname()[1]}"
        tls.sendall(request("OPTIONS", f"sip:127.0.0.1:{tls_port};transport=tls", via=via,
                            from_uri="sip:alice@127.0.0.1", transport="TLS"))
        assert status_of(read_reply(tls)) == 200
        contact = f"sip:alice@{via};transport=tls"
        tls.sendall(request("REGISTER", f"sip:127.0.0.1:{tls_port};transport=tls", via=via,
                            from_uri="sip:alice@127.0.0.1", to_uri="sip:alice@127.0.0.1",
                            contact=contact, transport="TLS", extra="Expires: 60\r\n"))
        reply = read_reply(tls)
        assert status_of(reply) == 200, reply
        assert contact.encode() in reply
