"""XML-RPC codec: Kamailio's types, faults, and no entity tricks."""

from __future__ import annotations

import xmlrpc.client

import pytest

from siprouter.core.rpc import xmlrpc as codec
from siprouter.core.rpc.errors import INVALID_REQUEST, PARSE_ERROR, RPCFault


def test_a_call_made_by_pythons_client_decodes_to_name_and_params():
    body = xmlrpc.client.dumps((1, "a", 2.5, True, {"k": [1, 2]}), "cfg.set").encode()
    assert codec.decode_call(body) == ("cfg.set", [1, "a", 2.5, True, {"k": [1, 2]}])


def test_an_untyped_value_is_a_string():
    body = b"<methodCall><methodName>m</methodName><params><param><value>x</value></param></params></methodCall>"
    assert codec.decode_call(body) == ("m", ["x"])


def test_results_use_kamailios_types_and_read_back_in_pythons_client():
    result = {"i": 5, "big": 2**40, "d": 1.5, "s": "<&>", "a": [1, "x"], "n": None}
    raw = codec.encode_response(result)
    assert b"<i4>5</i4>" in raw and b"<i8>" in raw and b"<double>1.5</double>" in raw
    assert xmlrpc.client.loads(raw)[0][0] == result


def test_a_fault_carries_fault_code_and_fault_string():
    with pytest.raises(xmlrpc.client.Fault) as exc:
        xmlrpc.client.loads(codec.encode_fault(-32601, "Method not found: x"))
    assert (exc.value.faultCode, exc.value.faultString) == (-32601, "Method not found: x")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<methodCall><methodName>&lol2;</methodName></methodCall>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<methodCall><methodName>core.echo</methodName><params><param><value>&xxe;</value></param></params></methodCall>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, b"<methodCall>", b"\x00junk"])
def test_dtds_entities_and_broken_xml_are_parse_errors(body):
    with pytest.raises(RPCFault) as exc:
        codec.decode_call(body)
    assert exc.value.code == PARSE_ERROR


@pytest.mark.parametrize("body", [
    b"<methodResponse/>",
    b"<methodCall><params/></methodCall>",
    b"<methodCall><methodName>m</methodName><params><param><value><i4>x</i4></value></param></params></methodCall>",
    b"<methodCall><methodName>m</methodName><params><param><value><weird/></value></param></params></methodCall>",
])
def test_well_formed_but_wrong_calls_are_invalid_requests(body):
    with pytest.raises(RPCFault) as exc:
        codec.decode_call(body)
    assert exc.value.code == INVALID_REQUEST
