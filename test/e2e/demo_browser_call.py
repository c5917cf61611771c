# SPDX-License-Identifier: BSD-3-Clause
"""Demo: a headless Chromium calls a plain RTP/AVP phone through wrtcgw.

    sudo python3 test/e2e/demo_browser_call.py PATH_TO_WRTCGW [--seconds N] [--opus]

Starts the network-namespace lab, wrtcgw on net_af_packet, Chromium (fake
microphone playing 440 Hz) and the phone (sending 1000 Hz PCMU), sets the
call up over JSON-RPC as a SIP controller would, and prints the call status
from `query`, what each end heard and the final counters from `delete`.
Exit 0 when the call worked (the checks of the e2e scenario
browser_calls_phone), 1 when it did not, 77 without root or Chromium.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
import e2e  # noqa: E402
import test_e2e  # noqa: E402
from e2e import BROWSER_HZ, PHONE_HZ, Env, legs  # noqa: E402


def show_status(q):
    st = q["streams"][0]
    print(f"call {q['call_id']}: {q['state']}, {q['duration']:.1f} s, worker {q.get('worker')}")
    print(f"  stream 0 {st['type']}: {st['state']}, {st['codec_mode']}, "
          f"{(st.get('codec_offerer') or {}).get('name')} (browser) <-> "
          f"{(st.get('codec_answerer') or {}).get('name')} (phone)")
    web, sip = legs(q)
    for name, leg in (("browser", web), ("phone", sip)):
        rtp = leg["rtp"]
        print(f"  {name:8} leg {leg['leg']}: {rtp['local']} <-> {rtp['remote']}  "
              f"security {leg.get('security')}  rx {rtp['rx_packets']} tx {rtp['tx_packets']} "
              f"drops {rtp['drops']} {rtp.get('drop_reasons') or ''}  "
              f"{leg.get('rx_kbps')}/{leg.get('tx_kbps')} kbit/s")
        if "ice" in leg:
            ice, dtls = leg["ice"], leg.get("dtls") or {}
            print(f"  {'':8} ICE {ice.get('state')} ({ice.get('local_mode')}/"
                  f"{ice.get('remote_mode')}, consent {ice.get('consent')}); DTLS "
                  f"{dtls.get('state')} {dtls.get('version')} {dtls.get('srtp_suite')}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if len(args) != 1:
        print(__doc__)
        return 2
    seconds = 5
    if "--seconds" in sys.argv:
        seconds = int(sys.argv[sys.argv.index("--seconds") + 1])
        args = [a for a in args if a != str(seconds)]
    if os.geteuid() != 0:
        print("demo: needs root for network namespaces")
        return 77
    if not os.access(e2e.CHROMIUM, os.X_OK):
        print(f"demo: {e2e.CHROMIUM} is not installed (apt-get install chromium)")
        return 77
    print("demo: lab, wrtcgw, headless Chromium (440 Hz microphone), phone (1000 Hz PCMU)")
    env = Env(args[0])
    ok = False
    try:
        codecs = ["opus"] if "--opus" in sys.argv else None
        call = test_e2e.browser_calls_phone(env, call_id="demo-call", codecs=codecs)
        print("demo: offer/answer done, waiting for ICE and DTLS")
        test_e2e.wait_connected(env)
        s, q = test_e2e.check_audio(env, call, "demo", seconds=seconds)
        m = env.browser.do("measure")
        ph = call.phone.report(since=time.time() - 1)
        show_status(q)
        pair, inb = s["pair"], s["inbound"]
        print(f"  browser: {s['connectionState']}, DTLS {s['transport']['dtlsState']}, pair "
              f"{pair['local']['address']}:{pair['local']['port']} -> "
              f"{pair['remote']['address']}:{pair['remote']['port']}, {inb['codec']}, "
              f"{inb['packetsReceived']} packets received, {inb['packetsLost']} lost, "
              f"audioLevel {inb['audioLevel']:.2f}")
        print(f"  browser heard {m['freq']} Hz at rms {m['rms']:.0f} (phone sends {PHONE_HZ} Hz)")
        print(f"  phone heard {ph['freq']} Hz at rms {ph['rms']} (browser sends {BROWSER_HZ} Hz), "
              f"payload types {ph['payload_types']}")
        final = test_e2e.finish(env, call)
        web, sip = legs(final)
        print(f"deleted: browser leg rx {web['rtp']['rx_packets']} tx {web['rtp']['tx_packets']}, "
              f"phone leg rx {sip['rtp']['rx_packets']} tx {sip['rtp']['tx_packets']}")
        print("demo: OK")
        ok = True
        return 0
    except Exception as e:
        print(f"demo: FAILED: {e}")
        print(env.diagnostics())
        return 1
    finally:
        env.close(keep=not ok)


if __name__ == "__main__":
    sys.exit(main())
