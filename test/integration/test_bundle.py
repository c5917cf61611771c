# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: BUNDLE on a terminated WebRTC leg (issue 16). A real
WebRTC endpoint (aiortc, max-bundle: audio and video on one ICE/DTLS/SRTP
transport) and a SIP-side peer with one port per m-line that sends every RTP
packet back. Both directions go through the gateway's demultiplexer: the
browser must hear its own tone and decode its own video back, the
SIP side must see PCMU on its audio port and VP8 on its video port; the SIP side's echo
of the browser's RTCP (PLI included) goes back into the bundle. (The SIP
side rejecting video is tested in test/session: aiortc cannot take an
answer with a rejected m-line.) Last, two such endpoints call each other
with DTLS terminated on both legs, audio and video bundled on each.

    sudo python3 test_bundle.py PATH_TO_WRTCGW

Exit 77 (skipped) without root or without aiortc for /usr/bin/python3.
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrtclab  # noqa: E402
from test_webrtc import AIORTC_PY, Proc, expect  # noqa: E402
from wrtclab import DUT_IP4, PEER_IP4  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SECONDS = 6
HZ = 440


def mlines(sdp):
    """[(kind, port, [pt, ...], {pt: rtpmap})] per m-line."""
    out = []
    for line in sdp.splitlines():
        if line.startswith("m="):
            f = line[2:].split()
            out.append((f[0], int(f[1]), [int(p) for p in f[3:] if p.isdigit()], {}))
        elif line.startswith("a=rtpmap:") and out:
            pt, name = line[9:].split(" ", 1)
            out[-1][3][int(pt)] = name
    return out


def sip_answer(ip, aport, vport, vpt):
    lines = ["v=0", "o=- 5 1 IN IP4 " + ip, "s=-", "c=IN IP4 " + ip, "t=0 0",
             f"m=audio {aport} RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=sendrecv"]
    if vport:
        lines += [f"m=video {vport} RTP/AVP {vpt}", f"a=rtpmap:{vpt} VP8/90000", "a=sendrecv"]
    else:
        lines += [f"m=video 0 RTP/AVP {vpt}"]
    return "\r\n".join(lines) + "\r\n"


def run_call(gw, lab, call_id, video):
    browser = Proc(lab, AIORTC_PY, os.path.join(HERE, "aiortc_av_peer.py"), "offer",
                   str(SECONDS), str(HZ))
    offer = browser.recv()["offer"]
    expect("a=group:BUNDLE 0 1" in offer, f"aiortc did not bundle:\n{offer}")
    sip = gw.rpc.call("offer", call_id=call_id, from_tag="browser", sdp=offer,
                      ingress="webrtc", egress="sip")["sdp"]
    ml = mlines(sip)
    expect(len(ml) == 2 and ml[0][1] != ml[1][1] and "a=group" not in sip and
           "a=mid" not in sip and "a=ssrc" not in sip and "a=extmap" not in sip and
           sip.count("RTP/AVP ") == 2, f"SIP-side offer:\n{sip}")
    vpt = next(pt for pt, name in ml[1][3].items() if name.upper().startswith("VP8/"))
    ans = gw.rpc.call("answer", call_id=call_id, from_tag="browser", to_tag="phone",
                      sdp=sip_answer(PEER_IP4[1], 32100, 32102 if video else 0, vpt))["sdp"]
    wl = mlines(ans)
    if video:
        expect("a=group:BUNDLE 0 1" in ans and wl[0][1] == wl[1][1] != 0,
               f"WebRTC answer not bundled:\n{ans}")
    else:
        expect("a=group:BUNDLE 0\r\n" in ans and wl[1][1] == 0 and wl[0][1] != 0,
               f"WebRTC answer with video rejected:\n{ans}")
    peers = [f"{PEER_IP4[1]}:32100={DUT_IP4}:{ml[0][1]}"]
    if video:
        peers.append(f"{PEER_IP4[1]}:32102={DUT_IP4}:{ml[1][1]}")
    phone = Proc(lab, sys.executable, os.path.join(HERE, "echo_peer.py"), str(SECONDS + 4),
                 *peers)
    browser.send({"answer": ans})
    time.sleep(SECONDS / 2 + 1)
    q = gw.rpc.call("query", call_id=call_id)
    b = browser.recv(SECONDS + 30)
    ph = phone.recv(SECONDS + 30)
    browser.wait()
    phone.wait()
    print(f"  browser: {b}\n  sip: {ph}")
    expect("connected" in b["connection"], f"aiortc never connected: {b}")
    expect(b["audio_frames"] >= 40 * (SECONDS - 2), f"aiortc got {b['audio_frames']} audio frames")
    expect(abs(b["freq"] - HZ) <= 20 and b["rms"] > 1000,
           f"aiortc heard {b['freq']} Hz at rms {b['rms']:.0f}, expected its {HZ} Hz back")
    a = ph[f"{PEER_IP4[1]}:32100"]
    expect(a["rtp"] >= 40 * (SECONDS - 2) and a["payload_types"] == [0],
           f"SIP audio port: {a}")
    web = q["legs"][0]
    if video:
        v = ph[f"{PEER_IP4[1]}:32102"]
        expect(v["rtp"] >= 50 and v["payload_types"] == [vpt], f"SIP video port: {v}")
        # aiortc's own video comes back under another SSRC. aiortc sends a
        # keyframe only at start or on PLI: when its DTLS connects the
        # gateway asks the (echoing) sender for one, and the PLI comes back
        # to aiortc's sender through the echo.
        final = gw.rpc.call("query", call_id=call_id)
        vl = next(l for l in final["streams"][1]["legs"] if l["leg"] == "browser")
        expect(vl["rtp"]["tx_packets"] >= 50 and vl["rtp"].get("keyframe_requests", 0) >= 1,
               f"video sent into the bundle: {vl['rtp']}")
        expect(b["video_frames"] >= 20 and b["width"] > 0,
               f"aiortc decoded {b['video_frames']} video frames ({b['width']}x{b['height']})")
        bd = web.get("bundle")
        expect(bd and bd["mids"] == ["0", "1"] and
               bd["rtp_by"]["mid"] + bd["rtp_by"]["ssrc"] + bd["rtp_by"]["payload_type"] > 0,
               f"query legs[0].bundle: {bd}")
        vl = next(l for l in q["streams"][1]["legs"] if l["leg"] == "browser")
        expect(vl.get("bundled") and vl["rtp"]["rx_packets"] > 0 and
               vl["rtp"]["tx_packets"] > 0, f"video m-line on the WebRTC leg: {vl}")
    else:
        expect(q["streams"][1]["state"] == "rejected", f"video state: {q['streams'][1]}")
        expect(b["video_frames"] == 0, f"aiortc decoded video although rejected: {b}")
    gw.rpc.call("delete", call_id=call_id)


def case_browser_bundle_av(gw, lab):
    run_call(gw, lab, "bun-av", True)


def case_browser_to_browser_av(gw, lab):
    """WebRTC <-> WebRTC terminated (DTLS at the gateway on each leg), audio
    and video bundled on both legs: each endpoint decodes the other's video
    and hears the other's tone."""
    hz2 = 880
    b1 = Proc(lab, AIORTC_PY, os.path.join(HERE, "aiortc_av_peer.py"), "offer",
              str(SECONDS), str(HZ))
    offer = b1.recv()["offer"]
    o2 = gw.rpc.call("offer", call_id="bun-b2b", from_tag="b1", sdp=offer,
                     ingress="webrtc", egress="webrtc")["sdp"]
    ml = mlines(o2)
    expect("a=group:BUNDLE 0 1" in o2 and ml[0][1] == ml[1][1] != 0,
           f"offer to the second browser not bundled:\n{o2}")
    b2 = Proc(lab, AIORTC_PY, os.path.join(HERE, "aiortc_av_peer.py"), "answer",
              str(SECONDS), str(hz2))
    b2.send({"offer": o2})
    a2 = b2.recv()["answer"]
    a1 = gw.rpc.call("answer", call_id="bun-b2b", from_tag="b1", to_tag="b2", sdp=a2)["sdp"]
    expect("a=group:BUNDLE 0 1" in a1, f"answer to the first browser not bundled:\n{a1}")
    b1.send({"answer": a1})
    time.sleep(SECONDS / 2 + 1)
    q = gw.rpc.call("query", call_id="bun-b2b")
    r1 = b1.recv(SECONDS + 30)
    r2 = b2.recv(SECONDS + 30)
    b1.wait()
    b2.wait()
    print(f"  b1: {r1}\n  b2: {r2}")
    expect(q["relay"]["mode"] == "terminated", f"relay: {q['relay']}")
    for r, hz in ((r1, hz2), (r2, HZ)):
        expect("connected" in r["connection"], f"not connected: {r}")
        expect(abs(r["freq"] - hz) <= 20 and r["rms"] > 1000, f"heard {r['freq']} Hz, not {hz}")
        expect(r["video_frames"] >= 20, f"decoded {r['video_frames']} video frames")
    for l in (0, 1):
        bd = q["legs"][l].get("bundle")
        expect(bd and bd["mids"] == ["0", "1"], f"legs[{l}].bundle: {bd}")
    gw.rpc.call("delete", call_id="bun-b2b")


CASES = [case_browser_bundle_av, case_browser_to_browser_av]


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    if subprocess.run([AIORTC_PY, "-c", "import aiortc"], capture_output=True).returncode != 0:
        print("SKIP: aiortc is not installed for /usr/bin/python3 (apt-get install python3-aiortc)")
        return 77
    passed = failed = 0
    with wrtclab.Lab() as lab:
        gw = wrtclab.Gateway(lab, sys.argv[1], config=wrtclab.default_config()).start()
        try:
            passed, failed = wrtclab.run_cases(CASES, gw, lab)
        finally:
            if failed:
                print("---- wrtcgw log ----")
                print(gw.log())
            gw.stop()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
