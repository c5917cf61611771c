# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end WebRTC <-> WebRTC: two Chromium endpoints (two peer connections
in one page, pair.html) call each other through wrtcgw, with an audio tone
each, canvas video and a data channel.

    sudo python3 test_pair.py passthrough|terminated PATH_TO_WRTCGW [-v]

passthrough (srtp_relay + sctp_relay): each endpoint's getStats() remote
certificate fingerprint is the other's local one, tones and video arrive, 1 KB
and 64 KB data-channel messages are echoed intact both ways, and `query` shows
no SRTP context and DTLS not terminated. terminated (sctp_relay only): the
same messages arrive and each endpoint's DTLS peer is the gateway (video is
left out: BUNDLE with several m-lines is not demultiplexed in this mode).
Exit 0 pass, 1 fail, 77 skipped (not root, no Chromium).
"""
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import e2e  # noqa: E402
import wrtclab  # noqa: E402
from e2e import Env, Failure, expect  # noqa: E402

HERE = os.path.dirname(os.path.realpath(__file__))
HZ = {"a": 440, "b": 660}


def config(mode):
    cfg = wrtclab.default_config()
    psp = dict(next(p for p in cfg["packet_service_profiles"] if p["name"] == "webrtc"))
    psp.update({"name": "pair", "srtp_relay": mode == "passthrough", "sctp_relay": True})
    cfg["packet_service_profiles"].append(psp)
    tg = dict(next(t for t in cfg["trunk_groups"] if t["name"] == "webrtc"))
    tg.update({"name": "pair", "packet_service_profile": "pair"})
    cfg["trunk_groups"].append(tg)
    return cfg


def fp_of(sdp):
    for line in sdp.splitlines():
        if line.startswith("a=fingerprint:"):
            return line.split(":", 1)[1].strip().upper()
    return None


def run(mode, env):
    e2e_mode = mode == "passthrough"
    b = env.browser
    # max-bundle (what applications set): terminated mode bundles the audio
    # m-line with the data channel (no video: several RTP m-lines are not
    # demultiplexed in that mode).
    b.do("init", video=e2e_mode, max_bundle=True)
    offer = b.do("offer")
    r = env.rpc("offer", call_id="pair", from_tag="a", sdp=offer, ingress="pair", egress="pair")
    b_offer = r["sdp"]
    answer = b.do("answer", sdp=b_offer)
    r = env.rpc("answer", call_id="pair", from_tag="a", to_tag="b", sdp=answer)
    a_answer = r["sdp"]
    gw_fp = fp_of(a_answer)
    b.do("set_answer", sdp=a_answer)
    state = b.do("wait_connected", timeout_ms=30000, timeout=40)
    expect(state is True, f"the endpoints did not connect: {state}")
    echoed = b.do("data", timeout_ms=20000, timeout=40)
    expect(echoed == {"a": ["1024", "65536"], "b": ["1024", "65536"]},
           f"data-channel messages echoed intact: {echoed}")
    # Media flows once each leg's pair is nominated (a loaded machine can take
    # seconds): wait for it, on a condition rather than a fixed time.
    deadline = time.time() + 30
    while True:
        time.sleep(1)
        rep = b.do("report")
        if all(rep[k]["packets"] > 150 for k in rep) or time.time() > deadline:
            break
    print(f"  report: {rep}")
    q = env.rpc("query", call_id="pair")
    for me, other in (("a", "b"), ("b", "a")):
        c = rep[me]["certs"]
        if e2e_mode:
            expect(c["remote"] == rep[other]["certs"]["local"] and c["remote"],
                   f"{me}: DTLS peer {c['remote']}, the other endpoint is "
                   f"{rep[other]['certs']['local']}")
        else:
            expect(c["remote"] == gw_fp and c["remote"] != rep[other]["certs"]["local"],
                   f"{me}: DTLS peer {c['remote']}, the gateway's is {gw_fp}")
        expect(rep[me]["packets"] > 100, f"{me} received {rep[me]['packets']} audio packets")
        expect(abs(rep[me]["freq"] - HZ[other]) <= 15,
               f"{me} heard {rep[me]['freq']:.0f} Hz, expected {HZ[other]} Hz")
        if e2e_mode and "m=video" in offer:
            expect(rep[me]["frames"] > 10, f"{me} decoded {rep[me]['frames']} video frames")
    expect(q["relay"]["mode"] == ("end_to_end" if e2e_mode else "terminated"),
           f"relay: {q['relay']}")
    # End to end no leg has keys; terminated, the bundled transport's legs do.
    for s in q["streams"] if e2e_mode else q["streams"][:1]:
        for leg in s["legs"]:
            expect(leg["srtp_context"] != e2e_mode, f"SRTP context on leg: {leg}")
    if not e2e_mode:
        for leg in q["streams"][0]["legs"]:
            expect(leg["data_channel"]["forwarded_packets"] > 10,
                   f"data channel on the bundled transport, leg {leg['leg']}: {leg}")
    if e2e_mode:
        for leg in q["streams"][0]["legs"]:
            expect(leg["dtls"]["terminated"] is False and leg["dtls"]["handshake"] > 0,
                   f"DTLS seen: {leg['dtls']}")
    env.rpc("delete", call_id="pair")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if len(args) != 2 or args[0] not in ("passthrough", "terminated"):
        print(f"usage: {sys.argv[0]} passthrough|terminated WRTCGW [-v]")
        return 2
    mode, exe = args
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    if not os.access(e2e.CHROMIUM, os.X_OK):
        print(f"SKIP: {e2e.CHROMIUM} not installed")
        return 77
    t = time.time()
    env = Env(exe, verbose="-v" in sys.argv, config=config(mode), page="pair.html",
              static={"/e2e/": HERE})
    ok = False
    try:
        run(mode, env)
        ok = True
    except Exception as e:
        print(f"FAIL {mode}: {e}")
        if not isinstance(e, Failure):
            traceback.print_exc()
        print(env.diagnostics())
    finally:
        env.close(keep=not ok)
    print(f"{'ok' if ok else 'FAIL'} {mode} ({time.time() - t:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
