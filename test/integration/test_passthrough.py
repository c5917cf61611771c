# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: WebRTC <-> WebRTC pass-through (srtp_relay, sctp_relay).
Two real WebRTC endpoints (aiortc) call each other through wrtcgw:

- pass-through: each one's DTLS peer is the other (the fingerprint it checked
  is the other's own), audio tones arrive both ways, 1 KB and 64 KB
  data-channel messages are echoed intact both ways, and `query` shows no
  SRTP context, the legs relayed end to end and the DTLS records seen;
- a stranger's flood of DTLS records to a pass-through port is dropped and
  counted while the call goes on;
- fallback: the same profile towards a SIP trunk terminates DTLS (reason in
  `query`), and the data channel offered is rejected with port 0.

    sudo python3 test_passthrough.py PATH_TO_WRTCGW

Exit 77 (skipped) without root or without aiortc for /usr/bin/python3.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, PEER_IP4, sip_sdp, sdp_media_addr  # noqa: E402
from test_webrtc import Proc, expect, sip_peer, AIORTC_PY, PHONE_HZ  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SECONDS = 6
A_HZ, B_HZ = 440, 660


def peer(lab, role, hz, *extra):
    return Proc(lab, AIORTC_PY, os.path.join(HERE, "e2e_peer.py"), role, str(SECONDS), str(hz),
                *extra)


def fp_of(sdp):
    for line in sdp.splitlines():
        if line.startswith("a=fingerprint:"):
            return line.split(":", 1)[1].strip().upper()
    return None


def dtls_record_hex():
    """A DTLS 1.2 handshake record (a ClientHello header, garbage body)."""
    body = bytes(range(40))
    return (bytes([22, 0xfe, 0xfd]) + bytes(8) + len(body).to_bytes(2, "big") + body).hex()


def start_call(gw, lab, call_id, tg="webrtc-e2e"):
    e2e = tg == "webrtc-e2e"
    a = peer(lab, "offer", A_HZ)
    offer = a.recv()["offer"]
    # The answerer's leg has a full ICE agent on the gateway (controlling): aiortc
    # picks its SCTP role from its ICE role, so one endpoint must be controlled.
    r = gw.rpc.call("offer", call_id=call_id, from_tag="a", sdp=offer, ingress=tg,
                    egress=tg + "-full")
    b_offer = r["sdp"]
    expect((fp_of(b_offer) == fp_of(offer)) == e2e,
           f"offer to B: A's fingerprint passed through is {not e2e}:\n{b_offer}")
    expect("m=application" in b_offer and ("a=sctp-port" in b_offer or "a=sctpmap" in b_offer),
           f"data channel not offered on:\n{b_offer}")
    b = peer(lab, "answer", B_HZ)
    b.send({"offer": b_offer})
    answer = b.recv()["answer"]
    r = gw.rpc.call("answer", call_id=call_id, from_tag="a", to_tag="b", sdp=answer)
    a_answer = r["sdp"]
    expect((fp_of(a_answer) == fp_of(answer)) == e2e,
           f"answer to A: B's fingerprint passed through is {not e2e}:\n{a_answer}")
    a.send({"answer": a_answer})
    if os.environ.get("WRTC_TEST_VERBOSE"):
        print(f"---- offer A->gw\n{offer}\n---- gw->B\n{b_offer}\n---- B->gw\n{answer}\n"
              f"---- gw->A\n{a_answer}")
    _, a_port = sdp_media_addr(a_answer)
    return a, b, a_port, fp_of(a_answer)


def finish_call(gw, call_id, a, b, gw_fp=None):
    ra, rb = a.recv(SECONDS + 60), b.recv(SECONDS + 60)
    q = gw.rpc.call("query", call_id=call_id)
    if os.environ.get("WRTC_TEST_VERBOSE"):
        print(json.dumps(q, indent=1))
        print(json.dumps(gw.rpc.call("statistics"), indent=1))
    a.wait()
    b.wait()
    print(f"  A: {ra}\n  B: {rb}")
    for name, r, other, hz in (("A", ra, rb, B_HZ), ("B", rb, ra, A_HZ)):
        expect(r["dtls"] == "connected", f"{name}: DTLS {r['dtls']}")
        if gw_fp is None:
            expect(r["remote_fp"] == other["local_fp"],
                   f"{name}'s DTLS peer fingerprint {r['remote_fp']} is not the other "
                   f"endpoint's {other['local_fp']}")
        else:
            expect(r["remote_fp"] == gw_fp and gw_fp != other["local_fp"],
                   f"{name}'s DTLS peer fingerprint {r['remote_fp']} is not the gateway's "
                   f"{gw_fp}")
        expect(r["frames"] >= 40 * (SECONDS - 2), f"{name} received {r['frames']} audio frames")
        expect(abs(r["freq"] - hz) <= 20 and r["rms"] > 1000,
               f"{name} heard {r['freq']} Hz at rms {r['rms']:.0f}, expected {hz} Hz")
        expect(r["echoed"] == ["1024", "65536"], f"{name}: messages echoed intact: {r['echoed']}")
    return q


def check_query(q):
    expect(q["relay"]["mode"] == "end_to_end", f"relay: {q['relay']}")
    expect(q["relay"]["data_channel"] == "relayed end to end", f"relay: {q['relay']}")
    for s in q["streams"]:
        for leg in s["legs"]:
            expect(not leg["srtp_context"], f"SRTP context on a pass-through leg: {leg}")
            expect(leg["security"] == "relayed end to end", f"security: {leg['security']}")
    legs = q["streams"][0]["legs"]
    for leg in legs:
        d = leg["dtls"]
        expect(d["terminated"] is False and d["handshake"] >= 2 and d["application_data"] > 0,
               f"DTLS as seen on leg {leg['leg']}: {d}")
        expect(leg["rtp"]["rx_packets"] > 100 and leg["rtp"]["tx_packets"] > 100,
               f"counters of leg {leg['leg']}: {leg['rtp']}")


def case_passthrough(gw, lab):
    a, b, _, _ = start_call(gw, lab, "e2e")
    q = finish_call(gw, "e2e", a, b)
    check_query(q)
    gw.rpc.call("delete", call_id="e2e")


def case_dtls_flood(gw, lab):
    """A stranger's DTLS records to A's pass-through port: dropped, counted, the call goes on."""
    stranger = "10.99.0.9"
    lab.peer_exec("ip", "addr", "add", stranger + "/24", "dev", lab.peer_if)
    a, b, a_port, _ = start_call(gw, lab, "e2e-flood")
    n = 3000
    flood = Proc(lab, sys.executable, os.path.join(HERE, "udp_peer.py"), json.dumps({
        "sockets": {"x": f"{stranger}:40001"},
        "steps": [{"sleep": 1.0},
                  {"send": "x", "to": f"{DUT_IP4}:{a_port}", "kind": "raw",
                   "hex": dtls_record_hex(), "count": n, "rate": 1000}],
        "linger": 0.1}))
    q = finish_call(gw, "e2e-flood", a, b)
    flood.wait(SECONDS + 30)
    check_query(q)
    q = gw.rpc.call("query", call_id="e2e-flood")
    leg_a = next(l for l in q["streams"][0]["legs"] if l["port"] == a_port)
    drops = leg_a["rtp"]["drop_reasons"]
    dropped = drops.get("unexpected-source", 0) + drops.get("policed", 0)
    expect(dropped >= n * 0.9, f"{dropped} of {n} stranger DTLS records dropped: {drops}")
    gw.rpc.call("delete", call_id="e2e-flood")


def case_terminated_datachannel(gw, lab):
    """sctp_relay without srtp_relay: each leg's DTLS ends at the gateway (the
    endpoints see its fingerprint), and the data channel's SCTP is forwarded
    between the two associations: the same messages arrive intact."""
    a, b, _, gw_fp = start_call(gw, lab, "dc-term", "webrtc-dc")
    q = finish_call(gw, "dc-term", a, b, gw_fp)
    expect(q["relay"]["mode"] == "terminated" and
           q["relay"]["data_channel"].startswith("forwarded"), f"relay: {q['relay']}")
    # Audio and the data channel share the bundled transport (m-line 0).
    expect(any(s["type"] == "application" and s["state"] == "active" for s in q["streams"]),
           f"no active data-channel m-line: {q['streams']}")
    dc = q["streams"][0]
    for leg in dc["legs"]:
        expect(leg["dtls"]["state"] == "connected" and leg["srtp_context"],
               f"transport leg {leg['leg']}: DTLS {leg['dtls']}")
        expect(leg["data_channel"]["forwarded_packets"] > 10 and
               leg["data_channel"]["forwarded_bytes"] > 65536 // 2,
               f"data channel leg {leg['leg']}: {leg['data_channel']}")
    gw.rpc.call("delete", call_id="dc-term")


def case_datachannel_to_sip(gw, lab):
    """A real offer with a data channel towards a SIP trunk: the data channel is
    rejected with port 0 on both sides, the audio m-line goes on, and srtp_relay
    is ignored with its reason in query. (aiortc cannot apply an answer with a
    rejected m-line that has no ICE credentials, so media flow is checked by
    case_fallback_to_sip.)"""
    a = peer(lab, "offer", A_HZ)
    offer = a.recv()["offer"]
    a.p.kill()
    r = gw.rpc.call("offer", call_id="e2e-dc-sip", from_tag="a", sdp=offer,
                    ingress="webrtc-e2e", egress="sip")
    sip_offer = r["sdp"]
    expect("m=application 0 " in sip_offer and "m=audio 0 " not in sip_offer,
           f"data channel not rejected towards SIP:\n{sip_offer}")
    ans = gw.rpc.call("answer", call_id="e2e-dc-sip", from_tag="a", to_tag="phone",
                      sdp=sip_sdp(PEER_IP4[1], 32030, pts=(0,)) +
                      "m=application 0 DTLS/SCTP 5000\r\n")["sdp"]
    expect("m=application 0 " in ans and "m=audio 0 " not in ans,
           f"answer to the browser:\n{ans}")
    q = gw.rpc.call("query", call_id="e2e-dc-sip")
    expect(q["streams"][0]["state"] == "active" and q["streams"][1]["state"] == "rejected",
           f"streams: {[s['state'] for s in q['streams']]}")
    expect(q["relay"]["mode"] == "terminated" and "not a WebRTC" in q["relay"]["reason"],
           f"relay: {q['relay']}")
    expect("rejected" in q["relay"]["data_channel"], f"relay: {q['relay']}")
    gw.rpc.call("delete", call_id="e2e-dc-sip")


def case_fallback_to_sip(gw, lab):
    """srtp_relay towards a SIP trunk: ignored (reason in query), DTLS terminated at
    the gateway as before, audio both ways."""
    a = peer(lab, "offer", A_HZ, "nodata")
    offer = a.recv()["offer"]
    r = gw.rpc.call("offer", call_id="e2e-sip", from_tag="a", sdp=offer, ingress="webrtc-e2e",
                    egress="sip")
    sip_offer = r["sdp"]
    _, gw_port = sdp_media_addr(sip_offer)
    ans = gw.rpc.call("answer", call_id="e2e-sip", from_tag="a", to_tag="phone",
                      sdp=sip_sdp(PEER_IP4[1], 32030, pts=(0,)))["sdp"]
    expect(fp_of(ans) != fp_of(offer), "the browser is given its own fingerprint back")
    phone = sip_peer(lab, PEER_IP4[1], 32030, gw_port)
    a.send({"answer": ans})
    q = gw.rpc.call("query", call_id="e2e-sip")
    expect(q["relay"]["mode"] == "terminated" and "not a WebRTC" in q["relay"]["reason"],
           f"relay: {q['relay']}")
    ra = a.recv(SECONDS + 60)
    ph = phone.recv(SECONDS + 60)
    a.wait()
    phone.wait()
    print(f"  A: {ra}\n  phone: {ph}")
    expect(ra["dtls"] == "connected" and ra["remote_fp"] == fp_of(ans), f"A: {ra}")
    expect(abs(ra["freq"] - PHONE_HZ) <= 20 and ra["rms"] > 1000, f"A heard {ra['freq']} Hz")
    expect(ph["received"] >= 40 * (SECONDS - 2) and abs(ph["freq"] - A_HZ) <= 20,
           f"phone: {ph}")
    q = gw.rpc.call("delete", call_id="e2e-sip")
    web = next(l for l in q["streams"][0]["legs"] if "ice" in l)
    expect(web["security"] == "srtp-terminated" and web["srtp_context"],
           f"security {web['security']}")


CASES = [case_passthrough, case_dtls_flood, case_terminated_datachannel, case_datachannel_to_sip,
         case_fallback_to_sip]


def config():
    cfg = wrtclab.default_config()
    psp = dict(next(p for p in cfg["packet_service_profiles"] if p["name"] == "webrtc"))
    psp.update({"name": "webrtc-e2e", "srtp_relay": True, "sctp_relay": True})
    cfg["packet_service_profiles"].append(psp)
    tg = dict(next(t for t in cfg["trunk_groups"] if t["name"] == "webrtc"))
    tg.update({"name": "webrtc-e2e", "packet_service_profile": "webrtc-e2e"})
    cfg["trunk_groups"].append(tg)
    full = dict(tg)
    full.update({"name": "webrtc-e2e-full", "ice": "full"})
    cfg["trunk_groups"].append(full)
    # Data channels with DTLS terminated on each leg (sctp_relay only).
    psp = dict(psp)
    psp.update({"name": "webrtc-dc", "srtp_relay": False})
    cfg["packet_service_profiles"].append(psp)
    for name, ice in (("webrtc-dc", "lite"), ("webrtc-dc-full", "full")):
        t = dict(tg)
        t.update({"name": name, "ice": ice, "packet_service_profile": "webrtc-dc"})
        cfg["trunk_groups"].append(t)
    return cfg


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    if subprocess.run([AIORTC_PY, "-c", "import aiortc"], capture_output=True).returncode != 0:
        print("SKIP: aiortc is not installed for /usr/bin/python3 (apt-get install python3-aiortc)")
        return 77
    exe = sys.argv[1]
    only = sys.argv[2:]
    passed = failed = 0
    with wrtclab.Lab() as lab:
        gw = wrtclab.Gateway(lab, exe, config=config()).start()
        try:
            passed, failed = wrtclab.run_cases(CASES, gw, lab, only=only)
        finally:
            if failed:
                print("---- wrtcgw log ----")
                print(gw.log()[-20000:])
            gw.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
