"""A refused REGISTER leaves nothing behind: once it is answered, its message, context and
bindings are freed, however many come. Under overload a client's retransmissions are refused
(answered 200 "Retransmission" with the current bindings) by the thousand: each one kept alive
made a worker's memory grow without end (bench/bench_register.py --overload-memory)."""

from __future__ import annotations

import gc

import pytest

from siprouter.core.sip import SIPRequest
from tests.modules.registrar.helpers import FakeClock, Script, register

SAVE = 'save("location");'
REPEAT = 50


def live_requests() -> int:
    """SIP requests still reachable after a full collection."""
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, SIPRequest))


def frames(exc: BaseException) -> int:
    n, tb = 0, exc.__traceback__
    while tb is not None:
        n, tb = n + 1, tb.tb_next
    return n


def _retransmission(s: Script, clock: FakeClock, i: int) -> bytes:
    return register(expires=600, cseq=5)


def _out_of_order(s: Script, clock: FakeClock, i: int) -> bytes:
    return register(expires=600, cseq=4)


def _too_brief(s: Script, clock: FakeClock, i: int) -> bytes:
    return register(expires=10, callid=f"brief-{i}")


def _no_call_id(s: Script, clock: FakeClock, i: int) -> bytes:
    return register(expires=600, callid="").replace(b"Call-ID: \r\n", b"")


def _too_many(s: Script, clock: FakeClock, i: int) -> bytes:
    return register(contacts=[f"<sip:alice@192.0.2.{i % 250}:{5000 + i}>"], expires=600,
                    callid=f"many-{i}")


@pytest.mark.parametrize(("refusal", "status", "info", "params"), [
    (_retransmission, 200, "Retransmission", {}),
    (_out_of_order, 200, "Out of order request", {}),
    (_too_brief, 423, "Interval too brief", {"min_expires_mode": 1}),
    (_no_call_id, 400, "Call-ID header not found", {}),
    (_too_many, 503, "Too many registered contacts", {"max_contacts": 1}),
], ids=["retransmission", "out-of-order", "423", "400", "503"])
def test_refused_registers_are_all_freed(setup, clock: FakeClock, refusal, status, info,
                                         params) -> None:
    setup(params)
    s = Script(SAVE)
    first = s.run(register(expires=600, cseq=5))
    assert first.reply.status == 200
    del first
    before = live_requests()
    for i in range(REPEAT):
        r = s.run(refusal(s, clock, i))
        assert (r.reply.status, r.reply.header("P-Registrar-Error")) == (status, info)
    del r
    assert live_requests() - before == 0


def test_each_refusal_is_its_own_error(setup) -> None:
    """Two refusals of the same kind are separate errors: the second does not carry the
    first one's traceback (and with it the first REGISTER)."""
    from siprouter.core.sip import parse_message
    from siprouter.modules import registrar

    setup({"min_expires_mode": 1})
    errors = []
    for _ in range(2):
        try:
            registrar.read_register(parse_message(register(expires=5)), 0, None)
        except registrar.RegError as exc:
            errors.append(exc)
    a, b = errors
    assert a == b == registrar.R_LOW_EXP and a is not b
    assert frames(a) == frames(b) > 0
    assert registrar.R_LOW_EXP.__traceback__ is None
