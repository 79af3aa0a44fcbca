"""Which transaction a message belongs to (RFC 3261 s17.1.3, s17.2.3, s9.2), merged-request
detection (s8.2.2.2), and the table a worker keeps its transactions in.

Server matching uses the RFC 3261 key (top Via branch with the magic cookie, sent-by and the
method, ACK counting as INVITE) when the request carries the cookie, and the RFC 2543 rules
(Request-URI, tags, Call-ID, CSeq, top Via) otherwise. Client matching is by our branch and
the CSeq method, since a CANCEL shares its INVITE's branch.
"""

from __future__ import annotations

import heapq
import itertools
from typing import TypeVar

from siprouter.core.sip.errors import RemoteSIPError
from siprouter.core.sip.message import SIPRequest, SIPResponse
from siprouter.core.sip.via import BRANCH_MAGIC

from .client import ClientTransaction
from .events import TransactionError, TransactionEvent
from .machine import _SILENT_END, Transaction
from .raw import branch_of, top_via_value
from .server import ServerTransaction
from .states import State

_TERMINATED = State.TERMINATED

K = TypeVar("K")

ServerKey = tuple[str, str, str, str]
"""RFC 3261 server key: ("3261", branch, sent-by, method with ACK read as INVITE)."""

LooseKey = tuple[str, str, str, str, int, str]
"""RFC 2543 candidates: ("2543", Request-URI, From tag, Call-ID, CSeq number, top Via);
the To tag and method are checked on each candidate (an ACK's To tag is the one our final
response added, unknown when the transaction was created)."""

ClientKey = tuple[str, str]
"""(branch, CSeq method) of a response or of our request."""

MergeKey = tuple[str, str, int, str]
"""(From tag, Call-ID, CSeq number, CSeq method) of an out-of-dialog request (s8.2.2.2)."""


def server_key(request: SIPRequest, *, method: str | None = None) -> ServerKey | None:
    """The RFC 3261 key of `request`, or None when its top Via has no magic cookie (or no
    Via at all). `method` overrides the request's (CANCEL looking for its INVITE)."""
    via = request.top_via
    if via is None:
        return None
    branch = via.params.get("branch")  # via.is_rfc3261_branch(), via.branch inlined
    if branch is None:
        return None
    if branch[:1] == '"':
        branch = via.branch
        if branch is None:
            return None
    if not branch.startswith(BRANCH_MAGIC):
        return None
    method = method or request.method
    port = via.port
    return ("3261", branch, via.host if port is None else f"{via.host}:{port}",
            "INVITE" if method == "ACK" else method)


def loose_key(request: SIPRequest) -> LooseKey | None:
    """The RFC 2543 look-up key of `request`, or None when a header it needs is missing."""
    via, from_, cseq, call_id = request.top_via, request.from_, request.cseq, request.call_id
    if via is None or from_ is None or cseq is None or call_id is None:
        return None
    return ("2543", request.ruri_text, from_.tag or "", call_id, cseq.number, str(via))


def client_key(message: SIPRequest | SIPResponse) -> ClientKey | None:
    """(top Via branch, CSeq method): how a response finds its client transaction."""
    via, cseq = message.top_via, message.cseq
    if via is None or via.branch is None or cseq is None:
        return None
    return (via.branch, cseq.method)


def merge_key(request: SIPRequest) -> MergeKey | None:
    """From tag, Call-ID and CSeq of a request that could be merged, or None (it has a To
    tag, so it is in a dialog, or lacks the headers)."""
    to = request.to  # first: a request in a dialog needs no other header parsed
    if to is None or to.tag is not None:
        return None
    from_, cseq, call_id = request.from_, request.cseq, request.call_id
    if from_ is None or cseq is None or call_id is None:
        return None
    return (from_.tag or "", call_id, cseq.number, cseq.method)


def _to_tag(request: SIPRequest) -> str | None:
    to = request.to
    return to.tag if to is not None else None


def _matches_2543(tx: ServerTransaction, request: SIPRequest, method: str) -> bool:
    """s17.2.3 for requests without the cookie, once the loose key matched. An ACK's To
    tag must be the one our response carried; other requests must repeat the original's."""
    if request.method == "ACK":
        return tx.method == "INVITE" and _to_tag(request) == tx.to_tag
    return tx.method == method and _to_tag(request) == _to_tag(tx.request)


def _discard(index: dict[K, list[ServerTransaction]], key: K, tx: ServerTransaction) -> None:
    """Take `tx` out of its group under `key`, and the group out when it empties."""
    group = index.get(key)
    if group is not None and tx in group:
        group.remove(tx)
        if not group:
            del index[key]


_Keys = tuple[ClientKey | None, ServerKey | None, LooseKey | None, MergeKey | None]
"""Where a transaction is indexed (client, server, loose, merge), so that `remove` undoes
exactly what `add` did."""


class TransactionTable:
    """The transactions of one worker, indexed for matching, with their timers.

    A transaction added here reports back after every call made on it: its next deadline
    goes on a heap (`get_timer` / `handle_timer` serve them all, earliest first) and it is
    removed as soon as it reaches Terminated. The owner therefore needs one timer for the
    whole table and never removes a transaction by hand, except to drop it early.
    """

    def __init__(self) -> None:
        self._servers: dict[ServerKey, ServerTransaction] = {}
        self._servers_2543: dict[LooseKey, list[ServerTransaction]] = {}
        self._clients: dict[ClientKey, ClientTransaction] = {}
        # one transaction per key, a list when several share it (a merged request answered
        # 482 is not added, so that is rare)
        self._merge: dict[MergeKey, ServerTransaction | list[ServerTransaction]] = {}
        self._keys: dict[Transaction, _Keys] = {}
        self._heap: list[tuple[float, int, Transaction]] = []
        self._scheduled: dict[Transaction, float] = {}
        self._seq = itertools.count()
        # The RFC 3261 key of the request seen last: t_check_trans, t_newtran and add() all
        # ask for it, and the top Via is all it reads (the request is held, so the identity
        # test cannot be fooled by a recycled id)
        self._keyed: SIPRequest | None = None
        self._keyed_as: ServerKey | None = None
        self._merged: SIPRequest | None = None  # the same for merge_key (check_merged, add)
        self._merged_as: MergeKey | None = None

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, tx: object) -> bool:
        return tx in self._keys

    # ------------------------------------------------------------------ add / remove

    def add(self, tx: Transaction) -> None:
        """Index `tx`; raises `TransactionError` when another one has the same key (the
        caller should have found that one)."""
        if tx in self._keys:
            return
        if isinstance(tx, ClientTransaction):
            ckey = tx.key
            if ckey in self._clients:
                raise TransactionError(f"a client transaction with branch {ckey[0]} exists")
            self._clients[ckey] = tx
            self._keys[tx] = (ckey, None, None, None)
        elif isinstance(tx, ServerTransaction):
            request = tx.request
            skey = self._server_key(request)
            lkey = None if skey is not None else loose_key(request)
            if skey is not None:
                if skey in self._servers:
                    raise TransactionError(f"a server transaction with key {skey} exists")
                self._servers[skey] = tx
            elif lkey is not None:
                self._servers_2543.setdefault(lkey, []).append(tx)
            mkey = self._merge_key(request)
            if mkey is not None:
                merge = self._merge
                had = merge.get(mkey)
                if had is None:
                    merge[mkey] = tx
                elif isinstance(had, list):
                    had.append(tx)
                else:
                    merge[mkey] = [had, tx]
            self._keys[tx] = (None, skey, lkey, mkey)
        else:
            raise TypeError(f"not a transaction: {tx!r}")
        tx._observer = self._on_change  # tx.set_observer(self._on_change)
        if tx._deadlines or tx.state is _TERMINATED:
            self._on_change(tx)  # (a transaction without timers has nothing to file)

    def _merge_key(self, request: SIPRequest) -> MergeKey | None:
        """`merge_key(request)`, computed once for the request seen last."""
        if request is self._merged:
            return self._merged_as
        key = merge_key(request)
        self._merged, self._merged_as = request, key
        return key

    def _server_key(self, request: SIPRequest) -> ServerKey | None:
        """`server_key(request)`, computed once for the request seen last."""
        if request is self._keyed:
            return self._keyed_as
        key = server_key(request)
        self._keyed, self._keyed_as = request, key
        return key

    def remove(self, tx: Transaction) -> None:
        """Forget `tx` (no-op when absent). Its heap entries go stale and are skipped."""
        keys = self._keys.pop(tx, None)
        if keys is None:
            return
        tx._observer = None  # tx.set_observer(None)
        self._scheduled.pop(tx, None)
        client, server, loose, merge = keys
        if client is not None:  # a client transaction: nothing else is indexed
            self._clients.pop(client, None)
            return
        if server is not None:
            self._servers.pop(server, None)
        if loose is not None:
            _discard(self._servers_2543, loose, tx)  # type: ignore[arg-type]
        if merge is not None:
            had = self._merge.get(merge)
            if had is tx:
                del self._merge[merge]
            elif isinstance(had, list):
                _discard(self._merge, merge, tx)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ matching

    def find_server(self, request: SIPRequest) -> ServerTransaction | None:
        """The server transaction `request` belongs to (a retransmission, or an ACK for a
        non-2xx, or in Accepted a 2xx ACK that kept the INVITE's branch), or None."""
        if request is self._keyed:  # asked again for the request seen last (the usual)
            skey = self._keyed_as
            if skey is not None:
                return self._servers.get(skey)
        return self._find_server(request, request.method)

    def find_cancelled(self, cancel: SIPRequest) -> ServerTransaction | None:
        """The INVITE server transaction a CANCEL refers to (s9.2: the s17.2.3 rules with
        the method left out), or None (Kamailio ``t_lookup_cancel``)."""
        return self._find_server(cancel, "INVITE")

    def _find_server(self, request: SIPRequest, method: str) -> ServerTransaction | None:
        if method == request.method:
            skey = self._server_key(request)
        else:
            skey = server_key(request, method=method if request.method != "ACK" else None)
        if skey is not None:
            return self._servers.get(skey)
        # no Via, or no magic cookie in its branch
        if request.top_via is None:
            return None
        lkey = loose_key(request)
        if lkey is None:
            return None
        for tx in self._servers_2543.get(lkey, ()):
            if _matches_2543(tx, request, method):
                return tx
        return None

    def find_client(self, response: SIPResponse) -> ClientTransaction | None:
        """The client transaction `response` answers (s17.1.3), or None (a stray response:
        RFC 6026 s7.3 has the core drop it rather than forward it)."""
        # Fast path: our Via comes back byte for byte (RFC 3261 s8.2.6.2), so when the top
        # value is exactly what a transaction sent, that is the transaction the parsed Via
        # would have named, and the parse is saved. Anything else is parsed.
        value = top_via_value(response.raw)
        if value:
            branch = branch_of(value)
            if branch is not None:
                cseq = response.cseq
                if cseq is None:
                    return None
                tx = self._clients.get((branch, cseq.method))
                if tx is not None and tx.sent_via == value:
                    return tx
        ckey = client_key(response)
        return self._clients.get(ckey) if ckey is not None else None

    def check_merged(self, request: SIPRequest) -> RemoteSIPError | None:
        """s8.2.2.2: an out-of-dialog request with the From tag, Call-ID and CSeq of an
        ongoing server transaction it does not match reached us twice by different paths
        (a fork that looped back). Returns the 482 Loop Detected error to answer with, or
        None. ACK and CANCEL are never merged (they are matched, not answered with 482)."""
        if request.method in ("ACK", "CANCEL"):
            return None
        mkey = self._merge_key(request)
        if mkey is None:
            return None
        ongoing = self._merge.get(mkey)
        if ongoing is None:
            return None
        found = self.find_server(request)
        if found is ongoing or isinstance(ongoing, list) and found in ongoing:
            return None
        return RemoteSIPError(
            "merged request: same From tag, Call-ID and CSeq as an ongoing transaction",
            482, reason="Loop Detected", header="via",
        )

    # ------------------------------------------------------------------ timers

    def first_filed(self) -> float | None:
        """The earliest deadline filed, or None: a bound, cheap to read, that `get_timer`
        may exceed (the transaction moved on or left since)."""
        heap = self._heap
        return heap[0][0] if heap else None

    def get_timer(self) -> float | None:
        """The earliest deadline of any transaction here, or None."""
        heap = self._heap
        while heap:
            at, _, tx = heap[0]
            if self._scheduled.get(tx) == at:
                return at
            heapq.heappop(heap)  # stale: the transaction moved on or left
        return None

    def handle_timer(self, now: float, ended: list[Transaction] | None = None,
                     ) -> list[tuple[Transaction, list[TransactionEvent]]]:
        """Fire the timers of every transaction due at `now`, earliest first; each
        transaction that produced events comes back with them (terminated ones are already
        removed from the table). `ended`: where the transactions whose only event was
        Terminated go instead (the usual end: a wait timer, L or M), without their events."""
        out: list[tuple[Transaction, list[TransactionEvent]]] = []
        heap = self._heap
        scheduled = self._scheduled
        pop = heapq.heappop
        while heap and heap[0][0] <= now:
            at, _, tx = pop(heap)
            if scheduled.get(tx) != at:
                continue
            del scheduled[tx]
            events = tx.handle_timer(now)
            if events:
                if ended is not None and events is _SILENT_END:
                    ended.append(tx)
                else:
                    out.append((tx, events))
        return out

    def _on_change(self, tx: Transaction) -> None:
        """Called by a transaction after each of its methods ran."""
        if tx.state is _TERMINATED:
            self.remove(tx)
            return
        deadlines = tx._deadlines  # tx.get_timer(), inlined: this runs after every event
        at = min(deadlines.values()) if deadlines else None
        scheduled = self._scheduled
        if at is None:
            if scheduled:
                scheduled.pop(tx, None)
        elif scheduled.get(tx) != at:
            scheduled[tx] = at
            heapq.heappush(self._heap, (at, next(self._seq), tx))
