# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: a real WebRTC endpoint (aiortc: ICE, DTLS-SRTP) calls a
plain RTP/AVP SIP-side peer through wrtcgw, and the other way round. Audio
is checked by frequency and level at both ends.

    sudo python3 test_webrtc.py PATH_TO_WRTCGW

Exit 77 (skipped) without root or without aiortc for /usr/bin/python3.
"""
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, PEER_IP4, sip_sdp, sdp_media_addr  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
AIORTC_PY = "/usr/bin/python3"
SECONDS = 5
BROWSER_HZ = 440
PHONE_HZ = 1000


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


class Proc:
    """A peer process in the lab's peer namespace, talking JSON lines."""

    def __init__(self, lab, *args):
        self.p = lab.peer_popen(*args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=HERE)

    def send(self, obj):
        self.p.stdin.write(json.dumps(obj) + "\n")
        self.p.stdin.flush()

    def recv(self, timeout=30):
        out = {}

        def read():
            out["line"] = self.p.stdout.readline()
        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(timeout)
        line = out.get("line")
        if not line:
            self.p.kill()
            raise AssertionError(f"peer said nothing: {self.p.stderr.read()[-2000:]}")
        return json.loads(line)

    def wait(self, timeout=60):
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            raise


def sip_peer(lab, ip, port, gw_port):
    return Proc(lab, sys.executable, os.path.join(HERE, "sip_peer.py"), ip, str(port), DUT_IP4,
                str(gw_port), str(SECONDS + 2), str(PHONE_HZ))


def check_capture(gw, call_id):
    """Per-call capture: decrypted RTP of both legs in a pcap that tshark reads."""
    r = gw.rpc.call("capture", call_id=call_id, action="start")
    path = r["file"]
    time.sleep(1.0)
    r = gw.rpc.call("capture", call_id=call_id, action="stop")
    expect(r["packets"] >= 50, f"capture wrote {r['packets']} packets")
    q = gw.rpc.call("query", call_id=call_id)
    ports = [l["port"] for l in q["streams"][0]["legs"]]
    dec = []
    for p in ports:
        dec += ["-d", f"udp.port=={p},rtp"]
    out = subprocess.run(["tshark", "-r", path, *dec, "-T", "fields", "-e", "rtp.version",
                          "-e", "rtp.p_type"], capture_output=True, text=True)
    # One line per packet (RTCP lines have no RTP fields).
    rows = [l.split("\t") for l in out.stdout.splitlines()]
    expect(len(rows) == r["packets"], f"tshark read {len(rows)} of {r['packets']} packets: "
           f"{out.stderr[-500:]}")
    pts = {row[1] for row in rows if len(row) == 2 and row[0] == "2"}
    expect("0" in pts and len(pts) >= 2,
           f"captured RTP payload types {pts}: expected PCMU and the browser's codec, decrypted")
    os.unlink(path)


def check_call(gw, call_id, browser, phone, mode, keep=False):
    time.sleep(SECONDS / 2 + 1)
    if mode == "transcode" and call_id == "b2p-opus" and \
            subprocess.run(["which", "tshark"], capture_output=True).returncode == 0:
        check_capture(gw, call_id)
    q = gw.rpc.call("query", call_id=call_id)
    expect(q["streams"][0]["codec_mode"] == mode, f"codec mode {q['streams'][0]}, expected {mode}")
    legs = q["streams"][0]["legs"]
    web = next(l for l in legs if "ice" in l)
    expect(web["ice"]["state"] in ("connected", "completed"), f"ICE state in query: {web['ice']}")
    expect(web["dtls"]["state"] == "connected", f"DTLS state in query: {web['dtls']}")
    expect(web["security"] == "srtp-terminated" and web["dtls"]["srtp_suite"],
           f"security in query: {web}")
    # The counters the metrics and `wrtcctl show totals` report.
    st = gw.rpc.call("statistics")
    expect(st["dtls_handshakes"] >= 1, f"statistics dtls_handshakes {st['dtls_handshakes']}")
    expect(mode != "transcode" or st["transcoders_created"] >= 2,
           f"statistics transcoders_created {st['transcoders_created']}")
    b = browser.recv(SECONDS + 30)
    ph = phone.recv(SECONDS + 30)
    browser.wait()
    phone.wait()
    print(f"  browser: {b}\n  phone: {ph}")
    expect("connected" in b["connection"], f"aiortc never connected: {b}")
    expect(b["dtls"] == "connected", f"aiortc DTLS state {b['dtls']}")
    expect(b["frames"] >= 40 * (SECONDS - 1), f"aiortc received {b['frames']} audio frames")
    expect(abs(b["freq"] - PHONE_HZ) <= 20 and b["rms"] > 1000,
           f"aiortc heard {b['freq']} Hz at rms {b['rms']:.0f}, expected {PHONE_HZ} Hz")
    expect(ph["received"] >= 40 * (SECONDS - 1), f"SIP peer received {ph['received']} packets")
    expect(ph["payload_types"] == [0], f"SIP peer got payload types {ph['payload_types']}")
    expect(abs(ph["freq"] - BROWSER_HZ) <= 20 and ph["rms"] > 1000,
           f"SIP peer heard {ph['freq']} Hz at rms {ph['rms']:.0f}, expected {BROWSER_HZ} Hz")
    if mode == "transcode":
        # The gateway reports what it really sent on the transcoded SIP leg.
        expect(ph["sr_ssrcs"] and set(ph["sr_ssrcs"]) <= set(ph["rtp_ssrcs"]),
               f"SIP peer got SRs from {ph['sr_ssrcs']}, RTP from {ph['rtp_ssrcs']}")
    final = gw.rpc.call("query" if keep else "delete", call_id=call_id)
    if mode == "transcode":
        sip_leg = next(l for l in final["streams"][0]["legs"] if "ice" not in l)
        expect(0 < ph["sr_packet_counts"][-1] <= sip_leg["rtp"]["tx_packets"],
               f"SR packet counts {ph['sr_packet_counts']}: the phone received "
               f"{ph['received']}, the gateway sent {sip_leg['rtp']['tx_packets']}")
    for leg in final["streams"][0]["legs"]:
        expect(leg["rtp"]["rx_packets"] > 0 and leg["rtp"]["tx_packets"] > 0,
               f"final counters {leg['leg']}: {leg['rtp']}")
    lost = ph["sent"] - final["streams"][0]["legs"][1 if "ice" in final["streams"][0]["legs"][0] else 0]["rtp"]["rx_packets"]
    expect(lost <= ph["sent"] * 0.01, f"{lost} of {ph['sent']} SIP packets not received by the gateway")


def case_browser_calls_phone(gw, lab, codec=None, call_id="b2p", ingress="webrtc"):
    """Relay when the browser offers PCMU; transcode when it offers only Opus."""
    args = [codec] if codec else []
    browser = Proc(lab, AIORTC_PY, os.path.join(HERE, "aiortc_peer.py"), "offer", str(SECONDS),
                   str(BROWSER_HZ), *args)
    offer = browser.recv()["offer"]
    r = gw.rpc.call("offer", call_id=call_id, from_tag="browser", sdp=offer,
                    ingress=ingress, egress="sip")
    sip_offer = r["sdp"]
    expect("RTP/AVP" in sip_offer and "a=ice-ufrag" not in sip_offer and
           "a=fingerprint" not in sip_offer, f"SIP-side offer not plain RTP/AVP:\n{sip_offer}")
    _, gw_port = sdp_media_addr(sip_offer)
    ans = gw.rpc.call("answer", call_id=call_id, from_tag="browser", to_tag="phone",
                      sdp=sip_sdp(PEER_IP4[1], 32002, pts=(0,)))
    web_answer = ans["sdp"]
    lite = ingress == "webrtc"
    expect("UDP/TLS/RTP/SAVPF" in web_answer and ("a=ice-lite" in web_answer) == lite and
           "a=fingerprint:sha-256" in web_answer and "a=setup:active" in web_answer,
           f"WebRTC answer lacks ICE/DTLS lines (ICE lite {lite}):\n{web_answer}")
    phone = sip_peer(lab, PEER_IP4[1], 32002, gw_port)
    if codec == "opus":
        expect("opus/48000" in web_answer and "PCMU" not in web_answer,
               f"WebRTC answer should carry Opus only:\n{web_answer}")
    browser.send({"answer": web_answer})
    if codec is None and lite:
        reoffer_ice_restart(gw, call_id, offer, web_answer)
    check_call(gw, call_id, browser, phone, "transcode" if codec == "opus" else "relay")


def sdp_attr(sdp, name):
    for line in sdp.splitlines():
        if line.startswith(f"a={name}:"):
            return line.split(":", 1)[1].strip()
    return None


def reoffer_ice_restart(gw, call_id, offer, first_answer):
    """A re-offer with new ICE credentials restarts ICE: the gateway answers
    with new credentials of its own, keeps DTLS, and media stays up on the
    old pair (the endpoint here keeps using it)."""
    time.sleep(1.5)
    old_ufrag, old_pwd = sdp_attr(offer, "ice-ufrag"), sdp_attr(offer, "ice-pwd")
    reoffer = offer.replace(old_ufrag, "rst1").replace(old_pwd, "restartpassword0123456789")
    sip = gw.rpc.call("offer", call_id=call_id, from_tag="browser", sdp=reoffer,
                      ingress="webrtc", egress="sip")["sdp"]
    expect("RTP/AVP" in sip, f"SIP-side re-offer:\n{sip}")
    ans = gw.rpc.call("answer", call_id=call_id, from_tag="browser", to_tag="phone",
                      sdp=sip_sdp(PEER_IP4[1], 32002, pts=(0,)))["sdp"]
    new_ufrag = sdp_attr(ans, "ice-ufrag")
    expect(new_ufrag and new_ufrag != sdp_attr(first_answer, "ice-ufrag"),
           f"ICE restart answered with the old ufrag {new_ufrag}")
    expect(sdp_attr(ans, "fingerprint") == sdp_attr(first_answer, "fingerprint"),
           "fingerprint changed on ICE restart")
    q = gw.rpc.call("query", call_id=call_id)
    web = next(l for l in q["streams"][0]["legs"] if "ice" in l)
    expect(web["ice"]["restarts"] == 1, f"restart not counted: {web['ice']}")


def case_browser_calls_phone_transcoded(gw, lab):
    case_browser_calls_phone(gw, lab, "opus", "b2p-opus")


def case_browser_calls_phone_ice_full(gw, lab):
    """The gateway's full ICE agent (controlled: the browser offered)."""
    case_browser_calls_phone(gw, lab, None, "b2p-full", "webrtc-full")


def case_phone_calls_browser_ice_full(gw, lab):
    """The gateway's full ICE agent controlling (it offered), nominating the pair."""
    case_phone_calls_browser(gw, lab, "webrtc-full", "p2b-full")


def case_phone_calls_browser(gw, lab, egress="webrtc", call_id="p2b"):
    r = gw.rpc.call("offer", call_id=call_id, from_tag="phone", sdp=sip_sdp(PEER_IP4[1], 32010),
                    ingress="sip", egress=egress)
    web_offer = r["sdp"]
    expect("UDP/TLS/RTP/SAVPF" in web_offer and "a=setup:actpass" in web_offer and
           ("a=ice-lite" in web_offer) == (egress == "webrtc"), f"WebRTC offer:\n{web_offer}")
    browser = Proc(lab, AIORTC_PY, os.path.join(HERE, "aiortc_peer.py"), "answer", str(SECONDS),
                   str(BROWSER_HZ))
    browser.send({"offer": web_offer})
    web_answer = browser.recv()["answer"]
    ans = gw.rpc.call("answer", call_id=call_id, from_tag="phone", to_tag="browser", sdp=web_answer)
    _, gw_port = sdp_media_addr(ans["sdp"])
    expect("RTP/AVP" in ans["sdp"], f"SIP-side answer:\n{ans['sdp']}")
    phone = sip_peer(lab, PEER_IP4[1], 32010, gw_port)
    mode = "transcode" if "opus" in web_answer.lower() else "relay"
    check_call(gw, call_id, browser, phone, mode)


def stun_request_hex():
    """A STUN Binding request with a USERNAME nobody signalled (no integrity)."""
    import struct
    user = b"flood:nobody"
    attr = struct.pack("!HH", 0x0006, len(user)) + user + b"\0" * ((4 - len(user) % 4) % 4)
    hdr = struct.pack("!HHI", 0x0001, len(attr), 0x2112A442) + bytes(range(12))
    return (hdr + attr).hex()


def case_stun_flood(gw, lab):
    """Issue 9: a STUN flood from a non-candidate address at 10x the policer
    rate stops neither the call's media nor its consent checks."""
    flood_ip = "10.99.0.7"
    browser = Proc(lab, AIORTC_PY, os.path.join(HERE, "aiortc_peer.py"), "offer", str(SECONDS),
                   str(BROWSER_HZ))
    offer = browser.recv()["offer"]
    expect(flood_ip not in offer, "flooder address is a candidate")
    lab.peer_exec("ip", "addr", "add", flood_ip + "/24", "dev", lab.peer_if)
    r = gw.rpc.call("offer", call_id="flood", from_tag="browser", sdp=offer,
                    ingress="webrtc", egress="sip")
    _, gw_sip_port = sdp_media_addr(r["sdp"])
    ans = gw.rpc.call("answer", call_id="flood", from_tag="browser", to_tag="phone",
                      sdp=sip_sdp(PEER_IP4[1], 32020, pts=(0,)))["sdp"]
    _, gw_web_port = sdp_media_addr(ans)
    before = {p["name"]: p for p in gw.rpc.call("policers")["policers"]}
    phone = sip_peer(lab, PEER_IP4[1], 32020, gw_sip_port)
    browser.send({"answer": ans})
    rate = next(p for p in wrtclab.default_config()["policers"] if p["type"] == "stun")["rate"]
    n = int(rate * 10 * (SECONDS - 1))
    flood = Proc(lab, sys.executable, os.path.join(HERE, "udp_peer.py"), json.dumps({
        "sockets": {"x": f"{flood_ip}:40000"},
        "steps": [{"sleep": 1.0},
                  {"send": "x", "to": f"{DUT_IP4}:{gw_web_port}", "kind": "raw",
                   "hex": stun_request_hex(), "count": n, "rate": rate * 10}],
        "linger": 0.1}))
    check_call(gw, "flood", browser, phone, "relay", keep=True)
    flood.wait(SECONDS + 30)
    print(f"  stun policer: {gw.rpc.call('policers')['policers']}")
    after = {p["name"]: p for p in gw.rpc.call("policers")["policers"]}
    stun = after["stun"]
    dropped = stun["discarded"] - before["stun"]["discarded"]
    expect(dropped > n * 0.5, f"STUN policer discarded {dropped} of {n} flood packets: {stun}")
    expect(stun["priority_accepted"] > before["stun"]["priority_accepted"],
           f"no consent checks from the browser's candidate were admitted: {stun}")
    q = gw.rpc.call("query", call_id="flood")
    web = next(l for l in q["streams"][0]["legs"] if "ice" in l)
    expect(web["ice"]["consent"], f"consent lost under the flood: {web['ice']}")
    gw.rpc.call("delete", call_id="flood")


CASES = [case_browser_calls_phone, case_browser_calls_phone_transcoded, case_phone_calls_browser,
         case_browser_calls_phone_ice_full, case_phone_calls_browser_ice_full, case_stun_flood]


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    if subprocess.run([AIORTC_PY, "-c", "import aiortc"], capture_output=True).returncode != 0:
        print("SKIP: aiortc is not installed for /usr/bin/python3 (apt-get install python3-aiortc)")
        return 77
    exe = sys.argv[1]
    passed = failed = 0
    with wrtclab.Lab() as lab:
        cfg = wrtclab.default_config()
        # A second WebRTC trunk group whose gateway side is a full ICE agent.
        full = dict(next(t for t in cfg["trunk_groups"] if t["name"] == "webrtc"))
        full.update({"name": "webrtc-full", "ice": "full"})
        cfg["trunk_groups"].append(full)
        gw = wrtclab.Gateway(lab, exe, config=cfg).start()
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
