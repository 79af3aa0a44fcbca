"""Via branch values (RFC 3261 s8.1.1.7, s16.11)."""

from __future__ import annotations

import secrets
from typing import Any

from .message import SIPRequest
from .syntax import param_value
from .via import BRANCH_MAGIC, Via

try:  # CPython's own MD5: for inputs this short, cheaper than going through OpenSSL
    from _md5 import md5
except ImportError:  # pragma: no cover - a build without it
    from hashlib import md5


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
    return stateless_branch_with(msg, branch_suffix(target, secret))


def branch_suffix(target: str, secret: str) -> bytes:
    """The part of the hashed text that depends on the target and the secret alone, for
    `stateless_branch_with` (a forwarder works it out once per next hop)."""
    return ("\x00" + target + "\x00" + secret).encode("utf-8", "surrogateescape")


_TOP_VIA: Any = object()


def stateless_branch_with(msg: SIPRequest, suffix: bytes, via: Via | None = _TOP_VIA) -> str:
    """`stateless_branch` with the target and secret given as `branch_suffix` made them.
    `via` is the message's top Via as received (`msg.top_via`), when the caller has it."""
    if via is _TOP_VIA:
        via = msg.top_via
    if via is not None:
        # The branch as `via.branch` reads it, without the property's call.
        branch = via.params.get("branch")
        if branch is not None and branch[:1] == '"':
            branch = param_value(branch)
        if branch is not None and branch.startswith(BRANCH_MAGIC) and branch != BRANCH_MAGIC:
            port = via.port
            text = "3261\x00" + branch + "\x00" + (via.host if port is None else
                                                   f"{via.host}:{port}")
            return BRANCH_MAGIC + md5(text.encode("utf-8", "surrogateescape") +
                                      suffix).hexdigest()
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
    return BRANCH_MAGIC + md5("\x00".join(parts).encode("utf-8", "surrogateescape") +
                              suffix).hexdigest()
