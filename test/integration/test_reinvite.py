# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: 400 re-INVITEs on one transcoded call, memory flat.

    sudo python3 test_reinvite.py PATH_TO_WRTCGW

A (10.99.0.1) offers PCMU only, B (10.99.0.3) answers PCMA or G.722 only:
the gateway transcodes both directions. Each re-INVITE is an offer from A
and B's answer, in turn: a codec change (new transcoders, the old ones freed
once the worker let go of them), a hold (a=sendonly: the same decision, the
transcoders are kept) and a resume. The gateway's resident set size after
400 of them is within 1 MB of what it was after a warm-up of 40, the
counters show what was rebuilt and what was kept, and the call still
transcodes real packets at the end. The same with SDES-SRTP (new keys on
every re-INVITE).

Then streams on the wire across re-offers, with two phones sending tones
(stream_peer.py), each scenario three times in a loop: a relayed call keeps
each side's SSRC through a move of A's port and holds from either side
(a=sendonly, a=inactive, c=0.0.0.0); a transcoded call that becomes relayed
(both sides get PCMU), transcoded again, and changes transcoders shows each
side one SSRC for the whole call, the next sequence number, the marker bit
and a timestamp jump of the elapsed wall-clock time at every switch, and the
right tone. Exit 77 (skipped) without root.
"""
import json
import os
import re
import select
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tone  # noqa: E402
import wrtclab  # noqa: E402
from wrtclab import PEER_IP4, sdp_media_addr, sip_sdp  # noqa: E402
from test_relay import wait_routes  # noqa: E402

A_IP, B_IP = PEER_IP4
A_PORT, B_PORT = 42000, 42002
WARMUP, N = 40, 400


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def rss_tolerance_kb():
    """1 MB; under the sanitize run (ASAN_OPTIONS set for the gateway) ASan
    keeps freed memory in its quarantine until that is full, so RSS may grow
    by the quarantine's size as well (LeakSanitizer checks leaks there)."""
    m = re.search(r"quarantine_size_mb=(\d+)", os.environ.get("ASAN_OPTIONS", ""))
    if "ASAN_OPTIONS" not in os.environ:
        return 1024
    return 1024 + 1024 * (int(m.group(1)) if m else 256) + 8192


RSS_TOL_KB = rss_tolerance_kb()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def reinvite(gw, cid, i, version):
    """Re-INVITE number i: B answers PCMA at 20 ms, PCMA at 30 ms, or PCMA at
    20 ms on hold, in turn (a change of ptime is a new transcoder)."""
    kind = i % 3
    a_sdp = sip_sdp(A_IP, A_PORT, pts=(0, 101)).replace(" 1 1 IN ", f" 1 {version} IN ")
    if kind == 2:
        a_sdp = a_sdp.replace("a=sendrecv", "a=sendonly")
    gw.rpc.call("offer", call_id=cid, from_tag="fa", sdp=a_sdp)
    b_sdp = sip_sdp(B_IP, B_PORT, pts=(8, 101)).replace(" 1 1 IN ", f" 1 {version} IN ")
    if kind == 1:
        b_sdp = b_sdp.replace("a=ptime:20", "a=ptime:30")
    if kind == 2:
        b_sdp = b_sdp.replace("a=sendrecv", "a=recvonly")
    gw.rpc.call("answer", call_id=cid, from_tag="fa", to_tag="fb", sdp=b_sdp)


MEDIA = r"""
import socket, struct, sys, time
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind((sys.argv[1], int(sys.argv[2])))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind((sys.argv[3], int(sys.argv[4])))
b.settimeout(0.002)
got = []
next_tx = time.time()
end = next_tx + 2.0
sent = 0
while time.time() < end:
    if sent < 50 and time.time() >= next_tx:
        a.sendto(struct.pack("!BBHII", 0x80, 0, sent, sent * 160, 0x1234) + b"\xff" * 160,
                 (sys.argv[5], int(sys.argv[6])))
        sent += 1
        next_tx += 0.02
    try:
        got.append(b.recv(2048)[1] & 0x7f)
    except socket.timeout:
        pass
print(len(got), ",".join(str(p) for p in sorted(set(got))))
"""


def media(lab, gw_a):
    """A sends 50 PCMU packets (1 s) to the gateway; B counts what it gets."""
    r = lab.peer_exec(sys.executable, "-c", MEDIA, A_IP, str(A_PORT), B_IP, str(B_PORT),
                      gw_a[0], str(gw_a[1]))
    n, pts = r.stdout.split()
    return int(n), pts


def run(gw, lab):
    cid = "reinvite"
    off = gw.rpc.call("offer", call_id=cid, from_tag="fa",
                      sdp=sip_sdp(A_IP, A_PORT, pts=(0, 101)), ingress="sip", egress="sip")
    del off
    ans = gw.rpc.call("answer", call_id=cid, from_tag="fa", to_tag="fb",
                      sdp=sip_sdp(B_IP, B_PORT, pts=(8, 101)))
    gw_a = sdp_media_addr(ans["sdp"])
    wait_routes(gw, cid)
    q = gw.rpc.call("query", call_id=cid)
    expect(q["streams"][0]["codec_mode"] == "transcode", f"not transcoded: {q['streams'][0]}")
    pid = gw.proc.pid
    version = 2
    for i in range(WARMUP):
        reinvite(gw, cid, i, version)
        version += 1
    st0 = gw.rpc.call("statistics")
    rss0 = rss_kb(pid)
    t0 = time.time()
    for i in range(WARMUP, WARMUP + N):
        reinvite(gw, cid, i, version)
        version += 1
    took = time.time() - t0
    # The last retired transcoders go once the worker applied the last update.
    deadline = time.time() + 10
    while True:
        rss1 = rss_kb(pid)
        if abs(rss1 - rss0) <= RSS_TOL_KB or time.time() > deadline:
            break
        gw.rpc.call("query", call_id=cid)
        time.sleep(0.1)
    st1 = gw.rpc.call("statistics")
    created = st1["transcoders_created"] - st0["transcoders_created"]
    kept = st1["transcoders_kept"] - st0["transcoders_kept"]
    print(f"  {N} re-INVITEs in {took:.1f} s: RSS {rss0} kB -> {rss1} kB, "
          f"transcoders created {created}, kept {kept}")
    expect(abs(rss1 - rss0) <= RSS_TOL_KB,
           f"RSS grew from {rss0} kB to {rss1} kB over {N} re-INVITEs (more than {RSS_TOL_KB} kB)")
    # Per re-INVITE two re-answers (offer, answer) of two directions: codec
    # changes (2 of 3) rebuild the transcoder of the changed direction(s);
    # the hold keeps both, and so does every unchanged direction.
    expect(created > 0 and kept > 0, f"created {created}, kept {kept}")
    expect(kept >= N // 2, f"the unchanged re-answers kept only {kept} transcoders")
    # The call still transcodes: back to PCMA sendrecv, then packets.
    reinvite(gw, cid, 0, version)
    n, pts = media(lab, gw_a)
    expect(n >= 40 and pts == "8", f"after the re-INVITEs B got {n} packets, types {pts}, "
           "expected about 50 PCMA (8)")
    final = gw.rpc.call("delete", call_id=cid)
    expect(final["state"] == "deleted", f"delete: {final}")


def sdes_reinvites(gw):
    """A plain caller and an SDES-SRTP callee (trunk group sip-sdes): every
    re-INVITE brings new keys both ways, so new SRTP contexts; the replaced
    ones are freed once the worker let go of them."""
    import base64
    import re
    cid = "reinvite-sdes"
    b_key = base64.b64encode(bytes(range(1, 31))).decode()

    def one(version, first=False):
        a_sdp = sip_sdp(A_IP, A_PORT + 20, pts=(0,)).replace(" 1 1 IN ", f" 1 {version} IN ")
        kw = {"ingress": "sip", "egress": "sip-sdes"} if first else {}
        off = gw.rpc.call("offer", call_id=cid, from_tag="fa", sdp=a_sdp, **kw)["sdp"]
        m = re.search(r"a=crypto:(\d+) AES_CM_128_HMAC_SHA1_80 inline:", off)
        expect(m, f"no a=crypto in the SDES offer:\n{off}")
        b_sdp = sip_sdp(B_IP, B_PORT + 20, pts=(0,)).replace("RTP/AVP", "RTP/SAVP")
        b_sdp = b_sdp.replace(" 1 1 IN ", f" 1 {version} IN ")
        b_sdp += f"a=crypto:{m.group(1)} AES_CM_128_HMAC_SHA1_80 inline:{b_key}\r\n"
        gw.rpc.call("answer", call_id=cid, from_tag="fa", to_tag="fb", sdp=b_sdp)

    one(1, first=True)
    for v in range(2, WARMUP + 2):
        one(v)
    rss0 = rss_kb(gw.proc.pid)
    for v in range(WARMUP + 2, WARMUP + N + 2):
        one(v)
    deadline = time.time() + 10
    while True:
        rss1 = rss_kb(gw.proc.pid)
        if abs(rss1 - rss0) <= RSS_TOL_KB or time.time() > deadline:
            break
        time.sleep(0.1)
    q = gw.rpc.call("query", call_id=cid)
    leg = q["streams"][0]["legs"][1]
    print(f"  {N} SDES re-INVITEs: RSS {rss0} kB -> {rss1} kB, {leg.get('security')}")
    expect(leg.get("security") == "srtp-sdes", f"SDES leg: {leg.get('security')}")
    expect(abs(rss1 - rss0) <= RSS_TOL_KB,
           f"RSS grew from {rss0} kB to {rss1} kB over {N} SDES re-INVITEs")
    gw.rpc.call("delete", call_id=cid)


# ---- Streams across re-offers, on the wire (stream_peer.py: two phones) ----

STREAM_PEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stream_peer.py")
SA, SB = 0x1111AAAA, 0x2222BBBB
FA, FB = 1000, 600          # A's tone, B's tone (Hz)
PAUSE = 0.5                 # media gap around a switch (s), what the timestamp must show


class Phones:
    """stream_peer.py in the peer namespace: A and B, each sending its tone."""

    def __init__(self, lab, a, b):
        self.p = lab.peer_popen(sys.executable, STREAM_PEER, json.dumps({"a": a, "b": b}),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.log = {"a": [], "b": []}

    def cmd(self, timeout=30, **c):
        self.p.stdin.write(json.dumps(c) + "\n")
        self.p.stdin.flush()
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        expect(r, f"stream_peer did not answer {c}")
        line = self.p.stdout.readline()
        expect(line, f"stream_peer exited on {c}")
        return json.loads(line)

    def dump(self):
        d = self.cmd(cmd="dump")
        for k in ("a", "b"):
            self.log[k] += d[k]
        return d

    def mark(self):
        return {k: len(v) for k, v in self.log.items()}

    def since(self, mark, side, pt=None):
        return [p for p in self.log[side][mark[side]:] if pt is None or p[5] == pt]

    def wait(self, mark, want, timeout=20):
        """Until each side got want[side] = (count, pt) packets since mark."""
        deadline = time.time() + timeout
        while True:
            self.dump()
            if all(len(self.since(mark, k, pt)) >= n for k, (n, pt) in want.items()):
                return
            if time.time() > deadline:
                got = {k: len(self.since(mark, k, pt)) for k, (n, pt) in want.items()}
                raise AssertionError(f"packets since the mark {got}, wanted {want}")
            time.sleep(0.05)

    def quiet(self, timeout=10):
        """Both sides stopped: until nothing arrives for 0.2 s."""
        deadline = time.time() + timeout
        empty_since = None
        while time.time() < deadline:
            d = self.dump()
            if d["a"] or d["b"]:
                empty_since = None
            elif empty_since is None:
                empty_since = time.time()
            elif time.time() - empty_since >= 0.2:
                return
            time.sleep(0.05)
        raise AssertionError("media did not stop")

    def close(self):
        try:
            self.cmd(cmd="quit", timeout=5)
        except Exception:
            pass
        self.p.kill()
        self.p.wait()


def stream_sdp(ip, port, pts, version, direction="sendrecv", ptime=20, zero_c=False):
    sdp = sip_sdp(ip, port, pts=pts).replace(" 1 1 IN ", f" 1 {version} IN ")
    sdp = sdp.replace("a=sendrecv", f"a={direction}").replace("a=ptime:20", f"a=ptime:{ptime}")
    if zero_c:
        sdp = sdp.replace(f"c=IN IP4 {ip}", "c=IN IP4 0.0.0.0")
    return sdp


def decode(pkts):
    pcm = []
    for p in pkts:
        data = bytes.fromhex(p[6])
        pcm += tone.ulaw_decode(data) if p[5] == 0 else tone.alaw_decode(data)
    return pcm


def check_tone(pkts, freq, label):
    f, rms = tone.dominant(decode(pkts[-25:]), 8000)
    expect(abs(f - freq) <= 20 and rms > 1000,
           f"{label}: the tone is {f} Hz (rms {rms:.0f}), expected {freq} Hz")


class StreamCall:
    """A call between the two phones; re-offers from either side."""

    def __init__(self, gw, ph, cid, a_port, b_port):
        self.gw, self.ph, self.cid = gw, ph, cid
        self.a_port, self.b_port = a_port, b_port
        self.version = 1
        self.gw_a = self.gw_b = None

    def _addr(self, sdp, side):
        addr = sdp_media_addr(sdp)
        if side == "a" and addr != self.gw_a:
            self.gw_a = addr
            self.ph.cmd(cmd="to", side="a", to=list(addr))
        if side == "b" and addr != self.gw_b:
            self.gw_b = addr
            self.ph.cmd(cmd="to", side="b", to=list(addr))

    def start(self, a_pts, b_pts):
        off = self.gw.rpc.call("offer", call_id=self.cid, from_tag="fa",
                               sdp=stream_sdp(A_IP, self.a_port, a_pts, 1),
                               ingress="sip", egress="sip")
        self._addr(off["sdp"], "b")
        ans = self.gw.rpc.call("answer", call_id=self.cid, from_tag="fa", to_tag="fb",
                               sdp=stream_sdp(B_IP, self.b_port, b_pts, 1))
        self._addr(ans["sdp"], "a")
        wait_routes(self.gw, self.cid)

    def reoffer(self, frm, a_pts, b_pts, a_kw=None, b_kw=None):
        """A re-INVITE from frm ("a" or "b"): its offer, the other's answer."""
        self.version += 1
        a = stream_sdp(A_IP, self.a_port, a_pts, self.version, **(a_kw or {}))
        b = stream_sdp(B_IP, self.b_port, b_pts, self.version, **(b_kw or {}))
        if frm == "a":
            off = self.gw.rpc.call("offer", call_id=self.cid, from_tag="fa", sdp=a)
            self._addr(off["sdp"], "b")
            ans = self.gw.rpc.call("answer", call_id=self.cid, from_tag="fa", to_tag="fb",
                                   sdp=b)
            self._addr(ans["sdp"], "a")
        else:
            off = self.gw.rpc.call("offer", call_id=self.cid, from_tag="fb", sdp=b)
            self._addr(off["sdp"], "a")
            ans = self.gw.rpc.call("answer", call_id=self.cid, from_tag="fb", to_tag="fa",
                                   sdp=a)
            self._addr(ans["sdp"], "b")

    def mode(self):
        return self.gw.rpc.call("query", call_id=self.cid)["streams"][0]["codec_mode"]


def hold(c, ph, frm, to, frm_kw, to_kw, silent):
    """Hold from frm (its SDP gets frm_kw, the answer to_kw; the phones in
    silent stop sending), media that may still flow checked, then resume
    from frm and both ways checked."""
    kw = {frm + "_kw": frm_kw, to + "_kw": to_kw}
    c.reoffer(frm, (0,), (0,), **kw)
    for side in silent:
        ph.cmd(cmd="tx", side=side, on=False)
    flowing = [s for s in ("a", "b") if s not in silent]
    # What a side sends, the other receives.
    want = {("b" if s == "a" else "a"): (10, 0) for s in flowing}
    if want:
        m = ph.mark()
        ph.wait(m, want)
    else:
        ph.quiet()
    c.reoffer(frm, (0,), (0,))
    for side in silent:
        ph.cmd(cmd="tx", side=side, on=True)
    m = ph.mark()
    ph.wait(m, {"a": (15, 0), "b": (15, 0)})


def relay_ssrc_kept(gw, lab):
    """A relayed call (PCMU both sides): three rounds of re-offers — A moves
    to a new port, holds and resumes with a=sendonly, a=inactive and
    c=0.0.0.0, from B and from A in turn — and each side receives the
    other's own SSRC all along (relayed streams are not renumbered)."""
    a_port, b_port = A_PORT + 100, B_PORT + 100
    ph = Phones(lab, {"ip": A_IP, "port": a_port, "to": [A_IP, 9], "ssrc": SA, "pt": 0,
                      "freq": FA},
                {"ip": B_IP, "port": b_port, "to": [B_IP, 9], "ssrc": SB, "pt": 0, "freq": FB})
    c = StreamCall(gw, ph, "relay-ssrc", a_port, b_port)
    try:
        c.start((0,), (0,))
        expect(c.mode() == "relay", f"not relayed: {c.mode()}")
        # A gateway-initiated ICE restart needs ICE on the leg: clear errors.
        for val, msg in ((True, "runs no ICE"), ("yes", "ice_restart: not a boolean")):
            try:
                gw.rpc.call("offer", call_id=c.cid, from_tag="fb", ice_restart=val,
                            sdp=stream_sdp(B_IP, b_port, (0,), 1))
                raise AssertionError(f"offer with ice_restart={val!r} on a SIP leg accepted")
            except wrtclab.RpcError as e:
                expect(e.code == -32602 and msg in e.message,
                       f"ice_restart={val!r}: {e.code} {e.message}")
        ph.cmd(cmd="tx", side="a", on=True)
        ph.cmd(cmd="tx", side="b", on=True)
        m = ph.mark()
        ph.wait(m, {"a": (20, 0), "b": (20, 0)})
        for rnd in range(3):
            # A moves to a new port (same SSRC, its stream goes on).
            c.a_port = a_port + 2 * (rnd + 1)
            c.reoffer("a", (0,), (0,))
            ph.cmd(cmd="move", side="a", port=c.a_port)
            m = ph.mark()
            ph.wait(m, {"a": (15, 0), "b": (15, 0)})
            # The holds alternate sides round by round: a=sendonly, a=inactive
            # and c=0.0.0.0, each from B and from A over the three rounds.
            x, y = ("b", "a") if rnd % 2 == 0 else ("a", "b")
            hold(c, ph, x, y, {"direction": "sendonly"}, {"direction": "recvonly"}, [y])
            hold(c, ph, y, x, {"direction": "inactive"}, {"direction": "inactive"}, [x, y])
            hold(c, ph, y, x, {"zero_c": True}, {}, [x])
            check_tone(ph.since(m, "b"), FA, f"round {rnd}: A->B")
            check_tone(ph.since(m, "a"), FB, f"round {rnd}: B->A")
        at_a = {p[1] for p in ph.log["a"]}
        at_b = {p[1] for p in ph.log["b"]}
        print(f"  relayed: {len(ph.log['a'])} + {len(ph.log['b'])} packets over 3 rounds, "
              f"SSRCs at A {sorted(hex(x) for x in at_a)}, at B {sorted(hex(x) for x in at_b)}")
        expect(at_b == {SA}, f"B received SSRCs {[hex(x) for x in at_b]}, only A's {SA:#x}")
        expect(at_a == {SB}, f"A received SSRCs {[hex(x) for x in at_a]}, only B's {SB:#x}")
    finally:
        ph.close()
        try:
            gw.rpc.call("delete", call_id=c.cid)
        except Exception:
            pass


def check_switch(ph, side, before, m, pt, clock, label):
    """What side receives across a switch: the same SSRC, the next sequence
    number, the marker bit, a timestamp jump of the elapsed time."""
    old = [p for p in ph.log[side][:m[side]]]
    new = ph.since(m, side, pt)
    expect(old and new, f"{label}: nothing before or after the switch")
    last, first = old[-1], new[0]
    expect(first[1] == before, f"{label}: the SSRC changed from {before:#x} to {first[1]:#x}")
    dseq = (first[2] - last[2]) & 0xffff
    expect(1 <= dseq <= 3, f"{label}: sequence {last[2]} -> {first[2]}")
    expect(first[4] == 1, f"{label}: no marker bit on the first packet after the switch")
    dts = (first[3] - last[3]) & 0xffffffff
    el = first[0] - last[0]
    want = el * clock
    expect(abs(dts - want) <= 0.1 * clock,
           f"{label}: timestamp jump {dts} for {el * 1000:.0f} ms elapsed "
           f"(expected about {want:.0f})")
    return dts, el


def switch(ph, c, frm, a_pts, b_pts, b_pt, a_pt, a_kw=None, b_kw=None):
    """Pause both phones, re-offer, a pause of PAUSE, both send again."""
    ph.cmd(cmd="tx", side="a", on=False)
    ph.cmd(cmd="tx", side="b", on=False)
    ph.quiet()
    m = ph.mark()
    c.reoffer(frm, a_pts, b_pts, a_kw=a_kw, b_kw=b_kw)
    ph.cmd(cmd="pt", side="a", pt=a_pt)
    ph.cmd(cmd="pt", side="b", pt=b_pt)
    time.sleep(PAUSE)   # the media gap itself, which the timestamps must show
    ph.cmd(cmd="tx", side="a", on=True)
    ph.cmd(cmd="tx", side="b", on=True)
    return m


def transcode_relay_switch(gw, lab):
    """PCMU (A) <-> PCMA (B), transcoded; three rounds of: a re-offer from A
    where B takes PCMU (common codec: relayed from then on), a re-offer
    from B back to PCMA (transcoded), and a codec change that keeps
    transcoding (B's ptime 20 -> 30 ms: new transcoders). Each side sees one
    SSRC for the whole call, the next sequence number, the marker bit and a
    timestamp jump of the elapsed time (+-100 ms) at every switch, and the
    right tone."""
    a_port, b_port = A_PORT + 200, B_PORT + 200
    ph = Phones(lab, {"ip": A_IP, "port": a_port, "to": [A_IP, 9], "ssrc": SA, "pt": 0,
                      "freq": FA},
                {"ip": B_IP, "port": b_port, "to": [B_IP, 9], "ssrc": SB, "pt": 8, "freq": FB})
    c = StreamCall(gw, ph, "xcode-relay", a_port, b_port)
    st0 = gw.rpc.call("statistics")
    try:
        c.start((0,), (8,))
        expect(c.mode() == "transcode", f"not transcoded: {c.mode()}")
        ph.cmd(cmd="tx", side="a", on=True)
        ph.cmd(cmd="tx", side="b", on=True)
        m = ph.mark()
        ph.wait(m, {"a": (20, 0), "b": (20, 8)})
        at_b, at_a = ph.since(m, "b")[-1][1], ph.since(m, "a")[-1][1]
        expect(at_b != SA and at_a != SB, "transcoded streams carry the peers' SSRCs")
        jumps = []
        for rnd in range(3):
            steps = [
                ("relay", "a", (0,), (0,), 0, {}, "relay"),
                ("transcode", "b", (0,), (8,), 8, {}, "transcode"),
                ("ptime 30", "a", (0,), (8,), 8, {"ptime": 30}, "transcode"),
            ]
            if rnd == 2:
                steps.append(("relay again", "a", (0,), (0,), 0, {}, "relay"))
            for what, frm, a_pts, b_pts, b_pt, b_kw, mode in steps:
                label = f"round {rnd}: {what} (re-offer from {frm.upper()})"
                m = switch(ph, c, frm, a_pts, b_pts, b_pt, 0, b_kw=b_kw)
                expect(c.mode() == mode, f"{label}: codec_mode {c.mode()}, expected {mode}")
                ph.wait(m, {"a": (20, 0), "b": (20, b_pt)})
                jumps.append(check_switch(ph, "b", at_b, m, b_pt, 8000, label + ", at B"))
                jumps.append(check_switch(ph, "a", at_a, m, 0, 8000, label + ", at A"))
                check_tone(ph.since(m, "b", b_pt), FA, label + ", A->B")
                check_tone(ph.since(m, "a", 0), FB, label + ", B->A")
                expect({p[1] for p in ph.since(m, "b")} == {at_b} and
                       {p[1] for p in ph.since(m, "a")} == {at_a},
                       f"{label}: more than one SSRC after the switch")
        print("  switches: timestamp jump / elapsed: " +
              ", ".join(f"{d}/{e * 1000:.0f}ms" for d, e in jumps[:6]) + ", ...")
        st1 = gw.rpc.call("statistics")
        cont = st1["streams_continued"] - st0["streams_continued"]
        expect(cont >= 2 * 9, f"streams_continued went up by {cont} over 10 switches")
        expect({p[1] for p in ph.log["b"]} == {at_b} and {p[1] for p in ph.log["a"]} == {at_a},
               "a side saw more than one SSRC over the call")
    finally:
        ph.close()
        try:
            gw.rpc.call("delete", call_id=c.cid)
        except Exception:
            pass


def config():
    cfg = wrtclab.default_config()
    cfg["crypto_suite_profiles"].append({"name": "sdes-suites",
                                         "suites": ["AES_CM_128_HMAC_SHA1_80"]})
    psp = dict(next(p for p in cfg["packet_service_profiles"] if p["name"] == "sip-plain"))
    psp.update({"name": "sip-sdes", "srtp": True, "sdes": True,
                "crypto_suite_profile": "sdes-suites"})
    cfg["packet_service_profiles"].append(psp)
    tg = dict(next(t for t in cfg["trunk_groups"] if t["name"] == "sip"))
    tg.update({"name": "sip-sdes", "packet_service_profile": "sip-sdes"})
    cfg["trunk_groups"].append(tg)
    return cfg


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    passed = failed = 0
    with wrtclab.Lab() as lab:
        gw = wrtclab.Gateway(lab, sys.argv[1], config=config()).start()
        try:
            for name, fn in (("reinvite_400_rss_flat", lambda: run(gw, lab)),
                             ("sdes_reinvite_400_rss_flat", lambda: sdes_reinvites(gw)),
                             ("relay_ssrc_kept_3x", lambda: relay_ssrc_kept(gw, lab)),
                             ("transcode_relay_switch_3x",
                              lambda: transcode_relay_switch(gw, lab))):
                try:
                    fn()
                    print(f"ok   {name}")
                    passed += 1
                except Exception:
                    print(f"FAIL {name}")
                    traceback.print_exc()
                    failed += 1
            rc = gw.stop()
            if rc != 0:
                print(f"FAIL clean_shutdown: wrtcgw exited {rc}")
                failed += 1
        finally:
            if failed:
                print("---- wrtcgw log (tail) ----")
                print("\n".join(gw.log().splitlines()[-60:]))
            gw.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
