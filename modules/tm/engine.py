"""One worker's transaction user: the table of transactions, the timers, and what happens
when requests, replies and timeouts arrive.

The RFC 3261 machines (core/sip/transaction) decide retransmissions and absorb duplicates;
this layer is the proxy core of RFC 3261 s16: one server transaction per request relayed,
one client transaction per branch, replies routed through the script (`onreply_route[X]`,
`failure_route[X]`), the best final answer chosen (s16.7), CANCELs (s16.10), and Kamailio's
`fr_timer`/`fr_inv_timer` per branch. Time comes in through `clock` and one call-back that
asks to be called at a deadline, so tests run it on a fake clock.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import logging
import math
import os
import weakref
from collections.abc import Callable
from typing import Any

from siprouter.core.exports import RouteType
from siprouter.core.runtime.compiler import Script
from siprouter.core.runtime.context import Context, WorkerState
from siprouter.core.runtime.sipstate import ReceiveInfo, SipState, SocketInfo
from siprouter.core.server.forward import (
    STREAM_PROTOS,
    Prepared,
    StatelessForwarder,
    force_rport,
)
from siprouter.core.server.replies import ReplyTo, received_via, reply_destination
from siprouter.core.shared import counters
from siprouter.core.sip import (
    BRANCH_MAGIC,
    SIPError,
    SIPRequest,
    SIPResponse,
    Via,
    parse_message,
)
from siprouter.core.sip.transaction import (
    ClientTransaction,
    PassToTU,
    SendToTransport,
    ServerTransaction,
    Terminated,
    TimerConfig,
    Transaction,
    TransactionError,
    TransactionEvent,
    TransactionTable,
    TransactionTimeout,
    TransportError,
)
from siprouter.core.sip.uri import bare_host

from . import callbacks
from .cancel import build_cancel
from .replies import best_branch, local_reply, without_our_via
from .state import LOCAL_CANCEL_REASON, REASONS, TmSettings, TmTransaction, UacBranch

log = logging.getLogger("siprouter.tm")

Schedule = Callable[[float | None], None]

FrEntry = tuple[float, int, "weakref.ref[TmTransaction]", int]

FR_HEAP_SLACK = 256
"""Stale entries the final-response timer heap may hold beyond twice the live branches."""

BRANCH_RANDOM = 10
"""Random octets in each branch we make (as core.sip.new_branch: 20 hex digits)."""

_new = object.__new__

REPLY_TO_CACHE = 4096
"""Reply destinations kept (the peers a worker answers; emptied when full)."""

TIMER_GRID = 0.05
"""Seconds between the times the engine may be woken at: a deadline is served up to this
late, and one wake-up serves every deadline of its slot."""


def _counter(name: str) -> counters.Counter:
    return counters.define("tm", name)


class Counters:
    """Handles on the tm counters (declared in declarations.py)."""

    def __init__(self) -> None:
        self.current = _counter("current")
        self.total = _counter("total")
        self.total_local = _counter("total_local")
        self.rpl_received = _counter("rpl_received")
        self.rpl_generated = _counter("rpl_generated")
        self.rpl_sent = _counter("rpl_sent")
        self.retransmissions = _counter("retransmissions")
        self.by_class = {c: _counter(f"{c}xx") for c in range(2, 7)}


class TmEngine:
    """The transactions of one worker and everything that drives them."""

    def __init__(self, *, script: Script, worker: WorkerState,
                 forwarder: StatelessForwarder, settings: TmSettings,
                 clock: Callable[[], float], schedule: Schedule | None = None) -> None:
        self.script = script
        self.worker = worker
        self.forwarder = forwarder
        self.transports = forwarder.transports
        self.settings = settings
        self.clock = clock
        self.schedule = schedule
        self.timers = TimerConfig()
        self.table = TransactionTable()
        self.by_server: dict[ServerTransaction, TmTransaction] = {}
        self.by_client: dict[ClientTransaction, tuple[TmTransaction, UacBranch | None]] = {}
        # fr_timer entries: (deadline, seq, the transaction (weakly: an entry that went stale
        # must not keep a finished transaction alive until it reaches the top), branch index)
        self._fr_heap: list[FrEntry] = []
        self._seq = itertools.count()
        self._armed: float | None = None
        self._fr_timers: dict[float, TimerConfig] = {}
        self.stats = Counters()
        self.tag_prefix = ""
        self._reply_sip: SipState | None = None
        # Several workers (workers.py): our rank at the end of each branch we create, and the
        # UDP socket of our own (by shared socket) that our branches go out on.
        self.branch_suffix = ""
        self.private: dict[SocketInfo, SocketInfo] = {}
        # the other workers, asked for what only the owner of a transaction can do
        # (t_cancel_callid): workers.Dispatcher.ask_all; None with one worker
        self.ask_peers: Callable[[str, list[Any]], int] | None = None
        # random octets for the branches still unused (_new_branch)
        self._random = b""
        self._random_at = 0
        # the destinations of replies over UDP, shared by the transactions of each (_reply_to)
        self._reply_tos: dict[tuple[str, int], ReplyTo] = {}
        self.retime()

    def retime(self) -> None:
        """Timers for new transactions from the settings (at start, and after a cfg.set of
        retr_timer1/2, fr_timer or wt_timer). Kamailio keeps an ended transaction wt_timer
        (5 s), not the RFC's 32 s over UDP, and retransmits a negative reply to an INVITE
        until fr_timer (timer H), not 64*T1."""
        s = self.settings
        self.timers = TimerConfig(t1=s.retr_timer1 / 1000, t2=s.retr_timer2 / 1000,
                                  h=s.fr_timer / 1000, wait=max(s.wt_timer, 0) / 1000)
        self._fr_timers.clear()

    # --- time -------------------------------------------------------------------------------

    def rearm(self) -> None:
        """Ask to be woken at the earliest deadline (after every batch of work).

        A wake-up already asked for at or before every deadline filed since is kept, even
        when the deadline it was for went away (a transaction answered, a branch ended): a
        wake-up that finds nothing due costs less than asking again after every message.
        Wake-ups go on a TIMER_GRID grid, so the deadlines of many transactions are served
        by one (Kamailio's own timers tick every 1/16 s)."""
        if self.schedule is None:
            return
        armed = self._armed
        if armed is not None:
            # nothing filed since that the wake-up asked for does not serve (its slot, or a
            # later one)
            slot = armed - TIMER_GRID / 2
            filed = self.table._heap  # self.table.first_filed(), inlined: after every message
            fr = self._fr_heap
            if (not filed or filed[0][0] >= slot) and (not fr or fr[0][0] >= slot):
                return
        nxt = self.table.get_timer()
        while self._fr_heap and self._stale(self._fr_heap[0]):
            heapq.heappop(self._fr_heap)
        if self._fr_heap:
            fr_first = self._fr_heap[0][0]
            nxt = fr_first if nxt is None else min(nxt, fr_first)
        if nxt is not None:
            nxt = math.ceil(nxt / TIMER_GRID) * TIMER_GRID
        if nxt != armed:
            self._armed = nxt
            self.schedule(nxt)

    @staticmethod
    def _live(entry: FrEntry) -> tuple[TmTransaction, UacBranch] | None:
        """The transaction and branch of a final-response timer entry still in force."""
        deadline, _, ref, index = entry
        tm = ref()
        if tm is None:
            return None
        branch = tm.branches[index]
        if branch.fr_queued != deadline or branch.fr_deadline is None or not branch.pending:
            return None
        return tm, branch

    @classmethod
    def _stale(cls, entry: FrEntry) -> bool:
        return cls._live(entry) is None

    def handle_timers(self, now: float) -> None:
        """Run everything due at `now`: the machines' timers, then tm's final-response
        timers."""
        self._armed = None
        by_client, by_server = self.by_client, self.by_server
        ended: list[Transaction] = []
        fired = self.table.handle_timer(now, ended)
        # the usual end (wt_timer): perform_client/perform_server would do just this
        servers = 0
        for tx in ended:
            if by_client.pop(tx, None) is None and by_server.pop(tx, None) is not None:
                servers += 1
        if servers:
            self.stats.current.add(-servers)
        for tx, events in fired:
            if len(events) == 1 and events[0].__class__ is Terminated:
                # (B/F on a branch already answered by tm)
                if by_client.pop(tx, None) is None and by_server.pop(tx, None) is not None:
                    self.stats.current.add(-1)
                continue
            if isinstance(tx, ClientTransaction):
                self.stats.retransmissions.add(
                    sum(1 for e in events if isinstance(e, SendToTransport)
                        and not e.data.startswith(b"ACK ")))
                self.perform_client(tx, events)
            elif isinstance(tx, ServerTransaction):
                self.perform_server(tx, events)
        heap = self._fr_heap
        while heap and heap[0][0] <= now:
            live = self._live(heapq.heappop(heap))
            if live is not None:
                tm, branch = live
                branch.fr_queued = None
                if branch.fr_deadline is not None and branch.fr_deadline > now:
                    self._queue_fr(tm, branch)  # restarted since it was queued
                else:
                    self._fr_expired(tm, branch, now)
            heap = self._fr_heap  # _fr_expired may have compacted it
        self.rearm()

    def _start_fr(self, tm: TmTransaction, branch: UacBranch, now: float) -> None:
        if tm.is_invite and branch.provisional:
            timeout = tm.fr_inv if tm.fr_inv is not None else self.settings.fr_inv_timer / 1000
        else:
            timeout = tm.fr if tm.fr is not None else self.settings.fr_timer / 1000
        branch.fr_deadline = deadline = now + timeout
        queued = branch.fr_queued
        if queued is not None and queued <= deadline and branch.pending:
            return  # a restart (each 1xx): the entry queued comes up first and re-queues
        self._queue_fr(tm, branch)

    def _queue_fr(self, tm: TmTransaction, branch: UacBranch) -> None:
        """Put the branch's fr_deadline on the heap (one live entry per branch)."""
        assert branch.fr_deadline is not None
        branch.fr_queued = branch.fr_deadline
        heap = self._fr_heap
        heapq.heappush(heap, (branch.fr_deadline, next(self._seq), weakref.ref(tm),
                              branch.index))
        # An entry goes stale when its branch answers, and would sit there until
        # fr_inv_timer (2 min) brought it to the top: drop the stale ones once they
        # outnumber the live (at most one per branch still in the table).
        if len(heap) > 2 * len(self.by_client) + FR_HEAP_SLACK:
            self._fr_heap = [e for e in heap if not self._stale(e)]
            heapq.heapify(self._fr_heap)

    # --- performing the machines' events ------------------------------------------------------

    def perform_server(self, stx: ServerTransaction, events: list[TransactionEvent]) -> None:
        tm = self.by_server.get(stx)
        for ev in events:
            if isinstance(ev, SendToTransport):
                if tm is None:
                    continue
                to = tm.reply_to
                if not self.transports.send(to.proto, to.host, to.port, ev.data, tm.rcv.socket,
                                            no_connect=tm.reply_no_connect):
                    log.info("cannot send a reply to %s:%s:%d", to.proto, to.host, to.port)
            elif isinstance(ev, Terminated):
                if self.by_server.pop(stx, None) is not None:
                    self.stats.current.add(-1)

    def perform_client(self, tx: ClientTransaction, events: list[TransactionEvent]) -> None:
        owner = self.by_client.get(tx)
        for ev in events:
            if isinstance(ev, SendToTransport):
                if owner is None:
                    continue
                branch = owner[1] or self._branch_of(owner[0], tx)
                if branch is None:
                    continue
                hop = branch.hop
                if not self.transports.send(hop.proto, hop.host, hop.port, ev.data,
                                            branch.socket):
                    self.perform_client(tx, tx.report_transport_error(self.clock()))
                    return
            elif isinstance(ev, PassToTU):
                if owner is not None and owner[1] is not None and \
                        isinstance(ev.message, SIPResponse):
                    self.branch_reply(owner[0], owner[1], ev.message)
            elif isinstance(ev, TransactionTimeout | TransportError):
                if owner is not None and owner[1] is not None and owner[1].pending:
                    code = 408 if isinstance(ev, TransactionTimeout) else 503
                    owner[1].timed_out = isinstance(ev, TransactionTimeout)
                    if owner[1].timed_out and owner[0].canceled:
                        code = 487  # the caller cancelled: its answer is 487 (Kamailio)
                    self._branch_final(owner[0], owner[1], code, REASONS[code], None)
            elif isinstance(ev, Terminated):
                self.by_client.pop(tx, None)

    @staticmethod
    def _branch_of(tm: TmTransaction, tx: ClientTransaction) -> UacBranch | None:
        """The branch a CANCEL transaction belongs to (same Via branch)."""
        for branch in tm.branches:
            if branch.tx.branch == tx.branch:
                return branch
        return None

    # --- server side ------------------------------------------------------------------------

    def lookup(self, msg: SIPRequest) -> ServerTransaction | None:
        try:
            return self.table.find_server(msg)
        except SIPError:
            return None

    def retransmission(self, stx: ServerTransaction, msg: SIPRequest) -> None:
        """A request matched `stx`: let the machine resend or absorb."""
        self.perform_server(stx, stx.receive_request(msg, self.clock()))
        self.rearm()

    def new_transaction(self, ctx: Context) -> TmTransaction | int:
        """Kamailio's t_newtran: the transaction of `ctx`'s request, created if needed. An int
        when there is none to use: 0 for a retransmission (handled: the script stops), -1 on
        error."""
        msg, sip = ctx.msg, ctx.sip
        if not isinstance(msg, SIPRequest) or sip is None:
            return -1
        sip_vars = vars(sip)
        tm = sip_vars.get("tm")
        if isinstance(tm, TmTransaction):
            return tm
        if msg.method == "ACK":
            return -1
        table = self.table
        try:
            stx = table.find_server(msg)
        except SIPError:
            stx = None
        if stx is not None:
            self.retransmission(stx, msg)
            return 0
        try:
            merged = table.check_merged(msg)
            top = msg.top_via
        except SIPError as exc:
            log.info("t_newtran: %s", exc.detail)
            return -1
        if merged is not None:
            self.forwarder.reply(ctx, merged.status or 482, merged.reason or "Loop Detected")
            return 0
        if top is None:
            return -1
        now = self.clock()
        rcv = sip.rcv
        rport = force_rport(sip)
        # (a class called with keywords packs them into a dict for __init__: made and
        # initialised apart, as Context.for_message does, ≈ 2,000 instructions less each)
        stx = _new(ServerTransaction)
        ServerTransaction.__init__(stx, msg, rcv.proto in STREAM_PROTOS, now, timers=self.timers)
        tm = _new(TmTransaction)
        TmTransaction.__init__(tm, msg, rcv, stx, self._reply_to(top, rcv, rport), None,
                               force_rport=rport, avps=ctx.avps, xavps=ctx.xavps,
                               flags=ctx.flags, reply_no_connect=sip.reply_no_connect,
                               tag_prefix=self.tag_prefix, request_via=top)
        stx.start(now)  # receive_request: its PassToTU is this very run of the script
        table.add(stx)
        self.by_server[stx] = tm
        stats = self.stats
        stats.total.inc()
        stats.current.inc()
        sip_vars["tm"] = tm
        if msg.method == "INVITE" and self.settings.auto_inv_100:
            self.send_local(tm, 100, self.settings.auto_inv_100_reason, rearm=False)
        if stx._deadlines:
            # (the machines start no timer on a request, nor on a 1xx: nothing to re-arm)
            self.rearm()
        return tm

    def _reply_to(self, top: Via, rcv: ReceiveInfo, rport: bool) -> ReplyTo:
        """Where the replies of a request that came with this top Via go:
        reply_destination(received_via(...)), without making the received Via over UDP (its
        target is the source address, and the source port when rport is asked for or forced,
        else the Via's port), one ReplyTo per destination."""
        params = top.params
        if rcv.proto != "udp" or "maddr" in params:
            return reply_destination(received_via(top, rcv.src_ip, rcv.src_port, rport),
                                     rcv.proto, rcv.src_ip, rcv.src_port)
        port = (rcv.src_port if rport or "rport" in params else None) or top.port or \
            top.default_port
        key = (rcv.src_ip, port)
        got = self._reply_tos.get(key)
        if got is None:
            if len(self._reply_tos) >= REPLY_TO_CACHE:
                self._reply_tos.clear()
            got = self._reply_tos[key] = ReplyTo("udp", bare_host(rcv.src_ip), port)
        return got

    def send_local(self, tm: TmTransaction, code: int, reason: str,
                   headers: list[str] | None = None, *, rearm: bool = True) -> bool:
        """Send a reply we make up (t_reply, 100 Trying, a timeout) through the server
        transaction (`rearm`: as for send_upstream)."""
        reply = local_reply(tm, code, reason, headers or ())
        if reply is None:
            return False
        self.stats.rpl_generated.inc()
        return self.send_upstream(tm, reply[0], code, reply[1], rearm=rearm)

    def send_upstream(self, tm: TmTransaction, data: bytes, code: int,
                      to_tag: str | None, *, rearm: bool = True,
                      tag_of: SIPResponse | None = None) -> bool:
        """Send a reply (`data`, with its status `code` and To tag) through the server
        transaction (relayed or ours). `rearm` False: the caller re-arms the timer once it
        is done (a reply relayed from on_reply). `tag_of`: the reply relayed, whose To tag
        the transaction reads if it ever needs it (instead of `to_tag`)."""
        server = tm.server
        try:
            events = server.send_response_wire(data, code, to_tag, self.clock(),
                                               tag_of=tag_of)
        except TransactionError as exc:
            log.debug("not sending %d upstream: %s", code, exc.detail)
            return False
        stats = self.stats
        if code >= 200 and not tm.final_code:
            tm.final_code = code
            counter = stats.by_class.get(code // 100)
            if counter is not None:
                counter.inc()
        stats.rpl_sent.inc()
        if len(events) == 1 and events[0].__class__ is SendToTransport and \
                self.by_server.get(server) is tm:
            # the usual: the reply goes out (perform_server, for its one event)
            to = tm.reply_to
            if not self.transports.send(to.proto, to.host, to.port, data, tm.rcv.socket,
                                        no_connect=tm.reply_no_connect):
                log.info("cannot send a reply to %s:%s:%d", to.proto, to.host, to.port)
        else:
            self.perform_server(server, events)
        if callbacks.RESPONSE_OUT:
            # the reply as it went (parsed only when a module follows the replies)
            try:
                reply = parse_message(data)
            except SIPError:
                reply = None
            callbacks.run(callbacks.RESPONSE_OUT, self, tm,
                          reply if isinstance(reply, SIPResponse) else None, code)
        if rearm:
            self.rearm()
        return True

    # --- relaying -----------------------------------------------------------------------------

    def relay(self, ctx: Context, tm: TmTransaction, proto: str | None = None,
              host: str | None = None, port: int | None = None) -> int:
        """Send one client transaction per branch: branch 0 ($ru/$du, or host:port) and
        the branches append_branch() added. 1 when at least one went out."""
        msg, sip = ctx.msg, ctx.sip
        assert isinstance(msg, SIPRequest) and sip is not None
        if tm.final_code >= 200:
            log.info("t_relay: the transaction already has a final reply (%d)", tm.final_code)
            return -1
        tm.flags = ctx.flags
        try:
            ruri = str(msg.new_ruri)
        except SIPError:
            ruri = msg.ruri_text
        tm.ruri = ruri
        targets = [(ruri, sip.dst_uri, ctx.bflags)]
        targets += [(b.uri, b.dst_uri, b.flags) for b in sip.branches]
        sip.branches = []
        sent = 0
        for uri, dst, bflags in targets:
            if self._relay_branch(ctx, tm, uri, dst, bflags, proto, host, port):
                sent += 1
        self.rearm()
        if sent:
            sip.forwarded = True
            return 1
        self._check_done(tm)
        return -1

    def _relay_branch(self, ctx: Context, tm: TmTransaction, uri: str, dst: str, bflags: int,
                      proto: str | None, host: str | None, port: int | None) -> bool:
        msg, sip = ctx.msg, ctx.sip
        assert isinstance(msg, SIPRequest) and sip is not None
        try:
            if uri != tm.ruri or msg.has_changes and not _sends_ruri(msg, uri):
                msg.set_ruri(uri)
        except SIPError:
            log.info("t_relay: bad branch URI %r", uri)
            return False
        sip.dst_uri = dst
        if tm.on_branch and self.script.has_route(tm.on_branch):
            bctx = self._route_context(msg, tm, RouteType.BRANCH, sip)
            bctx.bflags = bflags
            self.script.run(tm.on_branch, bctx)
            if bctx.dropped:
                return False
            bflags = bctx.bflags
        forced = sip.force_socket
        if forced is None and self.private:
            # our Via names this worker's own socket: the replies come back to us
            sip.force_socket = self.private.get(sip.rcv.socket) or \
                next(iter(self.private.values()))
        via_branch = self._new_branch() + self.branch_suffix
        try:
            prepared = self.forwarder.prepare(ctx, proto, host, port, branch=via_branch)
        finally:
            sip.force_socket = forced
        if not isinstance(prepared, Prepared):
            sip.error_status, sip.error_reason = prepared
            return False
        now = self.clock()
        cseq = msg.cseq
        # fr_timer is the machine's own B/F: a branch nobody answers ends by its timer
        timers = self._branch_timers(tm)
        tx = ClientTransaction.from_wire(
            prepared.data, msg.method, via_branch, cseq.method if cseq else msg.method,
            prepared.hop.proto in STREAM_PROTOS, now, timers=timers)
        branch = _new(UacBranch)  # (see new_transaction)
        UacBranch.__init__(branch, len(tm.branches), uri, prepared.hop, prepared.socket, tx,
                           flags=bflags)
        if self.forwarder.onsend is not None and not self.forwarder.onsend(ctx):
            return False
        tm.branches.append(branch)
        self.table.add(tx)
        self.by_client[tx] = (tm, branch)
        self.stats.total_local.inc()
        # _start_fr without its heap entry: until a reply restarts fr_timer (or a CANCEL
        # does), the machine's B/F ends the unanswered branch at this very deadline
        branch.fr_deadline = now + (tm.fr if tm.fr is not None else self.settings.fr_timer / 1000)
        events = tx.send_request(now)
        if len(events) == 1 and events[0].__class__ is SendToTransport:
            # the usual: the request goes out (perform_client, for its one event)
            hop = branch.hop
            if not self.transports.send(hop.proto, hop.host, hop.port, prepared.data,
                                        branch.socket):
                self.perform_client(tx, tx.report_transport_error(self.clock()))
        else:
            self.perform_client(tx, events)
        return True

    def _new_branch(self) -> str:
        """core.sip.new_branch(): the magic cookie and 20 random hex digits, the random
        octets read from the system 64 branches at a time instead of once each."""
        at = self._random_at
        if at >= len(self._random):
            self._random = os.urandom(BRANCH_RANDOM * 64)
            at = 0
        self._random_at = at + BRANCH_RANDOM
        return BRANCH_MAGIC + self._random[at:at + BRANCH_RANDOM].hex()

    def _branch_timers(self, tm: TmTransaction) -> TimerConfig:
        """The machine timers of a branch: B and F are fr_timer (one config per value)."""
        fr = tm.fr if tm.fr is not None else self.settings.fr_timer / 1000
        got = self._fr_timers.get(fr)
        if got is None:
            got = self._fr_timers[fr] = dataclasses.replace(self.timers, b=fr, f=fr)
        return got

    def relay_ack(self, ctx: Context) -> int:
        """An ACK: absorbed when it acknowledges a negative reply of ours (hop by hop),
        else forwarded statelessly (the ACK of a 2xx is end to end, as in Kamailio's t_relay
        even when it matches the INVITE's transaction: an RFC 2543 client, a reused branch)."""
        msg = ctx.msg
        assert isinstance(msg, SIPRequest)
        stx = self.lookup(msg)
        if stx is not None and not self.acks_2xx(stx):
            self.retransmission(stx, msg)
            return 1
        return self.forwarder.forward(ctx)

    def acks_2xx(self, stx: ServerTransaction) -> bool:
        """An ACK matched to `stx` acknowledges a 2xx sent upstream (Kamailio's e2e ACK):
        it is not the transaction's to absorb."""
        tm = self.by_server.get(stx)
        return tm is not None and 200 <= tm.final_code < 300

    # --- replies --------------------------------------------------------------------------

    def on_reply(self, ctx: Context) -> bool:
        """The ReplyHook: a reply for one of our client transactions is ours."""
        msg = ctx.msg
        if not isinstance(msg, SIPResponse):
            return False
        try:
            tx = self.table.find_client(msg)
        except SIPError:
            return False
        if tx is None:
            return False
        self.stats.rpl_received.inc()
        self._reply_sip = ctx.sip  # onreply_route sees where the reply came from
        try:
            events = tx.receive_response(msg, self.clock())
            if len(events) == 1 and events[0].__class__ is PassToTU:
                # the usual: a reply for the TU (perform_client, for its one event)
                owner = self.by_client.get(tx)
                if owner is not None and owner[1] is not None:
                    self.branch_reply(owner[0], owner[1], msg)
            else:
                self.perform_client(tx, events)
        finally:
            self._reply_sip = None
        self.rearm()
        return True

    def _route_context(self, msg: SIPRequest | SIPResponse, tm: TmTransaction,
                       route_type: RouteType, sip: SipState | None = None) -> Context:
        if sip is None:
            sip = SipState(tm.rcv, self.transports, is_myself=self.forwarder.identity.is_myself,
                           forwarder=self.forwarder)
        vars(sip)["tm"] = tm
        ctx = Context.for_message(msg, route_type, self.worker, sip)
        ctx.avps, ctx.xavps, ctx.flags = tm.avps, tm.xavps, tm.flags
        return ctx

    def branch_reply(self, tm: TmTransaction, branch: UacBranch, reply: SIPResponse) -> None:
        """A reply the branch's machine passed up."""
        code = reply.status_code
        is_invite = tm.request.method == "INVITE"  # (tm.is_invite)
        pending = not branch.final_code  # (branch.pending)
        if not pending and code < 300 and code >= 200 and is_invite:
            self._relay_2xx(tm, branch, reply)  # a late 2xx still makes a call
            return
        if branch.cancel_pending and code < 200:
            # cancelled before it answered (counted 487 since): now it may be CANCELled
            branch.provisional = code
            self._send_cancel(tm, branch, branch.cancel_reasons or [])
            return
        if not pending:
            return
        tm.reply_code, tm.reply, tm.branch_index = code, reply, branch.index
        if tm.on_reply and self.script.has_route(tm.on_reply):
            rctx = self._route_context(reply, tm, RouteType.TM_ONREPLY, self._reply_sip)
            self.script.run(tm.on_reply, rctx)
            tm.flags = rctx.flags
            if rctx.dropped and code < 200:
                return
        if code < 200:
            branch.provisional = code
            if is_invite and self.settings.restart_fr_on_each_reply or \
                    branch.fr_deadline is not None and tm.fr_inv is not None:
                self._start_fr(tm, branch, self.clock())
            if (code > 100 or self.settings.relay_100) and not tm.final_code:
                relayed = without_our_via(reply)
                if relayed is not None:
                    # every way here (on_reply, the timers, t_relay) re-arms once done
                    self.send_upstream(tm, relayed[0], code, relayed[1], rearm=False)
            return
        if code < 300:
            branch.final_code, branch.final_reason, branch.final = code, reply.reason, reply
            self._relay_2xx(tm, branch, reply)
            return
        self._branch_final(tm, branch, code, reply.reason, reply)

    def _relay_2xx(self, tm: TmTransaction, branch: UacBranch, reply: SIPResponse) -> None:
        relayed = without_our_via(reply, want_tag=False)
        if relayed is not None:
            # every way here (on_reply, the timers, t_relay) re-arms once done; an INVITE's
            # server transaction reads the To tag only to match an RFC 2543 ACK
            self.send_upstream(tm, relayed[0], reply.status_code, None, rearm=False,
                               tag_of=reply if tm.request.method == "INVITE" else None)
        if len(tm.branches) > 1:  # else there is nothing to cancel
            reason = [LOCAL_CANCEL_REASON] if self.settings.local_cancel_reason else []
            self.cancel_branches(tm, reason, skip=branch)

    def _branch_final(self, tm: TmTransaction, branch: UacBranch, code: int, reason: str,
                      reply: SIPResponse | None) -> None:
        branch.final_code, branch.final_reason, branch.final = code, reason, reply
        branch.fr_deadline = None
        if code >= 300 and tm.on_branch_failure:
            key = f"event_route:tm:branch-failure:{tm.on_branch_failure}"
            if self.script.has_route(key):
                tm.reply_code, tm.reply, tm.branch_index = code, reply, branch.index
                self.script.run(key, self._route_context(tm.request, tm, RouteType.BRANCH_FAILURE))
        if code >= 600 and tm.is_invite and not self.settings.disable_6xx_block:
            self.cancel_branches(tm, [], skip=branch, fake=True)  # the 6xx goes up now
        self._check_done(tm)

    def _check_done(self, tm: TmTransaction) -> None:
        """When every branch has its final answer and none went upstream yet: failure_route,
        then the best answer."""
        if tm.final_code >= 200 or tm.in_failure_route:
            return
        for b in tm.branches:
            if not b.final_code:  # pending
                return
        best = best_branch(tm.branches)
        if best is None:
            return
        if callbacks.ON_FAILURE:  # before failure_route, which sees what they changed
            callbacks.run(callbacks.ON_FAILURE, self, tm, best.final, best.final_code)
        if tm.on_failure and self.script.has_route(tm.on_failure):
            key, tm.on_failure = tm.on_failure, ""  # armed once: the script re-arms it
            tm.reply_code, tm.reply, tm.branch_index = best.final_code, best.final, best.index
            count = len(tm.branches)
            self._run_failure(tm, key)
            if tm.final_code >= 200:
                return
            if any(b.pending for b in tm.branches[count:]):
                return  # serial forking: wait for the new branches
        self._relay_best(tm, best)

    def _run_failure(self, tm: TmTransaction, key: str) -> None:
        msg = tm.request
        try:
            msg.set_ruri(tm.ruri)
        except SIPError:
            pass
        fctx = self._route_context(msg, tm, RouteType.FAILURE)
        tm.in_failure_route = True
        try:
            self.script.run(key, fctx)
        except SIPError as exc:
            log.info("failure_route: %s", exc.detail)
        finally:
            tm.in_failure_route = False
        tm.flags = fctx.flags

    def _relay_best(self, tm: TmTransaction, best: UacBranch) -> None:
        if best.final is not None:
            relayed = without_our_via(best.final, want_tag=False)
            if relayed is not None and self.send_upstream(tm, relayed[0],
                                                          best.final.status_code, None,
                                                          tag_of=best.final):
                return
        code = best.final_code
        self.send_local(tm, code, best.final_reason or REASONS.get(code, "Error"))

    # --- cancelling -------------------------------------------------------------------------

    def cancel_branches(self, tm: TmTransaction, reasons: list[str],
                        skip: UacBranch | None = None, *, fake: bool = False) -> None:
        """CANCEL every pending INVITE branch. Those that answered provisionally get it now;
        one with no reply yet as tm's cancel_b_method says (README.tm):

        - 1 (default): the INVITE goes on being retransmitted; the CANCEL goes at its first
          provisional reply (an INVITE may only be cancelled once it arrived, s9.1); its
          fr_timer (timer B) still ends it, and the caller then gets 487 (no 2xx after 487);
        - 0: its retransmissions stop and it counts as answered 487 at once (a CANCEL still
          goes if a provisional reply comes);
        - 2: its retransmissions stop and the CANCEL goes at once (not RFC 3261 conforming).

        `fake`: method 0 whatever the setting (a 6xx ends the others at once)."""
        if not tm.is_invite:
            return
        method = 0 if fake else self.settings.cancel_b_method
        for branch in list(tm.branches):
            if branch is skip or not branch.pending or branch.cancelled:
                continue
            if branch.provisional:
                self._send_cancel(tm, branch, reasons)
            elif method == 2:
                branch.tx.stop_retransmissions()
                self._send_cancel(tm, branch, reasons)
            else:
                branch.cancel_pending = True
                branch.cancel_reasons = reasons  # why it was cancelled, not the caller's CANCEL
                if method == 0:
                    branch.tx.stop_retransmissions()
                    branch.final_code, branch.final_reason = 487, REASONS[487]
                    branch.fr_deadline = None
        self._check_done(tm)
        self.rearm()

    def _send_cancel(self, tm: TmTransaction, branch: UacBranch, reasons: list[str]) -> None:
        branch.cancelled = True
        branch.cancel_pending = False
        cancel = build_cancel(branch.tx.request, reasons)
        if cancel is None:
            return
        now = self.clock()
        try:
            tx = ClientTransaction(cancel, branch.hop.proto in STREAM_PROTOS, now,
                                   timers=self.timers)
            self.table.add(tx)
        except (TransactionError, ValueError) as exc:
            log.info("cannot CANCEL branch %d: %s", branch.index, exc)
            return
        self.by_client[tx] = (tm, None)
        self.stats.total_local.inc()
        self.perform_client(tx, tx.send_request(now))
        # the INVITE branch waits for its 487; fr_timer still bounds the wait
        self._start_fr(tm, branch, now)

    def cancel_received(self, ctx: Context, invite: ServerTransaction) -> int:
        """A CANCEL for one of our INVITE transactions: 200 to it (statefully, its own
        transaction) and CANCEL on every pending branch with its Reason headers."""
        msg = ctx.msg
        assert isinstance(msg, SIPRequest)
        tm = self.by_server.get(invite)
        own = self.new_transaction(ctx)
        if not isinstance(own, TmTransaction):
            return own
        self.send_local(own, 200, "canceling")
        if tm is None:
            return 1
        tm.canceled = True
        reasons: list[str] = []
        if self.settings.e2e_cancel_reason and not tm.no_e2e_cancel_reason:
            try:
                reasons = msg.header_all("reason")
            except SIPError:
                reasons = []
        if tm.final_code < 200 and not tm.branches:
            self.send_local(tm, 487, REASONS[487])
        self.cancel_branches(tm, reasons)
        return 1

    def _fr_expired(self, tm: TmTransaction, branch: UacBranch, now: float) -> None:
        """fr_timer/fr_inv_timer: the branch gave no final answer in time."""
        branch.fr_deadline = None
        branch.timed_out = True
        if tm.is_invite and branch.provisional and not branch.cancelled:
            self._send_cancel(tm, branch, [])
            branch.fr_deadline = None
        # Normally B/F (= fr_timer) has ended an unanswered branch first and this entry is
        # stale; it is still live when fr_timer moved after the request went (t_set_fr), and
        # then a failure report is the only way to stop the machine retransmitting (reported
        # after the 408 is recorded, so the branch does not read it as a 503).
        stop = branch.tx in self.by_client and not branch.provisional
        if branch.pending:
            code = 487 if tm.canceled else 408  # a cancelled call is answered 487 (Kamailio)
            self._branch_final(tm, branch, code, REASONS[code], None)
        if stop:
            self.perform_client(branch.tx, branch.tx.report_transport_error(now))

    # --- lookups for tmx -----------------------------------------------------------------

    def cancel_callid(self, call_id: str, cseq: int | None, flags: int,
                      rcode: int | None) -> int:
        """tmx t_cancel_callid in this worker: CANCEL the branches of the ringing INVITE
        transaction with this Call-ID (and CSeq number); 1 when there was one, else -1."""
        tm = self.find_by_callid(call_id, cseq)
        if tm is None or tm.final_code >= 200:
            return -1
        tm.canceled = True
        tm.flags |= flags
        self.cancel_branches(tm, [])
        if rcode is not None and tm.final_code < 200:
            self.send_local(tm, rcode, "Request Terminated")
        return 1


    def reply_callid(self, call_id: str, cseq: int | None, code: int, reason: str) -> int:
        """tmx t_reply_callid in this worker: reply in the INVITE transaction with this
        Call-ID (and CSeq number); 1 when sent, else -1."""
        tm = self.find_by_callid(call_id, cseq)
        if tm is None:
            return -1
        return 1 if self.send_local(tm, code, reason) else -1

    def find_by_callid(self, call_id: str, cseq: int | None,
                       method: str = "INVITE") -> TmTransaction | None:
        """The first transaction of `method` with this Call-ID (and CSeq number)."""
        for tm in self.by_server.values():
            req = tm.request
            if req.method != method or tm.call_id != call_id:
                continue
            try:
                seq = req.cseq
            except SIPError:
                continue
            if cseq is None or (seq is not None and seq.number == cseq):
                return tm
        return None


def _sends_ruri(msg: SIPRequest, uri: str) -> bool:
    """True when `msg` would go out with the start line `set_ruri(uri)` writes: no need to
    write it again (the message has other edits: record_route's, a branch's)."""
    line = msg.edits.start_line
    return (line if line is not None else msg.start_line) == f"{msg.method} {uri} {msg.version}"


def current(ctx: Context) -> TmTransaction | None:
    """The transaction the running route belongs to, if any."""
    sip = ctx.sip
    if sip is None:
        return None
    got = vars(sip).get("tm")
    return got if isinstance(got, TmTransaction) else None


def engine_of(ctx: Context) -> TmEngine | None:
    """This worker's engine (None when tm runs without a server, e.g. in cfg checks)."""
    got = vars(ctx.worker).get("tm_engine")
    return got if isinstance(got, TmEngine) else None
