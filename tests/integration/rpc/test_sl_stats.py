"""sl.stats counts the stateless replies every worker sent (Kamailio's sl statistics)."""

from __future__ import annotations

from .conftest import Server


def test_sl_stats_counts_replies_from_every_worker(server: Server) -> None:
    before = server.result("sl.stats")
    sent = server.result("cnt.get", "sl", "sent_replies")
    errors = server.result("cnt.get", "sl", "sent_err_replies")
    server.sip_options(6)  # the script answers each with sl_send_reply("200", "OK")
    after = server.result("sl.stats")
    assert after["200"] - before["200"] == 6
    assert after["2xx"] == before["2xx"]  # a 200 counts as 200, not in its class
    assert server.result("cnt.get", "sl", "sent_replies") - sent == 6
    assert server.result("cnt.get", "sl", "sent_err_replies") == errors
    assert server.result("cnt.get", "sl", "200_replies") == after["200"]


def test_sl_stats_lists_kamailios_codes(server: Server) -> None:
    assert list(server.result("sl.stats")) == [
        "200", "202", "2xx", "300", "301", "302", "3xx", "400", "401", "403", "404", "407",
        "408", "483", "4xx", "500", "5xx", "6xx", "xxx"]
