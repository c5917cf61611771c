# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: calls survive a gateway restart through Redis (issue 20,
docs/lib/ha.rst). wrtcgw on net_af_packet in network namespaces, a private
redis-server on a unix socket in a temporary directory, Linux-socket peers.

    sudo python3 test_ha.py PATH_TO_WRTCGW [CASE ...]
    sudo python3 test_ha.py PATH_TO_WRTCGW bulk --calls 10000   (restore-time figure)

Cases: restart_relay (plain RTP both ways, kill -9, restart with the same
configuration: media resumes with no RPC; prints the media gap),
restart_sdes (SDES-SRTP <-> RTP, same: the SRTP peer's packets are accepted
with the keys it was given before the restart), redis_outage (Redis stopped:
calls go on, failed writes counted; Redis back: every call written again),
bulk (1,000 calls restored; `list` has them all, a sample carries media;
prints the restore time). Exit 77 (skipped) without root.
"""
import base64
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, PEER_IP4, sip_sdp, sdp_media_addr  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
INTERVAL = 0.02


def expect(cond, what):
    if not cond:
        raise AssertionError(what)


def wait_for(cond, what, timeout=30, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Redis:
    """redis-server on a unix socket in a private directory (no TCP, no disk)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="wrtc-ha-redis-")
        self.sock = os.path.join(self.dir, "redis.sock")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", "0", "--unixsocket", self.sock, "--unixsocketperm", "700",
             "--save", "", "--appendonly", "no", "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: self.cli("PING") == "PONG", "redis-server to answer", timeout=20)
        return self

    def cli(self, *args, db=0):
        r = subprocess.run(["redis-cli", "-s", self.sock, "-n", str(db), *args],
                           capture_output=True, text=True, timeout=20)
        return r.stdout.strip() if r.returncode == 0 else None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def config(redis):
    cfg = wrtclab.default_config()
    cfg["ha"] = {"redis": "unix:" + redis.sock, "node_id": "gw-test", "key_prefix": "wrtc:"}
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


def restart(gw, lab, exe):
    """kill -9 the gateway and start it again with the same configuration file."""
    t0 = time.time()
    gw.proc.kill()
    gw.proc.wait()
    if gw.rpc:
        gw.rpc.close()
    gw2 = wrtclab.Gateway(lab, exe, config_path=gw.config_path, name="b")
    gw2.sock_path = gw.sock_path
    gw2.start(timeout=60)
    return gw2, t0


def wait_routes(gw, call_id, timeout=10):
    def resolved():
        q = gw.rpc.call("query", call_id=call_id)
        return not any(l["next_hop_pending"] for s in q["streams"] for l in s["legs"])
    wait_for(resolved, f"{call_id}: next hops", timeout)


def setup_call(gw, call_id, a, b, ingress="sip", egress="sip", offer_sdp=None):
    off = gw.rpc.call("offer", call_id=call_id, from_tag="f-" + call_id,
                      sdp=offer_sdp or sip_sdp(a[0], a[1]), ingress=ingress, egress=egress)
    gb = sdp_media_addr(off["sdp"])
    ans = gw.rpc.call("answer", call_id=call_id, from_tag="f-" + call_id, to_tag="t-" + call_id,
                      sdp=sip_sdp(b[0], b[1], pts=(0, 101)))
    ga = sdp_media_addr(ans["sdp"])
    return off["sdp"], ans["sdp"], ga, gb


def ep(a):
    return f"{a[0]}:{a[1]}"


def seqs(rx):
    return [struct.unpack("!H", bytes.fromhex(p["hex"])[2:4])[0] for p in rx]


def gap_after(rx_seqs, count):
    """Received sequence numbers -> (first missing run length, packets after it)."""
    got = set(rx_seqs)
    missing = [s for s in range(count) if s not in got]
    return missing, [s for s in rx_seqs if missing and s > missing[-1]]


def stream_plan(a, b, ga, gb, count):
    return {"sockets": {"a": ep(a), "b": ep(b)},
            "steps": [{"each": [{"send": "a", "to": ep(ga), "ssrc": 0x1111},
                                {"send": "b", "to": ep(gb), "ssrc": 0x2222}],
                       "count": count, "interval": INTERVAL}],
            "linger": 1.0}


def check_resumed(rx, count, what, seq0=0):
    got = [(q - seq0) & 0xffff for q in seqs(rx)]
    expect(len(got) > count // 4, f"{what}: only {len(got)} of {count} packets arrived")
    missing, after = gap_after(got, count)
    expect(missing, f"{what}: no packet lost: the gateway was not really down")
    # Media resumed: every packet of the last two seconds arrived.
    tail = range(count - int(2 / INTERVAL), count)
    expect(all(s in set(got) for s in tail), f"{what}: the last 2 s of packets did not all "
           f"arrive after the restart ({len([s for s in tail if s in set(got)])}/{len(tail)})")
    return len(missing) * INTERVAL * 1000


def stats_ha(gw):
    return gw.rpc.call("statistics")["ha"]


def case_restart_relay(ctx):
    gw, lab, redis = ctx["gw"], ctx["lab"], ctx["redis"]
    a, b = (PEER_IP4[0], 31000), (PEER_IP4[1], 31002)
    _, _, ga, gb = setup_call(gw, "ha-relay", a, b)
    wait_routes(gw, "ha-relay")
    wait_for(lambda: redis_has_answer(redis, "ha-relay"), "the record with the answer")
    rec = json.loads(redis.cli("GET", "wrtc:ha-relay"))
    expect(rec["call_id"] == "ha-relay" and rec["node"] == "gw-test", f"record: {rec}")
    ports = sorted(s["port"] for leg in rec["legs"] for s in leg["streams"])
    expect(ports == sorted([ga[1], gb[1]]), f"record ports {ports} != SDP ports {ga[1]} {gb[1]}")
    q = gw.rpc.call("query", call_id="ha-relay")
    expect(q["ha"]["ownership"] == "owned" and q["ha"]["last_persisted_ms"] is not None,
           f"query ha: {q['ha']}")
    count = int(12 / INTERVAL)
    peer = lab.peer_popen(sys.executable, os.path.join(HERE, "udp_peer.py"),
                          json.dumps(stream_plan(a, b, ga, gb, count)),
                          stdout=subprocess.PIPE, text=True)
    wait_for(lambda: gw.rpc.call("statistics")["relayed_packets"] > 50, "media through the gateway")
    gw, t0 = restart(gw, lab, ctx["exe"])
    ctx["gw"] = gw
    t_up = time.time() - t0
    out, _ = peer.communicate(timeout=60)
    rx = json.loads(out)
    gap_ab = check_resumed(rx["b"], count, "a->b")
    gap_ba = check_resumed(rx["a"], count, "b->a")
    # Only now the first RPC after the restart.
    st = stats_ha(gw)
    expect(st["restored"] >= 1 and st["restore_failed"] == 0, f"statistics ha: {st}")
    q = gw.rpc.call("query", call_id="ha-relay")
    expect(q["ha"]["restored"] is True, f"query ha after restart: {q['ha']}")
    lst = gw.rpc.call("list")["calls"]
    expect(any(c.get("call_id") == "ha-relay" for c in lst), f"list after restart: {lst}")
    print(f"     restart_relay: gateway back in {t_up:.2f}s, media gap a->b {gap_ab:.0f} ms, "
          f"b->a {gap_ba:.0f} ms, restore {st['restore_ms']} ms")
    gw.rpc.call("delete", call_id="ha-relay")
    wait_for(lambda: redis.cli("EXISTS", "wrtc:ha-relay") == "0", "the key deleted with the call")


def case_redis_outage(ctx):
    gw, lab, redis = ctx["gw"], ctx["lab"], ctx["redis"]
    a, b = (PEER_IP4[0], 31010), (PEER_IP4[1], 31012)
    _, _, ga, gb = setup_call(gw, "ha-out1", a, b)
    wait_routes(gw, "ha-out1")
    wait_for(lambda: redis.cli("EXISTS", "wrtc:ha-out1") == "1", "ha-out1 written")
    before = stats_ha(gw)
    redis.stop()
    # A change while Redis is down: a new call.
    c, d = (PEER_IP4[0], 31014), (PEER_IP4[1], 31016)
    _, _, gc, gd = setup_call(gw, "ha-out2", c, d)
    wait_routes(gw, "ha-out2")
    st = wait_for(lambda: (lambda s: s if s["failed_writes"] > before["failed_writes"] and
                           not s["connected"] else None)(stats_ha(gw)),
                  "failed writes counted while Redis is down")
    # Calls go on: media both ways on both calls.
    count = 50
    for (x, y, gx, gy), name in (((a, b, ga, gb), "ha-out1"), ((c, d, gc, gd), "ha-out2")):
        r = lab.peer_exec(sys.executable, os.path.join(HERE, "udp_peer.py"),
                          json.dumps(stream_plan(x, y, gx, gy, count)), timeout=60)
        rx = json.loads(r.stdout)
        expect(len(rx["a"]) == count and len(rx["b"]) == count,
               f"{name} during the outage: {len(rx['a'])}/{len(rx['b'])} of {count}")
    expect("unreachable" in gw.log(), "no warning about Redis in the log")
    redis.start()   # empty: nothing was saved
    wait_for(lambda: redis.cli("EXISTS", "wrtc:ha-out1") == "1" and
             redis.cli("EXISTS", "wrtc:ha-out2") == "1", "both calls written again", timeout=30)
    st2 = stats_ha(gw)
    expect(st2["connected"] and st2["resyncs"] > before["resyncs"], f"statistics ha: {st2}")
    rec = json.loads(redis.cli("GET", "wrtc:ha-out2"))
    expect(rec["sdp_answer"] is not None, "ha-out2 record lacks the answer")
    print(f"     redis_outage: failed_writes {before['failed_writes']} -> {st['failed_writes']}, "
          f"resyncs {before['resyncs']} -> {st2['resyncs']}")
    for name in ("ha-out1", "ha-out2"):
        gw.rpc.call("delete", call_id=name)


def sdes_offer(ip, port, key_b64):
    return ("v=0\r\no=- 7 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
            "m=audio {port} RTP/SAVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\n"
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{key}\r\n").format(ip=ip, port=port,
                                                                          key=key_b64)


def sdes_stream(plan):
    """Peer side of restart_sdes (runs in the peer namespace): a is an
    SDES-SRTP phone (libsrtp through pylibsrtp, independent of the gateway's
    SRTP), b a plain RTP phone; both send one packet per INTERVAL."""
    import select
    import socket
    from pylibsrtp import Error, Policy, Session
    import udp_peer
    prof = Policy.SRTP_PROFILE_AES128_CM_SHA1_80
    tx = Session(policy=Policy(key=base64.b64decode(plan["key"]),
                               ssrc_type=Policy.SSRC_ANY_OUTBOUND, srtp_profile=prof))
    rx = Session(policy=Policy(key=base64.b64decode(plan["gw_key"]),
                               ssrc_type=Policy.SSRC_ANY_INBOUND, srtp_profile=prof))
    socks = {}
    for name in ("a", "b"):
        _, addr = udp_peer.parse_addr(plan[name])
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(addr)
        s.setblocking(False)
        socks[name] = s
    got, auth_failed = {"a": [], "b": []}, 0
    _, ga = udp_peer.parse_addr(plan["ga"])
    _, gb = udp_peer.parse_addr(plan["gb"])

    def drain(until):
        nonlocal auth_failed
        while True:
            left = until - time.time()
            if left <= 0:
                return
            r, _, _ = select.select(list(socks.values()), [], [], left)
            for name, s in socks.items():
                if s not in r:
                    continue
                try:
                    while True:
                        data, _src = s.recvfrom(4096)
                        if name == "a":
                            try:
                                data = rx.unprotect(data)
                            except Error:
                                auth_failed += 1
                                continue
                        got[name].append({"hex": data[:12].hex()})
                except BlockingIOError:
                    pass

    t = time.time()
    for i in range(plan["count"]):
        q = (plan.get("seq0", 0) + i) & 0xffff
        socks["a"].sendto(tx.protect(udp_peer.rtp(q, 0x1111, 0, 160)), ga)
        socks["b"].sendto(udp_peer.rtp(q, 0x2222, 0, 160), gb)
        t += plan["interval"]
        drain(t)
    drain(time.time() + 1.0)
    print(json.dumps({"a": got["a"], "b": got["b"], "auth_failed": auth_failed}))


def crypto_key(sdp):
    for line in sdp.splitlines():
        if line.startswith("a=crypto:") and "inline:" in line:
            return line.split("inline:", 1)[1].split("|")[0].strip()
    raise AssertionError(f"no a=crypto in {sdp!r}")


def case_restart_sdes(ctx):
    """SDES-SRTP (leg a) <-> plain RTP (leg b). Both peers start at sequence
    65500: the sequence wraps (ROC 1) before the kill, so the restored SRTP
    contexts must continue the ROC (a fresh one would guess ROC 0 and fail
    every packet's authentication)."""
    gw, lab = ctx["gw"], ctx["lab"]
    a, b = (PEER_IP4[0], 31020), (PEER_IP4[1], 31022)
    seq0 = 65500
    plan = {"a": ep(a), "b": ep(b), "count": int(12 / INTERVAL), "interval": INTERVAL,
            "seq0": seq0}
    key = base64.b64encode(os.urandom(30)).decode()
    _, ans_sdp, ga, gb = setup_call(gw, "ha-sdes", a, b, ingress="sip-sdes", egress="sip",
                                    offer_sdp=sdes_offer(a[0], a[1], key))
    wait_routes(gw, "ha-sdes")
    wait_for(lambda: redis_has_answer(ctx["redis"], "ha-sdes"), "the record with the answer")
    rec = json.loads(ctx["redis"].cli("GET", "wrtc:ha-sdes"))
    expect(rec["legs"][0]["streams"][0]["srtp_out"] is not None, f"record without SRTP: {rec}")
    plan.update({"key": key, "gw_key": crypto_key(ans_sdp), "ga": ep(ga), "gb": ep(gb)})
    peer = lab.peer_popen("/usr/bin/python3", os.path.abspath(__file__), "--sdes-peer",
                          json.dumps(plan), stdout=subprocess.PIPE, text=True)
    wait_for(lambda: gw.rpc.call("statistics")["relayed_packets"] > 50, "media through the gateway")

    def srtp_state():
        st = json.loads(ctx["redis"].cli("GET", "wrtc:ha-sdes"))["legs"][0]["streams"][0]
        return st if st["srtp_in"].get("ssrc") == 0x1111 and \
            st["srtp_out"].get("ssrc") == 0x2222 else None
    st = wait_for(srtp_state, "the record with the SRTP sequence state", timeout=20)
    # Past the wrap: ROC 1 in the worker now.
    wait_for(lambda: gw.rpc.call("statistics")["relayed_packets"] > 2 * (65536 - seq0) + 40,
             "the sequence wrap")
    gw, t0 = restart(gw, lab, ctx["exe"])
    ctx["gw"] = gw
    out, _ = peer.communicate(timeout=60)
    rx = json.loads(out)
    # a receives SRTP it decrypts with the key of the answer before the restart;
    # b receives what the gateway decrypted with a's key.
    gap_ab = check_resumed(rx["b"], plan["count"], "srtp a->b", seq0)
    gap_ba = check_resumed(rx["a"], plan["count"], "rtp b->srtp a", seq0)
    expect(rx["auth_failed"] == 0, f"a: {rx['auth_failed']} SRTP packets failed authentication")
    q = gw.rpc.call("query", call_id="ha-sdes")
    drops = [l["rtp"].get("drop_reasons", {}) for l in q["streams"][0]["legs"]]
    print(f"     restart_sdes: media gap a->b {gap_ab:.0f} ms, b->a {gap_ba:.0f} ms; stored "
          f"in roc {st['srtp_in']['roc']} seq {st['srtp_in']['seq']}; drops after: {drops}")
    gw.rpc.call("delete", call_id="ha-sdes")


def case_restart_transcoded(ctx):
    """The same with aiortc offering Opus only: Opus <-> PCMU transcoded; the
    restored call gets fresh transcoders."""
    case_restart_dtls(ctx, codec="opus")


def case_restart_dtls(ctx, codec=None):
    """aiortc (ICE, DTLS-SRTP: the browser) <-> a plain RTP phone; kill -9 and
    restart: the gateway takes the stored SRTP keys and ICE pair, aiortc's
    audio resumes on the same DTLS transport (no new handshake, no ICE
    restart) and the phone hears the browser again."""
    import test_webrtc
    gw, lab, redis = ctx["gw"], ctx["lab"], ctx["redis"]
    seconds = 18
    cid = "ha-dtls" if codec is None else "ha-dtls-" + codec
    browser = test_webrtc.Proc(lab, "env", "WRTC_CONSENT_INTERVAL=1", "/usr/bin/python3",
                               os.path.join(HERE, "aiortc_peer.py"), "offer", str(seconds),
                               str(test_webrtc.BROWSER_HZ), *([codec] if codec else []))
    offer = browser.recv()["offer"]
    r = gw.rpc.call("offer", call_id=cid, from_tag="browser", sdp=offer,
                    ingress="webrtc", egress="sip")
    _, gw_port = sdp_media_addr(r["sdp"])
    ans = gw.rpc.call("answer", call_id=cid, from_tag="browser", to_tag="phone",
                      sdp=sip_sdp(PEER_IP4[1], 31030, pts=(0,)))
    phone = test_webrtc.Proc(lab, sys.executable, os.path.join(HERE, "sip_peer.py"),
                             PEER_IP4[1], "31030", DUT_IP4, str(gw_port), str(seconds + 4),
                             str(test_webrtc.PHONE_HZ))
    browser.send({"answer": ans["sdp"]})

    def keyed():
        v = redis.cli("GET", "wrtc:" + cid)
        if not v:
            return None
        st = json.loads(v)["legs"][0]["streams"][0]
        return st if st.get("dtls", {}).get("connected") and st["srtp_in"] and \
            st["ice"]["selected"] else None
    rec = wait_for(keyed, "the record with the DTLS keys and the selected pair", timeout=30)
    web = lambda g: next(l for l in g.rpc.call("query", call_id=cid)["streams"][0]["legs"]
                         if "ice" in l)
    wait_for(lambda: web(gw)["rtp"]["rx_packets"] > 100, "browser media before the restart")
    fp_before = web(gw)["dtls"]
    gw, t0 = restart(gw, lab, ctx["exe"])
    ctx["gw"] = gw
    # The new process: browser media decrypted with the stored keys reaches the
    # phone, the phone's reaches the browser, and no handshake was made.
    w = wait_for(lambda: (lambda x: x if x["rtp"]["rx_packets"] > 100 and
                          x["rtp"]["tx_packets"] > 100 else None)(web(gw)),
                 "browser media both ways after the restart", timeout=30)
    t_media = time.time() - t0
    st = gw.rpc.call("statistics")
    mode = gw.rpc.call("query", call_id=cid)["streams"][0]["codec_mode"]
    expect(mode == ("transcode" if codec else "relay"), f"codec mode after the restart: {mode}")
    expect(not codec or st["transcoders_created"] >= 2,
           f"no fresh transcoders after the restart: {st['transcoders_created']}")
    expect(st["dtls_handshakes"] == 0, f"a DTLS handshake after the restart: {st['dtls_handshakes']}")
    expect(st["ha"]["restored"] >= 1, f"statistics ha: {st['ha']}")
    expect(w["ice"]["state"] in ("connected", "completed"), f"ICE after the restart: {w['ice']}")
    b = browser.recv(seconds + 40)
    ph = phone.recv(seconds + 40)
    browser.wait()
    phone.wait()
    print(f"     browser: {b}\n     phone: {ph}")
    expect(b["dtls"] == "connected" and "failed" not in b["connection"] and
           b["connection"].count("connected") == 1,
           f"aiortc's DTLS/connection states changed: {b}")
    expect("failed" not in b["ice"] and "disconnected" not in b["ice"],
           f"aiortc's ICE states: {b['ice']}")
    # The dominant tone of aiortc's last 2 s of audio: the phone's, after the restart.
    expect(abs(b["freq"] - test_webrtc.PHONE_HZ) <= 20 and b["rms"] > 1000,
           f"aiortc heard {b['freq']} Hz at rms {b['rms']:.0f} at the end")
    expect(ph["received"] > 50 * (seconds - 8), f"phone received only {ph['received']} packets")
    print(f"     restart_dtls{'/' + codec if codec else ''}: media both ways {t_media:.2f}s after kill -9, "
          f"DTLS before {fp_before.get('state')}, record role {rec['dtls']['role']}")
    gw.rpc.call("delete", call_id=cid)


def redis_has_answer(redis, call_id):
    v = redis.cli("GET", "wrtc:" + call_id)
    return bool(v) and json.loads(v).get("sdp_answer") is not None


def case_bulk(ctx, n=1000):
    gw, lab, redis = ctx["gw"], ctx["lab"], ctx["redis"]
    t0 = time.time()
    eps = {}
    for i in range(n):
        cid = f"bulk-{i}"
        a, b = (PEER_IP4[0], 40000 + 2 * i), (PEER_IP4[1], 40000 + 2 * i)
        _, _, ga, gb = setup_call(gw, cid, a, b)
        eps[cid] = (a, b, ga, gb)
    setup_s = time.time() - t0
    wait_for(lambda: redis.cli("EVAL", "return #redis.call('keys', 'wrtc:bulk-*')", "0")
             == str(n), f"{n} records in Redis", timeout=120)
    gw, t_kill = restart(gw, lab, ctx["exe"])
    ctx["gw"] = gw
    lst = gw.rpc.call("list")["calls"]
    t_up = time.time() - t_kill
    ids = {c["call_id"] for c in lst}
    expect(all(f"bulk-{i}" in ids for i in range(n)), f"list has {len(ids)} calls, not {n}")
    st = stats_ha(gw)
    expect(st["restored"] >= n and st["restore_failed"] == 0, f"statistics ha: {st}")
    for i in (0, n // 2, n - 1):
        cid = f"bulk-{i}"
        a, b, ga, gb = eps[cid]
        wait_routes(gw, cid)
        r = lab.peer_exec(sys.executable, os.path.join(HERE, "udp_peer.py"),
                          json.dumps(stream_plan(a, b, ga, gb, 30)), timeout=60)
        rx = json.loads(r.stdout)
        expect(len(rx["a"]) == 30 and len(rx["b"]) == 30,
               f"{cid} after restore: {len(rx['a'])}/{len(rx['b'])} of 30 packets")
    print(f"     bulk: {n} calls set up in {setup_s:.1f}s; restored {st['restored']} in "
          f"{st['restore_ms']} ms (kill to first RPC answered: {t_up:.2f}s)")
    for i in range(n):
        gw.rpc.call("delete", call_id=f"bulk-{i}")


CASES = {"restart_relay": case_restart_relay, "redis_outage": case_redis_outage,
         "restart_sdes": case_restart_sdes, "restart_dtls": case_restart_dtls,
         "restart_transcoded": case_restart_transcoded,
         "bulk": case_bulk}


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--sdes-peer":
        sdes_stream(json.loads(sys.argv[2]))
        return 0
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    if shutil.which("redis-server") is None:
        print("SKIP: no redis-server")
        return 77
    exe = sys.argv[1]
    args = sys.argv[2:]
    n_bulk = 1000
    if "--calls" in args:
        k = args.index("--calls")
        n_bulk = int(args[k + 1])
        del args[k:k + 2]
    names = args or list(CASES)
    passed = failed = 0
    redis = Redis().start()
    try:
        with wrtclab.Lab() as lab:
            cfg = config(redis)
            if n_bulk > 2000:
                cfg["control"]["max_calls"] = n_bulk + 100
                cfg["interfaces"][0]["media_port_min"] = 2000
                cfg["interfaces"][0]["media_port_max"] = 65000
            ctx = {"lab": lab, "redis": redis, "exe": exe,
                   "gw": wrtclab.Gateway(lab, exe, config=cfg).start()}
            for name in names:
                try:
                    if name == "bulk":
                        case_bulk(ctx, n_bulk)
                    else:
                        CASES[name](ctx)
                    print(f"ok   {name}")
                    passed += 1
                except Exception:
                    print(f"FAIL {name}")
                    traceback.print_exc()
                    print(ctx["gw"].log()[-4000:])
                    failed += 1
                if redis.proc is None:
                    redis.start()
            rc = ctx["gw"].stop()
            if rc != 0:
                print(f"FAIL clean_shutdown: wrtcgw exited {rc}")
                failed += 1
    finally:
        redis.cleanup()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
