"""Via branch values (RFC 3261 s8.1.1.7, s16.11)."""

from __future__ import annotations

import hashlib
import secrets

from .message import SIPRequest
from .via import BRANCH_MAGIC


def new_branch(unique: str | None = None) -> str:
    """A fresh RFC 3261 branch: the magic cookie plus `unique` (random when not given).

    Stateful elements (tm) use one per client transaction.
    """
    return BRANCH_MAGIC + (unique if unique is not None else secrets.token_hex(10))


def stateless_branch(msg: SIPRequest, *, target: str = "", secret: str = "") -> str:
    """The branch a stateless proxy puts in its Via for `msg` (RFC 3261 s16.11).

    It must be the same for every retransmission of the request, and a CANCEL or a non-2xx
    ACK must get the branch of the INVITE it refers to, so that the next hop matches them.
    When the received top Via has an RFC 3261 branch, that branch identifies the
    transaction and is hashed on its own. Otherwise (RFC 2543 peers) the hash covers what
    RFC 3261 s16.11 lists: To tag, From tag, Call-ID, Request-URI as received, top Via,
    CSeq number (not the method), Proxy-Require and Proxy-Authorization.

    `target` (the next hop or the new Request-URI) makes the branch differ per destination
    when one request is forked statelessly; `secret` keeps the value unguessable.
    """
    via = msg.top_via
    # The branch is read once (is_rfc3261_branch() and .branch would each look it up again).
    branch = via.branch if via is not None else None
    if via is not None and branch is not None and branch.startswith(BRANCH_MAGIC) \
            and branch != BRANCH_MAGIC:
        parts = ["3261", branch, via.sent_by]
    else:
        from_, to, cseq = msg.from_, msg.to, msg.cseq
        parts = [
            "2543",
            (to.tag if to else None) or "",
            (from_.tag if from_ else None) or "",
            msg.call_id or "",
            msg.ruri_text,
            str(via) if via is not None else "",
            str(cseq.number) if cseq else "",
            ",".join(msg.header_all("proxy-require")),
            ",".join(msg.header_all("proxy-authorization")),
        ]
    parts += [target, secret]
    digest = hashlib.md5("\x00".join(parts).encode("utf-8", "surrogateescape"))
    return BRANCH_MAGIC + digest.hexdigest()
