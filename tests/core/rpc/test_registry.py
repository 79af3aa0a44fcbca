"""The RPC registry: methods from module declarations, parameters checked and converted."""

from __future__ import annotations

import pytest

from siprouter.core.exports import ModuleExports
from siprouter.core.rpc.errors import INVALID_PARAMS, METHOD_NOT_FOUND, RPCFault
from siprouter.core.rpc.registry import RPCRegistry


def _module() -> ModuleExports:
    m = ModuleExports("demo")

    @m.rpc("demo.add", params=("a", "b"))
    def add(ctx, a: int, b: int = 1) -> int:
        """Add two integers."""
        return a + b

    @m.rpc("demo.join")
    def join(ctx, sep: str, *parts: str) -> str:
        return sep.join(parts)

    @m.rpc("demo.scale")
    def scale(ctx, x: float) -> float:
        return x * 2

    m.rpc("demo.later", "Not written yet")
    return m


REG = RPCRegistry([_module()])


def test_only_methods_with_a_handler_are_listed():
    assert REG.names() == ["demo.add", "demo.join", "demo.scale"]


def test_the_handler_docstring_is_the_help_text():
    assert REG.get("demo.add").doc == "Add two integers."


def test_unknown_and_unimplemented_methods_are_method_not_found():
    with pytest.raises(RPCFault) as unknown:
        REG.get("demo.nope")
    with pytest.raises(RPCFault) as later:
        REG.get("demo.later")
    assert unknown.value.code == later.value.code == METHOD_NOT_FOUND
    assert "not implemented" in later.value.message


@pytest.mark.parametrize("params", [[], [1, 2, 3]])
def test_a_wrong_parameter_count_is_invalid_params(params):
    with pytest.raises(RPCFault) as exc:
        REG.prepare("demo.add", params)
    assert exc.value.code == INVALID_PARAMS


def test_numeric_strings_convert_to_int_and_numbers_to_str():
    assert REG.prepare("demo.add", ["3", 4.0])[1] == [3, 4]
    assert REG.prepare("demo.join", [",", 1, "b"])[1] == [",", "1", "b"]
    assert REG.prepare("demo.scale", [2])[1] == [2.0]


@pytest.mark.parametrize("value", ["three", True, None, [1]])
def test_values_that_do_not_convert_are_invalid_params(value):
    with pytest.raises(RPCFault) as exc:
        REG.prepare("demo.add", [value])
    assert exc.value.code == INVALID_PARAMS


def test_the_signature_lists_result_and_parameter_types():
    assert REG.get("demo.add").signature() == ["int", "int", "int"]
    assert REG.get("demo.scale").signature() == ["double", "double"]
