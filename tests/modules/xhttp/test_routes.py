"""HTTP requests through the script: which route takes them, what PVs show, what answers."""

from __future__ import annotations

import json
import xmlrpc.client

from siprouter.core.runtime.context import Context
from siprouter.core.transport.http_detect import HttpRequest
from siprouter.modules import jsonrpcs, xhttp
from tests.modules.xhttp.rig import RCV, load

WELCOME = """
loadmodule "xhttp.so"
loadmodule "pv.so"
tcp_accept_no_cl=yes
request_route { exit; }
event_route[xhttp:request] {
    switch($hu) {
        case /"^/welcome":
            xhttp_reply("200", "OK", "text/html",
                "<html><body>Welcome! You are connected to us from [$si:$sp]</body></html>");
            break;
        default:
            xhttp_reply("404", "Not found", "text/html",
                "<html><body>Page not found</body></html>");
    }
}
"""

RPC = """
loadmodule "xhttp.so"
loadmodule "jsonrpcs.so"
loadmodule "xmlrpc.so"
loadmodule "pv.so"
request_route { exit; }
route[XMLRPC] { dispatch_rpc(); }
event_route[xhttp:request] {
    if ($hu =~ "^/RPC") {
        jsonrpc_dispatch();
        exit;
    }
    if ($hu =~ "^/exec") {
        jsonrpc_exec("$rb");
        xhttp_reply("200", "OK", "text/plain", "$jsonrpl(code)|$jsonrpl(text)");
        exit;
    }
    if ($hu =~ "^/silent") {
        exit;
    }
    xhttp_reply("200", "OK", "text/plain", "$rm|$hdr(X-Test)|$rb|$hu");
}
"""


def get(target: str, method: str = "GET", body: bytes = b"",
        headers: list[tuple[str, str]] | None = None) -> HttpRequest:
    return HttpRequest(method, target, "1.1", [("Host", "x"), *(headers or [])], body)


def test_the_release_note_welcome_page_names_the_peer():
    pipeline = load(WELCOME)
    resp = xhttp.handle_http(get("/welcome/x"), RCV, pipeline)
    assert (resp.status, resp.reason, resp.content_type) == (200, "OK", "text/html")
    assert b"[192.0.2.7:40123]" in resp.body


def test_the_release_note_example_answers_404_elsewhere():
    resp = xhttp.handle_http(get("/other"), RCV, load(WELCOME))
    assert (resp.status, resp.body) == (404, b"<html><body>Page not found</body></html>")


def test_method_headers_and_body_read_as_sip_pvs():
    request = get("/echo?a=1", "PUT", b"doc", [("X-Test", "yes")])
    resp = xhttp.handle_http(request, RCV, load(RPC))
    assert resp.body == b"PUT|yes|doc|/echo?a=1"


def test_url_skip_wins_over_url_match_and_unmatched_urls_get_404():
    pipeline = load(WELCOME, xhttp={"url_match": "^/wel", "url_skip": "^/welcome/private"})
    assert xhttp.handle_http(get("/welcome"), RCV, pipeline).status == 200
    assert xhttp.handle_http(get("/welcome/private"), RCV, pipeline).status == 404
    skipped = xhttp.handle_http(get("/other"), RCV, pipeline)
    assert (skipped.status, skipped.body) == (404, b"404 Not Found\n")


def test_a_route_that_does_not_answer_gets_500():
    resp = xhttp.handle_http(get("/silent"), RCV, load(RPC))
    assert resp.status == 500


def test_jsonrpc_dispatch_answers_from_the_rpc_registry():
    body = json.dumps({"jsonrpc": "2.0", "method": "core.version", "id": 7}).encode()
    resp = xhttp.handle_http(get("/RPC", "POST", body), RCV, load(RPC))
    assert (resp.status, resp.content_type) == (200, "application/json")
    reply = json.loads(resp.body)
    assert reply["id"] == 7 and reply["result"].startswith("siprouter ")


def test_jsonrpc_dispatch_answers_a_notification_with_204():
    body = b'{"jsonrpc": "2.0", "method": "core.version"}'
    resp = xhttp.handle_http(get("/RPC", "POST", body), RCV, load(RPC))
    assert (resp.status, resp.body) == (204, b"")


def test_jsonrpc_dispatch_answers_bad_json_with_a_parse_error():
    resp = xhttp.handle_http(get("/RPC", "POST", b"{nope"), RCV, load(RPC))
    assert json.loads(resp.body)["error"]["code"] == -32700


def test_jsonrpc_exec_fills_jsonrpl():
    ok = b'{"jsonrpc": "2.0", "method": "core.version", "id": 1}'
    assert xhttp.handle_http(get("/exec", "POST", ok), RCV, load(RPC)).body == b"200|OK"
    bad = b'{"jsonrpc": "2.0", "method": "no.such", "id": 1}'
    resp = xhttp.handle_http(get("/exec", "POST", bad), RCV, load(RPC))
    assert resp.body.startswith(b"-32601|Method not found")
    assert json.loads(jsonrpcs.last_reply.body)["error"]["code"] == -32601


def test_an_xml_post_runs_the_xmlrpc_route_and_dispatch_rpc_answers():
    body = xmlrpc.client.dumps(("core",), "core.echo").encode()
    pipeline = load(RPC, xmlrpc={"route": "XMLRPC"})
    resp = xhttp.handle_http(get("/RPC2", "POST", body, [("Content-Type", "text/xml")]),
                             RCV, pipeline)
    assert (resp.status, resp.content_type) == (200, "text/xml")
    assert xmlrpc.client.loads(resp.body)[0] == (["core"],)


def test_an_xmlrpc_fault_is_an_http_200_with_a_fault_body():
    body = xmlrpc.client.dumps((), "no.such").encode()
    pipeline = load(RPC, xmlrpc={"route": "XMLRPC"})
    resp = xhttp.handle_http(get("/RPC2", "POST", body, [("Content-Type", "text/xml")]),
                             RCV, pipeline)
    assert resp.status == 200
    try:
        xmlrpc.client.loads(resp.body)
    except xmlrpc.client.Fault as fault:
        assert fault.faultCode == -32601
    else:
        raise AssertionError("no fault")


def test_xmlrpc_url_match_takes_any_request_it_matches():
    pipeline = load(RPC, xmlrpc={"route": "XMLRPC", "url_match": "^/xml"})
    body = xmlrpc.client.dumps((), "core.version").encode()
    resp = xhttp.handle_http(get("/xml", "POST", body), RCV, pipeline)
    assert resp.content_type == "text/xml"
    assert xhttp.handle_http(get("/other"), RCV, pipeline).content_type == "text/plain"


def test_xhttp_reply_outside_an_http_request_fails():
    assert xhttp.xhttp_reply(Context(), 200, "OK", "text/plain", "x") == -1
