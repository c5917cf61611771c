# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: plain RTP relay through wrtcgw on net_af_packet in
network namespaces, driven over JSON-RPC, with Linux-socket peers.

    sudo python3 test_relay.py PATH_TO_WRTCGW

Exit 77 (skipped) without root. Prints one line per case and a summary.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, DUT_IP6, PEER_IP4, PEER_IP6, RpcError, sip_sdp, sdp_media_addr  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
N = 50


def run_peer(lab, plan):
    r = lab.peer_exec(sys.executable, os.path.join(HERE, "udp_peer.py"), json.dumps(plan),
                      timeout=60)
    return json.loads(r.stdout)


def ep(ip, port):
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def rtp_payloads(rx):
    return [bytes.fromhex(p["hex"]) for p in rx]


def check_rtp(rx, ssrc, count, src, what):
    import udp_peer
    expect(len(rx) == count, f"{what}: {len(rx)} of {count} packets arrived")
    for i, p in enumerate(rx):
        expect(p["from"] == src, f"{what}: packet {i} from {p['from']}, expected {src}")
        want = udp_peer.rtp(i, ssrc, 0, 160)
        expect(bytes.fromhex(p["hex"]) == want, f"{what}: packet {i} payload differs")


def wait_routes(gw, call_id, timeout=5):
    """Wait until the gateway has resolved the next hop (ARP/ND) of every
    signalled address, so the first test packets are not dropped as no-neighbour."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        q = gw.rpc.call("query", call_id=call_id)
        if not any(l["next_hop_pending"] for s in q["streams"] for l in s["legs"]):
            return
        time.sleep(0.05)
    raise AssertionError(f"{call_id}: next hops still unresolved after {timeout}s")


def setup_call(gw, call_id, a_ip, a_port, b_ip, b_port):
    off = gw.rpc.call("offer", call_id=call_id, from_tag="ftag-" + call_id,
                      sdp=sip_sdp(a_ip, a_port), ingress="sip", egress="sip")
    gw_b_addr, gw_b_port = sdp_media_addr(off["sdp"])
    ans = gw.rpc.call("answer", call_id=call_id, from_tag="ftag-" + call_id,
                      to_tag="ttag-" + call_id, sdp=sip_sdp(b_ip, b_port, pts=(0, 101)))
    gw_a_addr, gw_a_port = sdp_media_addr(ans["sdp"])
    wait_routes(gw, call_id)
    return off["sdp"], ans["sdp"], (gw_a_addr, gw_a_port), (gw_b_addr, gw_b_port)


def case_relay_ipv4(gw, lab):
    a_ip, b_ip = PEER_IP4
    offer_out, answer_out, (ga, pa), (gb, pb) = setup_call(gw, "relay4", a_ip, 30000, b_ip, 30002)
    expect(ga == DUT_IP4 and gb == DUT_IP4, f"SDP c= not the gateway's: {ga} {gb}")
    expect(pa % 2 == 0 and pb % 2 == 0 and pa != pb, f"ports {pa} {pb} not distinct even ports")
    expect("a=rtpmap:0 PCMU/8000" in offer_out, "offer lost PCMU")
    expect("RTP/AVP" in offer_out and "a=ice" not in offer_out, "SIP-side offer not plain RTP/AVP")
    got = run_peer(lab, {
        "sockets": {"a": ep(a_ip, 30000), "a_rtcp": ep(a_ip, 30001),
                    "b": ep(b_ip, 30002), "b_rtcp": ep(b_ip, 30003)},
        "steps": [
            {"send": "a", "to": ep(DUT_IP4, pa), "count": N, "ssrc": 0x1111, "interval": 0.002},
            {"send": "b", "to": ep(DUT_IP4, pb), "count": N, "ssrc": 0x2222, "interval": 0.002},
            {"send": "a_rtcp", "to": ep(DUT_IP4, pa + 1), "kind": "rtcp", "count": 3,
             "ssrc": 0x1111},
            {"send": "b_rtcp", "to": ep(DUT_IP4, pb + 1), "kind": "rtcp", "count": 2,
             "ssrc": 0x2222},
        ],
        "linger": 0.5})
    check_rtp(got["b"], 0x1111, N, ep(DUT_IP4, pb), "A->B RTP")
    check_rtp(got["a"], 0x2222, N, ep(DUT_IP4, pa), "B->A RTP")
    expect(len(got["b_rtcp"]) == 3 and all(p["from"] == ep(DUT_IP4, pb + 1) for p in got["b_rtcp"]),
           f"A->B RTCP: {got['b_rtcp']}")
    expect(len(got["a_rtcp"]) == 2 and all(p["from"] == ep(DUT_IP4, pa + 1) for p in got["a_rtcp"]),
           f"B->A RTCP: {got['a_rtcp']}")
    q = gw.rpc.call("query", call_id="relay4")
    expect(q["state"] == "answered", f"query state {q['state']}")
    legs = q["streams"][0]["legs"]
    expect(legs[0]["rtp"]["rx_packets"] == N and legs[0]["rtp"]["tx_packets"] == N,
           f"leg A rtp counters {legs[0]['rtp']}")
    expect(legs[1]["rtp"]["rx_packets"] == N and legs[1]["rtp"]["tx_packets"] == N,
           f"leg B rtp counters {legs[1]['rtp']}")
    expect(legs[0]["rtcp"]["rx_packets"] == 3 and legs[1]["rtcp"]["tx_packets"] == 3,
           f"rtcp counters {legs[0]['rtcp']} {legs[1]['rtcp']}")
    expect(legs[0]["rtp"]["remote"] == ep(a_ip, 30000), f"leg A remote {legs[0]['rtp']['remote']}")
    expect(legs[0]["rtp"]["rx_bytes"] == N * 172, f"rx_bytes {legs[0]['rtp']['rx_bytes']}")
    expect(q["streams"][0].get("codec_mode") == "relay", f"codec mode {q['streams'][0]}")
    lst = gw.rpc.call("list")
    expect(any(c["call_id"] == "relay4" for c in lst["calls"]), "list lacks the call")
    final = gw.rpc.call("delete", call_id="relay4")
    fl = final["streams"][0]["legs"]
    expect(fl[0]["rtp"]["rx_packets"] == N and fl[1]["rtp"]["rx_packets"] == N,
           f"delete final counters {fl}")
    expect(final["state"] == "deleted", "delete state")
    try:
        gw.rpc.call("query", call_id="relay4")
        raise AssertionError("query after delete succeeded")
    except RpcError as e:
        expect("relay4" in e.message, f"query-after-delete error does not name the call: {e}")


def case_latch_nat(gw, lab):
    """B signals port 30012 but is behind a NAT that maps it to 30014."""
    a_ip, b_ip = PEER_IP4
    _, _, (_, pa), (_, pb) = setup_call(gw, "latch", a_ip, 30010, b_ip, 30012)
    got = run_peer(lab, {
        "sockets": {"a": ep(a_ip, 30010), "b_signalled": ep(b_ip, 30012),
                    "b_nat": ep(b_ip, 30014), "x": ep(a_ip, 30016)},
        "steps": [
            # The signalled IP on another port: learned after latch_packets (4).
            {"send": "b_nat", "to": ep(DUT_IP4, pb), "count": 4, "ssrc": 0x3333, "seq": 0},
            {"sleep": 0.3},
            {"send": "a", "to": ep(DUT_IP4, pa), "count": 20, "ssrc": 0x4444, "interval": 0.002},
            # A stranger sending to B's gateway port after the latch is dropped.
            {"send": "x", "to": ep(DUT_IP4, pb), "count": 5, "ssrc": 0x5555},
        ],
        "linger": 0.4})
    check_rtp(got["b_nat"], 0x4444, 20, ep(DUT_IP4, pb), "A->B after latch")
    expect(got["b_signalled"] == [], "media went to the signalled port after latching")
    expect(len(got["a"]) == 1, f"A got {len(got['a'])} packets, expected B's fourth only")
    q = gw.rpc.call("query", call_id="latch")
    b = q["streams"][0]["legs"][1]["rtp"]
    expect(b["latched"] and b["remote"] == ep(b_ip, 30014) and
           b["learning"]["state"] == "learned", f"leg B not latched to NAT port: {b}")
    expect(b["drop_reasons"].get("source-not-learned-yet") == 3, f"learning drops: {b}")
    expect(b["drop_reasons"].get("unexpected-source") == 5, f"stranger not dropped: {b}")
    gw.rpc.call("delete", call_id="latch")


def case_relay_ipv6(gw, lab):
    a_ip, b_ip = PEER_IP6
    _, _, (ga, pa), (gb, pb) = setup_call(gw, "relay6", a_ip, 31000, b_ip, 31002)
    expect(ga == DUT_IP6 and gb == DUT_IP6, f"IPv6 SDP c= not the gateway's: {ga} {gb}")
    got = run_peer(lab, {
        "sockets": {"a": ep(a_ip, 31000), "b": ep(b_ip, 31002)},
        "steps": [
            {"send": "a", "to": ep(DUT_IP6, pa), "count": 20, "ssrc": 0x6666, "interval": 0.002},
            {"send": "b", "to": ep(DUT_IP6, pb), "count": 20, "ssrc": 0x7777, "interval": 0.002},
        ],
        "linger": 0.4})
    check_rtp(got["b"], 0x6666, 20, ep(DUT_IP6, pb), "IPv6 A->B")
    check_rtp(got["a"], 0x7777, 20, ep(DUT_IP6, pa), "IPv6 B->A")
    gw.rpc.call("delete", call_id="relay6")


def case_ping(gw, lab):
    for dst in (DUT_IP4, DUT_IP6):
        r = lab.peer_exec("ping", "-c", "3", "-i", "0.2", "-W", "2", dst, check=False)
        expect(r.returncode == 0, f"ping {dst} failed: {r.stdout} {r.stderr}")
    s = gw.rpc.call("statistics")
    expect(s["slow_path"]["icmp_echo"] >= 6, f"icmp counter {s['slow_path']}")
    expect(s["slow_path"]["arp"] >= 1 and s["slow_path"]["nd"] >= 1, f"arp/nd {s['slow_path']}")


def case_bad_rpc(gw, lab):
    rpc = gw.rpc
    rpc.send_raw("this is not json\n")
    r = rpc.recv_line()
    expect(r.get("error", {}).get("code") == -32700, f"not JSON: {r}")
    r = rpc.call_raw("frobnicate", {})
    expect(r["error"]["code"] == -32601 and "frobnicate" in r["error"]["message"], f"unknown method: {r}")
    r = rpc.call_raw("offer", {"from_tag": "x", "sdp": sip_sdp(PEER_IP4[0], 30000)})
    expect(r["error"]["code"] == -32602 and "call_id" in r["error"]["message"], f"missing call_id: {r}")
    r = rpc.call_raw("offer", {"call_id": "bad", "from_tag": "x", "sdp": "v=0\r\nthis is garbage\r\n"})
    expect(r["error"]["code"] == -32602 and "line" in r["error"]["message"], f"SDP garbage: {r}")
    r = rpc.call_raw("offer", {"call_id": "bad2", "from_tag": "x", "sdp": 42})
    expect(r["error"]["code"] == -32602 and "sdp" in r["error"]["message"], f"sdp type: {r}")
    r = rpc.call_raw("offer", {"call_id": "bad3", "from_tag": "x", "sdp": sip_sdp(PEER_IP4[0], 1),
                               "ingress": "nope"})
    expect("ingress" in r.get("error", {}).get("message", ""), f"bad trunk group: {r}")
    r = rpc.call_raw("answer", {"call_id": "nosuch", "from_tag": "a", "to_tag": "b", "sdp": "v=0\r\n"})
    expect("nosuch" in r.get("error", {}).get("message", ""), f"answer unknown call: {r}")
    lst = rpc.call("list")
    expect(all(c["call_id"] not in ("bad", "bad2", "bad3") for c in lst["calls"]),
           f"failed offers left calls behind: {lst}")


def case_sdes(gw, lab):
    """Plain RTP/AVP caller, SDES-SRTP callee (trunk group sip-sdes): the
    gateway offers RTP/SAVP with a=crypto, decrypts what the callee sends and
    encrypts what it receives; the callee is libsrtp (pylibsrtp)."""
    import base64
    import re
    import subprocess
    if subprocess.run(["/usr/bin/python3", "-c", "import pylibsrtp"],
                      capture_output=True).returncode != 0:
        print("  (pylibsrtp missing: SDES case skipped)")
        return
    a_ip, b_ip = PEER_IP4
    off = gw.rpc.call("offer", call_id="sdes", from_tag="fa", sdp=sip_sdp(a_ip, 33000),
                      ingress="sip", egress="sip-sdes")["sdp"]
    expect("RTP/SAVP" in off, f"SDES offer is not RTP/SAVP:\n{off}")
    m = re.search(r"a=crypto:(\d+) AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)", off)
    expect(m, f"no AES_CM_128_HMAC_SHA1_80 a=crypto line in:\n{off}")
    tag, gw_key = m.group(1), m.group(2)
    _, pb = sdp_media_addr(off)
    b_key = base64.b64encode(bytes(range(1, 31))).decode()
    answer = sip_sdp(b_ip, 33002, pts=(0,)).replace("RTP/AVP", "RTP/SAVP") + \
        f"a=crypto:{tag} AES_CM_128_HMAC_SHA1_80 inline:{b_key}\r\n"
    ans = gw.rpc.call("answer", call_id="sdes", from_tag="fa", to_tag="fb", sdp=answer)["sdp"]
    expect("RTP/AVP" in ans and "a=crypto" not in ans, f"plain side answer:\n{ans}")
    _, pa = sdp_media_addr(ans)
    wait_routes(gw, "sdes")
    n = 30
    b = lab.peer_popen("/usr/bin/python3", os.path.join(HERE, "sdes_peer.py"), b_ip, "33002",
                       DUT_IP4, str(pb), b_key, gw_key, str(n), str(0xBBBB),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE)
    expect(b.stdout.readline() == "ready\n", "SDES peer did not start")
    got = run_peer(lab, {"sockets": {"a": ep(a_ip, 33000)},
                         "steps": [{"sleep": 0.3},
                                   {"send": "a", "to": ep(DUT_IP4, pa), "count": n,
                                    "ssrc": 0xAAAA, "interval": 0.005}],
                         "linger": 3.0})
    out, err = b.communicate(timeout=30)
    res = json.loads(out)
    check_rtp(got["a"], 0xBBBB, n, ep(DUT_IP4, pa), "SDES B->A decrypted")
    import udp_peer
    expect(res["errors"] == 0, f"callee could not unprotect {res['errors']} packets")
    expect([bytes.fromhex(h) for h in res["received"]] ==
           [udp_peer.rtp(i, 0xAAAA, 0, 160) for i in range(n)],
           f"callee decrypted {len(res['received'])} packets, not A's {n}")
    q = gw.rpc.call("query", call_id="sdes")
    legb = q["streams"][0]["legs"][1]
    expect(legb["security"] == "srtp-sdes" and legb["srtp_suite"] == "AES_CM_128_HMAC_SHA1_80",
           f"query security: {legb}")
    gw.rpc.call("delete", call_id="sdes")


def case_telemetry(gw, lab):
    """The same status through DPDK telemetry (what dpdk-telemetry.py shows)."""
    a_ip, b_ip = PEER_IP4
    setup_call(gw, "tele", a_ip, 34000, b_ip, 34002)
    calls = wrtclab.telemetry(gw, "/wrtc/calls")
    expect("tele" in calls, f"/wrtc/calls: {calls}")
    # Numeric dictionaries under the RPC's names ('-' becomes '_', deeper
    # levels are joined with '/', reals are thousandths under name_milli).
    st = wrtclab.telemetry(gw, "/wrtc/statistics")
    rpc_st = gw.rpc.call("statistics")
    expect(st["calls_active"] >= 1 and isinstance(st["drops"]["unexpected_source"], int),
           f"/wrtc/statistics: {st}")
    expect(set(st["drops"]) == {k.replace("-", "_") for k in rpc_st["drops"]},
           "telemetry drop names differ from the RPC's")
    w0 = st["workers/0"]
    expect(isinstance(w0["rx_packets"], int) and isinstance(w0["busy_cycles"], int) and
           0 <= w0["busy_milli"] <= 1000, f"/wrtc/statistics workers/0: {w0}")
    expect(st["slow_path"]["arp"] >= 0 and st["interfaces/0"]["interface"] == "lab",
           f"/wrtc/statistics: {st}")
    call = wrtclab.telemetry(gw, "/wrtc/call,tele")
    expect(isinstance(call, dict) and call["call_id"] == "tele" and call["state"] == "answered",
           f"/wrtc/call: {call}")
    leg0 = call["streams/0"]
    expect(isinstance(leg0["legs/0/rtp/rx_packets"], int) and
           isinstance(call["duration_milli"], int), f"/wrtc/call streams/0: {leg0}")
    pols = wrtclab.telemetry(gw, "/wrtc/policers")
    expect(isinstance(pols.get("stun", {}).get("discarded"), int), f"/wrtc/policers: {pols}")
    # dpdk-telemetry.py (Debian's dpdk-dev package) shows the same.
    if os.path.exists("/usr/bin/dpdk-telemetry.py"):
        r = subprocess.run(["/usr/bin/dpdk-telemetry.py", "-f", gw.file_prefix],
                           input="/wrtc/statistics\n", capture_output=True, text=True,
                           timeout=30)
        expect(r.returncode == 0 and '"calls_active"' in r.stdout,
               f"dpdk-telemetry.py: {r.stdout} {r.stderr}")
    # The operator's view of the same live call.
    ctl = os.path.join(wrtclab.SRC, "tools", "wrtcctl")
    show = subprocess.run(["/usr/bin/python3", ctl, "-s", gw.sock_path, "show", "call", "tele"],
                          capture_output=True, text=True)
    expect(show.returncode == 0, f"wrtcctl show call failed: {show.stderr}")
    for want in ("tele", "answered", f"{DUT_IP4}:", f"{a_ip}:34000", "PCMU", "sip"):
        expect(want in show.stdout, f"wrtcctl show call lacks {want!r}:\n{show.stdout}")
    cap = subprocess.run(["/usr/bin/python3", ctl, "-s", gw.sock_path, "capture", "start", "tele"],
                         capture_output=True, text=True)
    expect(cap.returncode == 0 and ".pcap" in cap.stdout, f"wrtcctl capture: {cap.stdout} {cap.stderr}")
    cap = subprocess.run(["/usr/bin/python3", ctl, "-s", gw.sock_path, "capture", "stop", "tele"],
                         capture_output=True, text=True)
    expect(cap.returncode == 0 and "stopped" in cap.stdout, f"wrtcctl capture stop: {cap.stdout}")
    gw.rpc.call("delete", call_id="tele")


def case_dtls_fallback(gw, lab):
    """A WebRTC trunk group with allow_dtls_fallback takes a plain RTP/AVP
    offer (no DTLS, no ICE) as plain RTP; without it the offer is refused."""
    a_ip, b_ip = PEER_IP4
    try:
        gw.rpc.call("offer", call_id="nofb", from_tag="fa", sdp=sip_sdp(a_ip, 35000),
                    ingress="webrtc", egress="sip")
        raise AssertionError("plain offer accepted on a DTLS-only WebRTC trunk group")
    except RpcError as e:
        expect("fingerprint" in e.message, f"refusal does not name the fingerprint: {e}")
    off = gw.rpc.call("offer", call_id="fb", from_tag="fa", sdp=sip_sdp(a_ip, 35000),
                      ingress="webrtc-fallback", egress="sip")["sdp"]
    _, pb = sdp_media_addr(off)
    ans = gw.rpc.call("answer", call_id="fb", from_tag="fa", to_tag="fb-b",
                      sdp=sip_sdp(b_ip, 35002, pts=(0,)))["sdp"]
    expect("RTP/AVP" in ans and "a=fingerprint" not in ans and "a=ice-ufrag" not in ans,
           f"fallback answer is not plain RTP/AVP:\n{ans}")
    _, pa = sdp_media_addr(ans)
    wait_routes(gw, "fb")
    got = run_peer(lab, {
        "sockets": {"a": ep(a_ip, 35000), "b": ep(b_ip, 35002)},
        "steps": [{"send": "a", "to": ep(DUT_IP4, pa), "count": 20, "ssrc": 0x1010,
                   "interval": 0.002},
                  {"send": "b", "to": ep(DUT_IP4, pb), "count": 20, "ssrc": 0x2020,
                   "interval": 0.002}],
        "linger": 0.5})
    check_rtp(got["b"], 0x1010, 20, ep(DUT_IP4, pb), "fallback A->B")
    check_rtp(got["a"], 0x2020, 20, ep(DUT_IP4, pa), "fallback B->A")
    q = gw.rpc.call("query", call_id="fb")
    expect(q["streams"][0]["legs"][0]["security"] == "none (dtls fallback)",
           f"security: {q['streams'][0]['legs'][0]}")
    gw.rpc.call("delete", call_id="fb")


def case_timeout(gw, lab):
    gw.rpc.call("offer", call_id="idle", from_tag="f", sdp=sip_sdp(PEER_IP4[0], 30020),
                ingress="sip", egress="sip")
    before = gw.rpc.call("statistics")["calls_timed_out"]
    deadline = time.time() + 10
    while time.time() < deadline:
        if not any(c["call_id"] == "idle" for c in gw.rpc.call("list")["calls"]):
            break
        time.sleep(0.5)
    expect(not any(c["call_id"] == "idle" for c in gw.rpc.call("list")["calls"]),
           "idle call not timed out")
    expect(gw.rpc.call("statistics")["calls_timed_out"] >= before + 1, "timed-out counter")


CASES = [case_ping, case_relay_ipv4, case_latch_nat, case_relay_ipv6, case_sdes, case_bad_rpc,
         case_telemetry, case_dtls_fallback, case_timeout]


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    exe = sys.argv[1]
    cfg = wrtclab.default_config()
    cfg["control"]["media_timeout"] = 3
    # An SDES-SRTP SIP trunk besides the default ones.
    cfg["crypto_suite_profiles"].append({"name": "sdes-suites",
                                         "suites": ["AES_CM_128_HMAC_SHA1_80"]})
    psp = dict(next(p for p in cfg["packet_service_profiles"] if p["name"] == "sip-plain"))
    psp.update({"name": "sip-sdes", "srtp": True, "sdes": True,
                "crypto_suite_profile": "sdes-suites"})
    cfg["packet_service_profiles"].append(psp)
    tg = dict(next(t for t in cfg["trunk_groups"] if t["name"] == "sip"))
    tg.update({"name": "sip-sdes", "packet_service_profile": "sip-sdes"})
    cfg["trunk_groups"].append(tg)
    # A WebRTC trunk group that accepts peers without DTLS-SRTP.
    psp = dict(next(p for p in cfg["packet_service_profiles"] if p["name"] == "webrtc"))
    psp.update({"name": "webrtc-fallback", "allow_dtls_fallback": True})
    cfg["packet_service_profiles"].append(psp)
    tg = dict(next(t for t in cfg["trunk_groups"] if t["name"] == "webrtc"))
    tg.update({"name": "webrtc-fallback", "packet_service_profile": "webrtc-fallback"})
    cfg["trunk_groups"].append(tg)
    passed = failed = 0
    with wrtclab.Lab() as lab:
        gw = wrtclab.Gateway(lab, exe, config=cfg, telemetry=True).start()
        try:
            passed, failed = wrtclab.run_cases(CASES, gw, lab)
            rc = gw.stop()
            if rc != 0:
                print(f"FAIL clean_shutdown: wrtcgw exited {rc}")
                failed += 1
            else:
                print("ok   clean_shutdown")
                passed += 1
        finally:
            if failed:
                print("---- wrtcgw log ----")
                print(gw.log())
            gw.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
