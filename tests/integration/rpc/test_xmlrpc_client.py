"""XML-RPC over HTTP with Python's xmlrpc.client as the foreign client."""

from __future__ import annotations

import xmlrpc.client

import pytest


def _proxy(server):
    return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{server.http}/RPC2", allow_none=True)


def test_every_listed_rpc_answers_over_xmlrpc(server, rpc_cases):
    proxy = _proxy(server)
    wrong = []
    for method, params, check in rpc_cases:
        try:
            result = getattr(proxy, method)(*params)
        except xmlrpc.client.Fault as fault:
            wrong.append((method, fault))
            continue
        if not check(result):
            wrong.append((method, result))
    assert wrong == []


def test_an_unknown_method_is_a_fault_32601(server):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        _proxy(server).no.such_method()
    assert exc.value.faultCode == -32601


def test_wrong_parameters_are_a_fault_32602(server):
    with pytest.raises(xmlrpc.client.Fault) as exc:
        _proxy(server).cnt.get()
    assert exc.value.faultCode == -32602


def test_a_text_xml_body_to_rpc_is_xmlrpc_too(server):
    body = xmlrpc.client.dumps(("a",), "core.echo").encode()
    status, reply = server.post(body, path="/RPC", ctype="text/xml")
    assert status == 200
    assert xmlrpc.client.loads(reply)[0] == (["a"],)


def test_an_external_entity_is_refused_with_a_parse_fault(server):
    body = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<methodCall><methodName>core.echo</methodName><params><param><value>&x;"
            b"</value></param></params></methodCall>")
    status, reply = server.post(body, path="/RPC2", ctype="text/xml")
    assert status == 200
    with pytest.raises(xmlrpc.client.Fault) as exc:
        xmlrpc.client.loads(reply)
    assert exc.value.faultCode == -32700
    assert b"root:" not in reply
