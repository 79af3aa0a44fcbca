"""XML-RPC codec: methodCall bytes in, methodResponse bytes out; no I/O of its own.

Requests are parsed with defusedxml, which refuses DTDs, entity declarations and external
references: no entity-expansion ("billion laughs") or external-entity attack gets through.
Types as Kamailio's xmlrpc module: int -> <i4> (<i8> beyond 32 bits), float -> <double>,
str -> <string>, dict -> <struct>, list -> <array>; faults are a struct of faultCode (<i4>) and
faultString. Also: bool -> <boolean>, None -> <nil/> (an empty result), bytes -> <base64>.
"""

from __future__ import annotations

import base64
import math
from typing import Any
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .errors import INVALID_REQUEST, PARSE_ERROR, RPCFault

_I4_MIN, _I4_MAX = -(2**31), 2**31 - 1
_MAX_DEPTH = 64


def decode_call(body: bytes) -> tuple[str, list[Any]]:
    """(method name, parameters) of a methodCall; RPCFault for anything else."""
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise RPCFault(PARSE_ERROR, f"Parse error: {type(exc).__name__}") from None
    except (ParseError, ValueError, UnicodeDecodeError):
        raise RPCFault(PARSE_ERROR, "Parse error: not well-formed XML") from None
    if root.tag != "methodCall":
        raise RPCFault(INVALID_REQUEST, "Invalid Request: expected <methodCall>")
    name_el = root.find("methodName")
    if name_el is None or not (name_el.text or "").strip():
        raise RPCFault(INVALID_REQUEST, "Invalid Request: no <methodName>")
    params: list[Any] = []
    params_el = root.find("params")
    if params_el is not None:
        for param in params_el.findall("param"):
            value = param.find("value")
            if value is None:
                raise RPCFault(INVALID_REQUEST, "Invalid Request: <param> without <value>")
            params.append(_value(value, 0))
    return (name_el.text or "").strip(), params


def _bad(what: str) -> RPCFault:
    return RPCFault(INVALID_REQUEST, f"Invalid Request: {what}")


def _value(el: Element, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        raise _bad("values nested too deeply")
    children = list(el)
    if not children:
        return el.text or ""
    typed = children[0]
    tag, text = typed.tag, (typed.text or "")
    try:
        if tag in ("i4", "int", "i8"):
            return int(text.strip())
        if tag == "boolean":
            if text.strip() not in ("0", "1"):
                raise _bad("boolean must be 0 or 1")
            return text.strip() == "1"
        if tag == "double":
            return float(text.strip())
        if tag in ("string", "dateTime.iso8601"):
            return text
        if tag == "base64":
            return base64.b64decode(text)
        if tag == "nil":
            return None
        if tag == "struct":
            out: dict[str, Any] = {}
            for member in typed.findall("member"):
                name, value = member.find("name"), member.find("value")
                if name is None or value is None:
                    raise _bad("<member> needs <name> and <value>")
                out[name.text or ""] = _value(value, depth + 1)
            return out
        if tag == "array":
            data = typed.find("data")
            return [_value(v, depth + 1) for v in (data.findall("value") if data is not None
                                                   else [])]
    except ValueError:
        raise _bad(f"bad <{tag}> value") from None
    raise _bad(f"unknown type <{tag}>")


def _encode(value: Any, out: list[str], depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        raise ValueError("result nested too deeply")
    if value is None:
        out.append("<value><nil/></value>")
    elif isinstance(value, bool):
        out.append(f"<value><boolean>{int(value)}</boolean></value>")
    elif isinstance(value, int):
        tag = "i4" if _I4_MIN <= value <= _I4_MAX else "i8"
        out.append(f"<value><{tag}>{value}</{tag}></value>")
    elif isinstance(value, float):
        out.append(f"<value><double>{value!r}</double></value>" if math.isfinite(value)
                   else f"<value><string>{value}</string></value>")
    elif isinstance(value, str):
        out.append(f"<value><string>{escape(value)}</string></value>")
    elif isinstance(value, bytes):
        out.append(f"<value><base64>{base64.b64encode(value).decode()}</base64></value>")
    elif isinstance(value, dict):
        out.append("<value><struct>")
        for k, v in value.items():
            out.append(f"<member><name>{escape(str(k))}</name>")
            _encode(v, out, depth + 1)
            out.append("</member>")
        out.append("</struct></value>")
    elif isinstance(value, (list, tuple, set, frozenset)):
        out.append("<value><array><data>")
        for v in value:
            _encode(v, out, depth + 1)
        out.append("</data></array></value>")
    else:
        out.append(f"<value><string>{escape(str(value))}</string></value>")


def encode_response(result: Any) -> bytes:
    out = ['<?xml version="1.0"?>\n<methodResponse><params><param>']
    _encode(result, out)
    out.append("</param></params></methodResponse>\n")
    return "".join(out).encode()


def encode_fault(code: int, message: str) -> bytes:
    out = ['<?xml version="1.0"?>\n<methodResponse><fault>']
    _encode({"faultCode": code, "faultString": message}, out)
    out.append("</fault></methodResponse>\n")
    return "".join(out).encode()
