"""JSON-RPC 2.0 codec: what a client gets back for good and bad messages."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from siprouter.core.rpc import jsonrpc
from siprouter.core.rpc.errors import InvalidParams, MethodNotFound


async def _invoke(method: str, params: list[Any]) -> Any:
    if method == "echo":
        return params
    if method == "strict":
        raise InvalidParams("strict takes 0 parameter(s), got 1")
    if method == "boom":
        raise RuntimeError("handler bug")
    raise MethodNotFound(method)


def call(body: bytes | str) -> Any:
    raw = asyncio.run(jsonrpc.handle(body.encode() if isinstance(body, str) else body, _invoke))
    return None if raw is None else json.loads(raw)


def test_a_request_gets_its_result_and_id():
    assert call('{"jsonrpc":"2.0","method":"echo","params":[1,"a"],"id":7}') == {
        "jsonrpc": "2.0", "result": [1, "a"], "id": 7}


def test_named_params_are_taken_in_order():
    assert call('{"jsonrpc":"2.0","method":"echo","params":{"b":1,"a":2},"id":1}')["result"] == [1, 2]


def test_malformed_json_is_a_parse_error_with_null_id():
    assert call("{nope")["error"]["code"] == -32700
    assert call("{nope")["id"] is None
    assert call(b"\xff\xfe")["error"]["code"] == -32700


def test_an_unknown_method_is_32601():
    assert call('{"jsonrpc":"2.0","method":"nope","id":1}')["error"]["code"] == -32601


def test_wrong_params_are_32602():
    reply = call('{"jsonrpc":"2.0","method":"strict","params":[1],"id":1}')
    assert reply["error"]["code"] == -32602
    assert call('{"jsonrpc":"2.0","method":"echo","params":3,"id":1}')["error"]["code"] == -32602


def test_a_request_that_is_not_an_object_is_an_invalid_request():
    assert call("42")["error"]["code"] == -32600
    assert call('{"jsonrpc":"2.0","method":7,"id":1}')["error"]["code"] == -32600
    assert call('{"jsonrpc":"1.0","method":"echo","id":1}')["error"]["code"] == -32600
    assert call("[]")["error"]["code"] == -32600


def test_a_notification_gets_no_reply():
    assert call('{"jsonrpc":"2.0","method":"echo","params":[1]}') is None
    assert call('{"jsonrpc":"2.0","method":"nope"}') is None


def test_a_batch_gets_the_replies_of_its_requests_only():
    reply = call('[{"jsonrpc":"2.0","method":"echo","params":[1],"id":1},'
                 '{"jsonrpc":"2.0","method":"echo","params":[2]},'
                 '{"jsonrpc":"2.0","method":"nope","id":3}, 5]')
    assert [r.get("id") for r in reply] == [1, 3, None]
    assert reply[0]["result"] == [1]
    assert reply[1]["error"]["code"] == -32601
    assert reply[2]["error"]["code"] == -32600


def test_a_batch_of_notifications_gets_no_reply():
    assert call('[{"jsonrpc":"2.0","method":"echo"}]') is None


def test_pretty_replies_are_tab_indented_like_jsonrpcs():
    raw = asyncio.run(jsonrpc.handle(b'{"jsonrpc":"2.0","method":"echo","id":1}', _invoke,
                                     pretty=True))
    assert raw is not None and b'\n\t"result"' in raw
