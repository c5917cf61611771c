# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end: headless Chromium registers with the real Kamailio over
SIP-over-WebSocket (SIP.js from npm, test/e2e/sipws) and calls a SIP phone
through it; the phone calls the browser too. Kamailio
(config/kamailio/kamailio.cfg with WITH_WEBSOCKET) drives wrtcgw over ng:
ICE + DTLS-SRTP on the browser leg, plain RTP/AVP PCMU on the phone's.
Tones both ways: the browser's fake microphone plays 440 Hz, the phone sends
1000 Hz; each end must hear the other's.

    sudo python3 test_sipws.py PATH_TO_WRTCGW [-v]

Kamailio and the gateway are in the DUT namespace (ng on its loopback); this
process, Chromium and the phone in the peer namespace; SIP and WebSocket over
a second veth pair (10.98.0.0/24). Exit 77 without root, chromium, kamailio
or the npm packages (tools/install-deps installs them).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, HERE)
import e2e  # noqa: E402
from e2e import BROWSER_HZ, PHONE_HZ, Failure, expect, legs  # noqa: E402
import sip_phone  # noqa: E402
import wrtclab  # noqa: E402
from wrtclab import PEER_IP4  # noqa: E402

SIPJS = os.path.join(HERE, "sipws", "node_modules", "sip.js")
KAM_IP, SIG_PEER = "10.98.0.2", "10.98.0.1"
DOMAIN = "wrtcgw.test"


def wait_tones(env, browser, media, since, timeout=20):
    """Both ends hear the other's tone: the browser 1000 Hz, the phone 440 Hz."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        heard = browser.do("measure")
        rep = media.report(since=time.time() - 1.0)
        last = (heard, rep)
        if abs(heard["freq"] - PHONE_HZ) <= 20 and heard["rms"] > 300 and \
                abs(rep["freq"] - BROWSER_HZ) <= 20 and rep["rms"] > 300:
            return heard, rep
        time.sleep(0.5)
    raise Failure(f"tones: browser heard {last[0]}, phone heard {last[1]}")


def check_call(env, gw, browser, media, what):
    st = browser.do("wait_connected", timeout_ms=20000)
    expect(st == "connected", f"{what}: browser connection {st}")
    heard, rep = wait_tones(env, browser, media, time.time())
    stats = browser.do("stats")
    tr = stats.get("transport") or {}
    expect(tr.get("dtlsState") == "connected" and tr.get("srtpCipher"),
           f"{what}: browser transport {tr}")
    calls = gw.rpc.call("list")["calls"]
    expect(len(calls) == 1, f"{what}: gateway has {len(calls)} calls")
    q = gw.rpc.call("query", call_id=calls[0]["call_id"])
    web, sip = legs(q)
    expect(web["security"] == "srtp-terminated", f"{what}: browser leg {web['security']}")
    expect(sip["security"] == "none", f"{what}: phone leg {sip['security']}")
    print(f"     {what}: browser heard {heard['freq']} Hz (rms {round(heard['rms'])}), "
          f"phone heard {rep['freq']} Hz (rms {rep['rms']}), {tr.get('srtpCipher')}", flush=True)
    return calls[0]["call_id"]


def wait_deleted(gw, what, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if gw.rpc.call("list")["calls"] == []:
            return
        time.sleep(0.1)
    raise Failure(f"{what}: the call is still on the gateway after BYE")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbose = "-v" in sys.argv
    if os.geteuid() != 0:
        print("skipped: needs root")
        return 77
    for need, path in (("chromium", e2e.CHROMIUM), ("kamailio", shutil.which("kamailio")),
                       ("SIP.js (tools/install-deps: npm ci in test/e2e/sipws)",
                        os.path.join(SIPJS, "lib", "index.js"))):
        if not path or not os.path.exists(path):
            print(f"skipped: {need} missing")
            return 77
    exe = args[0]
    tmp = tempfile.mkdtemp(prefix="wrtcgw-sipws-")
    lab = wrtclab.Lab()
    lab.create()
    gw = kam = browser = phone = media = None
    failed = 0
    try:
        lab.add_sig_link(KAM_IP, SIG_PEER)
        gw = wrtclab.Gateway(lab, exe).start()
        kam = wrtclab.Kamailio(lab.dut, [
            f"SIP_LISTEN=udp:{KAM_IP}:5060", "WITH_WEBSOCKET", f"WS_LISTEN=tcp:{KAM_IP}:8080",
            'RTPENGINE_SOCK="udp:127.0.0.1:2223"', f'SIP_TARGET="sip:{SIG_PEER}:5070"',
        ], sip=(KAM_IP, 5060)).start()
        e2e.enter_netns(lab.peer)
        subprocess.run(["ip", "-6", "addr", "flush", "dev", "peer0", "scope", "global"],
                       check=True)
        browser = e2e.Browser(tmp, verbose=verbose, page="sipws.html",
                              static={"/sipjs/": SIPJS, "/": HERE})
        media = e2e.Phone(PEER_IP4[1], 40000)
        phone = sip_phone.SipPhone(SIG_PEER, 5070, (KAM_IP, 5060), "phone", DOMAIN, media)
        r = browser.do("register", server=f"ws://{KAM_IP}:8080", aor=f"sip:alice@{DOMAIN}")
        expect(r == "Registered", f"register: {r}")

        # Browser calls the phone.
        t = threading.Thread(target=lambda: phone.answer(30), daemon=True)
        t.start()
        st = browser.do("call", target=f"sip:phone@{DOMAIN}", timeout=40, timeout_ms=30000)
        expect(st == "Established", f"browser call: {st}")
        t.join(5)
        check_call(None, gw, browser, media, "browser calls phone")
        expect(browser.do("hangup") == "Terminated", "browser hangup")
        wait_deleted(gw, "browser calls phone")
        deadline = time.time() + 10
        while not phone.ended() and time.time() < deadline:
            time.sleep(0.05)
        expect(phone.ended(), "the phone got no BYE")
        print("ok   browser-calls-phone", flush=True)

        # The phone calls the browser (registered over WebSocket).
        media.sending = False
        res = {}
        t = threading.Thread(target=lambda: res.update(v=browser.do("answer", timeout=40,
                                                                     timeout_ms=30000)),
                             daemon=True)
        t.start()
        phone.call(f"sip:alice@{DOMAIN}", timeout=30)
        t.join(40)
        expect(res.get("v") == "Established", f"browser answer: {res}")
        check_call(None, gw, browser, media, "phone calls browser")
        phone.bye()
        wait_deleted(gw, "phone calls browser")
        print("ok   phone-calls-browser", flush=True)
    except Exception:
        failed = 1
        print("FAIL sipws")
        traceback.print_exc()
        if browser:
            print("---- page log ----\n" + "\n".join(browser.page_log[-40:]))
            print("---- chromium ----\n" + browser.chromium_log(20))
        if phone:
            print("---- phone ----\n" + "\n".join(phone.log[-30:]))
        if kam:
            print("---- kamailio ----\n" + kam.log()[-3000:])
        if gw:
            print("---- wrtcgw ----\n" + gw.log()[-3000:])
    finally:
        for x in (phone, media):
            if x:
                x.close()
        if browser:
            browser.close()
        if kam:
            kam.stop()
        if gw:
            try:
                gw.stop()
            except RuntimeError as e:
                print(f"warning: {e}")
        lab.destroy()
    print(f"{2 - 2 * failed} passed, {failed} failed")
    return failed


if __name__ == "__main__":
    sys.exit(main())
