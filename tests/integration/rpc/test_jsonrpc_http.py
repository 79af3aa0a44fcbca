"""JSON-RPC 2.0 over the HTTP management listener of a running siprouter."""

from __future__ import annotations

import http.client
import json


def test_every_listed_rpc_answers_over_http(server, rpc_cases):
    wrong = []
    for method, params, check in rpc_cases:
        reply = server.call(method, *params)
        if "error" in reply or not check(reply["result"]):
            wrong.append((method, reply))
    assert wrong == []


def test_counters_sum_what_every_worker_counted(server):
    before = server.result("cnt.get", "script", "hits")
    server.sip_options(20)
    assert server.result("cnt.get", "script", "hits") == before + 20
    assert server.result("stats.fetch", "script:") == {"script.hits": before + 20}


def test_a_cfg_change_is_seen_and_a_delayed_one_only_after_commit(server):
    server.result("cfg.set_delayed_int", "registrar", "default_expires", 60)
    assert server.result("cfg.get", "registrar", "default_expires") == 1800
    server.result("cfg.commit")
    assert server.result("cfg.get", "registrar", "default_expires") == 60
    server.result("cfg.seti", "registrar", "default_expires", 1800)
    assert server.result("cfg.get", "registrar", "default_expires") == 1800


def test_malformed_json_gets_a_parse_error(server):
    status, body = server.post(b'{"jsonrpc": "2.0", "method": ')
    assert status == 200
    assert json.loads(body) == {"jsonrpc": "2.0", "id": None,
                                "error": {"code": -32700, "message": "Parse error"}}


def test_wrong_parameters_get_32602(server):
    reply = server.call("cnt.get")
    assert reply["error"]["code"] == -32602
    reply = server.call("cfg.seti", "core", "debug", "high")
    assert reply["error"]["code"] == -32602


def test_an_unknown_method_gets_32601(server):
    assert server.call("no.such_method")["error"]["code"] == -32601


def test_application_errors_keep_kamailios_codes(server):
    assert server.call("cnt.get", "script", "nope")["error"]["code"] == 400
    assert server.call("cfg.get", "nogroup", "x")["error"]["code"] == 400
    # out of the range Kamailio 5.6 gives the variable (its "400 Failed to set the variable")
    assert server.call("cfg.set", "registrar", "default_q", 1001)["error"]["code"] == 400
    assert server.call("cfg.set", "registrar", "expires_range", 101)["error"]["code"] == 400
    assert server.result("cfg.get", "registrar", "default_q") == -1


def test_a_notification_gets_no_content(server):
    status, body = server.post(b'{"jsonrpc":"2.0","method":"core.version"}')
    assert (status, body) == (204, b"")


def test_a_batch_gets_one_reply_per_request(server):
    status, body = server.post(b'[{"jsonrpc":"2.0","method":"core.version","id":1},'
                               b'{"jsonrpc":"2.0","method":"nope","id":2}]')
    replies = json.loads(body)
    assert [r["id"] for r in replies] == [1, 2]
    assert replies[1]["error"]["code"] == -32601


def test_an_oversize_request_is_refused_with_413(server):
    big = json.dumps({"jsonrpc": "2.0", "method": "core.echo", "params": ["x" * 5000],
                      "id": 1}).encode()
    status, _ = server.post(big)
    assert status == 413


def test_other_paths_and_methods_are_refused(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.http, timeout=10)
    conn.request("GET", "/RPC")
    assert conn.getresponse().status == 405
    conn.close()
    status, _ = server.post(b"{}", path="/admin")
    assert status == 404


def test_keep_alive_serves_many_requests_on_one_connection(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.http, timeout=10)
    for i in range(5):
        conn.request("POST", "/RPC", json.dumps({"jsonrpc": "2.0", "method": "core.echo",
                                                 "params": [i], "id": i}),
                     {"Content-Type": "application/json"})
        assert json.loads(conn.getresponse().read())["result"] == [i]
    conn.close()
