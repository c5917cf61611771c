#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Demo call through wrtcgw in a network-namespace lab (see tools/demo)."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "integration"))
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, PEER_IP4, sip_sdp, sdp_media_addr  # noqa: E402


def main():
    exe = sys.argv[1]
    config = os.path.join(HERE, "..", "config", "default.json")
    seconds = 3
    with wrtclab.Lab("demo") as lab:
        print(f"lab: gateway owns {DUT_IP4} on veth {lab.dut_if} (namespace {lab.dut}); "
              f"phones at {PEER_IP4[0]} and {PEER_IP4[1]} (namespace {lab.peer})")
        gw = wrtclab.Gateway(lab, exe, config_path=config).start()
        print(f"wrtcgw started on {os.path.relpath(config)}; JSON-RPC on {gw.sock_path}")
        try:
            offer = sip_sdp(PEER_IP4[0], 40000)
            r = gw.rpc.call("offer", call_id="demo-call", from_tag="alice", sdp=offer,
                            ingress="sip", egress="sip")
            _, pb = sdp_media_addr(r["sdp"])
            print(f"offer  -> gateway rewrote it for the callee: media at {DUT_IP4}:{pb}")
            r = gw.rpc.call("answer", call_id="demo-call", from_tag="alice", to_tag="bob",
                            sdp=sip_sdp(PEER_IP4[1], 40002, pts=(0, 101)))
            _, pa = sdp_media_addr(r["sdp"])
            print(f"answer -> gateway rewrote it for the caller: media at {DUT_IP4}:{pa}")
            n = 50 * seconds
            print(f"relaying {seconds} s of 20 ms PCMU RTP each way ...")
            plan = {
                "sockets": {"alice": f"{PEER_IP4[0]}:40000", "bob": f"{PEER_IP4[1]}:40002"},
                "steps": [{"each": [
                    {"send": "alice", "to": f"{DUT_IP4}:{pa}", "ssrc": 1},
                    {"send": "bob", "to": f"{DUT_IP4}:{pb}", "ssrc": 2},
                ], "count": n, "interval": 0.02}],
                "linger": 0.5,
            }
            got = json.loads(lab.peer_exec(sys.executable,
                                           os.path.join(HERE, "..", "test", "integration",
                                                        "udp_peer.py"),
                                           json.dumps(plan)).stdout)
            print(f"alice received {len(got['alice'])} packets, bob received {len(got['bob'])}")
            status = gw.rpc.call("query", call_id="demo-call")
            print_status(status)
            final = gw.rpc.call("delete", call_id="demo-call")
            ok = all(leg["rtp"]["rx_packets"] == n and leg["rtp"]["tx_packets"] == n
                     for leg in final["streams"][0]["legs"])
            print("call deleted; final counters " + ("match" if ok else "DO NOT match") +
                  " what the phones sent")
        finally:
            rc = gw.stop()
        print(f"wrtcgw stopped (exit {rc})")
        return 0 if ok and rc == 0 else 1


def print_status(q):
    print(f"call {q['call_id']}: state {q['state']}, {q['duration']:.1f} s, worker {q['worker']}")
    for leg in q["legs"]:
        print(f"  leg {leg['tag']:<6} {leg['role']:<8} trunk group {leg['trunk_group']} "
              f"({leg['kind']}, ice {leg['ice']}, security {leg['security']})")
    for s in q["streams"]:
        codec = s.get("codec_offerer", {})
        print(f"  stream {s['index']} {s['type']} {s['state']} "
              f"{s.get('codec_mode', '')} {codec.get('name', '')}/{codec.get('clock', '')}")
        print(f"    {'leg':<6} {'local':<18} {'remote':<18} {'latched':<8} "
              f"{'rx pkts':>8} {'tx pkts':>8} {'drops':>6} {'kbit/s in':>9}")
        for leg in s["legs"]:
            r = leg["rtp"]
            print(f"    {leg['leg']:<6} {r['local']:<18} {r['remote']:<18} "
                  f"{str(r['latched']).lower():<8} {r['rx_packets']:>8} {r['tx_packets']:>8} "
                  f"{r['drops']:>6} {leg['rx_kbps']:>9}")


if __name__ == "__main__":
    sys.exit(main())
