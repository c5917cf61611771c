#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end calls through a veth lab: wrtcgw (one worker, net_af_packet) or
rtpengine (Debian's rtpengine-daemon, userspace forwarding, one worker
thread), set up over their control protocols, driven by the same generator
(build/app/trafficgen/wrtc-trafficgen) from the peer namespace.

    sudo tools/bench/e2e.py --target wrtcgw|rtpengine --calls 100,500 \
        [--media relay|xcode] [--seconds 10] [--runs 3] [--build build-bench] [--exe PATH] \
        [--idle adaptive|poll]

For each number of calls and each run: a fresh lab and relay, N calls set up
(SIP-like: A offers PCMU, B answers PCMU; with --media xcode A offers Opus
only and B answers PCMU only, so the relay transcodes), the generator runs
for --seconds, the calls are deleted. Prints one JSON line per run (the
generator's sent/received/lost/latency plus the relay's CPU seconds) and a
median line per number of calls. Needs root (network namespaces).
"""
import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SRC, "test", "integration"))
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, PEER_IP4, sdp_media_addr  # noqa: E402

A_PORT, B_PORT = 30000, 30002


def sdp(ip, port, opus=False, sess="1"):
    pt, name = (111, "opus/48000/2") if opus else (0, "PCMU/8000")
    return "\r\n".join([
        "v=0", f"o=- {sess} 1 IN IP4 {ip}", "s=-", f"c=IN IP4 {ip}", "t=0 0",
        f"m=audio {port} RTP/AVP {pt}", f"a=rtpmap:{pt} {name}", "a=ptime:20", "a=sendrecv",
    ]) + "\r\n"


def proc_cpu(pid):
    """utime + stime of a process and all its threads, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def udp_errors(lab, ns):
    """UDP receive-buffer errors of a namespace (datagrams its kernel dropped)."""
    r = wrtclab.sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp")
    rows = [line.split()[1:] for line in r.stdout.splitlines() if line.startswith("Udp:")]
    return int(dict(zip(rows[0], rows[1])).get("RcvbufErrors", 0))


# --- bencode (for rtpengine's ng protocol) ---------------------------------

def benc(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(benc(x) for x in v) + b"e"
    if isinstance(v, dict):
        return b"d" + b"".join(benc(k) + benc(v[k]) for k in sorted(v)) + b"e"
    raise TypeError(type(v))


def bdec(b, i=0):
    c = b[i:i + 1]
    if c == b"i":
        e = b.index(b"e", i)
        return int(b[i + 1:e]), e + 1
    if c == b"l":
        out, i = [], i + 1
        while b[i:i + 1] != b"e":
            v, i = bdec(b, i)
            out.append(v)
        return out, i + 1
    if c == b"d":
        out, i = {}, i + 1
        while b[i:i + 1] != b"e":
            k, i = bdec(b, i)
            v, i = bdec(b, i)
            out[k.decode()] = v
        return out, i + 1
    colon = b.index(b":", i)
    n = int(b[i:colon])
    return b[colon + 1:colon + 1 + n], colon + 1 + n


class Ng:
    """rtpengine ng control: cookie + bencoded dictionary over UDP, in the DUT namespace."""

    def __init__(self, lab, port):
        self.lab, self.port = lab, port
        # A helper in the DUT namespace relays our requests (our own process
        # stays in the root namespace).
        self.p = subprocess.Popen(
            ["ip", "netns", "exec", lab.dut, sys.executable, "-c", NG_HELPER, str(port)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, **d):
        cookie = "%08x" % random.getrandbits(32)
        msg = cookie.encode() + b" " + benc(d)
        self.p.stdin.write(msg.hex().encode() + b"\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("ng helper died")
        rsp = bytes.fromhex(line.decode().strip())
        rc, body = rsp.split(b" ", 1)
        if rc.decode() != cookie:
            raise RuntimeError("ng cookie mismatch")
        r, _ = bdec(body)
        if r.get("result") not in (b"ok", b"pong"):
            raise RuntimeError(f"ng {d.get('command')}: {r}")
        return r

    def close(self):
        self.p.stdin.close()
        self.p.wait(5)


NG_HELPER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
for line in sys.stdin:
    msg = bytes.fromhex(line.strip())
    for attempt in range(3):
        s.sendto(msg, ("127.0.0.1", int(sys.argv[1])))
        try:
            rsp = s.recv(65536)
            break
        except socket.timeout:
            rsp = b"timeout d6:result5:errore"
    sys.stdout.write(rsp.hex() + "\n")
    sys.stdout.flush()
"""


# --- the two targets ----------------------------------------------------------

class WrtcgwTarget:
    name = "wrtcgw"
    idle = "adaptive"   # workers.idle (--idle)

    def __init__(self, lab, build, media, exe=None):
        self.lab, self.media = lab, media
        cfg = wrtclab.default_config()
        # A plain-RTP Opus profile for the A side of transcoded calls.
        cfg["packet_service_profiles"].append({
            "name": "sip-opus", "codecs": ["opus"], "transcode": True, "rtcp": False,
            "rtcp_mux": True, "srtp": False})
        cfg["trunk_groups"].append({
            "name": "sip-opus", "interface": "lab", "kind": "sip", "ice": "none",
            "address_type": "match", "packet_service_profile": "sip-opus", "policing": False})
        for tg in cfg["trunk_groups"]:
            tg["policing"] = False
        # Work-around: lib/session's media timeout computes now - last_rx_tsc
        # unsigned, and the worker's TSC (another core) can be ahead of the
        # control lcore's "now", so busy calls were removed as idle: 1 day.
        cfg.setdefault("control", {})["media_timeout"] = 86400
        cfg.setdefault("workers", {})["idle"] = self.idle
        self.gw = wrtclab.Gateway(lab, exe or os.path.join(build, "app", "wrtcgw", "wrtcgw"),
                                  config=cfg)

    def start(self):
        self.gw.start()
        self.pid = self.gw.proc.pid  # `ip netns exec` execs the program itself

    def setup(self, i):
        cid = f"bench-{i}"
        ingress = "sip-opus" if self.media == "xcode" else "sip"
        off = self.gw.rpc.call("offer", call_id=cid, from_tag="f" + cid,
                               sdp=sdp(PEER_IP4[0], A_PORT, opus=self.media == "xcode"),
                               ingress=ingress, egress="sip")
        ans = self.gw.rpc.call("answer", call_id=cid, from_tag="f" + cid, to_tag="t" + cid,
                               sdp=sdp(PEER_IP4[1], B_PORT))
        (ipb, pb), (ipa, pa) = sdp_media_addr(off["sdp"]), sdp_media_addr(ans["sdp"])
        return ipa, pa, pb

    def delete(self, i):
        self.gw.rpc.call("delete", call_id=f"bench-{i}")

    def stats(self):
        s = self.gw.rpc.call("statistics")
        return {"relay_drops": {k: v for k, v in s.get("drops", {}).items() if v},
                "workers": s.get("workers")}

    def stop(self):
        if self.gw.proc is not None:
            self.gw.stop()


class RtpengineTarget:
    name = "rtpengine"

    def __init__(self, lab, build, media, exe=None):
        self.lab, self.media = lab, media
        self.exe = exe or "/usr/bin/rtpengine"
        self.proc = None

    def start(self):
        lab = self.lab
        # rtpengine uses the kernel's stack: give the DUT end of the veth the address.
        wrtclab.sh("ip", "-n", lab.dut, "addr", "add", DUT_IP4 + "/24", "dev", lab.dut_if)
        self.tmp = tempfile.mkdtemp(prefix="rtpe-bench-")
        self.log = open(os.path.join(self.tmp, "rtpengine.log"), "w")
        self.ng_port = 2223
        cmd = ["ip", "netns", "exec", lab.dut, self.exe, "--config-file=none",
               "--foreground", "--log-stderr", "--log-level=4", "--table=-1",
               f"--interface={DUT_IP4}", f"--listen-ng=127.0.0.1:{self.ng_port}",
               "--port-min=20000", "--port-max=29999", "--num-threads=1",
               "--media-num-threads=1", "--delete-delay=0", "--timeout=60",
               f"--pidfile={self.tmp}/rtpengine.pid"]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while not os.path.exists(f"{self.tmp}/rtpengine.pid") and time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("rtpengine exited: " + open(self.log.name).read())
            time.sleep(0.1)
        time.sleep(0.3)
        self.pid = int(open(f"{self.tmp}/rtpengine.pid").read())
        self.ng = Ng(lab, self.ng_port)
        self.ng.call(command="ping")

    def setup(self, i):
        cid = f"bench-{i}"
        xc = self.media == "xcode"
        off = {"command": "offer", "call-id": cid, "from-tag": "f" + cid,
               "sdp": sdp(PEER_IP4[0], A_PORT, opus=xc), "ICE": "remove",
               "replace": ["origin"]}
        if xc:
            off["codec"] = {"transcode": ["PCMU"]}
        o = self.ng.call(**off)
        a = self.ng.call(command="answer", **{"call-id": cid, "from-tag": "f" + cid,
                                              "to-tag": "t" + cid, "sdp": sdp(PEER_IP4[1], B_PORT),
                                              "ICE": "remove"})
        (ipb, pb) = sdp_media_addr(o["sdp"].decode())
        (ipa, pa) = sdp_media_addr(a["sdp"].decode())
        return ipa, pa, pb

    def delete(self, i):
        self.ng.call(command="delete", **{"call-id": f"bench-{i}"})

    def stats(self):
        return {}

    def stop(self):
        if self.proc is None:
            return
        try:
            self.ng.close()
        except Exception:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


def one_run(args, target_cls, n):
    gen = os.path.join(args.build, "app", "trafficgen", "wrtc-trafficgen")
    with wrtclab.Lab() as lab:
        t = target_cls(lab, args.build, args.media, args.exe)
        try:
            t.start()
            t0 = time.time()
            lines = []
            for i in range(n):
                try:
                    ip, pa, pb = t.setup(i)
                except Exception as e:  # noqa: BLE001 (reported, the run is void)
                    return {"target": t.name, "calls": n, "error": f"set-up of call {i}: {e}"}
                lines.append(f"{ip} {pa} {pb}\n")
                if i % 25 == 24:
                    # wrtcgw's control ring to the worker holds 4096 messages
                    # (~10 per call) and an offer fails (EBUSY) if it stays full
                    # for 100 ms, which a starved worker thread allows: pace.
                    time.sleep(0.05)
            setup_s = time.time() - t0
            fd, path = tempfile.mkstemp(prefix="calls-", suffix=".txt")
            with os.fdopen(fd, "w") as f:
                f.writelines(lines)
            per_call = path + ".out"
            cpu0 = proc_cpu(t.pid)
            err0 = {ns: udp_errors(lab, ns) for ns in (lab.dut, lab.peer)}
            r = lab.peer_exec(gen, "-A", f"{PEER_IP4[0]}:{A_PORT}", "-B",
                              f"{PEER_IP4[1]}:{B_PORT}", "-c", path, "-m", args.media,
                              "-d", str(args.seconds), "-l", "1", "-w", "1", "-o", per_call,
                              timeout=args.seconds + 60)
            cpu1 = proc_cpu(t.pid)
            err1 = {ns: udp_errors(lab, ns) for ns in (lab.dut, lab.peer)}
            os.unlink(path)
            with open(per_call) as f:
                pc = [[int(x) for x in line.split()] for line in f]
            os.unlink(per_call)
            res = json.loads(r.stdout)
            res.update(t.stats())
            res["target"] = t.name
            # Datagrams dropped by a kernel socket buffer: the generator's
            # (peer) and, for rtpengine, the relay's (DUT; wrtcgw has none).
            res["udp_rcvbuf_errors_peer"] = err1[lab.peer] - err0[lab.peer]
            res["udp_rcvbuf_errors_dut"] = err1[lab.dut] - err0[lab.dut]
            res["setup_s"] = round(setup_s, 2)
            gone, first_err = set(), None
            for i in range(n):
                try:
                    t.delete(i)
                except Exception as e:  # noqa: BLE001 (counted and reported)
                    gone.add(i)
                    first_err = first_err or f"call {i}: {e}"
            res["delete_error"] = first_err
            res["delete_failures"] = len(gone)
            # Loss over the calls whose delete succeeded (a call the relay
            # removed by itself loses everything after its removal).
            kept = [c for c in pc if c[0] not in gone]
            ks = sum(c[1] + c[3] for c in kept)
            res["loss_pct_kept_calls"] = round(
                100 * (ks - sum(c[2] + c[4] for c in kept)) / ks, 4) if ks else 0.0
            res["relay_cpu_s"] = round(cpu1 - cpu0, 2)
            res["relay_cpu_pct"] = round(100 * (cpu1 - cpu0) / (args.seconds + 2.2), 1)
            return res
        finally:
            t.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", choices=["wrtcgw", "rtpengine"], required=True)
    ap.add_argument("--calls", default="100", help="comma-separated numbers of calls")
    ap.add_argument("--media", choices=["relay", "xcode"], default="relay")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--build", default=os.path.join(SRC, "build-bench"))
    ap.add_argument("--exe", help="the relay program (default: BUILD/app/wrtcgw/wrtcgw, "
                    "/usr/bin/rtpengine)")
    ap.add_argument("--idle", choices=["adaptive", "poll"], default="adaptive",
                    help="wrtcgw's workers.idle: adaptive polling (default) or busy polling")
    args = ap.parse_args()
    WrtcgwTarget.idle = args.idle
    if os.geteuid() != 0:
        print("e2e: needs root (network namespaces)", file=sys.stderr)
        return 77
    target_cls = WrtcgwTarget if args.target == "wrtcgw" else RtpengineTarget
    for n in [int(x) for x in args.calls.split(",")]:
        runs = []
        for k in range(args.runs):
            res = one_run(args, target_cls, n)
            res["run"] = k + 1
            print(json.dumps(res), flush=True)
            if "error" not in res:
                runs.append(res)
        if not runs:
            continue
        med = {key: statistics.median(r[key] for r in runs)
               for key in ("loss_pct", "loss_pct_kept_calls", "lat_p50_us", "lat_p99_us",
                           "relay_cpu_pct", "gen_late_mean_us")}
        print(json.dumps({"summary": True, "target": args.target, "media": args.media,
                          "idle": args.idle if args.target == "wrtcgw" else None,
                          "calls": n, "runs": len(runs), "seconds": args.seconds,
                          "pps_offered": n * 100, **{"median_" + k: v for k, v in med.items()},
                          "max_loss_pct": max(r["loss_pct"] for r in runs)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
