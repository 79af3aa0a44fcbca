"""`is_method("...")` with a constant inside an `if` or a condition: the compiler tests the
request's method itself (fixups.method_test). Each script runs in the plain build and in the
traced build (which calls the function through its action, the reference) and must agree on
branches, $rc and everything the route wrote."""

from __future__ import annotations

import pytest

from siprouter.core.cfg.parser import parse_text
from siprouter.core.exports import default_registry
from siprouter.core.runtime.compiler import compile_config
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.sip import parse_message
from tests.core.runtime.sip.helpers import INVITE, MODULES, REPLY, sip_state

BODIES = [
    'if (is_method("INVITE")) { $var(a) = 1; } $var(rc) = $rc;',
    'if (is_method("BYE|INVITE")) { $var(a) = 1; } else { $var(a) = 2; } $var(rc) = $rc;',
    'if (!is_method("INVITE")) { $var(a) = 1; } $var(rc) = $rc;',
    'if (!is_method("ACK")) { $var(a) = 1; } else { $var(a) = 2; } $var(rc) = $rc;',
    'if (is_method("ack")) { $var(a) = 1; } $var(rc) = $rc;',
    'if (is_method("INVITE") && $var(x) == 0) { $var(a) = 1; } $var(rc) = $rc;',
    'if (!is_method("CANCEL") && !is_method("BYE")) { $var(a) = 1; } $var(rc) = $rc;',
    'if (is_method("CANCEL") || is_method("invite")) { $var(a) = 1; } $var(rc) = $rc;',
    '$var(w) = 0; while (is_method("INVITE") && $var(w) < 2) { $var(w) = $var(w) + 1; }',
    'if (is_method("INVITE")) { exit; } $var(a) = 1;',
]
MESSAGES = {
    "invite": INVITE,
    "lower-case method": INVITE.replace(b"INVITE sip:", b"invite sip:", 1),
    "ack": INVITE.replace(b"INVITE sip:", b"ACK sip:", 1).replace(b"314159 INVITE",
                                                                   b"314159 ACK"),
    "reply (CSeq method)": REPLY,
}


def outcome(body: str, data: bytes, traced: bool) -> tuple[object, ...]:
    loads = "".join(f'loadmodule "{m}.so"\n' for m in MODULES)
    config, diags = parse_text(loads + f"request_route {{\n{body}\n}}\n", "t.cfg")
    assert not [d for d in diags if d.is_error], diags
    script = compile_config(config, default_registry().loaded(MODULES))
    if traced:
        script.set_tracer(lambda ctx, info: None)
    worker = WorkerState(vars={}, shared={})
    ctx = Context(parse_message(data), worker=worker, sip=sip_state())
    code = script.run("request_route", ctx)
    return code, ctx.exited, ctx.last_retcode, dict(worker.vars)


@pytest.mark.parametrize("name", list(MESSAGES))
@pytest.mark.parametrize("body", BODIES)
def test_inlined_method_test_agrees_with_the_call(body: str, name: str) -> None:
    data = MESSAGES[name]
    assert outcome(body, data, traced=False) == outcome(body, data, traced=True)


def test_inlined_method_test_results() -> None:
    assert outcome(BODIES[1], INVITE, False)[3] == {"a": 1, "rc": 1}
    assert outcome(BODIES[1], MESSAGES["ack"], False)[3] == {"a": 2, "rc": -1}
    assert outcome(BODIES[4], MESSAGES["ack"], False)[3] == {"a": 1, "rc": 1}
    assert outcome(BODIES[0], REPLY, False)[3] == {"a": 1, "rc": 1}  # a 180 to an INVITE (CSeq)
    assert outcome(BODIES[2], REPLY, False)[3] == {"rc": 1}
    assert outcome(BODIES[9], INVITE, False)[:3] == (0, True, 0)
