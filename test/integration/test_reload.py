#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""SIGHUP reloads the configuration during a call: the call and its media go
on (every packet sent during the reload arrives), a changed policer rate shows
in the `policers` method, a new SDP rule rewrites the next offer, a value that
needs a restart is logged as not applied, and a broken or reordered file
changes nothing. A notify socket (as systemd's for Type=notify) receives
READY=1 at start, RELOADING=1 and READY=1 around each reload and STOPPING=1.

Usage: test_reload.py PATH/TO/wrtcgw. Exit 77 (skipped) without root.
"""
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, PEER_IP4, sip_sdp, sdp_media_addr  # noqa: E402

N = 150          # packets each way, one per 20 ms: 3 s of media around the reload


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        raise AssertionError(what)


def wait_for(what, fn, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def reload(gw, cfg, marker):
    """Write @p cfg over the gateway's file, SIGHUP it, wait for its verdict."""
    with open(gw.config_path, "w") as f:
        f.write(cfg if isinstance(cfg, str) else json.dumps(cfg, indent=1))
    start = len(gw.log())
    gw.proc.send_signal(signal.SIGHUP)
    return wait_for(marker, lambda: marker in gw.log()[start:] and gw.log()[start:])


class Notify:
    """The datagram socket sd_notify() writes to ($NOTIFY_SOCKET), read at
    once by a thread as systemd does (a full socket would block the sender)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="wrtcgw-notify-")
        self.path = os.path.join(self.dir, "notify")
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.path)
        self.q = queue.Queue()
        self.pings = 0
        threading.Thread(target=self.reader, daemon=True).start()

    def reader(self):
        while True:
            try:
                self.q.put(self.s.recv(4096).decode())
            except OSError:
                return

    def states(self, until, timeout=10):
        """Messages received until one contains @p until (watchdog pings are
        counted, not returned)."""
        got = []
        while not any(until in m for m in got):
            m = self.q.get(timeout=timeout)
            if m == "WATCHDOG=1":
                self.pings += 1
            else:
                got.append(m)
        return got


def policer(gw, name):
    return next(p for p in gw.rpc.call("policers")["policers"] if p["name"] == name)


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    exe = sys.argv[1]
    cfg = wrtclab.default_config()
    notify = Notify()
    os.environ["NOTIFY_SOCKET"] = notify.path
    os.environ["WATCHDOG_USEC"] = "400000"     # WatchdogSec=0.4s: a ping every 0.2 s
    with wrtclab.Lab() as lab:
        gw = wrtclab.Gateway(lab, exe, config=json.loads(json.dumps(cfg))).start()
        got = notify.states("READY=1")
        expect(any("READY=1" in m for m in got), f"sd_notify READY=1 at start: {got}")
        # The file as the gateway runs it (RPC on the test's private socket).
        with open(gw.config_path) as f:
            running = json.load(f)
        a_ip, b_ip = PEER_IP4
        off = gw.rpc.call("offer", call_id="hup", from_tag="fa", sdp=sip_sdp(a_ip, 32000),
                          ingress="sip", egress="sip")
        _, pb = sdp_media_addr(off["sdp"])
        expect("s=-" in off["sdp"], "before the reload the offer keeps s=-")
        ans = gw.rpc.call("answer", call_id="hup", from_tag="fa", to_tag="tb",
                          sdp=sip_sdp(b_ip, 32002, pts=(0, 101)))
        _, pa = sdp_media_addr(ans["sdp"])
        wait_for("next hops", lambda: not any(
            leg["next_hop_pending"] for s in gw.rpc.call("query", call_id="hup")["streams"]
            for leg in s["legs"]))
        expect(policer(gw, "stun")["rate"] == 1000, "stun policer rate 1000 before")

        plan = {"sockets": {"a": f"{a_ip}:32000", "b": f"{b_ip}:32002"},
                "steps": [{"each": [{"send": "a", "to": f"{DUT_IP4}:{pa}", "ssrc": 0xa1},
                                    {"send": "b", "to": f"{DUT_IP4}:{pb}", "ssrc": 0xb2}],
                           "count": N, "interval": 0.02}],
                "linger": 0.5}
        peer = lab.peer_popen(sys.executable, os.path.join(HERE, "udp_peer.py"),
                              json.dumps(plan), stdout=subprocess.PIPE, text=True)
        wait_for("media flowing", lambda: gw.rpc.call("query", call_id="hup")
                 ["streams"][0]["legs"][0]["rtp"]["rx_packets"] >= 10)

        new = json.loads(json.dumps(running))
        new["policers"][1]["rate"] = 1234
        new["policers"][1]["priority_rate"] = 12340
        sip = next(t for t in new["trunk_groups"] if t["name"] == "sip")
        sip["sdp_rules"] = [{"direction": "out", "action": "substitute", "regex": "^s=-$",
                             "replacement": "s=reloaded"}]
        new["interfaces"][0]["media_port_max"] = 28999
        new["log_levels"] = {"wrtc.session": "debug"}
        log = reload(gw, new, "reload: done")
        expect("interfaces[0] (lab) changed: not applied (needs a restart)" in log,
               "a changed interface is logged as not applied")
        expect("policers[1] (stun): bucket 100, rate 1234" in log, "the policer change is logged")
        got = notify.states("READY=1")
        expect(got[0].startswith("RELOADING=1") and "READY=1" in got[-1],
               f"sd_notify RELOADING=1 then READY=1 around the reload: {got}")
        q = gw.rpc.call("query", call_id="hup")
        expect(q["state"] == "answered", f"the call is still answered: {q['state']}")

        out, _ = peer.communicate(timeout=60)
        got = json.loads(out)
        expect(len(got["b"]) == N and len(got["a"]) == N,
               f"every packet arrived across the reload: {len(got['b'])} and "
               f"{len(got['a'])} of {N}")
        wait_for("the new rate in the worker", lambda: policer(gw, "stun")["rate"] == 1234)
        p = policer(gw, "stun")
        expect(p["rate"] == 1234 and p["priority_rate"] == 12340,
               f"policers shows the new stun rates: {p['rate']} {p['priority_rate']}")
        off2 = gw.rpc.call("offer", call_id="hup2", from_tag="fc", sdp=sip_sdp(a_ip, 32010),
                           ingress="sip", egress="sip")
        expect("s=reloaded" in off2["sdp"], "the new SDP rule rewrites the next offer")
        gw.rpc.call("delete", call_id="hup2")

        # A broken file and a reordered one: nothing changes, the call stays.
        log = reload(gw, "{ not json", "nothing applied")
        expect("reload: nothing applied, the running configuration stays" in log,
               "a broken file is refused")
        moved = json.loads(json.dumps(new))
        moved["trunk_groups"].reverse()
        log = reload(gw, moved, "nothing applied")
        expect("trunk_groups[0]: \"sip\" where \"webrtc\" was" in log,
               f"a reordered trunk group list is refused: {log.strip().splitlines()[-1]}")
        expect(policer(gw, "stun")["rate"] == 1234, "the refused reloads left the rates")
        off3 = gw.rpc.call("offer", call_id="hup3", from_tag="fd", sdp=sip_sdp(a_ip, 32020),
                           ingress="sip", egress="sip")
        expect("s=reloaded" in off3["sdp"], "and the rules")
        gw.rpc.call("delete", call_id="hup3")

        final = gw.rpc.call("delete", call_id="hup")
        legs = final["streams"][0]["legs"]
        expect(legs[0]["rtp"]["rx_packets"] == N and legs[1]["rtp"]["rx_packets"] == N,
               f"final counters: {legs[0]['rtp']['rx_packets']} {legs[1]['rtp']['rx_packets']}")
        expect(gw.proc.poll() is None, "the gateway is still running")
        notify.states("READY=1")   # the refused reloads' notifications
        notify.states("READY=1")
        rc = gw.stop()
        expect(rc == 0, f"exit status {rc}")
        got = notify.states("STOPPING=1")
        expect(any("STOPPING=1" in m for m in got), f"sd_notify STOPPING=1: {got}")
        expect(notify.pings >= 3, f"watchdog pings while running: {notify.pings}")
    notify.s.close()
    shutil.rmtree(notify.dir, ignore_errors=True)
    print("all passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print(f"FAILED: {e}")
        sys.exit(1)
