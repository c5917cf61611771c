# SPDX-License-Identifier: BSD-3-Clause
"""A flood sender for integration tests; runs inside a lab namespace.

    python3 flood_peer.py PLAN_JSON

PLAN: {"kind": "icmp" | "icmp6" | "arp" | "nd" | "stun", "rate": PPS, "count": N,
       "to": "IP" (icmp, icmp6, arp, nd: the target) or "IP:PORT" (stun),
       "src": "IP" or "IP:PORT" (stun: bind address; arp: sender address),
       "dev": IFACE (arp, nd)}

Sends N packets paced by the clock (in 5 ms slots) and, in between, reads
what comes back: ICMP/ICMPv6 echo replies with its identifier, ARP replies
from the target to the sender address, neighbour advertisements for the
target, or anything on the STUN socket. Prints one JSON
object: {"sent", "replies", "seconds"} (seconds from the first packet sent to
the last one).
"""
import json
import os
import select
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def icmp_echo(ident, seq):
    body = b"wrtcgw-flood" + bytes(20)
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq & 0xffff)
    return struct.pack("!BBHHH", 8, 0, csum(hdr + body), ident, seq & 0xffff) + body


def stun_request(i):
    """A Binding request with a USERNAME nobody signalled (no integrity)."""
    user = b"flood:nobody"
    attr = struct.pack("!HH", 0x0006, len(user)) + user + b"\0" * ((4 - len(user) % 4) % 4)
    return struct.pack("!HHI", 0x0001, len(attr), 0x2112A442) + struct.pack("!III", 7, 7, i) + attr


class Icmp:
    def __init__(self, plan):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        self.s.setblocking(False)
        self.to = (plan["to"], 0)
        self.ident = os.getpid() & 0xffff

    def send(self, i):
        self.s.sendto(icmp_echo(self.ident, i), self.to)

    def replies(self):
        n = 0
        while True:
            try:
                data, src = self.s.recvfrom(2048)
            except BlockingIOError:
                return n
            ihl = (data[0] & 0x0f) * 4
            if src[0] == self.to[0] and len(data) >= ihl + 8 and data[ihl] == 0 and \
                    struct.unpack("!H", data[ihl + 4:ihl + 6])[0] == self.ident:
                n += 1


class Icmp6:
    def __init__(self, plan):
        self.s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        self.s.setblocking(False)
        self.to = (plan["to"], 0)
        self.ident = os.getpid() & 0xffff

    def send(self, i):
        # The kernel fills in the ICMPv6 checksum.
        self.s.sendto(struct.pack("!BBHHH", 128, 0, 0, self.ident, i & 0xffff) +
                      b"wrtcgw-flood" + bytes(20), self.to)

    def replies(self):
        n = 0
        while True:
            try:
                data, src = self.s.recvfrom(2048)
            except BlockingIOError:
                return n
            if src[0] == self.to[0] and len(data) >= 8 and data[0] == 129 and \
                    struct.unpack("!H", data[4:6])[0] == self.ident:
                n += 1


class Nd:
    """Neighbour solicitations for the target, to its solicited-node group."""

    def __init__(self, plan):
        self.s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        self.s.setblocking(False)
        self.s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
        self.s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
        with open(f"/sys/class/net/{plan['dev']}/address") as f:
            mac = bytes.fromhex(f.read().strip().replace(":", ""))
        self.target = socket.inet_pton(socket.AF_INET6, plan["to"])
        group = socket.inet_ntop(socket.AF_INET6, bytes.fromhex("ff020000000000000000"
                                                                "0001ff") + self.target[13:])
        self.to = (group, 0, 0, socket.if_nametoindex(plan["dev"]))
        self.msg = struct.pack("!BBHI", 135, 0, 0, 0) + self.target + bytes([1, 1]) + mac

    def send(self, i):
        self.s.sendto(self.msg, self.to)

    def replies(self):
        n = 0
        while True:
            try:
                data, src = self.s.recvfrom(2048)
            except BlockingIOError:
                return n
            if len(data) >= 24 and data[0] == 136 and data[8:24] == self.target:
                n += 1


class Arp:
    def __init__(self, plan):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
        self.s.bind((plan["dev"], 0))
        self.s.setblocking(False)
        with open(f"/sys/class/net/{plan['dev']}/address") as f:
            self.mac = bytes.fromhex(f.read().strip().replace(":", ""))
        self.spa = socket.inet_aton(plan["src"])
        self.tpa = socket.inet_aton(plan["to"])
        self.frame = b"\xff" * 6 + self.mac + b"\x08\x06" + struct.pack(
            "!HHBBH", 1, 0x0800, 6, 4, 1) + self.mac + self.spa + bytes(6) + self.tpa

    def send(self, i):
        self.s.send(self.frame)

    def replies(self):
        n = 0
        while True:
            try:
                data = self.s.recv(2048)
            except BlockingIOError:
                return n
            # An ARP reply (op 2) from the target address to our sender address.
            if len(data) >= 42 and data[12:14] == b"\x08\x06" and data[20:22] == b"\x00\x02" \
                    and data[28:32] == self.tpa and data[38:42] == self.spa:
                n += 1


class Stun:
    def __init__(self, plan):
        host, port = plan["src"].rsplit(":", 1)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind((host, int(port)))
        self.s.setblocking(False)
        host, port = plan["to"].rsplit(":", 1)
        self.to = (host, int(port))

    def send(self, i):
        self.s.sendto(stun_request(i), self.to)

    def replies(self):
        n = 0
        while True:
            try:
                self.s.recvfrom(2048)
            except BlockingIOError:
                return n
            n += 1


def main():
    plan = json.loads(sys.argv[1])
    f = {"icmp": Icmp, "icmp6": Icmp6, "arp": Arp, "nd": Nd, "stun": Stun}[plan["kind"]](plan)
    rate, count = float(plan["rate"]), int(plan["count"])
    per_slot = max(1, int(rate / 200))
    replies = 0
    t0 = time.time()
    for i in range(count):
        if i % per_slot == 0:
            replies += f.replies()
            ahead = t0 + i / rate - time.time()
            if ahead > 0:
                select.select([f.s], [], [], ahead)
        f.send(i)
    t1 = time.time()
    # Replies still on the way: read until none came for 0.3 s.
    while select.select([f.s], [], [], 0.3)[0]:
        got = f.replies()
        replies += got
        if got == 0:
            break
    print(json.dumps({"sent": count, "replies": replies, "seconds": t1 - t0}))


if __name__ == "__main__":
    main()
