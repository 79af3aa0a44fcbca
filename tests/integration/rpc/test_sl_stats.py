"""sl.stats counts the stateless replies every worker sent (Kamailio's sl statistics)."""

from __future__ import annotations

from .conftest import Server


def test_sl_stats_counts_replies_from_every_worker(server: Server) -> None:
    before = server.result("sl.stats")
    server.sip_options(6)  # the script answers each with sl_send_reply("200", "OK")
    after = server.result("sl.stats")
    assert after["200_replies"] - before["200_replies"] == 6
    assert after["sent_replies"] - before["sent_replies"] == 6
    assert after["sent_err_replies"] == before["sent_err_replies"]
    assert server.result("cnt.get", "sl", "200_replies") == after["200_replies"]
