"""The floor: the least a Python stateless relay can do per message, on uvloop.

Requests get our Via on top and go to the next hop; replies lose their top Via and go to the
address in the next one. No parsing beyond that, no checks. `bench_stateless_relay.py --only
floor` runs it like the proxies: python bench/floor_relay.py PORT DST_PORT [WORKERS].
"""

import asyncio
import os
import signal
import socket
import sys

import uvloop

IP = "127.0.0.1"


class Relay(asyncio.DatagramProtocol):
    def __init__(self, port: int, dst: tuple[str, int]) -> None:
        self.via = b"Via: SIP/2.0/UDP %s:%d;branch=z9hG4bKfl" % (IP.encode(), port)
        self.dst, self.n = dst, 0

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        head, sep, rest = data.partition(b"\r\n")
        if head.startswith(b"SIP/2.0 "):  # a reply: drop our Via, send to the next one
            ours, _, rest = rest.partition(b"\r\n")
            _, comma, others = ours.partition(b",")  # SIPp puts every Via on one line
            if comma:
                rest = b"Via: " + others.lstrip() + b"\r\n" + rest
            at = rest.find(b"Via: ") + 5
            via = rest[at:rest.find(b"\r\n", at)].split(b",")[0]
            host, _, port = via.split()[1].split(b";")[0].partition(b":")
            self.transport.sendto(head + sep + rest, (host.decode(), int(port or 5060)))
        else:
            self.n += 1
            self.transport.sendto(b"%s\r\n%s.%d\r\n%s" % (head, self.via, self.n, rest), self.dst)


def main() -> None:
    port, dst_port = int(sys.argv[1]), int(sys.argv[2])
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((IP, port))  # one socket every process reads, as siprouter's workers do
    pids = []
    for _ in range(1, workers):
        pid = os.fork()
        if pid == 0:
            pids = []
            break
        pids.append(pid)
    loop = uvloop.new_event_loop()
    loop.run_until_complete(loop.create_datagram_endpoint(
        lambda: Relay(port, (IP, dst_port)), sock=sock))
    loop.add_signal_handler(signal.SIGTERM, loop.stop)
    loop.run_forever()
    for pid in pids:  # the first process stops the others
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
