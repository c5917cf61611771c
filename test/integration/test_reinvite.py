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
transcodes real packets at the end. Exit 77 (skipped) without root.
"""
import os
import re
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
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
                             ("sdes_reinvite_400_rss_flat", lambda: sdes_reinvites(gw))):
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
