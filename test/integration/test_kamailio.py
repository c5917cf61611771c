# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: the real Kamailio (Debian's kamailio, rtpengine module)
drives wrtcgw over the ng protocol; sipp calls through it.

    sudo python3 test_kamailio.py PATH_TO_WRTCGW

The gateway and Kamailio share the DUT namespace (ng on its loopback);
sipp's UAC and UAS are in the peer namespace, signalling over a second veth
pair, media over the gateway's link. Cases:

  sip-to-sip: UAC -> Kamailio -> UAS, RTP (g711a.pcap) through wrtcgw both
    ways (the UAS echoes), BYE deletes the call. Every first ng reply is
    dropped on its way to Kamailio, so each command is retransmitted with
    the same cookie: still exactly one call, answered from the reply cache.
  retransmit: the same offer datagram twice before reading: identical
    replies, one call.

Exit 77 (skipped) without root or without kamailio/sipp.
"""
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrtclab  # noqa: E402
from wrtclab import PEER_IP4, NgClient, bdecode, bencode, sip_sdp, socket_in_netns  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NG_PORT = 2223
RELAY_PORT = 2230


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def wait_for(fn, timeout, what, interval=0.1):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class DropFirstReply(threading.Thread):
    """A UDP relay in the DUT namespace between Kamailio and the gateway's ng
    socket that drops the first reply of every cookie."""

    def __init__(self, ns, listen_port, ng_port):
        super().__init__(daemon=True)
        self.front = socket_in_netns(ns)
        self.front.bind(("127.0.0.1", listen_port))
        self.back = socket_in_netns(ns)
        self.back.connect(("127.0.0.1", ng_port))
        self.clients = {}
        self.seen = set()
        self.dropped = []
        self.requests = []
        self.forwarded = 0
        self.stop_ev = threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            r, _, _ = select.select([self.front, self.back], [], [], 0.1)
            if self.front in r:
                data, addr = self.front.recvfrom(65536)
                self.clients[data.split(b" ", 1)[0]] = addr
                self.requests.append(bdecode(data.split(b" ", 1)[1])[0])
                self.back.send(data)
            if self.back in r:
                data = self.back.recv(65536)
                cookie = data.split(b" ", 1)[0]
                if cookie not in self.seen:
                    self.seen.add(cookie)
                    self.dropped.append(bdecode(data.split(b" ", 1)[1])[0].get("result"))
                    continue
                if cookie in self.clients:
                    self.front.sendto(data, self.clients[cookie])
                    self.forwarded += 1

    def stop(self):
        self.stop_ev.set()
        self.join(2)
        self.front.close()
        self.back.close()


def sipp(lab, scenario, *args):
    return lab.peer_popen("sipp", "-sf", os.path.join(HERE, "sipp", scenario), "-nostdin",
                          "-trace_err", "-error_file", os.path.join(lab_tmp, scenario + ".err"),
                          *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          cwd=lab_tmp)


lab_tmp = None


def leg_stats(q):
    """{tag: (rtp rx packets, rtp tx packets)} of a JSON-RPC query."""
    out = {}
    for m in q["streams"]:
        for leg in m["legs"]:
            out[leg["leg"]] = (leg["rtp"]["rx_packets"], leg["rtp"]["tx_packets"])
    return out


def case_sip_to_sip(lab, gw, sig):
    kam_ip, peer_sig = sig
    relay = DropFirstReply(lab.dut, RELAY_PORT, NG_PORT)
    relay.start()
    kam = wrtclab.Kamailio(lab.dut, [
        f"SIP_LISTEN=udp:{kam_ip}:5060",
        f'RTPENGINE_SOCK="udp:127.0.0.1:{RELAY_PORT}"',
        "RTPENGINE_TOUT_MS=300",
        f'SIP_TARGET="sip:{peer_sig}:5062"',
    ], sip=(kam_ip, 5060))
    uas = uac = None
    try:
        kam.start()
        before = gw.rpc.call("statistics")["calls_created"]
        uas = sipp(lab, "uas_pcma.xml", "-i", peer_sig, "-p", "5062", "-mi", PEER_IP4[1],
                   "-mp", "6100", "-rtp_echo", "-m", "1", "-timeout", "60s")
        time.sleep(0.2)  # sipp binds before it reads the scenario's first recv
        uac = sipp(lab, "uac_pcma.xml", "-i", peer_sig, "-p", "5061", "-mi", PEER_IP4[0],
                   "-mp", "6000", "-m", "1", "-d", "5000", "-s", "1000",
                   "-timeout", "60s", f"{kam_ip}:5060")

        def flowing():
            calls = gw.rpc.call("list")["calls"]
            if len(calls) != 1:
                return None
            st = leg_stats(gw.rpc.call("query", call_id=calls[0]["call_id"]))
            if len(st) == 2 and all(rx >= 50 and tx >= 50 for rx, tx in st.values()):
                return calls[0]["call_id"], st
            return None
        call_id, st = wait_for(flowing, 20, "RTP both ways through the gateway")
        # The ng view of the same call, as Kamailio's $rtpstat reads it.
        ng = NgClient(lab.dut, port=NG_PORT)
        q = ng.request("query", call_id=call_id)
        expect(q["result"] == "ok", f"ng query: {q}")
        expect(q["totals"]["RTP"]["packets"] >= 100, f"ng totals: {q['totals']}")
        expect(len(q["tags"]) == 2, f"ng tags: {list(q['tags'])}")
        for tag, t in q["tags"].items():
            s0 = t["medias"][0]["streams"][0]
            expect(s0["stats"]["packets"] >= 50 and s0["endpoint"]["address"] in PEER_IP4,
                   f"ng tag {tag}: {s0}")
        rc = uac.wait(60)
        out = uac.stdout.read().decode(errors="replace")
        expect(rc == 0, f"sipp uac exit {rc}:\n{out[-2000:]}")
        expect(uas.wait(30) == 0, "sipp uas failed")
        wait_for(lambda: gw.rpc.call("list")["calls"] == [], 10, "BYE to delete the call")
        q = ng.request("query", call_id=call_id)
        expect(q["result"] == "error", f"query after BYE: {q}")
        stats = gw.rpc.call("statistics")
        expect(stats["calls_created"] == before + 1,
               f"{stats['calls_created'] - before} calls created for one (retransmissions)")
        expect(stats["calls_deleted"] >= 1, "no call deleted")
        # Every first reply was dropped: offer, answer and delete were each sent
        # again by Kamailio and answered from the cache.
        expect(len(relay.dropped) >= 3 and relay.forwarded >= 3,
               f"relay dropped {relay.dropped}, forwarded {relay.forwarded}")
        # Kamailio's $rtpstat (logged at BYE) reads the query's totals.
        m = re.search(r"call \S+ ended: RTP: (\d+) bytes, (\d+) packets, (\d+) errors",
                      kam.log())
        expect(m and int(m.group(2)) >= 100 and int(m.group(1)) > 0,
               f"$rtpstat at BYE: {m.group(0) if m else 'not logged'}")
        ngs = ng.request("statistics")["ng"]
        expect(ngs["retransmissions"] >= 3, f"ng counters {ngs}")
        ng.close()
        print(f"     {st}; {m.group(0)}; dropped first replies: {relay.dropped}")
    except Exception:
        print(kam.log()[-3000:])
        raise
    finally:
        for p in (uac, uas):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
        kam.stop()
        relay.stop()


def case_retransmit(lab, gw, sig):
    ng = NgClient(lab.dut, port=NG_PORT)
    before = gw.rpc.call("statistics")["calls_created"]
    msg = b"rtx-1 " + bencode({"command": "offer", "call-id": "rtx-call", "from-tag": "a",
                               "sdp": sip_sdp(PEER_IP4[0], 7000),
                               "supports": ["load limit"]})
    ng.send_raw(msg)
    ng.send_raw(msg)   # the first reply counts as lost
    r1, r2 = ng.recv_raw(), ng.recv_raw()
    expect(r1 == r2, "a retransmission got a different reply")
    expect(bdecode(r1.split(b" ", 1)[1])[0]["result"] == "ok", f"offer: {r1[:200]}")
    expect(gw.rpc.call("statistics")["calls_created"] == before + 1, "two calls created")
    calls = [c["call_id"] for c in gw.rpc.call("list")["calls"]]
    expect(calls.count("rtx-call") == 1, f"calls {calls}")
    d = ng.request("delete", call_id="rtx-call", from_tag="a")
    expect(d["result"] == "ok", f"delete: {d}")
    ng.close()


def ng_client(lab, *args):
    """rtpengine's own ng client (rtpengine-utils) in the DUT namespace."""
    r = wrtclab.sh("ip", "netns", "exec", lab.dut, "rtpengine-ng-client",
                   "--proxy-address=127.0.0.1", f"--proxy-port={NG_PORT}", *args,
                   check=False, timeout=20)
    expect(r.returncode == 0, f"rtpengine-ng-client {args[0]}: exit {r.returncode}\n"
           f"{r.stdout[-1500:]}{r.stderr[-1500:]}")
    return r.stdout


def new_sdp(out):
    return out.split("New SDP:", 1)[1].split("-----8<-----8<-----8<-----8<-----8<-----", 1)[1]


def case_ng_client(lab, gw, sig):
    if not shutil.which("rtpengine-ng-client"):
        raise AssertionError("rtpengine-ng-client not installed (rtpengine-utils)")
    out = ng_client(lab, "ping")
    expect("pong" in out, f"ping: {out}")
    out = ng_client(lab, "offer", "--call-id=ngc-1", "--from-tag=ta", "--trust-address",
                    "--replace-origin", "--replace-session-connection", "--rtcp-mux=demux",
                    "--protocol=RTP/AVP", "--supports=load limit",
                    f"--sdp={sip_sdp(PEER_IP4[0], 7100)}")
    sdp = new_sdp(out)
    expect("c=IN IP4 10.99.0.2" in sdp and "m=audio 2" in sdp, f"offer SDP: {sdp}")
    out = ng_client(lab, "answer", "--call-id=ngc-1", "--from-tag=ta", "--to-tag=tb",
                    f"--sdp={sip_sdp(PEER_IP4[1], 7200)}")
    expect("c=IN IP4 10.99.0.2" in new_sdp(out), f"answer: {out}")
    out = ng_client(lab, "query", "--call-id=ngc-1")
    for key in ("totals", "tags", "medias", "streams", "'local port'", "ta", "tb"):
        expect(key in out, f"query output lacks {key}: {out[:1500]}")
    out = ng_client(lab, "delete", "--call-id=ngc-1", "--from-tag=ta")
    expect("totals" in out, f"delete: {out[:800]}")
    expect(all(c["call_id"] != "ngc-1" for c in gw.rpc.call("list")["calls"]),
           "call still there after delete")
    # An error is an error the client reports (it exits non-zero).
    r = wrtclab.sh("ip", "netns", "exec", lab.dut, "rtpengine-ng-client",
                   "--proxy-address=127.0.0.1", f"--proxy-port={NG_PORT}", "query",
                   "--call-id=ngc-1", check=False, timeout=20)
    expect(r.returncode != 0 and "Unknown call-id" in r.stderr, f"query after delete: {r}")


MAX_CALLS = 3


def trickle_offer():
    """A browser's offer sent before its candidates (trickle ICE)."""
    path = os.path.join(wrtclab.SRC, "test", "fixtures", "sdp", "firefox-offer-audio.sdp")
    with open(path) as f:
        lines = [ln.rstrip("\r\n") for ln in f]
    lines = [ln for ln in lines if not ln.startswith("a=candidate")
             and ln != "a=end-of-candidates"]
    return "\r\n".join(lines) + "\r\n"


def remote_cands(gw, call_id):
    q = gw.rpc.call("query", call_id=call_id)
    leg = next(lg for lg in q["streams"][0]["legs"] if lg["leg"] == "w1")
    return leg["ice"]["remote_candidates"]


def case_trickle(lab, gw, sig):
    """rtpengine_info(): an offer with the fragment flag carries trickled
    candidates of the browser's leg."""
    ng = NgClient(lab.dut, port=NG_PORT)
    r = ng.request("offer", call_id="trk", from_tag="w1", sdp=trickle_offer(),
                   rtpp_flags="transport-protocol=RTP/AVP ICE=remove rtcp-mux-demux")
    expect(r["result"] == "ok", f"offer: {r}")
    expect(remote_cands(gw, "trk") == 0, "candidates before any was trickled")
    frag = ("a=ice-ufrag:5b4a2c1d\r\na=ice-pwd:a07b8f8a2c5b5e4a8e0d1d7b1a8c0e55\r\n"
            "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n"
            f"a=candidate:0 1 UDP 2122252543 {PEER_IP4[0]} 51433 typ host\r\n"
            f"a=candidate:1 1 UDP 2122252542 {PEER_IP4[1]} 51434 typ host\r\n")
    r = ng.request("offer", call_id="trk", from_tag="w1", sdp=frag, flags=["fragment"])
    expect(r["result"] == "ok", f"fragment: {r}")
    # The ng query carries the ICE state of the browser's leg as extra keys.
    q = ng.request("query", call_id="trk")
    ice = q["tags"]["w1"]["medias"][0]["ice"]
    expect(ice["remote_candidates"] == 2 and ice["state"], f"ng query ice: {ice}")
    expect(remote_cands(gw, "trk") == 2, f"{remote_cands(gw, 'trk')} candidates after trickle")
    # The browser said a=ice-options:trickle: the answer to it says so too, with
    # every candidate of the gateway and a=end-of-candidates (nothing to trickle).
    r = ng.request("answer", call_id="trk", from_tag="w1", to_tag="p1",
                   sdp=sip_sdp(PEER_IP4[1], 7800, pts=(0,)))
    expect(r["result"] == "ok", f"answer: {r}")
    sdp = r["sdp"]
    expect("a=ice-options:trickle" in sdp and "a=candidate:" in sdp and
           sdp.index("a=candidate:") < sdp.index("a=end-of-candidates"),
           f"answer to a trickling browser: {sdp}")
    r = ng.request("offer", call_id="trk", from_tag="w1", flags=["fragment"],
                   sdp="a=ice-ufrag:0ther\r\na=ice-pwd:x\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"
                   f"a=candidate:9 1 UDP 1 {PEER_IP4[0]} 9999 typ host\r\n")
    expect(r["result"] == "error" and "generation" in r["error-reason"],
           f"stale fragment: {r}")
    r = ng.request("offer", call_id="nope", from_tag="w1", sdp=frag, flags=["fragment"])
    expect(r == {"result": "error", "error-reason": "Unknown call-id"}, f"no call: {r}")
    expect(ng.request("delete", call_id="trk")["result"] == "ok", "delete")
    ng.close()


def case_load_limit(lab, gw, sig):
    ng = NgClient(lab.dut, port=NG_PORT)
    for i in range(MAX_CALLS):
        r = ng.request("offer", call_id=f"ll-{i}", from_tag="a", supports=["load limit"],
                       sdp=sip_sdp(PEER_IP4[0], 7300 + 2 * i))
        expect(r["result"] == "ok", f"offer {i}: {r}")
    r = ng.request("offer", call_id="ll-x", from_tag="a", supports=["load limit"],
                   sdp=sip_sdp(PEER_IP4[0], 7400))
    expect(r["result"] == "load limit", f"offer past max_calls with supports: {r}")
    r = ng.request("offer", call_id="ll-x", from_tag="a", sdp=sip_sdp(PEER_IP4[0], 7400))
    expect(r == {"result": "error", "error-reason": "Parallel session limit reached"},
           f"offer past max_calls without supports: {r}")
    # A re-offer of a call that exists is not a new call.
    r = ng.request("offer", call_id="ll-0", from_tag="a", supports=["load limit"],
                   sdp=sip_sdp(PEER_IP4[0], 7300, sess="2"))
    expect(r["result"] == "ok", f"re-offer at the limit: {r}")
    expect(ng.request("statistics")["ng"]["load_limit"] >= 1, "load_limit not counted")
    for i in range(MAX_CALLS):
        expect(ng.request("delete", call_id=f"ll-{i}")["result"] == "ok", "delete")
    ng.close()


def m_line(sdp):
    return next(ln for ln in sdp.splitlines() if ln.startswith("m=audio"))


def case_flags(lab, gw, sig):
    """Flags become the answerer's profile: what the offered SDP says."""
    ng = NgClient(lab.dut, port=NG_PORT)
    offer = sip_sdp(PEER_IP4[0], 7500, pts=(0, 8, 9, 101))
    n = [0]

    def off(**kv):
        n[0] += 1
        r = ng.request("offer", call_id=f"fl-{n[0]}", from_tag="a", sdp=offer, **kv)
        expect(r["result"] == "ok", f"offer {kv}: {r}")
        ng.request("delete", call_id=f"fl-{n[0]}")
        return r

    r = off(codec={"strip": ["PCMA", "G722"]}, flags=["trust-address", "leftover-flag"])
    expect(m_line(r["sdp"]).split()[3:] == ["0", "101"], f"strip: {m_line(r['sdp'])}")
    expect("leftover-flag" in r.get("warning", ""), f"warning: {r.get('warning')}")
    r = off(rtpp_flags="codec-strip-all codec-transcode-PCMA")
    expect(m_line(r["sdp"]).split()[3:] == ["101", "8"] or
           m_line(r["sdp"]).split()[3:] == ["8", "101"], f"strip all + transcode: {m_line(r['sdp'])}")
    r = off(codec={"strip": ["all"], "except": ["G722"]})
    expect(m_line(r["sdp"]).split()[3:] == ["9", "101"], f"strip all except: {m_line(r['sdp'])}")
    r = off(ICE="force", rtcp_mux=["offer"])
    expect("a=ice-ufrag:" in r["sdp"] and "a=candidate:" in r["sdp"] and "a=rtcp-mux" in r["sdp"],
           f"ICE=force rtcp-mux-offer: {r['sdp']}")
    expect("a=ice-options:trickle" not in r["sdp"], f"trickle without the flag: {r['sdp']}")
    r = off(ICE="force", flags=["trickle-ICE"])
    expect("a=ice-options:trickle" in r["sdp"] and "a=end-of-candidates" in r["sdp"] and
           not r.get("warning"), f"trickle-ICE: {r}")
    r = off(transport_protocol="RTP/SAVP")
    expect("RTP/SAVP " in m_line(r["sdp"]) and "a=crypto:" in r["sdp"], f"SDES: {r['sdp']}")
    suites = [ln.split()[1] for ln in r["sdp"].splitlines() if ln.startswith("a=crypto:")]
    expect("AES_CM_128_HMAC_SHA1_32" in suites and len(suites) >= 2, f"suites {suites}")
    r = off(transport_protocol="RTP/SAVP", SDES=["no-AES_CM_128_HMAC_SHA1_32"])
    got = [ln.split()[1] for ln in r["sdp"].splitlines() if ln.startswith("a=crypto:")]
    expect(got == [x for x in suites if x != "AES_CM_128_HMAC_SHA1_32"], f"SDES-no: {got}")
    r = off(rtpp_flags="transport-protocol=RTP/SAVP SDES-only-AEAD_AES_128_GCM")
    got = [ln.split()[1] for ln in r["sdp"].splitlines() if ln.startswith("a=crypto:")]
    expect(got == ["AEAD_AES_128_GCM"], f"SDES-only: {got}")
    r = off(transport_protocol="UDP/TLS/RTP/SAVPF", ICE="force", DTLS="passive")
    expect("UDP/TLS/RTP/SAVPF" in m_line(r["sdp"]) and "a=fingerprint:" in r["sdp"]
           and "a=setup:passive" in r["sdp"] and "a=ice-ufrag:" in r["sdp"],
           f"WebRTC answerer: {r['sdp']}")
    r = off(address_family="IP6")
    expect("c=IN IP6 fd00:99::2" in r["sdp"], f"IP6: {r['sdp']}")
    r = off(media_address="192.0.2.7")
    expect("c=IN IP4 192.0.2.7" in r["sdp"] and not r.get("warning"), f"media-address: {r}")
    r = off(media_address="not-an-address")
    expect("not a numeric address" in r.get("warning", ""), f"bad media-address: {r}")
    # asymmetric: the offerer's media goes to its signalled address, nothing learnt.
    r = ng.request("offer", call_id="fl-asym", from_tag="a", sdp=offer, flags=["asymmetric"])
    expect(r["result"] == "ok" and not r.get("warning"), f"asymmetric: {r}")
    q = gw.rpc.call("query", call_id="fl-asym")
    leg = next(lg for lg in q["streams"][0]["legs"] if lg["leg"] == "a")
    expect(leg["rtp"]["learning"]["mode"] == "off", f"asymmetric: {leg['rtp']['learning']}")
    ng.request("delete", call_id="fl-asym")
    # loop-protect: our SDP is marked; the marked SDP offered again (the call
    # looping through the proxy) comes back unchanged and makes no call.
    r = off(flags=["loop-protect"])
    marks = [ln for ln in r["sdp"].splitlines() if ln.startswith("a=rtpengine:")]
    expect(len(marks) == 1 and r["sdp"].index(marks[0]) < r["sdp"].index("m=audio"),
           f"loop-protect mark: {r['sdp']}")
    n_calls = len(gw.rpc.call("list")["calls"])
    r2 = ng.request("offer", call_id="fl-loop", from_tag="a2", sdp=r["sdp"],
                    flags=["loop-protect"])
    expect(r2["result"] == "ok" and r2["sdp"] == r["sdp"] and
           len(gw.rpc.call("list")["calls"]) == n_calls, f"looped SDP: {r2}")
    # codec accept: PCMA stays the offerer's codec although the answerer picks
    # PCMU; the gateway transcodes. Without the flag the answer relays PCMU.
    for flags, want in (({"codec": {"accept": ["PCMA"]}}, ("8", "transcode", "PCMA")),
                        ({"rtpp_flags": "codec-accept-PCMA"}, ("8", "transcode", "PCMA")),
                        ({}, ("0", "relay", "PCMU"))):
        r = ng.request("offer", call_id="fl-acc", from_tag="a", sdp=sip_sdp(PEER_IP4[0], 7500,
                       pts=(8, 0, 101)), **flags)
        expect(r["result"] == "ok" and not r.get("warning"), f"accept offer {flags}: {r}")
        expect({"0", "8"} <= set(m_line(r["sdp"]).split()[3:]), f"accept offers both: {r['sdp']}")
        r = ng.request("answer", call_id="fl-acc", from_tag="a", to_tag="b",
                       sdp=sip_sdp(PEER_IP4[1], 7502, pts=(0, 101)))
        q = gw.rpc.call("query", call_id="fl-acc")["streams"][0]
        got = (m_line(r["sdp"]).split()[3], q["codec_mode"], q["codec_offerer"]["name"])
        expect(got == want, f"codec accept {flags}: {got}, want {want}")
        ng.request("delete", call_id="fl-acc")
    r = off(direction=["lab", "nowhere"])
    expect("nowhere" in r.get("warning", ""), f"unknown interface: {r}")
    ng.close()


def mos10(loss, jitter_ms, rtt_ms):
    """docs/ng.md "Call quality": the simplified E-model, MOS x 10."""
    eff = rtt_ms / 2 + 2 * jitter_ms + 10
    r = 93.2 - eff / 40 if eff < 160 else 93.2 - (eff - 120) / 10
    r = max(r - 2.5 * loss, 0)
    mos = min(max(1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r), 1), 4.5)
    return int(mos * 10 + 0.5)


class RtpEnd:
    """One phone of the quality case: RTP and RTCP sockets in the peer
    namespace, receive statistics per RFC 3550 A.1/A.8 of what arrives."""

    def __init__(self, lab, ip, port, ssrc):
        self.rtp = socket_in_netns(lab.peer)
        self.rtp.bind((ip, port))
        self.rtcp = socket_in_netns(lab.peer)
        self.rtcp.bind((ip, port + 1))
        self.ssrc = ssrc
        self.seqs = set()
        self.jitter = 0.0
        self.transit = None
        self.sr = None          # (middle 32 bits of the NTP, local arrival)

    def send_rtp(self, to, seq):
        hdr = struct.pack("!BBHII", 0x80, 0, seq, seq * 160, self.ssrc)
        self.rtp.sendto(hdr + b"\xff" * 160, to)

    def drain(self, timeout=0.0):
        while True:
            r, _, _ = select.select([self.rtp, self.rtcp], [], [], timeout)
            if not r:
                return
            timeout = 0.0
            now = time.time()
            if self.rtp in r:
                d = self.rtp.recv(2048)
                seq, ts = struct.unpack("!HI", d[2:8])
                self.seqs.add(seq)
                transit = now * 8000 - ts
                if self.transit is not None:
                    self.jitter += (abs(transit - self.transit) - self.jitter) / 16
                self.transit = transit
            if self.rtcp in r:
                d = self.rtcp.recv(2048)
                if d[1] == 200:
                    ntp_s, ntp_f = struct.unpack("!II", d[8:16])
                    self.sr = (((ntp_s & 0xffff) << 16) | (ntp_f >> 16), now)

    def send_sr(self, to):
        now = time.time() + 2208988800
        body = struct.pack("!IIIIII", self.ssrc, int(now), int((now % 1) * 2**32), 0, 0, 0)
        self.rtcp.sendto(struct.pack("!BBH", 0x80, 200, 6) + body, to)

    def send_rr(self, to, about):
        expected = max(self.seqs) - min(self.seqs) + 1
        lost = expected - len(self.seqs)
        fraction = lost * 256 // expected
        lsr, dlsr = 0, 0
        if self.sr is not None:
            lsr = self.sr[0]
            dlsr = int((time.time() - self.sr[1]) * 65536)
        rb = struct.pack("!IIIIII", about, (fraction << 24) | lost, max(self.seqs),
                         int(self.jitter), lsr, dlsr)
        self.rtcp.sendto(struct.pack("!BBHI", 0x81, 201, 7, self.ssrc) + rb, to)
        return fraction, int(self.jitter)

    def close(self):
        self.rtp.close()
        self.rtcp.close()


def case_quality(lab, gw, sig):
    """query/delete carry the per-SSRC quality dictionary (Kamailio's MOS
    variables) from the phones' RTCP: a call with 10 % loss one way."""
    ng = NgClient(lab.dut, port=NG_PORT)
    a = RtpEnd(lab, PEER_IP4[0], 7600, 0x1111)
    b = RtpEnd(lab, PEER_IP4[1], 7700, 0x2222)
    try:
        r = ng.request("offer", call_id="mos-1", from_tag="ma",
                       sdp=sip_sdp(PEER_IP4[0], 7600, pts=(0,)))
        expect(r["result"] == "ok", f"offer: {r}")
        gw_b = wrtclab.sdp_media_addr(r["sdp"])
        r = ng.request("answer", call_id="mos-1", from_tag="ma", to_tag="mb",
                       sdp=sip_sdp(PEER_IP4[1], 7700, pts=(0,)))
        expect(r["result"] == "ok", f"answer: {r}")
        gw_a = wrtclab.sdp_media_addr(r["sdp"])
        # a -> b: every 10th packet never sent (10 % loss); b -> a: none lost.
        for seq in range(200):
            if seq % 10 != 5:
                a.send_rtp(gw_a, seq)
            b.send_rtp(gw_b, seq)
            a.drain(0.005)
            b.drain(0.005)
        a.send_sr((gw_a[0], gw_a[1] + 1))
        b.send_sr((gw_b[0], gw_b[1] + 1))
        wait_for(lambda: (a.drain(0.05), b.drain(0.05), a.sr and b.sr)[2], 10,
                 "the SRs relayed")
        # (The first packet or two of a stream may be dropped while it latches.)
        expect(175 <= len(b.seqs) <= 180 and len(a.seqs) >= 195,
               f"relayed: b got {len(b.seqs)}, a got {len(a.seqs)}")
        fb, jb = b.send_rr((gw_b[0], gw_b[1] + 1), a.ssrc)
        fa, ja = a.send_rr((gw_a[0], gw_a[1] + 1), b.ssrc)
        loss_b, loss_a = (fb * 100 + 128) // 256, (fa * 100 + 128) // 256
        expect(9 <= loss_b <= 11 and loss_a <= 1, f"fractions {fb} {fa}")

        def quality():
            q = ng.request("query", call_id="mos-1")
            s = q.get("SSRC", {})
            return q if str(a.ssrc) in s and str(b.ssrc) in s else None
        q = wait_for(quality, 15, "SSRC quality in the query reply")
        # Each tag's RTP stream names the source received from it.
        expect(q["tags"]["ma"]["medias"][0]["streams"][0]["SSRC"] == a.ssrc and
               q["tags"]["mb"]["medias"][0]["streams"][0]["SSRC"] == b.ssrc,
               f"stream SSRCs: {q['tags']}")
        sa = q["SSRC"][str(a.ssrc)]
        sb = q["SSRC"][str(b.ssrc)]
        for s, loss, jit in ((sa, loss_b, jb * 1000 // 8000), (sb, loss_a, ja * 1000 // 8000)):
            for k in ("average MOS", "lowest MOS", "highest MOS"):
                v = s[k]
                expect(v["packet loss"] == loss and v["jitter"] == jit and v["samples"] == 1,
                       f"{k}: {v} (want loss {loss}, jitter {jit})")
                # The round trip of each leg from its LSR/DLSR: positive, well under 1 s.
                expect(0 < v["round-trip time leg"] < 1000000 and
                       v["round-trip time"] >= v["round-trip time leg"], f"{k} rtt: {v}")
                want = mos10(loss, jit, v["round-trip time"] // 1000)
                expect(v["MOS"] == want and abs(v["reported at"] - time.time()) < 60,
                       f"{k}: MOS {v['MOS']} want {want}: {v}")
        print(f"quality: lossy {sa['average MOS']}, clean {sb['average MOS']}")
        expect(sa["average MOS"]["MOS"] < sb["average MOS"]["MOS"],
               f"lossy direction not worse: {sa} {sb}")
        # The BYE through the real Kamailio: rtpengine_delete() reads the
        # delete reply's SSRC dictionary into its MOS variables, which
        # config/kamailio/kamailio.cfg logs.
        kam_ip, peer_sig = sig
        kam = wrtclab.Kamailio(lab.dut, [f"SIP_LISTEN=udp:{kam_ip}:5060",
                                         f'RTPENGINE_SOCK="udp:127.0.0.1:{NG_PORT}"'],
                               sip=(kam_ip, 5060))
        uas = socket_in_netns(lab.peer)
        try:
            kam.start()
            uas.bind((peer_sig, 5099))
            uas.settimeout(10)
            bye = (f"BYE sip:b@{peer_sig}:5099 SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP {peer_sig}:5099;branch=z9hG4bK-mos1;rport\r\n"
                   f"Route: <sip:{kam_ip};lr>\r\nMax-Forwards: 70\r\n"
                   f"From: <sip:a@{peer_sig}>;tag=ma\r\nTo: <sip:b@{peer_sig}>;tag=mb\r\n"
                   "Call-ID: mos-1\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n")
            uas.sendto(bye.encode(), (kam_ip, 5060))
            relayed = uas.recv(4096).decode(errors="replace")
            expect(relayed.startswith("BYE "), f"BYE not relayed: {relayed[:200]}")
            m = wait_for(lambda: re.search(
                r"call mos-1 quality: MOS (\S+) \(lowest (\S+), highest (\S+)\), "
                r"loss (\S+) %, jitter (\S+) ms, round trip (\S+) us, (\S+) samples",
                kam.log()), 10, "Kamailio's MOS line")
            mos = [sa["average MOS"]["MOS"], sb["average MOS"]["MOS"]]
            # Kamailio averages over the call's sources, lowest/highest across them.
            want = (f"{sum(mos) // 2 // 10}.{sum(mos) // 2 % 10}",
                    f"{min(mos) // 10}.{min(mos) % 10}", f"{max(mos) // 10}.{max(mos) % 10}",
                    str((sa["average MOS"]["packet loss"] + sb["average MOS"]["packet loss"])
                        // 2))
            expect(m.groups()[:4] == want and m.group(7) == "1",
                   f"Kamailio: {m.group(0)}, want MOS/lowest/highest/loss {want}")
            print(f"     Kamailio: {m.group(0)}")
            wait_for(lambda: all(c["call_id"] != "mos-1" for c in gw.rpc.call("list")["calls"]),
                     10, "the BYE to delete the call")
        except Exception:
            print(kam.log()[-3000:])
            raise
        finally:
            uas.close()
            kam.stop()
    finally:
        a.close()
        b.close()
        ng.close()


CASES = [("sip-to-sip", case_sip_to_sip), ("flags", case_flags), ("retransmit", case_retransmit),
         ("rtpengine-ng-client", case_ng_client), ("load-limit", case_load_limit),
         ("trickle", case_trickle), ("quality", case_quality)]


def main():
    global lab_tmp
    if os.geteuid() != 0 or not shutil.which("kamailio") or not shutil.which("sipp"):
        print("skipped: needs root, kamailio and sipp")
        return 77
    exe = sys.argv[1]
    passed = failed = 0
    with wrtclab.Lab() as lab:
        sig = lab.add_sig_link()
        cfg = wrtclab.default_config()
        cfg["control"]["max_calls"] = MAX_CALLS
        gw = wrtclab.Gateway(lab, exe, config=cfg).start()
        lab_tmp = gw.tmp
        try:
            only = os.environ.get("WRTC_CASES", "").split(",")
            for name, fn in CASES:
                if only != [""] and name not in only:
                    continue
                try:
                    fn(lab, gw, sig)
                    print(f"ok   {name}")
                    passed += 1
                except Exception:
                    print(f"FAIL {name}")
                    traceback.print_exc()
                    failed += 1
        finally:
            rc = gw.stop()
            if rc != 0:
                print(f"wrtcgw exit {rc}\n{gw.log()[-2000:]}")
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
