# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: endpoint learning on plain RTP legs (trunk_groups[].latch)
and c= validation, with real packets between network namespaces.

    sudo python3 test_latch.py PATH_TO_WRTCGW

A is the caller at 10.99.0.1, B the callee who signals 10.99.0.3; X at
10.99.0.9 is a stranger (or B's NAT address). Exit 77 (skipped) without root.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, PEER_IP4, RpcError, sip_sdp, sdp_media_addr  # noqa: E402
from test_relay import check_rtp, ep, expect, run_peer, wait_routes  # noqa: E402

A_IP, B_IP = PEER_IP4
X_IP = "10.99.0.9"


def call(gw, cid, a_port, b_port, egress="sip", b_ip=B_IP):
    """Offer from A (trunk group sip), answer from B on @p egress; returns the
    gateway ports (towards A, towards B)."""
    off = gw.rpc.call("offer", call_id=cid, from_tag="fa-" + cid, sdp=sip_sdp(A_IP, a_port),
                      ingress="sip", egress=egress)
    _, pb = sdp_media_addr(off["sdp"])
    ans = gw.rpc.call("answer", call_id=cid, from_tag="fa-" + cid, to_tag="fb-" + cid,
                      sdp=sip_sdp(b_ip, b_port, pts=(0, 8)))
    _, pa = sdp_media_addr(ans["sdp"])
    wait_routes(gw, cid)
    return pa, pb


def leg_rtp(gw, cid, leg):
    return gw.rpc.call("query", call_id=cid)["streams"][0]["legs"][leg]["rtp"]


def wait_leg(gw, cid, leg, pred, timeout=10):
    """Poll `query` until pred(leg's RTP stream) holds (the worker applies
    messages and counts packets asynchronously); return the last stream."""
    deadline = time.time() + timeout
    while True:
        r = leg_rtp(gw, cid, leg)
        if pred(r) or time.time() > deadline:
            return r
        time.sleep(0.02)


def seen(n):
    """Predicate: the stream has accepted or dropped @p n packets."""
    return lambda r: r["rx_packets"] + r["drops"] >= n


def wait_closed(gw, cid, leg, sig, timeout=15):
    """Wait until the worker has the leg's signalled address @p sig (the
    answer's update is applied) and the learning window has closed."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        lr = leg_rtp(gw, cid, leg)["learning"]
        if lr["signalled"] == sig and lr["state"] == "closed":
            return lr
        time.sleep(0.05)
    raise AssertionError(f"{cid}: learning window still open after {timeout}s: {lr}")


def case_stranger_first(gw, lab):
    """A stranger sends to B's gateway port before B: it gets nothing, A hears
    nothing of it, and B's stream then works; the stranger stays out."""
    pa, pb = call(gw, "first", 40000, 40002)
    lr = wait_leg(gw, "first", 1,
                  lambda r: r["learning"]["signalled"] == ep(B_IP, 40002))["learning"]
    expect(lr["mode"] == "heuristic" and lr["state"] == "open" and
           lr["signalled"] == ep(B_IP, 40002) and lr["window_remaining_ms"] > 0,
           f"learning before media: {lr}")
    got = run_peer(lab, {
        "sockets": {"a": ep(A_IP, 40000), "b": ep(B_IP, 40002), "x": ep(X_IP, 41000),
                    "a_rtcp": ep(A_IP, 40001), "b_rtcp": ep(B_IP, 40003),
                    "x_rtcp": ep(X_IP, 41001)},
        "steps": [
            {"send": "x", "to": ep(DUT_IP4, pb), "count": 20, "ssrc": 0x5151, "interval": 0.002},
            {"send": "x_rtcp", "to": ep(DUT_IP4, pb + 1), "kind": "rtcp", "count": 6,
             "ssrc": 0x5151},
            {"send": "b_rtcp", "to": ep(DUT_IP4, pb + 1), "kind": "rtcp", "count": 2,
             "ssrc": 0xB0B0},
            {"send": "b", "to": ep(DUT_IP4, pb), "count": 20, "ssrc": 0xB0B0, "interval": 0.002},
            {"send": "x", "to": ep(DUT_IP4, pb), "count": 10, "ssrc": 0x5151, "seq": 20},
            {"send": "a", "to": ep(DUT_IP4, pa), "count": 20, "ssrc": 0xA0A0, "interval": 0.002},
        ],
        "linger": 1.5})
    check_rtp(got["a"], 0xB0B0, 20, ep(DUT_IP4, pa), "B->A (no stranger packet)")
    check_rtp(got["b"], 0xA0A0, 20, ep(DUT_IP4, pb), "A->B")
    expect(got["x"] == [] and got["x_rtcp"] == [],
           f"the stranger received {len(got['x'])} + {len(got['x_rtcp'])} packets")
    expect(len(got["a_rtcp"]) == 2 and
           all(p["from"] == ep(DUT_IP4, pa + 1) for p in got["a_rtcp"]) and
           all(bytes.fromhex(p["hex"])[4:8] == bytes.fromhex("0000b0b0") for p in got["a_rtcp"]),
           f"B->A RTCP (B's only): {got['a_rtcp']}")
    br = gw.rpc.call("query", call_id="first")["streams"][0]["legs"][1]["rtcp"]
    expect(br["learning"]["state"] == "signalled" and br["remote"] == ep(B_IP, 40003) and
           br["drop_reasons"].get("source-not-learned-yet") == 6, f"leg B RTCP: {br}")
    b = wait_leg(gw, "first", 1, seen(50))
    expect(b["learning"]["state"] == "signalled" and b["remote"] == ep(B_IP, 40002),
           f"leg B moved: {b}")
    expect(b["drop_reasons"].get("source-not-learned-yet") == 20 and
           b["drop_reasons"].get("unexpected-source") == 10, f"stranger drops: {b}")
    gw.rpc.call("delete", call_id="first")


def case_silent_leg(gw, lab):
    """B sends, then falls silent (hold, one-way audio): a stranger cannot take
    the stream over, inside the window or after it; nor can it take a leg whose
    signalled address never sent, once the window has closed."""
    pa, pb = call(gw, "silent", 40010, 40012)
    got = run_peer(lab, {
        "sockets": {"a": ep(A_IP, 40010), "b": ep(B_IP, 40012), "x": ep(X_IP, 40012)},
        "steps": [
            {"send": "b", "to": ep(DUT_IP4, pb), "count": 3, "ssrc": 0xB1B1},
            {"sleep": 0.2},
            {"send": "x", "to": ep(DUT_IP4, pb), "count": 30, "ssrc": 0x5252, "interval": 0.002},
            {"send": "a", "to": ep(DUT_IP4, pa), "count": 10, "ssrc": 0xA1A1, "interval": 0.002},
        ],
        "linger": 1.5})
    expect(len(got["a"]) == 3, f"A got {len(got['a'])} packets, expected B's 3 only")
    check_rtp(got["b"], 0xA1A1, 10, ep(DUT_IP4, pb), "A->B after the stranger")
    expect(got["x"] == [], "the stranger received media")
    b = wait_leg(gw, "silent", 1, seen(33))
    expect(b["remote"] == ep(B_IP, 40012) and b["drop_reasons"].get("unexpected-source") == 30,
           f"silent leg: {b}")

    # B puts the call on hold (re-offer with c=0.0.0.0), then resumes at the
    # same address: the stranger gets nothing in between, B keeps its stream.
    for n, (c, d) in enumerate((("0.0.0.0", "sendonly"), (B_IP, "sendrecv"))):
        sdp = sip_sdp(B_IP, 40012, pts=(0, 8), sess=str(3 + n)).replace(
            f"c=IN IP4 {B_IP}", f"c=IN IP4 {c}").replace("a=sendrecv", f"a={d}")
        gw.rpc.call("offer", call_id="silent", from_tag="fb-silent", sdp=sdp, ingress="sip",
                    egress="sip")
        gw.rpc.call("answer", call_id="silent", from_tag="fb-silent", to_tag="fa-silent",
                    sdp=sip_sdp(A_IP, 40010, sess=str(3 + n)))
        got = run_peer(lab, {
            "sockets": {"a": ep(A_IP, 40010), "x": ep(X_IP, 40012)},
            "steps": [{"send": "x", "to": ep(DUT_IP4, pb), "count": 10, "ssrc": 0x5454,
                       "interval": 0.002}],
            "linger": 1.0})
        expect(got["a"] == [] and got["x"] == [], f"stranger during hold step {n}: {got}")
        b = wait_leg(gw, "silent", 1, seen(43 + 10 * n))
        expect(b["remote"] == ep(B_IP, 40012) and b["learning"]["state"] == "signalled" and
               b["drop_reasons"].get("unexpected-source") == 40 + 10 * n,
               f"hold step {n}: {b}")
    got = run_peer(lab, {
        "sockets": {"a": ep(A_IP, 40010), "b": ep(B_IP, 40012)},
        "steps": [{"send": "b", "to": ep(DUT_IP4, pb), "count": 10, "ssrc": 0xB3B3,
                   "interval": 0.002}],
        "linger": 1.5})
    check_rtp(got["a"], 0xB3B3, 10, ep(DUT_IP4, pa), "B->A after resume")
    gw.rpc.call("delete", call_id="silent")

    # One-way audio: B never sends; after the window nobody is learned.
    pa, pb = call(gw, "oneway", 40020, 40022, egress="sip-short")
    wait_closed(gw, "oneway", 1, ep(B_IP, 40022))
    got = run_peer(lab, {
        "sockets": {"a": ep(A_IP, 40020), "b": ep(B_IP, 40022), "x": ep(X_IP, 40099)},
        "steps": [
            {"send": "x", "to": ep(DUT_IP4, pb), "count": 20, "ssrc": 0x5353, "interval": 0.002},
            {"send": "a", "to": ep(DUT_IP4, pa), "count": 10, "ssrc": 0xA2A2, "interval": 0.002},
        ],
        "linger": 1.5})
    expect(got["a"] == [] and got["x"] == [], f"stranger after the window: {got}")
    check_rtp(got["b"], 0xA2A2, 10, ep(DUT_IP4, pb), "A->B, signalled address")
    b = wait_leg(gw, "oneway", 1, seen(20))
    expect(b["drop_reasons"].get("source-after-learning-window") == 20 and
           b["remote"] == ep(B_IP, 40022) and b["learning"]["learned"] is None,
           f"one-way leg: {b}")
    gw.rpc.call("delete", call_id="oneway")


def case_nat(gw, lab):
    """B signals 10.99.0.3 but its NAT sends from 10.99.0.9: learned after N
    packets inside the window (heuristic, then delayed), and media for B goes
    there; after the window the same NAT source is refused."""
    for egress, cid, port in (("sip-nat", "nat-h", 40030), ("sip-nat-delayed", "nat-d", 40040)):
        pa, pb = call(gw, cid, port, port + 2, egress=egress)
        got = run_peer(lab, {
            "sockets": {"a": ep(A_IP, port), "b": ep(B_IP, port + 2),
                        "nat": ep(X_IP, port + 8)},
            "steps": [
                {"send": "nat", "to": ep(DUT_IP4, pb), "count": 80, "ssrc": 0xC0C0,
                 "interval": 0.01},
                {"send": "a", "to": ep(DUT_IP4, pa), "count": 20, "ssrc": 0xA3A3,
                 "interval": 0.002},
            ],
            "linger": 1.5})
        b = wait_leg(gw, cid, 1, seen(80))
        learning = b["drop_reasons"].get("source-not-learned-yet", 0)
        expect(b["learning"]["state"] == "learned" and
               b["learning"]["learned"] == ep(X_IP, port + 8) and
               b["remote"] == ep(X_IP, port + 8), f"{egress}: NAT not learned: {b}")
        expect(learning >= 3 and len(got["a"]) == 80 - learning,
               f"{egress}: A got {len(got['a'])}, {learning} dropped while learning")
        expect(all(p["from"] == ep(DUT_IP4, pa) for p in got["a"]), f"{egress}: B->A source")
        check_rtp(got["nat"], 0xA3A3, 20, ep(DUT_IP4, pb), f"{egress}: A->B at the NAT address")
        expect(got["b"] == [], f"{egress}: media still went to the signalled address")
        gw.rpc.call("delete", call_id=cid)

    pa, pb = call(gw, "nat-late", 40050, 40052, egress="sip-short")
    wait_closed(gw, "nat-late", 1, ep(B_IP, 40052))
    got = run_peer(lab, {
        "sockets": {"a": ep(A_IP, 40050), "nat": ep(X_IP, 40058)},
        "steps": [{"send": "nat", "to": ep(DUT_IP4, pb), "count": 20, "ssrc": 0xC1C1,
                   "interval": 0.002}],
        "linger": 1.5})
    b = wait_leg(gw, "nat-late", 1, seen(20))
    expect(got["a"] == [] and b["drop_reasons"].get("source-after-learning-window") == 20 and
           b["learning"]["state"] == "closed", f"NAT after the window: {b}")
    gw.rpc.call("delete", call_id="nat-late")


def case_off(gw, lab):
    """latch off: only the signalled address; another port of the same host is refused."""
    pa, pb = call(gw, "off", 40060, 40062, egress="sip-off")
    got = run_peer(lab, {
        "sockets": {"a": ep(A_IP, 40060), "b": ep(B_IP, 40062), "b2": ep(B_IP, 40064)},
        "steps": [
            {"send": "b2", "to": ep(DUT_IP4, pb), "count": 20, "ssrc": 0xD0D0, "interval": 0.002},
            {"send": "b", "to": ep(DUT_IP4, pb), "count": 10, "ssrc": 0xD1D1, "interval": 0.002},
        ],
        "linger": 1.5})
    check_rtp(got["a"], 0xD1D1, 10, ep(DUT_IP4, pa), "off: signalled B->A")
    b = wait_leg(gw, "off", 1, seen(30))
    expect(b["learning"]["mode"] == "off" and b["drop_reasons"].get("unexpected-source") == 20,
           f"off mode: {b}")
    gw.rpc.call("delete", call_id="off")


def case_reoffer_move(gw, lab):
    """A re-INVITE moves A to a new port while the old port still sends (a real
    phone's overlap): the stream moves at once, the old port's late packets are
    dropped and cannot re-latch; B hears only the new port."""
    for rnd in range(3):
        cid = f"move{rnd}"
        old, new = 40070 + 10 * rnd, 40074 + 10 * rnd
        pa, pb = call(gw, cid, old, old + 2)
        got = run_peer(lab, {
            "sockets": {"a": ep(A_IP, old)},
            "steps": [{"send": "a", "to": ep(DUT_IP4, pa), "count": 5, "ssrc": 0xE0E0}],
            "linger": 1.5})
        a = wait_leg(gw, cid, 0, lambda r: r["learning"]["state"] == "signalled")
        expect(a["learning"]["state"] == "signalled", f"A not fixed: {a}")
        off = gw.rpc.call("offer", call_id=cid, from_tag="fa-" + cid,
                          sdp=sip_sdp(A_IP, new, sess="2"), ingress="sip", egress="sip")
        expect(sdp_media_addr(off["sdp"])[1] == pb, "re-offer changed B's gateway port")
        gw.rpc.call("answer", call_id=cid, from_tag="fa-" + cid, to_tag="fb-" + cid,
                    sdp=sip_sdp(B_IP, old + 2, pts=(0, 8), sess="2"))
        # The worker applies the move between two bursts, before the next packet.
        a = wait_leg(gw, cid, 0, lambda r: r["remote"] == ep(A_IP, new))
        expect(a["remote"] == ep(A_IP, new) and a["learning"]["stale"] == ep(A_IP, old) and
               a["learning"]["state"] == "open", f"A not moved at once: {a}")
        got = run_peer(lab, {
            "sockets": {"a_old": ep(A_IP, old), "a_new": ep(A_IP, new), "b": ep(B_IP, old + 2)},
            "steps": [
                {"send": "b", "to": ep(DUT_IP4, pb), "count": 10, "ssrc": 0xB2B2,
                 "interval": 0.002},
                {"each": [{"send": "a_old", "to": ep(DUT_IP4, pa), "ssrc": 0xE1E1},
                          {"send": "a_new", "to": ep(DUT_IP4, pa), "ssrc": 0xE2E2}],
                 "count": 20, "interval": 0.002},
                {"send": "a_old", "to": ep(DUT_IP4, pa), "count": 10, "ssrc": 0xE1E1,
                 "seq": 20},
            ],
            "linger": 1.5})
        check_rtp(got["a_new"], 0xB2B2, 10, ep(DUT_IP4, pa), "B->A at the new port")
        expect(got["a_old"] == [], "media went to the old port after the re-offer")
        check_rtp(got["b"], 0xE2E2, 20, ep(DUT_IP4, pb), "A->B only from the new port")
        a = wait_leg(gw, cid, 0, seen(55))
        expect(a["remote"] == ep(A_IP, new) and a["learning"]["state"] == "signalled" and
               a["drop_reasons"].get("stale-source-after-move") == 30, f"after overlap: {a}")
        gw.rpc.call("delete", call_id=cid)


def rpc_error(gw, method, **params):
    try:
        gw.rpc.call(method, **params)
    except RpcError as e:
        return e
    raise AssertionError(f"{method} accepted: {params.get('sdp')}")


def case_bad_c(gw, lab):
    """Bad c= lines: the error is -32602 and names the line; no call is left."""
    cases = [
        ("999.1.1.1", "sip", "sdp: line 4: c=: not an IPv4 address"),
        ("pbx.example.com", "sip", "sdp: line 4: c=: not an IPv4 address"),
        ("127.0.0.1", "sip", "127.0.0.1 is a loopback address, refused"),
        ("224.0.0.5", "sip", "224.0.0.5 is a multicast address, refused"),
        ("255.255.255.255", "sip", "is a broadcast address, refused"),
        ("10.99.0.255", "sip", "10.99.0.255 is a broadcast address, refused"),
        (DUT_IP4, "sip", f"{DUT_IP4} is an own (the gateway's) address, refused"),
        ("0.1.2.3", "sip", "0.1.2.3 is an unspecified address, refused"),
        ("240.1.2.3", "sip", "240.1.2.3 is a reserved address, not routable"),
        ("192.0.2.1", "sip", "192.0.2.1 is not routable: outside interface \"lab\""),
        ("::1", "sip", "::1 is a loopback address, refused"),
        ("ff02::1", "sip", "ff02::1 is a multicast address, refused"),
        ("fd00:99::2", "sip", "fd00:99::2 is an own (the gateway's) address, refused"),
        ("2001:db8::1", "sip", "2001:db8::1 is not routable: outside interface \"lab\""),
        ("fd00::1::2", "sip", "sdp: line 4: c=: not an IPv6 address"),
    ]
    for i, (addr, tg, want) in enumerate(cases):
        fam = "IP6" if ":" in addr else "IP4"
        e = rpc_error(gw, "offer", call_id=f"badc{i}", from_tag="f", ingress=tg, egress="sip",
                      sdp=sip_sdp(A_IP, 40200).replace(f"c=IN IP4 {A_IP}", f"c=IN {fam} {addr}"))
        expect(e.code == -32602 and want in e.message and "line 4" in e.message,
               f"c={addr}: {e.code} {e.message!r}, want {want!r}")
    e = rpc_error(gw, "offer", call_id="badc-rtcp", from_tag="f", ingress="sip", egress="sip",
                  sdp=sip_sdp(A_IP, 40200).replace("a=ptime:20", "a=rtcp:40201 IN IP4 999.1.1.1"))
    expect(e.code == -32602 and "a=rtcp: not an IPv4 address" in e.message, f"a=rtcp: {e}")
    # Allowed on a trunk group that says so; 0.0.0.0 is hold, not an error.
    gw.rpc.call("offer", call_id="loop-ok", from_tag="f", ingress="sip-loop", egress="sip",
                sdp=sip_sdp(A_IP, 40210).replace(f"c=IN IP4 {A_IP}", "c=IN IP4 127.0.0.1"))
    gw.rpc.call("delete", call_id="loop-ok")
    gw.rpc.call("offer", call_id="hold-ok", from_tag="f", ingress="sip", egress="sip",
                sdp=sip_sdp(A_IP, 40220).replace(f"c=IN IP4 {A_IP}", "c=IN IP4 0.0.0.0"))
    # A bad answer is refused the same way and the call keeps its offer.
    e = rpc_error(gw, "answer", call_id="hold-ok", from_tag="f", to_tag="t",
                  sdp=sip_sdp(B_IP, 40222).replace(f"c=IN IP4 {B_IP}", "c=IN IP4 999.1.1.1"))
    expect(e.code == -32602 and "line 4: c=: not an IPv4 address" in e.message, f"answer: {e}")
    gw.rpc.call("delete", call_id="hold-ok")
    calls = [c["call_id"] for c in gw.rpc.call("list")["calls"]]
    expect(not any(c.startswith("badc") for c in calls), f"failed offers left calls: {calls}")


CASES = [case_bad_c, case_stranger_first, case_silent_leg, case_nat, case_off, case_reoffer_move]


def config():
    cfg = wrtclab.default_config()
    base = next(t for t in cfg["trunk_groups"] if t["name"] == "sip")
    base.update({"latch": "heuristic", "latch_packets": 4, "latch_window_ms": 8000,
                 "latch_delay_ms": 4000})
    for name, extra in (
            ("sip-short", {"latch_window_ms": 800, "latch_delay_ms": 100}),
            ("sip-nat", {"latch_window_ms": 6000, "latch_delay_ms": 200}),
            ("sip-nat-delayed", {"latch": "delayed", "latch_window_ms": 6000,
                                 "latch_delay_ms": 200}),
            ("sip-off", {"latch": "off"}),
            ("sip-loop", {"allow_connection_addresses": ["loopback"]})):
        tg = dict(base)
        tg.update({"name": name, **extra})
        cfg["trunk_groups"].append(tg)
    return cfg


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    passed = failed = 0
    with wrtclab.Lab() as lab:
        wrtclab.sh("ip", "-n", lab.peer, "addr", "add", X_IP + "/24", "dev", lab.peer_if)
        gw = wrtclab.Gateway(lab, sys.argv[1], config=config()).start()
        try:
            passed, failed = wrtclab.run_cases(CASES, gw, lab)
            rc = gw.stop()
            if rc != 0:
                print(f"FAIL clean_shutdown: wrtcgw exited {rc}")
                failed += 1
        finally:
            if failed:
                print("---- wrtcgw log ----")
                print(gw.log())
            gw.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
