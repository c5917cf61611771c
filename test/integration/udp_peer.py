# SPDX-License-Identifier: BSD-3-Clause
"""A scripted UDP peer for integration tests; runs inside a lab namespace.

    python3 udp_peer.py PLAN_JSON

PLAN: {"sockets": {NAME: "IP:PORT" or "[IP6]:PORT"},
       "steps": [{"each": [STEP, ...], "count": N, "interval": SECONDS},
                 {"send": NAME, "to": ADDR, "count": N, "kind": "rtp"|"rtcp"|"raw",
                  "ssrc": S, "pt": P, "seq": FIRST, "size": PAYLOAD_BYTES,
                  "interval": SECONDS, "hex": RAW_HEX}, {"sleep": SECONDS}, ...],
       "linger": SECONDS}
Prints one JSON object: {NAME: [{"from": ADDR, "hex": DATA}, ...]} of every
datagram each socket received until linger seconds after the last step.
"""
import json
import select
import socket
import struct
import sys
import time


def parse_addr(s):
    if s.startswith("["):
        host, port = s[1:].split("]:")
        return socket.AF_INET6, (host, int(port))
    host, port = s.rsplit(":", 1)
    return socket.AF_INET, (host, int(port))


def fmt_addr(a):
    return f"[{a[0]}]:{a[1]}" if ":" in a[0] else f"{a[0]}:{a[1]}"


def payload(seq, size, ssrc):
    # Distinct, checkable bytes per packet.
    return bytes(((seq * 7 + i + ssrc) & 0xff) for i in range(size))


def rtp(seq, ssrc, pt, size):
    hdr = struct.pack("!BBHII", 0x80, pt & 0x7f, seq & 0xffff, (seq * 160) & 0xffffffff, ssrc)
    return hdr + payload(seq, size, ssrc)


def rtcp_sr(ssrc, n):
    # SR with no report blocks: 28 bytes, length field 6.
    return struct.pack("!BBHIIIIII", 0x80, 200, 6, ssrc, n, 0, n * 160, n, n * 172)


def main():
    plan = json.loads(sys.argv[1])
    socks, names = {}, {}
    for name, addr in plan["sockets"].items():
        fam, a = parse_addr(addr)
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(a)
        s.setblocking(False)
        socks[name] = s
        names[s.fileno()] = name
    got = {name: [] for name in socks}

    def drain(timeout):
        end = time.time() + timeout
        while True:
            left = end - time.time()
            if left <= 0:
                break
            r, _, _ = select.select(list(socks.values()), [], [], left)
            for s in r:
                try:
                    while True:
                        data, src = s.recvfrom(4096)
                        got[names[s.fileno()]].append({"from": fmt_addr(src), "hex": data.hex()})
                except BlockingIOError:
                    pass

    def send_one(step, i):
        s = socks[step["send"]]
        _, to = parse_addr(step["to"])
        kind = step.get("kind", "rtp")
        seq = step.get("seq", 0) + i
        if kind == "rtp":
            data = rtp(seq, step.get("ssrc", 1), step.get("pt", 0), step.get("size", 160))
        elif kind == "rtcp":
            data = rtcp_sr(step.get("ssrc", 1), seq)
        else:
            data = bytes.fromhex(step["hex"])
        s.sendto(data, to)

    for step in plan.get("steps", []):
        if "sleep" in step:
            drain(step["sleep"])
            continue
        if "rate" in step:
            # {"send": ..., "count": N, "rate": PPS}: paced by the clock in 5 ms
            # bursts (floods), without reading in between.
            t0 = time.time()
            for i in range(step.get("count", 1)):
                if i % max(1, int(step["rate"] / 200)) == 0:
                    ahead = t0 + i / step["rate"] - time.time()
                    if ahead > 0:
                        time.sleep(ahead)
                send_one(step, i)
            continue
        # {"each": [step, ...], "count": N, "interval": T}: packet i of every
        # listed stream, then wait T (several streams at once, e.g. 50 pps each way).
        group = step["each"] if "each" in step else [step]
        for i in range(step.get("count", 1)):
            for sub in group:
                send_one(sub, i)
            drain(step.get("interval", 0.001))
    drain(plan.get("linger", 0.5))
    print(json.dumps(got))


if __name__ == "__main__":
    main()
