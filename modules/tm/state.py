"""What tm keeps per transaction: the server side (the request, where replies go, what the
script armed) and one `UacBranch` per client transaction it sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from siprouter.core.runtime.context import XavpItem
from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.runtime.values import Value
from siprouter.core.server.forward import Hop
from siprouter.core.server.replies import ReplyParts, ReplyTo, to_tag
from siprouter.core.sip import SIPError, SIPRequest, SIPResponse, Via
from siprouter.core.sip.transaction import ClientTransaction, ServerTransaction

# Kamailio's reason phrases for the replies tm makes up itself.
REASONS = {100: "Trying", 200: "OK", 408: "Request Timeout", 487: "Request Terminated",
           500: "Server Internal Error", 503: "Service Unavailable"}

LOCAL_CANCEL_REASON = 'SIP;cause=200;text="Call completed elsewhere"'


def request_tag(prefix: str, msg: SIPRequest) -> str:
    """tm's To-tag for the replies it makes to `msg`: `prefix` ("tm" when empty) and a hash
    of the Call-ID, From tag and top Via branch, so retransmissions get the same tag."""
    try:
        from_ = msg.from_
        top = msg.top_via
    except SIPError:
        return prefix + "-0"
    return to_tag(prefix or "tm", msg.header("call-id") or "",
                  (from_.tag or "") if from_ is not None else "",
                  (top.branch or "") if top is not None else "")


@dataclass
class TmSettings:
    """The tm modparams siprouter honours (Kamailio names and units: milliseconds)."""

    fr_timer: int = 30000
    fr_inv_timer: int = 120000
    wt_timer: int = 5000  # how long an ended transaction stays, absorbing retransmissions
    retr_timer1: int = 500
    retr_timer2: int = 4000
    auto_inv_100: int = 1
    auto_inv_100_reason: str = "trying -- your call is important to us"
    relay_100: int = 0
    local_cancel_reason: int = 1
    e2e_cancel_reason: int = 1
    disable_6xx_block: int = 0
    restart_fr_on_each_reply: int = 1
    cancel_b_method: int = 1  # how a branch with no reply yet is cancelled (see cancel_branches)

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> TmSettings:
        """From `modparam("tm", ...)` values; unknown or ill-typed ones keep the default."""
        out = cls()
        for name, default in vars(cls()).items():
            value = params.get(name)
            if value is not None and isinstance(value, type(default)):
                setattr(out, name, value)
        return out


@dataclass(eq=False, slots=True)  # thousands alive: no per-instance dict
class UacBranch:
    """One branch: a client transaction and what tm learnt from its replies."""

    index: int
    uri: str
    hop: Hop
    socket: SocketInfo
    tx: ClientTransaction
    provisional: int = 0  # status of the last 1xx
    final_code: int = 0  # 0 while pending
    final_reason: str = ""
    final: SIPResponse | None = None  # None when tm made the final up (timeout, cancel)
    timed_out: bool = False
    cancel_pending: bool = False  # CANCEL it as soon as it answers provisionally
    cancel_reasons: list[str] | None = None  # the Reason headers that CANCEL is to carry
    cancelled: bool = False  # a CANCEL was sent on it
    fr_deadline: float | None = None
    fr_queued: float | None = None  # the deadline of its entry on the engine's fr_timer heap
    flags: int = 0

    @property
    def pending(self) -> bool:
        return self.final_code == 0

    @property
    def replied(self) -> bool:
        return self.final is not None or self.provisional > 0


@dataclass(eq=False, slots=True, weakref_slot=True)  # thousands alive: no per-instance dict
class TmTransaction:
    """A transaction as tm sees it: the server transaction and its branches."""

    request: SIPRequest
    rcv: ReceiveInfo
    server: ServerTransaction
    reply_to: ReplyTo
    own_tag: str | None  # our To-tag for replies we generate; None: made on first use (tag)
    force_rport: bool = False
    reply_no_connect: bool = False  # set_reply_no_connect(): no new TCP/TLS connection
    avps: dict[str, list[Value]] = field(default_factory=dict)
    xavps: dict[str, list[XavpItem]] = field(default_factory=dict)
    flags: int = 0
    ruri: str = ""  # branch 0's R-URI when t_relay ran (failure_route starts from it)
    branches: list[UacBranch] = field(default_factory=list)
    on_reply: str = ""  # route keys armed by t_on_reply, t_on_failure ...
    on_failure: str = ""
    on_branch: str = ""
    on_branch_failure: str = ""
    fr: float | None = None  # t_set_fr overrides, seconds
    fr_inv: float | None = None
    canceled: bool = False
    no_e2e_cancel_reason: bool = False
    final_code: int = 0  # the final status sent upstream (0: none yet)
    reply_code: int = 0  # status of the reply that triggered the running route ($T_reply_code)
    reply: SIPResponse | None = None  # that reply ($T_rpl)
    branch_index: int = 0  # branch of that reply ($T_branch_idx)
    in_failure_route: bool = False
    reply_parts: ReplyParts | None = None  # what our own replies copy, read once
    tag_prefix: str = ""  # what our To-tag starts with (the engine's), when own_tag is None
    request_via: Via | None = None  # the request's top Via, as received
    reply_via: str | None = None  # and as our replies carry it (received): made on first use

    @property
    def tag(self) -> str:
        """Our To-tag (not sl's prefix, or the core would swallow the ACKs of our negative
        replies before the script's t_check_trans() could give them to the transaction):
        the prefix and a hash of the request, made the first time it is needed (most
        transactions never send a reply of their own with a tag)."""
        tag = self.own_tag
        if tag is None:
            tag = self.own_tag = request_tag(self.tag_prefix, self.request)
        return tag

    @property
    def is_invite(self) -> bool:
        return self.request.method == "INVITE"

    @property
    def call_id(self) -> str:
        return self.request.header("call-id") or ""
