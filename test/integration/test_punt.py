# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: every punted class is policed. While a WebRTC call is up
(aiortc checking consent every 0.2 s, a SIP peer on the other leg), the peer
namespace floods the gateway at 10x the configured rates with ICMP echo
requests, ARP requests and STUN from the browser's own address on another
port. The call's consent checks are all answered, its media is intact, the
discard counters of the policers grow, and echo and ARP replies stay within
their policers' rates. Then ICMPv6 echo and neighbour solicitations at 10x
their rates: the replies stay within the rates too.

    sudo python3 test_punt.py PATH_TO_WRTCGW

Exit 77 (skipped) without root or without aiortc for /usr/bin/python3.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrtclab  # noqa: E402
from test_webrtc import AIORTC_PY, BROWSER_HZ, PHONE_HZ, Proc, expect  # noqa: E402
from wrtclab import DUT_IP4, DUT_IP6, PEER_IP4, sip_sdp, sdp_media_addr  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CALL_SECONDS = 10     # media after the browser connected
FLOOD_SECONDS = 5
CONSENT_INTERVAL = 0.2
FLOOD_SRC = "10.99.0.7"

# Low rates, so 10x of them is a flood a Python sender keeps up on a loaded
# machine; what is tested is the ratio, not the absolute rate.
POLICERS = [
    {"name": "stun", "type": "stun", "bucket": 40, "rate": 100, "priority_rate": 400,
     "pair_rate": 400},
    {"name": "dtls", "type": "dtls", "bucket": 40, "rate": 100, "priority_rate": 400},
    {"name": "arp", "type": "arp", "bucket": 20, "rate": 100},
    {"name": "nd", "type": "nd", "bucket": 20, "rate": 100},
    {"name": "icmp", "type": "icmp", "bucket": 20, "rate": 100},
]


def pol(name):
    return next(p for p in POLICERS if p["name"] == name)


def policers(gw):
    return {p["name"]: p for p in gw.rpc.call("policers")["policers"]}


def wait_for(what, cond, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def web_leg(gw, call_id):
    q = gw.rpc.call("query", call_id=call_id)
    return next(l for l in q["streams"][0]["legs"] if "ice" in l)


def flood(lab, plan):
    return Proc(lab, sys.executable, os.path.join(HERE, "flood_peer.py"), json.dumps(plan))


def check_replies(name, res, before, after):
    """Replies are bounded by the policer (rate x time + bucket, 10 % for the
    sender's clock and the first/last packet), and the rest was discarded."""
    p = pol(name)
    bound = p["rate"] * res["seconds"] * 1.1 + p["bucket"] + 5
    expect(res["replies"] <= bound,
           f"{name}: {res['replies']} replies to {res['sent']} requests in "
           f"{res['seconds']:.2f} s, limit {bound:.0f}")
    # At least a full bucket is answered; how much of the sustained rate gets
    # back depends on CPU time the loaded machine gives both ends.
    expect(res["replies"] >= min(res["sent"], p["bucket"]),
           f"{name}: only {res['replies']} replies in {res['seconds']:.2f} s at "
           f"rate {p['rate']}, bucket {p['bucket']}")
    discarded = after[name]["discarded"] - before[name]["discarded"]
    expect(discarded >= res["sent"] - res["replies"] - p["bucket"] - 5 and
           discarded >= res["sent"] * 0.5,
           f"{name}: policer discarded {discarded} of {res['sent']}: {after[name]}")


def case_floods_during_call(gw, lab):
    env = ["env", f"WRTC_CONSENT_INTERVAL={CONSENT_INTERVAL}"]
    browser = Proc(lab, *env, AIORTC_PY, os.path.join(HERE, "aiortc_peer.py"), "offer",
                   str(CALL_SECONDS), str(BROWSER_HZ))
    offer = browser.recv()["offer"]
    r = gw.rpc.call("offer", call_id="punt", from_tag="browser", sdp=offer,
                    ingress="webrtc", egress="sip")
    _, gw_sip_port = sdp_media_addr(r["sdp"])
    ans = gw.rpc.call("answer", call_id="punt", from_tag="browser", to_tag="phone",
                      sdp=sip_sdp(PEER_IP4[1], 32030, pts=(0,)))["sdp"]
    _, gw_web_port = sdp_media_addr(ans)
    phone = Proc(lab, sys.executable, os.path.join(HERE, "sip_peer.py"), PEER_IP4[1], "32030",
                 DUT_IP4, str(gw_sip_port), str(CALL_SECONDS + 2), str(PHONE_HZ))
    browser.send({"answer": ans})
    # The call is established once DTLS is up and the worker holds the pair.
    wait_for("DTLS and the selected pair",
             lambda: web_leg(gw, "punt")["dtls"]["state"] == "connected" and
             policers(gw)["stun"]["pairs"] == 1)
    sel = web_leg(gw, "punt")["ice"]["selected_remote"]
    browser_ip, browser_port = sel.rsplit(":", 1)
    expect(browser_ip in offer, f"selected remote {sel} is not the browser's candidate")
    before = policers(gw)
    stats0 = gw.rpc.call("statistics")

    floods = {
        "stun": flood(lab, {"kind": "stun", "src": f"{browser_ip}:0",
                            "to": f"{DUT_IP4}:{gw_web_port}",
                            "rate": 10 * pol("stun")["priority_rate"],
                            "count": 10 * pol("stun")["priority_rate"] * FLOOD_SECONDS}),
        "icmp": flood(lab, {"kind": "icmp", "to": DUT_IP4, "rate": 10 * pol("icmp")["rate"],
                            "count": 10 * pol("icmp")["rate"] * FLOOD_SECONDS}),
        "arp": flood(lab, {"kind": "arp", "dev": lab.peer_if, "src": FLOOD_SRC, "to": DUT_IP4,
                           "rate": 10 * pol("arp")["rate"],
                           "count": 10 * pol("arp")["rate"] * FLOOD_SECONDS}),
    }
    res = {k: f.recv(FLOOD_SECONDS + 60) for k, f in floods.items()}
    for f in floods.values():
        f.wait()
    after = policers(gw)
    stats1 = gw.rpc.call("statistics")
    print(f"  floods: {res}")
    print(f"  policers: {json.dumps(after)}")

    b = browser.recv(CALL_SECONDS + 30)
    ph = phone.recv(CALL_SECONDS + 30)
    browser.wait()
    phone.wait()
    print(f"  browser: {b}\n  phone: {ph}")

    # The call's consent checks: every one answered by the gateway.
    c = b["consent"]
    expect(c["sent"] >= CALL_SECONDS / CONSENT_INTERVAL / 2,
           f"browser sent only {c['sent']} consent checks")
    expect(c["answered"] == c["sent"], f"consent checks answered: {c}")
    stun0, stun1 = before["stun"], after["stun"]
    expect(stun1["pair_discarded"] == stun0["pair_discarded"],
           f"consent checks of the selected pair discarded: {stun1}")
    expect(stun1["pair_accepted"] - stun0["pair_accepted"] >=
           FLOOD_SECONDS / CONSENT_INTERVAL / 2,
           f"pair class admitted {stun1['pair_accepted'] - stun0['pair_accepted']} "
           f"during the flood: {stun1}")
    share0 = stats0["punt_share_full"]
    share1 = stats1["punt_share_full"]
    expect(share1["pair"] == share0["pair"], f"punt ring share of pairs exhausted: {share1}")
    # The flood from the browser's address matched its candidate (priority
    # class) and was cut to that rate.
    prio = stun1["priority_discarded"] - stun0["priority_discarded"]
    expect(prio >= res["stun"]["sent"] * 0.5,
           f"STUN flood: priority class discarded {prio} of {res['stun']['sent']}: {stun1}")
    check_replies("icmp", res["icmp"], before, after)
    check_replies("arp", res["arp"], before, after)

    # Media intact both ways, consent still given.
    expect("connected" in b["connection"] and b["connection"][-1] != "failed",
           f"aiortc connection states {b['connection']}")
    expect(b["frames"] >= 40 * (CALL_SECONDS - 1), f"aiortc received {b['frames']} frames")
    expect(abs(b["freq"] - PHONE_HZ) <= 20 and b["rms"] > 1000,
           f"aiortc heard {b['freq']} Hz at rms {b['rms']:.0f}")
    expect(ph["received"] >= 40 * (CALL_SECONDS - 1), f"SIP peer received {ph['received']}")
    expect(abs(ph["freq"] - BROWSER_HZ) <= 20 and ph["rms"] > 1000,
           f"SIP peer heard {ph['freq']} Hz at rms {ph['rms']:.0f}")
    final = gw.rpc.call("delete", call_id="punt")
    sip_leg = next(l for l in final["streams"][0]["legs"] if "ice" not in l)
    lost = ph["sent"] - sip_leg["rtp"]["rx_packets"]
    expect(lost <= ph["sent"] * 0.01, f"{lost} of {ph['sent']} SIP packets lost")


def case_ipv6_floods(gw, lab):
    """ICMPv6 echo and neighbour solicitations at 10x their rates: replies
    within the policers' rates, the rest discarded."""
    before = policers(gw)
    floods = {
        "icmp": flood(lab, {"kind": "icmp6", "to": DUT_IP6, "rate": 10 * pol("icmp")["rate"],
                            "count": 10 * pol("icmp")["rate"] * FLOOD_SECONDS // 2}),
        "nd": flood(lab, {"kind": "nd", "dev": lab.peer_if, "to": DUT_IP6,
                          "rate": 10 * pol("nd")["rate"],
                          "count": 10 * pol("nd")["rate"] * FLOOD_SECONDS // 2}),
    }
    res = {k: f.recv(FLOOD_SECONDS + 60) for k, f in floods.items()}
    for f in floods.values():
        f.wait()
    after = policers(gw)
    print(f"  floods: {res}")
    check_replies("icmp", res["icmp"], before, after)
    check_replies("nd", res["nd"], before, after)


CASES = [case_floods_during_call, case_ipv6_floods]


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    if subprocess.run([AIORTC_PY, "-c", "import aiortc"], capture_output=True).returncode != 0:
        print("SKIP: aiortc is not installed for /usr/bin/python3")
        return 77
    exe = sys.argv[1]
    passed = failed = 0
    with wrtclab.Lab() as lab:
        cfg = wrtclab.default_config()
        cfg["policers"] = [p for p in cfg["policers"] if p["type"] == "link-data"] + POLICERS
        gw = wrtclab.Gateway(lab, exe, config=cfg).start()
        try:
            passed, failed = wrtclab.run_cases(CASES, gw, lab)
        finally:
            if failed:
                print("---- wrtcgw log ----")
                print(gw.log()[-20000:])
            gw.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
