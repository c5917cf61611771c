# SPDX-License-Identifier: BSD-3-Clause
"""Two RTP phones in one process, driven line by line on stdin (for calls
that are renegotiated while media flows; test_reinvite.py).

    python3 stream_peer.py '{"a": {...}, "b": {...}}'

Each side: {"ip", "port", "to": [ip, port], "ssrc", "pt" (0 PCMU, 8 PCMA),
"freq"}. Each sends a 20 ms packet of its tone every 20 ms while on, with
its own SSRC, sequence and timestamp going on whatever else changes, and
records every packet it receives (arrival time, header fields, payload).
Commands (one JSON object a line), each answered by one JSON line:
  {"cmd": "tx", "side": "a", "on": true}
  {"cmd": "pt", "side": "b", "pt": 0}
  {"cmd": "move", "side": "a", "port": 42010}   new local port (same stream)
  {"cmd": "to", "side": "a", "to": [ip, port]}
  {"cmd": "dump"}     {"a": [[t, ssrc, seq, ts, marker, pt, payload hex]...], "b": ...},
                      cleared after
  {"cmd": "quit"}
"""
import json
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tone  # noqa: E402

FRAME = 160


class Side:
    def __init__(self, c):
        self.ip, self.port = c["ip"], c["port"]
        self.to = tuple(c["to"])
        self.ssrc, self.pt, self.freq = c["ssrc"], c["pt"], c["freq"]
        self.seq, self.ts, self.pos = 1000, 5000, 0
        self.on = False
        self.got = []
        self.sock = self._bind(self.port)

    def _bind(self, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((self.ip, port))
        s.setblocking(False)
        return s

    def move(self, port):
        self.sock.close()
        self.port = port
        self.sock = self._bind(port)

    def send(self):
        pcm = tone.sine(self.freq, 8000, FRAME, self.pos)
        self.pos += FRAME
        body = tone.ulaw_encode(pcm) if self.pt == 0 else tone.alaw_encode(pcm)
        hdr = struct.pack("!BBHII", 0x80, self.pt, self.seq & 0xffff, self.ts & 0xffffffff,
                          self.ssrc)
        self.seq += 1
        self.ts += FRAME
        try:
            self.sock.sendto(hdr + body, self.to)
        except OSError:
            pass

    def recv(self):
        while True:
            try:
                d = self.sock.recv(2048)
            except (BlockingIOError, OSError):
                return
            if len(d) < 12:
                continue
            b1, seq, ts, ssrc = d[1], *struct.unpack("!HII", d[2:12])
            self.got.append([time.time(), ssrc, seq, ts, b1 >> 7, b1 & 0x7f, d[12:].hex()])


def main():
    cfg = json.loads(sys.argv[1])
    sides = {k: Side(v) for k, v in cfg.items()}
    nxt = time.time()
    buf = b""
    out = sys.stdout
    while True:
        now = time.time()
        if now >= nxt:
            for s in sides.values():
                if s.on:
                    s.send()
            nxt += 0.02
            if nxt < now - 0.2:     # far behind (a loaded machine): do not burst
                nxt = now + 0.02
        wait = max(0.0, nxt - time.time())
        r, _, _ = select.select([sys.stdin.fileno()] + [s.sock for s in sides.values()], [],
                                [], wait)
        for s in sides.values():
            if s.sock in r:
                s.recv()
        if sys.stdin.fileno() not in r:
            continue
        chunk = os.read(sys.stdin.fileno(), 65536)
        if not chunk:
            return 0
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            c = json.loads(line)
            s = sides.get(c.get("side"))
            if c["cmd"] == "tx":
                s.on = c["on"]
            elif c["cmd"] == "pt":
                s.pt = c["pt"]
            elif c["cmd"] == "move":
                s.move(c["port"])
            elif c["cmd"] == "to":
                s.to = tuple(c["to"])
            elif c["cmd"] == "dump":
                for x in sides.values():
                    x.recv()
                out.write(json.dumps({k: x.got for k, x in sides.items()}) + "\n")
                for x in sides.values():
                    x.got = []
                out.flush()
                continue
            elif c["cmd"] == "quit":
                out.write("{}\n")
                out.flush()
                return 0
            out.write("{}\n")
            out.flush()


if __name__ == "__main__":
    sys.exit(main())
