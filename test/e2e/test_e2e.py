# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end scenarios: headless Chromium ⇄ wrtcgw ⇄ plain RTP/AVP phone.

    sudo python3 test_e2e.py SCENARIO PATH_TO_WRTCGW [-v]
    sudo python3 test_e2e.py --list

Each scenario is one meson test (suite 'e2e'). Exit 0 pass, 1 fail (with
the reason, the page log, Chromium's and the gateway's log tails), 77 skipped
(not root, or Chromium/coturn not installed). docs/e2e.md describes them.
"""
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import e2e  # noqa: E402
from e2e import (BROWSER_HZ, DUT_IP4, DUT_IP6, PEER_IP4, PEER_IP6, PHONE_HZ,  # noqa: E402
                 TURN_IP, Env, Failure, expect, legs, sdp_direction, sdp_media_addr,
                 sdp_value)

AUDIO_SECONDS = 4
PPS = 50


class Call:
    def __init__(self, call_id, phone, gw_ip, gw_port, gw_sdp, browser_sdp):
        self.call_id = call_id
        self.phone = phone
        self.gw = (gw_ip, gw_port)
        self.gw_sdp = gw_sdp  # the gateway's SDP to the browser (answer or offer)
        self.browser_sdp = browser_sdp  # the browser's (offer or answer)
        self.version = 1


def candidates(sdp):
    return [line for line in sdp.splitlines() if line.startswith("a=candidate:")]


def check_web_answer(sdp, who):
    for want in ("UDP/TLS/RTP/SAVPF", "a=ice-lite", "a=ice-ufrag:", "a=ice-pwd:",
                 "a=fingerprint:sha-256", "a=setup:", "a=rtcp-mux"):
        expect(want in sdp, f"{who} from the gateway lacks '{want}':\n{sdp}")
    expect(candidates(sdp), f"{who} from the gateway has no a=candidate:\n{sdp}")


def check_sip_sdp(sdp, who, ip):
    expect("RTP/AVP" in sdp and "SAVP" not in sdp, f"{who} is not plain RTP/AVP:\n{sdp}")
    for bad in ("a=ice-ufrag", "a=fingerprint", "a=candidate", "a=setup", "a=ssrc",
                "a=extmap", "a=rtcp-fb"):
        expect(bad not in sdp, f"{who} still carries '{bad}':\n{sdp}")
    addr, port = sdp_media_addr(sdp)
    expect(addr == ip and port, f"{who}: media address {addr}:{port}, expected {ip}")
    return addr, port


def browser_calls_phone(env, call_id="b2p", pt=0, v6=False, relay=False, codecs=None):
    """Browser offers, phone answers: the controller flow of a WebRTC client
    calling a SIP phone."""
    b = env.browser
    info = b.do("init", relay=relay, ice_servers=env.turn.ice_servers() if env.turn else [],
                codecs=codecs)
    expect(info["tracks"] == 1, f"getUserMedia gave {info}")
    offer = b.do("create_offer")
    if relay:
        types = {c.split()[7] for c in candidates(offer)}
        expect(types == {"relay"}, f"relay-only browser offered candidate types {types}:\n{offer}")
    r = env.rpc("offer", call_id=call_id, from_tag="browser", sdp=offer, ingress="webrtc",
                egress="sip")
    gw_ip, gw_port = check_sip_sdp(r["sdp"], "SIP-side offer", DUT_IP6 if v6 else DUT_IP4)
    expect(sdp_direction(r["sdp"]) == "sendrecv", f"SIP-side offer direction:\n{r['sdp']}")
    phone = env.phone(PEER_IP6[1] if v6 else PEER_IP4[1], 32002, pt=pt)
    ans = env.rpc("answer", call_id=call_id, from_tag="browser", to_tag="phone",
                  sdp=phone.sdp())
    web_answer = ans["sdp"]
    check_web_answer(web_answer, "WebRTC answer")
    phone.start(gw_ip, gw_port)
    b.do("set_answer", sdp=web_answer)
    return Call(call_id, phone, gw_ip, gw_port, web_answer, offer)


def phone_calls_browser(env, call_id="p2b"):
    """Phone offers, browser answers."""
    phone = env.phone(PEER_IP4[1], 32010)
    r = env.rpc("offer", call_id=call_id, from_tag="phone", sdp=phone.sdp(), ingress="sip",
                egress="webrtc")
    web_offer = r["sdp"]
    if env.verbose:
        print("  WebRTC offer from the gateway:\n    " + "\n    ".join(web_offer.splitlines()))
    check_web_answer(web_offer, "WebRTC offer")
    expect("a=setup:actpass" in web_offer, f"WebRTC offer is not a=setup:actpass:\n{web_offer}")
    b = env.browser
    b.do("init")
    web_answer = b.do("accept_offer", sdp=web_offer)
    ans = env.rpc("answer", call_id=call_id, from_tag="phone", to_tag="browser", sdp=web_answer)
    gw_ip, gw_port = check_sip_sdp(ans["sdp"], "SIP-side answer", DUT_IP4)
    phone.start(gw_ip, gw_port)
    return Call(call_id, phone, gw_ip, gw_port, web_offer, web_answer)


def wait_connected(env, what="call"):
    st = env.browser.do("wait_connected", timeout_ms=15000, timeout=20)
    expect(st["state"] == "connected",
           f"{what}: browser connectionState {st['state']} after 15 s "
           f"(history {st['history']})")


def check_audio(env, call, label, codec_mode=None, relay=False, v6=False, seconds=AUDIO_SECONDS):
    """Audio both ways for `seconds`: the browser hears PHONE_HZ and the phone
    BROWSER_HZ, both loud, with <= 1 % loss; ICE and DTLS connected on both
    sides; query consistent. Returns (browser stats, query)."""
    b = env.browser
    # The window starts once media flows both ways (the first packets after
    # DTLS are not the subject here).
    t_wait = time.time()
    while time.time() - t_wait < 5:
        s0 = b.do("stats")
        if ((s0.get("inbound") or {}).get("packetsReceived") or 0) > 10 and \
                len(call.phone.packets(since=time.time() - 0.3)) > 5:
            break
        time.sleep(0.2)
    time.sleep(0.5)
    t0 = time.time()
    s0 = b.do("stats")
    sent0 = call.phone.sent
    time.sleep(seconds)
    # Counted before the browser's snapshot: a phone that catches up in a
    # burst while a slow getStats call runs does not count as loss.
    sent = call.phone.sent - sent0
    s1 = b.do("stats")
    m = b.do("measure")
    ph = call.phone.report(since=t0, until=time.time())
    q = env.rpc("query", call_id=call.call_id)
    web, sip = legs(q)
    if env.verbose:
        print(f"  [{label}] browser inbound {s1.get('inbound')} pair {s1.get('pair')}\n"
              f"  [{label}] browser heard {m}\n  [{label}] phone {ph}\n"
              f"  [{label}] query web leg ice {web.get('ice')} dtls {web.get('dtls')}", flush=True)
    # Browser side (getStats).
    tr = s1.get("transport") or {}
    expect(tr.get("dtlsState") == "connected", f"{label}: browser DTLS state {tr}")
    expect(tr.get("iceState") in ("connected", "completed"), f"{label}: browser ICE state {tr}")
    pair = s1.get("pair") or {}
    # Chromium shows 'in-progress' while a consent check of a pair that had
    # succeeded is outstanding; what matters is that checks were answered.
    expect(pair.get("state") == "succeeded" or
           (pair.get("nominated") and (pair.get("responsesReceived") or 0) > 0),
           f"{label}: browser's selected candidate pair {pair}")
    want_gw = DUT_IP6 if v6 else DUT_IP4
    expect(pair["remote"]["address"] == want_gw,
           f"{label}: browser's selected remote candidate {pair['remote']}, expected {want_gw}")
    if relay:
        expect(pair["local"]["type"] == "relay",
               f"{label}: browser's selected local candidate is not relayed: {pair['local']}")
    inb0, inb = s0.get("inbound") or {}, s1.get("inbound") or {}
    expect(inb, f"{label}: browser has no inbound-rtp audio stats: {s1}")
    got = inb.get("packetsReceived", 0) - inb0.get("packetsReceived", 0)
    lost = inb.get("packetsLost", 0) - inb0.get("packetsLost", 0)
    # Rates are compared with what was sent, so a loaded CI machine that
    # delays a sender does not count as loss; losses are sequence gaps.
    expect(got >= 0.6 * PPS * seconds and got >= sent - max(10, 0.01 * sent),
           f"{label}: browser received {got} RTP packets in {seconds} s while the phone sent "
           f"{sent} (nominal {PPS * seconds})")
    expect(lost <= 0.01 * max(got, 1), f"{label}: browser lost {lost} of {got + lost} packets")
    expect((inb.get("totalAudioEnergy") or 0) > (inb0.get("totalAudioEnergy") or 0)
           and (inb.get("audioLevel") or 0) > 0.01,
           f"{label}: browser plays silence: audioLevel {inb.get('audioLevel')}, "
           f"totalAudioEnergy {inb0.get('totalAudioEnergy')} -> {inb.get('totalAudioEnergy')}")
    expect(abs(m["freq"] - PHONE_HZ) <= 20 and m["rms"] > 1000,
           f"{label}: browser heard {m['freq']} Hz at rms {m['rms']:.0f}, "
           f"expected {PHONE_HZ} Hz at rms > 1000 ({m})")
    out = (s1.get("outbound") or {})
    bsent = out.get("packetsSent", 0) - (s0.get("outbound") or {}).get("packetsSent", 0)
    expect(bsent > 0, f"{label}: browser sends nothing: {out}")
    # Phone side.
    expect(ph["received"] >= 0.6 * PPS * seconds and
           ph["received"] >= bsent - max(10, 0.01 * bsent),
           f"{label}: phone received {ph['received']} packets in {seconds} s while the browser "
           f"sent {bsent} (nominal {PPS * seconds})")
    expect(ph["payload_types"] == [call.phone.pt],
           f"{label}: phone got payload types {ph['payload_types']}, expected [{call.phone.pt}]")
    expect(ph["lost"] <= 0.01 * ph["received"],
           f"{label}: phone saw {ph['lost']} packets missing of {ph['received']}")
    expect(abs(ph["freq"] - BROWSER_HZ) <= 20 and ph["rms"] > 1000,
           f"{label}: phone heard {ph['freq']} Hz at rms {ph['rms']}, expected {BROWSER_HZ} Hz")
    expect(ph["sources"] == [f"{call.gw[0]}:{call.gw[1]}"],
           f"{label}: phone got RTP from {ph['sources']}, expected {call.gw[0]}:{call.gw[1]}")
    # Gateway side (query).
    expect(q["state"] == "answered", f"{label}: query state {q['state']}")
    st = q["streams"][0]
    if codec_mode:
        expect(st["codec_mode"] == codec_mode,
               f"{label}: query codec_mode {st['codec_mode']}, expected {codec_mode}")
    ice, dtls = web.get("ice") or {}, web.get("dtls") or {}
    expect(ice.get("state") in ("connected", "completed"), f"{label}: query web leg ICE {ice}")
    expect(dtls.get("state") == "connected" and dtls.get("srtp_suite"),
           f"{label}: query web leg DTLS {dtls}")
    expect(web.get("security") == "srtp-terminated", f"{label}: query web leg security "
           f"{web.get('security')}")
    if relay:
        expect(ice.get("selected_remote", "").startswith(TURN_IP + ":"),
               f"{label}: gateway's selected remote {ice.get('selected_remote')} is not the "
               f"TURN relay {TURN_IP}")
    want_phone = (f"[{call.phone.ip}]:{call.phone.port}" if ":" in call.phone.ip
                  else f"{call.phone.ip}:{call.phone.port}")
    expect(sip["rtp"]["remote"] == want_phone,
           f"{label}: query sip leg remote {sip['rtp']['remote']}, expected {want_phone}")
    for leg in (web, sip):
        expect(leg["rtp"]["rx_packets"] > 0 and leg["rtp"]["tx_packets"] > 0,
               f"{label}: query counters of leg {leg['leg']}: {leg['rtp']}")
    return s1, q


def finish(env, call):
    """Stops the phone, deletes the call; the final counts must add up."""
    call.phone.sending = False
    time.sleep(0.3)
    sent = call.phone.sent
    final = env.rpc("delete", call_id=call.call_id)
    expect(final.get("state") == "deleted", f"delete: state {final.get('state')}")
    web, sip = legs(final)
    for leg in (web, sip):
        expect(leg["rtp"]["rx_packets"] > 0 and leg["rtp"]["tx_packets"] > 0,
               f"delete: final counters of leg {leg['leg']}: {leg['rtp']}")
    lost = sent - sip["rtp"]["rx_packets"]
    expect(0 <= lost <= 0.01 * sent,
           f"delete: the phone sent {sent} packets, the gateway's sip leg received "
           f"{sip['rtp']['rx_packets']}")
    try:
        env.gw.rpc.call("query", call_id=call.call_id)
        raise Failure("query still finds the call after delete")
    except e2e.wrtclab.RpcError as e:
        expect(e.code == -32001, f"query after delete: {e}")
    if env.verbose:
        print(f"  delete: web leg {web['rtp']}\n  delete: sip leg {sip['rtp']}", flush=True)
    return final


def reoffer_from_browser(env, call, label, direction=None, ice_restart=False):
    """A re-INVITE from the browser: a new offer through `offer` with the same
    call_id/from_tag, the phone's answer through `answer`."""
    b = env.browser
    if direction:
        b.do("set_direction", direction=direction)
    offer = b.do("create_offer", ice_restart=ice_restart)
    r = env.rpc("offer", call_id=call.call_id, from_tag="browser", sdp=offer, ingress="webrtc",
                egress="sip")
    gw_ip, gw_port = check_sip_sdp(r["sdp"], f"{label}: SIP-side re-offer", call.gw[0])
    want = {None: "sendrecv", "sendrecv": "sendrecv", "sendonly": "sendonly",
            "inactive": "inactive"}[direction]
    expect(sdp_direction(r["sdp"]) == want,
           f"{label}: SIP-side re-offer direction {sdp_direction(r['sdp'])}, expected {want}:\n"
           f"{r['sdp']}")
    if (gw_ip, gw_port) != call.gw:
        print(f"  note: {label}: the gateway moved the SIP side from {call.gw} to "
              f"{(gw_ip, gw_port)}")
        call.gw = (gw_ip, gw_port)
        call.phone.remote = call.gw
    call.version += 1
    phone_dir = {"sendrecv": "sendrecv", "sendonly": "recvonly", "inactive": "inactive"}[want]
    call.phone.sending = phone_dir == "sendrecv"
    ans = env.rpc("answer", call_id=call.call_id, from_tag="browser", to_tag="phone",
                  sdp=call.phone.sdp(phone_dir, call.version))
    check_web_answer(ans["sdp"], f"{label}: WebRTC re-answer")
    web_dir = {"sendrecv": "sendrecv", "sendonly": "recvonly", "inactive": "inactive"}[want]
    expect(sdp_direction(ans["sdp"]) == web_dir,
           f"{label}: WebRTC re-answer direction {sdp_direction(ans['sdp'])}, expected "
           f"{web_dir}:\n{ans['sdp']}")
    b.do("set_answer", sdp=ans["sdp"])
    return offer, ans["sdp"]


def reoffer_from_phone(env, call, label, direction="sendrecv", zero_c=False, ice_restart=False):
    """A re-INVITE from the phone (hold with a=sendonly/a=inactive or the old
    c=0.0.0.0 form, resume, or a codec change through call.phone.pt): its
    offer through `offer` with from_tag phone, the browser's answer back.
    ice_restart: the gateway restarts ICE towards the browser in its offer."""
    call.version += 1
    sdp = call.phone.sdp(direction, call.version)
    if zero_c:
        sdp = sdp.replace(f"c=IN IP4 {call.phone.ip}", "c=IN IP4 0.0.0.0")
    if ice_restart == "ng":
        # The same over ng, as a SIP proxy would ask for it (flag ICE-restart).
        ng = e2e.wrtclab.NgClient(env.lab.dut, timeout=10)
        try:
            r = ng.request("offer", call_id=call.call_id, from_tag="phone", sdp=sdp,
                           flags=["ICE-restart"])
        finally:
            ng.close()
        expect(r.get("result") == "ok" and "sdp" in r, f"{label}: ng offer: {r}")
    else:
        kw = {"ice_restart": True} if ice_restart else {}
        r = env.rpc("offer", call_id=call.call_id, from_tag="phone", sdp=sdp, **kw)
    check_web_answer(r["sdp"], f"{label}: WebRTC re-offer")
    call.phone.sending = direction in ("sendrecv", "sendonly") and not zero_c
    try:
        web_answer = env.browser.do("accept_offer", sdp=r["sdp"])
    except Exception as e:
        raise Failure(f"{label}: the browser refused the gateway's re-offer ({e}):\n{r['sdp']}")
    ans = env.rpc("answer", call_id=call.call_id, from_tag="phone", to_tag="browser",
                  sdp=web_answer)
    gw_ip, gw_port = check_sip_sdp(ans["sdp"], f"{label}: SIP-side re-answer", call.gw[0])
    if (gw_ip, gw_port) != call.gw:
        call.gw = (gw_ip, gw_port)
        call.phone.remote = call.gw
    call.last_web_answer = web_answer
    return r["sdp"], ans["sdp"]


def wait_inbound_flowing(env, label, timeout=10):
    """After a renegotiation: wait until the browser receives at the nominal
    rate again (>= 80 % over half a second); a stream that never recovers
    fails here."""
    b = env.browser
    end = time.time() + timeout
    last = None
    while time.time() < end:
        s0 = (b.do("stats").get("inbound") or {}).get("packetsReceived") or 0
        t0 = time.time()
        time.sleep(0.5)
        s1 = (b.do("stats").get("inbound") or {}).get("packetsReceived") or 0
        last = (s1 - s0) / max(time.time() - t0, 0.01)
        if last >= 0.8 * PPS:
            return
    raise Failure(f"{label}: the browser receives {last} packets/s {timeout} s after the "
                  f"renegotiation (nominal {PPS})")


def inbound_ssrcs(s):
    inb = s.get("inbound") or {}
    return set(s.get("inbound_ssrcs") or []) | ({inb["ssrc"]} if inb.get("ssrc") else set())


# ---- scenarios ----

def scenario_browser_calls_phone(env):
    """Browser offers Opus/PCMU/PCMA, phone answers PCMU; audio both ways."""
    call = browser_calls_phone(env)
    wait_connected(env)
    s, q = check_audio(env, call, "browser calls phone")
    return call, s, q


def scenario_phone_calls_browser(env):
    call = phone_calls_browser(env)
    wait_connected(env)
    st, q = check_audio(env, call, "phone calls browser")
    finish(env, call)
    web_offer, web_answer = call.gw_sdp, call.browser_sdp
    codec = st["inbound"]["codec"]
    mode = q["streams"][0]["codec_mode"]
    expect((codec == "audio/opus") == (mode == "transcode"),
           f"phone calls browser: the browser receives {codec} but query says {mode}")
    # RFC 7587 section 7: the Opus rtpmap is always opus/48000/2. Chromium
    # ignores anything else ("Unknown codec opus/48000/1") and answers G.711.
    if "opus" in web_offer.lower():
        rtpmap = next(ln for ln in web_offer.splitlines() if "opus/" in ln.lower())
        expect(rtpmap.lower().endswith("opus/48000/2"),
               f"WebRTC offer: '{rtpmap}' must be opus/48000/2 (RFC 7587 section 7); Chromium "
               f"ignores it and answered {'opus' if 'opus' in web_answer.lower() else 'G.711'}")
        # The gateway lists Opus first; Chromium follows the offer's order.
        expect(codec == "audio/opus" and mode == "transcode",
               f"phone calls browser: the gateway offered Opus first, but the browser "
               f"receives {codec} and query says {mode}")


def scenario_opus_transcode(env):
    """The browser offers only Opus: the gateway transcodes Opus <-> PCMU."""
    call = browser_calls_phone(env, call_id="b2p-opus", codecs=["opus"])
    expect("opus/48000" in call.gw_sdp and "PCMU" not in call.gw_sdp,
           f"Opus: the WebRTC answer should carry Opus only:\n{call.gw_sdp}")
    wait_connected(env)
    s, _ = check_audio(env, call, "Opus transcode", codec_mode="transcode")
    expect(s["inbound"]["codec"] == "audio/opus" and s["outbound"]["codec"] == "audio/opus",
           f"Opus: browser codecs in {s['inbound']['codec']} out {s['outbound']['codec']}")
    finish(env, call)


def scenario_dtmf(env):
    """Browser DTMF (RTCDTMFSender, telephone-event/48000 next to Opus) must
    reach the phone as telephone-event/8000 (payload type 101) with the
    durations rescaled to the 8 kHz clock."""
    call = browser_calls_phone(env, call_id="b2p-dtmf", codecs=["opus", "telephone-event"])
    expect("telephone-event/48000" in call.gw_sdp,
           f"DTMF: the WebRTC answer has no telephone-event/48000:\n{call.gw_sdp}")
    wait_connected(env)
    check_audio(env, call, "DTMF call", codec_mode="transcode")
    t0 = time.time()
    played = env.browser.do("dtmf", tones="1#9", duration_ms=100, gap_ms=70)
    expect(played == "1#9", f"DTMF: the browser played '{played}'")
    time.sleep(1)
    evs = call.phone.events(101, since=t0)
    got = [e[0] for e in evs]
    expect(got == [1, 11, 9], f"DTMF: the phone got events {evs} (event, duration, end, "
           "packets), expected 1, # (11), 9 as telephone-event/8000 payload type 101")
    for ev, dur, end, n in evs:
        expect(end, f"DTMF: event {ev} never had its end bit: {evs}")
        expect(600 <= dur <= 1600, f"DTMF: event {ev} lasted {dur} units at 8 kHz, expected "
               "about 800 (100 ms); a 48 kHz duration not rescaled would be ~4800")
    finish(env, call)


def scenario_pcma(env):
    call = browser_calls_phone(env, call_id="b2p-pcma", pt=8)
    wait_connected(env)
    _, q = check_audio(env, call, "PCMA")
    st = q["streams"][0]
    offerer, answerer = st.get("codec_offerer") or {}, st.get("codec_answerer") or {}
    expect(answerer.get("name") == "PCMA", f"PCMA: query codecs {offerer} / {answerer}")
    finish(env, call)


def scenario_ice_restart(env):
    call = browser_calls_phone(env, call_id="b2p-icerestart")
    wait_connected(env)
    _, q0 = check_audio(env, call, "before ICE restart")
    gen0 = (legs(q0)[0].get("ice") or {}).get("generation")
    t_restart = time.time()
    offer, answer = reoffer_from_browser(env, call, "ICE restart", ice_restart=True)
    expect(sdp_value(offer, "ice-ufrag") != sdp_value(call.browser_sdp, "ice-ufrag"),
           "ICE restart: the browser's re-offer kept its ufrag")
    expect(sdp_value(answer, "ice-ufrag") != sdp_value(call.gw_sdp, "ice-ufrag") and
           sdp_value(answer, "ice-pwd") != sdp_value(call.gw_sdp, "ice-pwd"),
           f"ICE restart: the gateway's answer kept its ufrag/pwd "
           f"({sdp_value(answer, 'ice-ufrag')}), RFC 8839 4.4.1.1.1 wants new ones")
    wait_connected(env, "after ICE restart")
    _, q1 = check_audio(env, call, "after ICE restart")
    gen1 = (legs(q1)[0].get("ice") or {}).get("generation")
    if gen0 is not None and gen1 is not None:
        expect(gen1 > gen0, f"ICE restart: query ICE generation {gen0} -> {gen1}")
    # Audio went on through the restart: no hole of a second at the phone.
    pk = call.phone.packets(since=t_restart - 1)
    hole = max((b[0] - a[0] for a, b in zip(pk, pk[1:])), default=99)
    expect(hole < 1.0, f"ICE restart: the phone heard nothing for {hole:.2f} s")
    finish(env, call)


def scenario_ice_restart_10(env):
    """Ten ICE restarts from Chromium in a row, audio checked after each: the
    browser checks its new generation with the gateway's old credentials
    before the answer arrives (docs/lib/ice.rst); each restart must move the
    media to the pair the browser nominated."""
    call = browser_calls_phone(env, call_id="b2p-icerestart10")
    wait_connected(env)
    _, q = check_audio(env, call, "before the ICE restarts", seconds=2)
    gen = (legs(q)[0].get("ice") or {}).get("generation")
    drops0 = legs(q)[0]["rtp"]["drops"]
    ufrag = sdp_value(call.browser_sdp, "ice-ufrag")
    for i in range(1, 11):
        label = f"ICE restart {i}/10"
        t_restart = time.time()
        offer, answer = reoffer_from_browser(env, call, label, ice_restart=True)
        expect(sdp_value(offer, "ice-ufrag") != ufrag, f"{label}: the browser kept its ufrag")
        ufrag = sdp_value(offer, "ice-ufrag")
        wait_connected(env, f"after {label}")
        wait_inbound_flowing(env, f"after {label}")
        s, q = check_audio(env, call, f"after {label}", seconds=2)
        web = legs(q)[0]
        ice = web.get("ice") or {}
        g = ice.get("generation")
        expect(g is not None and gen is not None and g > gen,
               f"{label}: query ICE generation {gen} -> {g}")
        gen = g
        expect(not ice.get("restarting"), f"{label}: the gateway still waits for the new "
               f"generation's nomination: {ice}")
        loc = (s.get("pair") or {}).get("local") or {}
        want = f"{loc.get('address')}:{loc.get('port')}"
        expect(ice.get("selected_remote") == want,
               f"{label}: the gateway's selected remote {ice.get('selected_remote')} is not the "
               f"browser's selected local candidate {want}")
        # What the browser sent reached the phone: the gateway dropped (almost)
        # nothing of it across the restart. (A loaded machine may stall
        # Chromium's own sending for a second; that is not the gateway's.)
        drops = web["rtp"]["drops"]
        expect(drops - drops0 <= 10, f"{label}: the gateway dropped {drops - drops0} packets "
               f"from the browser across the restart: {web['rtp'].get('drop_reasons')}")
        drops0 = drops
        pk = call.phone.packets(since=t_restart - 1)
        hole = max((b[0] - a[0] for a, b in zip(pk, pk[1:])), default=99)
        expect(hole < 2.5, f"{label}: the phone heard nothing for {hole:.2f} s")
        print(f"  {label}: ok, phone's longest gap {hole:.2f} s, gateway selected {ice.get('selected_remote')}, checks with "
              f"the old password {ice.get('new_gen_prev_key')}, refused {ice.get('stale_gen')}",
              flush=True)
    finish(env, call)


def scenario_gateway_ice_restart_3(env):
    """Three ICE restarts started by the gateway (`offer` with ice_restart
    from the phone's side; the second through ng with the ICE-restart
    flag): each offer to Chromium carries new
    ice-ufrag/ice-pwd, Chromium answers with new ones of its own, the new
    generation is nominated, and audio flows both ways after each."""
    call = browser_calls_phone(env, call_id="b2p-gwrestart")
    wait_connected(env)
    _, q = check_audio(env, call, "before the gateway's ICE restarts", seconds=2)
    gen = (legs(q)[0].get("ice") or {}).get("generation")
    restarts = (legs(q)[0].get("ice") or {}).get("restarts", 0)
    gw_ufrag, gw_pwd = sdp_value(call.gw_sdp, "ice-ufrag"), sdp_value(call.gw_sdp, "ice-pwd")
    web_ufrag = sdp_value(call.browser_sdp, "ice-ufrag")
    for i in range(1, 4):
        label = f"gateway ICE restart {i}/3"
        t_restart = time.time()
        # The second one over ng (flag ICE-restart), the others over JSON-RPC.
        offer, _ = reoffer_from_phone(env, call, label, ice_restart="ng" if i == 2 else True)
        u, p = sdp_value(offer, "ice-ufrag"), sdp_value(offer, "ice-pwd")
        expect(u and p and u != gw_ufrag and p != gw_pwd,
               f"{label}: the gateway's offer kept its ufrag/pwd ({u}):\n{offer}")
        gw_ufrag, gw_pwd = u, p
        wu = sdp_value(call.last_web_answer, "ice-ufrag")
        expect(wu != web_ufrag, f"{label}: Chromium's answer kept its ufrag {wu}")
        web_ufrag = wu
        wait_connected(env, f"after {label}")
        wait_inbound_flowing(env, f"after {label}")
        s, q = check_audio(env, call, f"after {label}", seconds=2)
        ice = legs(q)[0].get("ice") or {}
        g = ice.get("generation")
        expect(g is not None and gen is not None and g > gen,
               f"{label}: query ICE generation {gen} -> {g}")
        gen = g
        expect(ice.get("restarts", 0) == restarts + i, f"{label}: ice.restarts {ice}")
        expect(not ice.get("restarting"), f"{label}: the new generation was not nominated: "
               f"{ice}")
        pk = call.phone.packets(since=t_restart - 1)
        hole = max((b[0] - a[0] for a, b in zip(pk, pk[1:])), default=99)
        expect(hole < 2.5, f"{label}: the phone heard nothing for {hole:.2f} s")
        print(f"  {label}: ok, gateway ufrag {u}, browser {wu}, generation {g}, phone's "
              f"longest gap {hole:.2f} s, selected {ice.get('selected_remote')}", flush=True)
    finish(env, call)


def scenario_turn_relay(env):
    call = browser_calls_phone(env, call_id="b2p-turn", relay=True)
    wait_connected(env, "relay-only call")
    check_audio(env, call, "TURN relay", relay=True)
    finish(env, call)


def scenario_ipv6(env):
    call = browser_calls_phone(env, call_id="b2p-v6", v6=True)
    expect(any(DUT_IP6 in c for c in candidates(call.gw_sdp)),
           f"IPv6: the WebRTC answer has no {DUT_IP6} candidate:\n{call.gw_sdp}")
    wait_connected(env, "IPv6 call")
    check_audio(env, call, "IPv6", v6=True)
    finish(env, call)


def scenario_hold_resume(env):
    call = browser_calls_phone(env, call_id="b2p-hold")
    wait_connected(env)
    check_audio(env, call, "before hold")
    # Hold: the browser sends (music on hold), the phone only receives.
    reoffer_from_browser(env, call, "hold (sendonly)", direction="sendonly")
    time.sleep(1)
    t0 = time.time()
    tx0 = legs(env.rpc("query", call_id=call.call_id))[0]["rtp"]["tx_packets"]
    time.sleep(2)
    ph = call.phone.report(since=t0)
    q = env.rpc("query", call_id=call.call_id)
    tx = legs(q)[0]["rtp"]["tx_packets"] - tx0
    # Chromium drops its inbound-rtp stats while the transceiver is sendonly;
    # the gateway's counters tell what went to the browser.
    expect(tx <= 5, f"hold (sendonly): the gateway still sent {tx} packets to the browser "
           "in 2 s")
    expect(ph["received"] >= 0.6 * PPS * 2 and abs(ph["freq"] - BROWSER_HZ) <= 20,
           f"hold (sendonly): the phone should still hear the browser: {ph}")
    # Both sides silent.
    reoffer_from_browser(env, call, "hold (inactive)", direction="inactive")
    time.sleep(1)
    t0 = time.time()
    time.sleep(2)
    ph = call.phone.report(since=t0)
    expect(ph["received"] <= 2, f"hold (inactive): the phone still received {ph['received']} "
           "packets in 2 s")
    q = env.rpc("query", call_id=call.call_id)
    web, _ = legs(q)
    expect((web.get("dtls") or {}).get("state") == "connected",
           f"hold (inactive): DTLS dropped: {web.get('dtls')}")
    # Resume.
    reoffer_from_browser(env, call, "resume", direction="sendrecv")
    wait_connected(env, "after resume")
    check_audio(env, call, "after resume")
    finish(env, call)


def scenario_hold_resume_3(env):
    """Three holds and resumes on a transcoded call (Opus <-> PCMU), from
    both sides and in every form (a=sendonly, a=inactive, c=0.0.0.0): the
    transcoders are kept, so the browser sees ONE inbound SSRC throughout."""
    call = browser_calls_phone(env, call_id="b2p-hold3", codecs=["opus"])
    wait_connected(env)
    s, _ = check_audio(env, call, "before the holds", codec_mode="transcode", seconds=2)
    ssrcs = inbound_ssrcs(s)
    expect(len(ssrcs) == 1, f"before the holds: browser inbound SSRCs {ssrcs}")
    kept0 = env.rpc("statistics").get("transcoders_kept", 0)
    holds = [("browser", "sendonly", False), ("phone", "inactive", False),
             ("phone", "sendonly", True), ("browser", "inactive", False)]
    for i, (who, how, zero_c) in enumerate(holds, 1):
        label = f"hold {i} ({who}: {'c=0.0.0.0' if zero_c else 'a=' + how})"
        if who == "browser":
            reoffer_from_browser(env, call, label, direction=how)
        else:
            reoffer_from_phone(env, call, label, direction=how, zero_c=zero_c)
        time.sleep(1)
        t0 = time.time()
        time.sleep(1.5)
        ph = call.phone.report(since=t0)
        if zero_c or how == "inactive" or who == "phone":
            # The phone sent sendonly/inactive/c=0: nothing goes to it.
            expect(ph["received"] <= 2, f"{label}: the phone still received {ph['received']} "
                   "packets in 1.5 s")
        if who == "browser":
            reoffer_from_browser(env, call, f"resume {i}", direction="sendrecv")
        else:
            reoffer_from_phone(env, call, f"resume {i}")
        wait_connected(env, f"after resume {i}")
        wait_inbound_flowing(env, f"after resume {i}")
        s, q = check_audio(env, call, f"after resume {i}", codec_mode="transcode", seconds=2)
        ssrcs |= inbound_ssrcs(s)
        expect(len(ssrcs) == 1, f"resume {i}: the browser saw inbound SSRCs {sorted(ssrcs)}: "
               "a hold/resume must not start a new stream")
        print(f"  {label}: resumed, browser inbound SSRC {sorted(ssrcs)}", flush=True)
    kept = env.rpc("statistics").get("transcoders_kept", 0)
    expect(kept - kept0 >= 2 * 2 * len(holds),
           f"statistics transcoders_kept {kept0} -> {kept}: the re-answers rebuilt transcoders")
    finish(env, call)


def scenario_codec_change(env):
    """The phone re-offers PCMA instead of PCMU, three times back and forth,
    on a call that starts relayed (PCMU) and on a transcoded one (Opus to the
    browser, one SSRC kept): the phone gets its new codec and the tone stays
    right both ways."""
    for transcoded in (False, True):
        kind = "transcoded" if transcoded else "relayed"
        call = browser_calls_phone(env, call_id=f"b2p-codec-{kind}",
                                   codecs=["opus"] if transcoded else None)
        wait_connected(env)
        mode = "transcode" if transcoded else None
        s, _ = check_audio(env, call, f"{kind}: PCMU", codec_mode=mode, seconds=2)
        ssrcs = inbound_ssrcs(s)
        for i, pt in enumerate((8, 0, 8), 1):
            name = {0: "PCMU", 8: "PCMA"}[pt]
            call.phone.pt = pt
            reoffer_from_phone(env, call, f"{kind}: codec change {i} to {name}")
            wait_connected(env, f"{kind}: after codec change {i}")
            wait_inbound_flowing(env, f"{kind}: after codec change {i}")
            s, q = check_audio(env, call, f"{kind}: after codec change {i} to {name}",
                               codec_mode=mode, seconds=2)
            st = q["streams"][0]
            names = {(st.get("codec_offerer") or {}).get("name"),
                     (st.get("codec_answerer") or {}).get("name")}
            expect(name in names, f"{kind}: codec change {i}: query codecs {names}")
            if transcoded:
                ssrcs |= inbound_ssrcs(s)
                expect(len(ssrcs) == 1 and s["inbound"]["codec"] == "audio/opus",
                       f"{kind}: codec change {i}: the browser saw SSRCs {sorted(ssrcs)}, "
                       f"codec {s['inbound']['codec']}: the stream to it must go on")
            # (Relayed at first, the gateway's re-offer to the browser lists its
            # own codecs, Opus first: the browser may pick Opus, then the call is
            # transcoded; either way the phone gets its new codec and the tone.)
            print(f"  {kind}: codec change {i} to {name}: ok, browser receives "
                  f"{s['inbound']['codec']}, {st['codec_mode']}", flush=True)
        finish(env, call)
        call.phone.close()  # its port is the next call's


def scenario_drop_transcoding_3(env):
    """Opus (browser) <-> PCMU (phone), transcoded; the browser re-offers
    PCMU only (a common codec: relayed from then on), then Opus only again
    (transcoded), three times: the browser sees ONE inbound SSRC for the
    whole call (the relayed packets go on in the transcoder's stream), and
    the tone is right both ways after every switch."""
    call = browser_calls_phone(env, call_id="b2p-droptx", codecs=["opus"])
    wait_connected(env)
    s, _ = check_audio(env, call, "Opus, transcoded", codec_mode="transcode", seconds=2)
    ssrcs = inbound_ssrcs(s)
    expect(len(ssrcs) == 1, f"before: browser inbound SSRCs {ssrcs}")
    cont0 = env.rpc("statistics").get("streams_continued", 0)
    for i in range(1, 4):
        for codec, mode, mime in (("pcmu", "relay", "audio/PCMU"),
                                  ("opus", "transcode", "audio/opus")):
            label = f"round {i}: browser offers {codec.upper()} only"
            env.browser.do("set_codecs", codecs=[codec])
            reoffer_from_browser(env, call, label)
            wait_connected(env, f"after {label}")
            wait_inbound_flowing(env, f"after {label}")
            try:
                s, q = check_audio(env, call, f"after {label}", codec_mode=mode, seconds=2)
            except Failure:
                # What the gateway saw, for the report.
                for leg in legs(env.rpc("query", call_id=call.call_id)):
                    print(f"  {label}: gateway leg {leg['leg']}: rx {leg['rtp']['rx_packets']} "
                          f"tx {leg['rtp']['tx_packets']} drops "
                          f"{leg['rtp'].get('drop_reasons')}", flush=True)
                raise
            expect(s["inbound"]["codec"] == mime,
                   f"{label}: the browser receives {s['inbound']['codec']}, expected {mime}")
            ssrcs |= inbound_ssrcs(s)
            expect(len(ssrcs) == 1, f"{label}: the browser saw inbound SSRCs {sorted(ssrcs)}: "
                   "the stream to it must go on across the switch")
            print(f"  {label}: ok, {q['streams'][0]['codec_mode']}, browser receives "
                  f"{s['inbound']['codec']}, SSRC {sorted(ssrcs)}", flush=True)
    cont = env.rpc("statistics").get("streams_continued", 0)
    expect(cont - cont0 >= 2 * 6, f"statistics streams_continued {cont0} -> {cont} over six "
           "switches of both directions")
    finish(env, call)


def scenario_consent_expiry(env):
    call = browser_calls_phone(env, call_id="b2p-consent")
    wait_connected(env)
    check_audio(env, call, "before the browser leaves")
    t_kill = time.time()
    env.browser.kill()
    expired = disconnected = None
    states = []
    while time.time() - t_kill < 45:
        time.sleep(1)
        q = env.rpc("query", call_id=call.call_id)
        web, sip = legs(q)
        ice = web.get("ice") or {}
        states.append((round(time.time() - t_kill), ice.get("state"), ice.get("consent"),
                       web["rtp"]["tx_packets"]))
        if ice.get("state") == "disconnected" and disconnected is None:
            disconnected = time.time() - t_kill
        # "disconnected" is a warning (media may go on); consent is lost at 30 s.
        if ice.get("state") == "failed" or ice.get("consent") is False:
            expired = time.time() - t_kill
            break
    expect(expired is not None,
           f"consent: 45 s after the browser vanished the gateway's web leg still shows "
           f"(s, ICE state, consent, tx_packets) {states[-3:]}")
    expect(expired >= 20, f"consent: expired after only {expired:.1f} s (RFC 7675: 30 s)")
    # Media to the browser has stopped although the phone keeps sending.
    time.sleep(1)
    tx0 = legs(env.rpc("query", call_id=call.call_id))[0]["rtp"]["tx_packets"]
    rx0 = legs(env.rpc("query", call_id=call.call_id))[1]["rtp"]["rx_packets"]
    time.sleep(2)
    q = env.rpc("query", call_id=call.call_id)
    web, sip = legs(q)
    expect(sip["rtp"]["rx_packets"] > rx0, f"consent: the phone's packets no longer reach the "
           f"gateway: {sip['rtp']}")
    expect(web["rtp"]["tx_packets"] == tx0,
           f"consent: the gateway still sends to the vanished browser after consent expiry: "
           f"tx_packets {tx0} -> {web['rtp']['tx_packets']}, ICE {web.get('ice')}")
    print(f"  ICE disconnected after {disconnected} s, consent expired {expired:.1f} s after the "
          f"browser vanished; ICE {web.get('ice')}")
    final = env.rpc("delete", call_id=call.call_id)
    expect(final.get("state") == "deleted", f"delete: {final.get('state')}")


SCENARIOS = {
    "browser_calls_phone": (scenario_browser_calls_phone, {}),
    "phone_calls_browser": (scenario_phone_calls_browser, {}),
    "opus_transcode": (scenario_opus_transcode, {}),
    "dtmf": (scenario_dtmf, {}),
    "pcma": (scenario_pcma, {}),
    "ice_restart": (scenario_ice_restart, {}),
    "ice_restart_10": (scenario_ice_restart_10, {}),
    "gateway_ice_restart_3": (scenario_gateway_ice_restart_3, {}),
    "turn_relay": (scenario_turn_relay, {"turn": True}),
    "ipv6": (scenario_ipv6, {"family": 6}),
    "hold_resume": (scenario_hold_resume, {}),
    "hold_resume_3": (scenario_hold_resume_3, {}),
    "codec_change": (scenario_codec_change, {}),
    "drop_transcoding_3": (scenario_drop_transcoding_3, {}),
    "consent_expiry": (scenario_consent_expiry, {}),
}


def run(name, exe, verbose=False):
    fn, kw = SCENARIOS[name]
    env = Env(exe, verbose=verbose, **kw)
    ok = False
    try:
        if fn is scenario_browser_calls_phone:
            call, _, _ = fn(env)
            finish(env, call)
        else:
            fn(env)
        ok = True
        return 0
    except Exception as e:
        print(f"FAIL {name}: {e}")
        if not isinstance(e, Failure):
            traceback.print_exc()
        print(env.diagnostics())
        print(f"(files kept in {env.tmp})")
        return 1
    finally:
        env.close(keep=not ok)


def skip_reason(name):
    if os.geteuid() != 0:
        return "needs root for network namespaces"
    if not os.access(e2e.CHROMIUM, os.X_OK):
        return f"{e2e.CHROMIUM} not installed (apt-get install chromium)"
    if SCENARIOS[name][1].get("turn") and not os.access(e2e.TURNSERVER, os.X_OK):
        return f"{e2e.TURNSERVER} not installed (apt-get install coturn)"
    return None


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if "--list" in sys.argv:
        print("\n".join(SCENARIOS))
        return 0
    if len(args) != 2 or args[0] not in SCENARIOS:
        print(f"usage: {sys.argv[0]} SCENARIO WRTCGW [-v]; scenarios: {', '.join(SCENARIOS)}")
        return 2
    name, exe = args
    why = skip_reason(name)
    if why:
        print(f"SKIP: {why}")
        return 77
    t = time.time()
    rc = run(name, exe, verbose="-v" in sys.argv)
    print(f"{'ok' if rc == 0 else 'FAIL'} {name} ({time.time() - t:.1f} s)")
    return rc


if __name__ == "__main__":
    sys.exit(main())
