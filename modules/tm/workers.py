"""Several workers: every message of a transaction reaches the worker that owns it.

A datagram on a listening address reaches any worker (they all read the one socket the parent
bound: core/transport/sockets.py). Ownership is therefore a
rule every worker computes alone from the message:

- a request received over UDP belongs to worker `crc32(Call-ID) % children`: the INVITE, its
  retransmissions, the ACK of a negative reply and the CANCEL share the Call-ID, so they meet
  in one worker (and so do requests a merged-request check must compare);
- a reply belongs to the worker named in our top Via's branch (`z9hG4bK<random>.<rank>`); each
  worker also sends its branches from a UDP socket of its own, named in that Via, so replies
  normally come straight to it and the branch is the fallback for peers that answer to the
  shared port;
- stream transports are not handed over: a connection lives in the worker that accepted or
  opened it, replies come back on it, and so do the CANCEL and ACK of an INVITE it carried.

A message that lands elsewhere goes to its owner over a unix datagram socket made before the
fork (one per worker, read by it, written by the others), with where it came from in front.

What a script asks about another worker's transaction (tmx `t_cancel_callid`, whose Call-ID is
not the message's own) goes the same way as a query (`Dispatcher.ask`); the answer comes back
on a second socket of the asking worker, which waits for it a bounded time.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import socket
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from siprouter.core.runtime.sipstate import ReceiveInfo, SocketInfo
from siprouter.core.server.hooks import Deliver, PreForkEnv
from siprouter.core.sip import SIPError, SIPRequest, SIPResponse, parse_message
from siprouter.core.transport.sockets import BoundSocket, bind

log = logging.getLogger("siprouter.tm")

RANK_SEP = "."
HANDOFF_BUFFER = 4 * 1024 * 1024
QUERY = b"?"  # first octet of a query packet (a hand-over packet starts with a digit)
QUERY_TIMEOUT = 0.5  # seconds a worker waits for another one's answer
_DRAIN_BATCH = 64  # datagrams read per wake-up before yielding to the loop
_SEEN_SOCKETS = 64  # socket objects remembered by identity (UDP: a few per worker)


def owner_of_call_id(call_id: str, children: int) -> int:
    """The worker owning the transactions of a Call-ID (the same in every process, unlike
    hash())."""
    return zlib.crc32(call_id.encode("utf-8", "surrogateescape")) % children


def branch_suffix(rank: int) -> str:
    """What a worker appends to the branches it creates."""
    return f"{RANK_SEP}{rank}"


def rank_in_branch(branch: str, children: int) -> int | None:
    """The worker named at the end of one of our branches; None when there is none."""
    head, sep, tail = branch.rpartition(RANK_SEP)
    if not sep or not head or not tail.isdigit():
        return None
    rank = int(tail)
    return rank if rank < children else None


def _call_id_of_request(data: bytes) -> bytes | None:
    """The Call-ID of a request read straight from the octets (the receive path parses it
    anyway, wherever it ends up); None when it is not simply there (no such line, more than
    one, folding, a response): the full parse decides then."""
    if data[:4] == b"SIP/":
        return None
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = data[:end + 2].lower()
    found: bytes | None = None
    # every line named "call-id", then every line named "i" (a line is one or the other)
    for start in (b"\r\ncall-id", b"\r\ni"):
        at = head.find(start)
        while at >= 0:
            eol = head.find(b"\r\n", at + 2)
            colon = head.find(b":", at + 2, eol)
            if colon > 0 and head[at + 2:colon].strip() in (b"call-id", b"i"):
                if found is not None or head[eol + 2:eol + 3] in (b" ", b"\t"):
                    return None  # a second Call-ID or a folded one
                found = data[colon + 1:eol].strip()
            at = head.find(start, eol)
    return found or None


def owner_of(data: bytes, children: int) -> int | None:
    """The worker a datagram belongs to; None when no rule applies (it stays where it is,
    e.g. a malformed message: the receive path answers it)."""
    call_id_octets = _call_id_of_request(data)
    if call_id_octets is not None:
        return zlib.crc32(call_id_octets) % children
    try:
        msg = parse_message(data)
        if isinstance(msg, SIPResponse):
            top = msg.top_via
            rank = rank_in_branch(top.branch or "", children) if top is not None else None
            if rank is not None:
                return rank
        elif not isinstance(msg, SIPRequest):
            return None
        call_id = msg.header("call-id")
    except SIPError:
        return None
    return owner_of_call_id(call_id.strip(), children) if call_id else None


def encode_handoff(index: int, rcv: ReceiveInfo, data: bytes) -> bytes:
    """A handed-over datagram: which shared socket it came in on, its source, the octets."""
    return b"%d %s %d\n" % (index, rcv.src_ip.encode(), rcv.src_port) + data


def decode_handoff(packet: bytes) -> tuple[int, str, int, bytes] | None:
    """(socket index, source ip, source port, octets); None for a mangled packet."""
    head, nl, data = packet.partition(b"\n")
    parts = head.split(b" ")
    if not nl or len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    return int(parts[0]), parts[1].decode("ascii", "replace"), int(parts[2]), data


@dataclass
class WorkerLinks:
    """Made in the parent: each worker's hand-over socketpair and its own UDP sockets (one per
    shared UDP socket, on the same address, an ephemeral port)."""

    children: int
    pairs: list[tuple[socket.socket, socket.socket]] = field(default_factory=list)
    private: list[dict[SocketInfo, BoundSocket]] = field(default_factory=list)
    # each worker's answer socketpair: the answers to its queries come back on it
    answers: list[tuple[socket.socket, socket.socket]] = field(default_factory=list)

    def close_others(self, rank: int) -> None:
        """In worker `rank`: close what belongs to the other workers (kept: our reading ends,
        the others' writing ends, our private sockets)."""
        for i, (reader, writer) in enumerate([*self.pairs, *self.answers]):
            if i % self.children == rank:
                writer.close()
            else:
                reader.close()
        for i, socks in enumerate(self.private):
            if i != rank:
                for b in socks.values():
                    b.sock.close()


def make_links(env: PreForkEnv) -> WorkerLinks:
    """The sockets the workers need to reach each other (called before the fork)."""
    links = WorkerLinks(env.children)
    for _ in range(env.children):
        pair = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        for s in pair:
            s.setblocking(False)
            with contextlib.suppress(OSError):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, HANDOFF_BUFFER)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, HANDOFF_BUFFER)
        links.pairs.append(pair)
        links.answers.append(socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM))
        own: dict[SocketInfo, BoundSocket] = {}
        for b in env.sockets:
            if b.info.proto == "udp":
                # advertised address kept (NAT), port our own: replies come to this worker
                got = bind(SocketInfo("udp", b.info.ip, 0))
                info = SocketInfo("udp", got.info.ip, got.info.port, b.info.advertised_host,
                                  got.info.port if b.info.advertised_host else None)
                own[b.info] = BoundSocket(info, got.sock)
        links.private.append(own)
    return links


class Dispatcher:
    """One worker's side: claims what belongs to another worker and sends it there; reads
    what the others send to it (the server's `InboundHook`)."""

    def __init__(self, rank: int, links: WorkerLinks, shared: list[SocketInfo]) -> None:
        self.rank = rank
        self.children = links.children
        self.shared = shared
        self._index = {s: i for i, s in enumerate(shared)}
        # the socket objects messages arrive with, by identity (a SocketInfo hashes all its
        # fields): id -> (the object, kept so the id stays its own; its shared index or None)
        self._seen: dict[int, tuple[SocketInfo, int | None]] = {}
        self.reader = links.pairs[rank][0]
        self.writers = [w for _, w in links.pairs]
        self.answer_reader = links.answers[rank][0]
        self.answer_writers = [w for _, w in links.answers]
        # what the other workers may ask us: name -> handler(args) -> int
        self.queries: dict[str, Callable[..., int]] = {}
        self._query_ids = itertools.count(1)
        self.deliver: Deliver | None = None
        self.handed = 0
        self.received = 0
        self.dropped = 0

    def start(self, deliver: Deliver) -> None:
        """Begin reading what the other workers hand to us."""
        self.deliver = deliver
        asyncio.get_running_loop().add_reader(self.reader.fileno(), self.drain)

    def claim(self, data: bytes, rcv: ReceiveInfo) -> bool:
        """Hand a UDP datagram that arrived on a shared socket to its owner."""
        if rcv.proto != "udp":
            return False
        sock = rcv.socket
        seen = self._seen.get(id(sock))
        if seen is not None and seen[0] is sock:
            index = seen[1]
        else:
            index = self._index.get(sock)
            if len(self._seen) < _SEEN_SOCKETS:
                self._seen[id(sock)] = (sock, index)
        if index is None:
            return False  # our own socket: it is ours
        owner = owner_of(data, self.children)
        if owner is None or owner == self.rank:
            return False
        try:
            self.writers[owner].send(encode_handoff(index, rcv, data))
        except OSError as exc:
            # the owner is swamped (its queue is full) or gone: the sender retransmits
            self.dropped += 1
            log.debug("cannot hand a message to worker %d: %s", owner, exc)
            return True
        self.handed += 1
        return True

    def drain(self) -> None:
        """Read the handed-over datagrams waiting (a bounded batch) and run them here."""
        deliver = self.deliver
        for _ in range(_DRAIN_BATCH):
            try:
                packet = self.reader.recv(65600)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.error("hand-over socket: %s", exc)
                return
            if packet[:1] == QUERY:
                self._answer(packet[1:])
                continue
            got = decode_handoff(packet)
            if got is None or deliver is None or not 0 <= got[0] < len(self.shared):
                continue
            index, ip, port, data = got
            self.received += 1
            try:
                deliver(data, ReceiveInfo("udp", ip, port, self.shared[index]))
            except Exception:  # a bug costs one message, never the worker
                log.exception("error while handling a handed-over message")

    def ask_all(self, name: str, args: list[Any]) -> int:
        """Ask every other worker in turn; the first positive answer, else -1 (also when one
        does not answer within QUERY_TIMEOUT: it is busy or asking us at the same time)."""
        for rank in range(self.children):
            if rank != self.rank and (self.ask(rank, name, args) or -1) > 0:
                return 1
        return -1

    def ask(self, rank: int, name: str, args: list[Any],
            timeout: float = QUERY_TIMEOUT) -> int | None:
        """Run query `name` in worker `rank` and wait for its answer; None without one."""
        qid = next(self._query_ids)
        try:
            self.writers[rank].send(QUERY + json.dumps([self.rank, qid, name, args]).encode())
        except OSError as exc:
            log.info("cannot ask worker %d: %s", rank, exc)
            return None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            self.answer_reader.settimeout(left)
            try:
                got = self.answer_reader.recv(64).split(b" ")
            except OSError:  # the timeout included
                break
            if len(got) == 2 and got[0] == b"%d" % qid:
                with contextlib.suppress(ValueError):
                    return int(got[1])
            # else: the late answer to an earlier query that timed out
        log.info("no answer from worker %d to %s", rank, name)
        return None

    def _answer(self, payload: bytes) -> None:
        """Run a query another worker sent and send it the result."""
        try:
            asker, qid, name, args = json.loads(payload)
            handler = self.queries.get(name)
            result = int(handler(*args)) if handler is not None else -1
        except Exception:  # a bug or a mangled query costs the query, never the worker
            log.exception("cannot run a query from another worker")
            return
        with contextlib.suppress(OSError, IndexError, TypeError):
            self.answer_writers[asker].send(b"%d %d" % (qid, result))

    def close(self) -> None:
        """Stop reading."""
        with contextlib.suppress(Exception):
            asyncio.get_running_loop().remove_reader(self.reader.fileno())
