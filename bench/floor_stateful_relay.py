"""The stateful floor: the least a Python transaction-stateful proxy does per message, on uvloop.

What bench_stateful_relay.py's scenario needs and no more, so its rate bounds what any Python
design of tm could reach on this machine:

- an INVITE or BYE opens a server transaction (keyed by its top Via branch; a retransmission
  gets the last reply again), an INVITE is answered 100 Trying, and the request goes on with
  our Record-Route (INVITE) and our Via through the worker's own socket, under a client
  transaction with its retransmission and final-response timers (loop.call_later);
- an in-dialog request loses our Route and goes to its Request-URI; an ACK goes on statelessly;
- a reply finds its client transaction by our branch (handed to the worker named in the branch
  when it reached another one), stops its timers (all of them on a
  final reply, which also ends both transactions 5 s later, Kamailio's wt_timer), loses our
  Via and goes back to where the request came from.

Header lines are split once and looked up by name; nothing else is parsed or checked, there is
no script, no hand-over of requests between workers (a retransmission reaching another worker
would open a second transaction), no CANCEL, no forking. `bench_stateful_relay.py --only floor` runs it like
the proxies: python bench/floor_stateful_relay.py PORT DST_PORT [WORKERS].
"""

import asyncio
import itertools
import os
import signal
import socket
import sys

import uvloop

IP = "127.0.0.1"
T1, FR, WAIT = 0.5, 30.0, 5.0


class ServerTx:
    __slots__ = ("addr", "last")

    def __init__(self, addr: tuple[str, int]) -> None:
        self.addr = addr
        self.last = b""


class ClientTx:
    __slots__ = ("server", "data", "retr", "fr", "interval")

    def __init__(self, server: ServerTx, data: bytes) -> None:
        self.server, self.data, self.interval = server, data, T1
        self.retr: asyncio.TimerHandle | None = None
        self.fr: asyncio.TimerHandle | None = None


def headers(data: bytes) -> tuple[bytes, list[bytes], bytes]:
    """Start line, header lines, body."""
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    return lines[0], lines[1:], body


def find(lines: list[bytes], name: bytes) -> int:
    """Index of the first line with this (lower-case) header name, -1 when none."""
    for i, line in enumerate(lines):
        if line[:len(name)].lower() == name and line[len(name):len(name) + 1] == b":":
            return i
    return -1


def value(line: bytes) -> bytes:
    return line.partition(b":")[2].strip()


class Worker:
    def __init__(self, rank: int, port: int, dst: tuple[str, int], shared: socket.socket,
                 own: socket.socket, peers: list[tuple[str, int]],
                 loop: asyncio.AbstractEventLoop) -> None:
        self.loop, self.dst, self.shared, self.own = loop, dst, shared, own
        self.rank_text, self.peers = b"%d" % rank, peers
        self.via = b"Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKfs%d." % (
            IP.encode(), own.getsockname()[1], rank)
        self.rr = b"Record-Route: <sip:%s:%d;lr>" % (IP.encode(), port)
        self.route = b"<sip:%s:%d;lr>" % (IP.encode(), port)
        self.ids = itertools.count()
        self.servers: dict[bytes, ServerTx] = {}
        self.clients: dict[bytes, ClientTx] = {}

    # --- requests, on the shared socket --------------------------------------------------------

    def request(self, data: bytes, addr: tuple[str, int]) -> None:
        start, lines, body = headers(data)
        method = start.partition(b" ")[0]
        top = find(lines, b"via")
        if top < 0:
            return
        key = value(lines[top]).partition(b";branch=")[2].split(b";")[0]
        route = find(lines, b"route")
        if route >= 0 and value(lines[route]) == self.route:
            del lines[route]
        target = self.dst
        if route >= 0:  # in dialog: to the Request-URI
            hostport = start.split(b" ")[1].partition(b"@")[2] or start.split(b" ")[1][4:]
            host, _, port = hostport.split(b";")[0].partition(b":")
            target = (host.decode(), int(port or 5060))
        if method == b"ACK":
            self.send_on(start, lines, body, b"%d" % next(self.ids), target)
            return
        old = self.servers.get(key)
        if old is not None:  # a retransmission
            if old.last:
                self.shared.sendto(old.last, old.addr)
            return
        server = ServerTx(addr)
        self.servers[key] = server
        if method == b"INVITE":
            trying = [b"SIP/2.0 100 Trying"] + [
                line for line in lines if line[:4].lower() in (b"via:", b"from", b"to: ",
                                                               b"call", b"cseq")]
            server.last = b"\r\n".join(trying) + b"\r\nContent-Length: 0\r\n\r\n"
            self.shared.sendto(server.last, addr)
            lines.insert(0, self.rr)
        branch = b"%d" % next(self.ids)
        data = self.send_on(start, lines, body, branch, target)
        client = ClientTx(server, data)
        self.clients[branch] = client
        client.retr = self.loop.call_later(T1, self.retransmit, branch, target)
        client.fr = self.loop.call_later(FR, self.timeout, branch, key)

    def send_on(self, start: bytes, lines: list[bytes], body: bytes, branch: bytes,
                target: tuple[str, int]) -> bytes:
        data = b"\r\n".join([start, self.via + branch, *lines]) + b"\r\n\r\n" + body
        self.own.sendto(data, target)
        return data

    def retransmit(self, branch: bytes, target: tuple[str, int]) -> None:
        client = self.clients.get(branch)
        if client is None:
            return
        self.own.sendto(client.data, target)
        client.interval = min(client.interval * 2, 4.0)
        client.retr = self.loop.call_later(client.interval, self.retransmit, branch, target)

    def timeout(self, branch: bytes, key: bytes) -> None:
        client = self.clients.pop(branch, None)
        if client is not None and client.retr is not None:
            client.retr.cancel()
        self.servers.pop(key, None)

    # --- replies, on the worker's own socket -----------------------------------------------------

    def reply(self, data: bytes) -> None:
        start, lines, body = headers(data)
        top = find(lines, b"via")
        if top < 0:
            return
        ours, comma, others = value(lines[top]).partition(b",")
        rank, _, branch = ours.partition(b";branch=z9hG4bKfs")[2].partition(b".")
        branch = branch.split(b";")[0]
        if rank != self.rank_text and rank.isdigit() and int(rank) < len(self.peers):
            # SIPp answers in-dialog requests to where the call's first request came from,
            # which may be another worker: hand the reply to the worker named in the branch
            self.own.sendto(data, self.peers[int(rank)])
            return
        client = self.clients.get(branch)
        if client is None:
            return
        if comma:
            lines[top] = b"Via: " + others.strip()
        else:
            del lines[top]
        out = b"\r\n".join([start, *lines]) + b"\r\n\r\n" + body
        server = client.server
        final = start[8:9] != b"1"
        if client.retr is not None:
            client.retr.cancel()
            client.retr = None
        if final:
            if client.fr is not None:
                client.fr.cancel()
            server.last = out
            self.loop.call_later(WAIT, self.clients.pop, branch, None)
            key = self.key_of(lines)
            if key:
                self.loop.call_later(WAIT, self.servers.pop, key, None)
        self.shared.sendto(out, server.addr)

    def key_of(self, lines: list[bytes]) -> bytes:
        top = find(lines, b"via")
        return value(lines[top]).partition(b";branch=")[2].split(b";")[0] if top >= 0 else b""


class Reader(asyncio.DatagramProtocol):
    def __init__(self, handle) -> None:  # type: ignore[no-untyped-def]
        self.handle = handle

    def datagram_received(self, data: bytes, addr) -> None:  # type: ignore[no-untyped-def]
        self.handle(data, addr)


def main() -> None:
    port, dst_port = int(sys.argv[1]), int(sys.argv[2])
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    shared = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    shared.bind((IP, port))  # one socket every process reads, as siprouter's workers do
    owns = []
    for _ in range(workers):  # and one socket of its own per worker: its branches' replies
        own = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        own.bind((IP, 0))
        owns.append(own)
    rank, pids = 0, []
    for r in range(1, workers):
        pid = os.fork()
        if pid == 0:
            rank, pids = r, []
            break
        pids.append(pid)
    for s in (shared, owns[rank]):
        s.setblocking(False)
    loop = uvloop.new_event_loop()
    w = Worker(rank, port, (IP, dst_port), shared, owns[rank],
               [own.getsockname() for own in owns], loop)

    def on_shared(data: bytes, addr: tuple[str, int]) -> None:
        if data[:4] == b"SIP/":
            w.reply(data)  # a peer that answered to the shared port
        else:
            w.request(data, addr)

    loop.run_until_complete(loop.create_datagram_endpoint(lambda: Reader(on_shared),
                                                          sock=shared))
    loop.run_until_complete(loop.create_datagram_endpoint(
        lambda: Reader(lambda data, addr: w.reply(data)), sock=owns[rank]))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    for pid in pids:  # the first process stops the others
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
