# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: adaptive polling (workers.idle, docs/configuration.md).

    sudo python3 test_idle.py PATH_TO_WRTCGW

An idle gateway (one worker, no calls, then one call without traffic) uses
well under one core, its worker reports sleeps in `statistics`, and RTP
still flows both ways, every packet, after the worker has been sleeping.
The CPU bound is generous (half a core, where a busy-polling worker takes a
whole one): it checks behaviour, not timing. Exit 77 (skipped) without root.
"""
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, PEER_IP4  # noqa: E402
from test_relay import check_rtp, ep, run_peer, setup_call, expect  # noqa: E402

MEASURE_S = 3.0
MAX_CORES = 0.5


def cpu_seconds(pid):
    """utime + stime of every thread of @p pid."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cores(gw):
    c0, t0 = cpu_seconds(gw.proc.pid), time.monotonic()
    time.sleep(MEASURE_S)
    return (cpu_seconds(gw.proc.pid) - c0) / (time.monotonic() - t0)


def sleeps(gw):
    return sum(w["sleeps"] for w in gw.rpc.call("statistics")["workers"])


def main():
    if os.geteuid() != 0:
        print("skipped: needs root")
        return 77
    exe = sys.argv[1]
    cfg = wrtclab.default_config()
    cfg["workers"] = {"idle": "adaptive", "idle_max_us": 500}
    with wrtclab.Lab() as lab:
        gw = wrtclab.Gateway(lab, exe, config=cfg).start()
        try:
            s0 = sleeps(gw)
            cores = idle_cores(gw)
            print(f"  idle, no calls: {cores:.3f} cores")
            expect(cores < MAX_CORES, f"idle gateway used {cores:.2f} cores (adaptive polling)")
            expect(sleeps(gw) > s0, "the worker reported no sleeps while idle")

            a_ip, b_ip = PEER_IP4
            _, _, (_, pa), (_, pb) = setup_call(gw, "idle1", a_ip, 30000, b_ip, 30002)
            cores = idle_cores(gw)
            print(f"  idle, one call without media: {cores:.3f} cores")
            expect(cores < MAX_CORES, f"gateway with an idle call used {cores:.2f} cores")
            # The worker has been sleeping: the first packets must still arrive.
            got = run_peer(lab, {
                "sockets": {"a": ep(a_ip, 30000), "b": ep(b_ip, 30002)},
                "steps": [
                    {"send": "a", "to": ep(DUT_IP4, pa), "count": 50, "ssrc": 0x1111,
                     "interval": 0.02},
                    {"send": "b", "to": ep(DUT_IP4, pb), "count": 50, "ssrc": 0x2222,
                     "interval": 0.02},
                ],
                "linger": 1.0})
            check_rtp(got["b"], 0x1111, 50, ep(DUT_IP4, pb), "A->B RTP after idling")
            check_rtp(got["a"], 0x2222, 50, ep(DUT_IP4, pa), "B->A RTP after idling")
            gw.rpc.call("delete", call_id="idle1")
            print("ok   adaptive polling: idle CPU, traffic after idling")
            rc = gw.stop()
            expect(rc == 0, f"wrtcgw exit code {rc}")
            return 0
        except Exception:
            traceback.print_exc()
            print("---- wrtcgw log ----\n" + gw.log()[-4000:])
            gw.stop()
            return 1


if __name__ == "__main__":
    sys.exit(main())
