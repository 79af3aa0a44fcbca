"""Modparams reach the modules in the running server (Kamailio applies them before mod_init)."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

from .conftest import free_port

CONFIG = """
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "pv.so"
modparam("rr", "enable_full_lr", 1)
modparam("maxfwd", "max_limit", 16)
listen=udp:127.0.0.1:{port}
request_route {{
	if (!mf_process_maxfwd_header("70")) {{
		sl_send_reply("483", "Too Many Hops");
		exit;
	}}
	if (is_method("OPTIONS")) {{
		sl_send_reply("200", "OK");
		exit;
	}}
	record_route();
	forward("127.0.0.1", {dst});
}}
"""


def test_rr_and_maxfwd_follow_their_modparams(start_siprouter, tmp_path: Path) -> None:
    port = free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as uas:
        uas.bind(("127.0.0.1", 0))
        uas.settimeout(3)
        cfg = tmp_path / "modparams.cfg"
        cfg.write_text(CONFIG.format(port=port, dst=uas.getsockname()[1]))
        start_siprouter(cfg, port)
        tag = uuid.uuid4().hex[:8]
        invite = (f"INVITE sip:bob@127.0.0.1:{port} SIP/2.0\r\n"
                  f"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK{tag}\r\n"
                  "Max-Forwards: 70\r\n"
                  f"From: <sip:alice@127.0.0.1>;tag={tag}\r\nTo: <sip:bob@127.0.0.1>\r\n"
                  f"Call-ID: {tag}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n").encode()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as uac:
            uac.sendto(invite, ("127.0.0.1", port))
            relayed = uas.recv(65535).decode()
    assert ";lr=on" in relayed  # enable_full_lr=1
    assert "\r\nMax-Forwards: 15\r\n" in relayed  # lowered to max_limit 16, then decremented
