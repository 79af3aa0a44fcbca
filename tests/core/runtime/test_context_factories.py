"""`Context.for_message` and `SipState.for_message` (the server's cheap per-message
constructors) build exactly what the constructors build."""

from __future__ import annotations

from siprouter.core.exports import RouteType
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState, SocketInfo


def _mine(host: str, port: int | None) -> bool:
    return host == "192.0.2.10"


def test_context_for_message_equals_the_constructor() -> None:
    worker = WorkerState(vars={"a": 1}, shared={})
    sip = SipState(ReceiveInfo("udp", "198.51.100.7", 5062, SocketInfo("udp", "192.0.2.10", 5060)),
                   None)  # type: ignore[arg-type]
    made = Context.for_message("m", RouteType.CORE_ONREPLY, worker, sip)  # type: ignore[arg-type]
    ref = Context("m", route_type=RouteType.CORE_ONREPLY, worker=worker,  # type: ignore[arg-type]
                  sip=sip)
    for name in Context.__slots__:
        assert getattr(made, name) == getattr(ref, name), name
    assert made.vars is worker.vars and made.shared is worker.shared and made.sip is sip
    made.avps["x"] = [1]
    made.call_stack.append(("k", None))  # type: ignore[arg-type]
    assert ref.avps == {} and ref.call_stack == []  # fresh containers per context


def test_sip_state_for_message_equals_the_constructor() -> None:
    rcv = ReceiveInfo("tcp", "198.51.100.7", 5062, SocketInfo("tcp", "192.0.2.10", 5060), 7)
    made = SipState.for_message(rcv, "sender", _mine, "fwd")  # type: ignore[arg-type]
    ref = SipState(rcv, "sender", is_myself=_mine, forwarder="fwd")  # type: ignore[arg-type]
    assert vars(made) == vars(ref)
    made.branches.append("b")  # type: ignore[arg-type]
    assert ref.branches == [] and SipState(rcv, "s").branches == []  # type: ignore[arg-type]
