# SPDX-License-Identifier: BSD-3-Clause
"""A SIP-side media peer that sends back every RTP and RTCP packet it
receives, one RTP/RTCP socket pair per m-line (the gateway's SIP side has a
port pair per m-line). The RTP comes back under another SSRC (all bits
flipped), so the endpoint sees a source other than its own; RTCP goes back
too with the media SSRC of feedback flipped back, so a receiver's keyframe
request (PLI) reaches the sender whose stream it was.

    python3 echo_peer.py SECONDS LOCAL_IP:PORT=GW_IP:PORT ...

Prints one JSON object: per local RTP address, the RTP packets received and
their payload types and SSRCs, and the RTCP packets received on PORT + 1.
"""
import json
import select
import socket
import sys
import time


def addr(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def flip_feedback(data):
    """The compound with the media SSRC of each RTPFB/PSFB packet flipped."""
    out = bytearray(data)
    off = 0
    while off + 12 <= len(out):
        length = (int.from_bytes(out[off + 2:off + 4], "big") + 1) * 4
        if out[off + 1] in (205, 206):
            for i in range(off + 8, off + 12):
                out[i] ^= 0xFF
        off += length
    return bytes(out)


def main():
    seconds = float(sys.argv[1])
    socks = {}
    for spec in sys.argv[2:]:
        local, remote = spec.split("=")
        (lh, lp), (rh, rp) = addr(local), addr(remote)
        rtp = {"name": local, "to": (rh, rp), "rtp": 0, "pts": set(), "ssrcs": set(), "rtcp": 0}
        for k in (0, 1):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((lh, lp + k))
            socks[s] = rtp if k == 0 else {"rtp_of": rtp, "to": (rh, rp + 1)}
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select(list(socks), [], [], 0.1)
        for s in r:
            data, _ = s.recvfrom(2048)
            st = socks[s]
            if "rtp_of" in st:
                st["rtp_of"]["rtcp"] += 1
                s.sendto(flip_feedback(data), st["to"])
                continue
            if len(data) < 12 or data[0] >> 6 != 2 or 192 <= data[1] <= 223:
                continue
            st["rtp"] += 1
            st["pts"].add(data[1] & 0x7F)
            st["ssrcs"].add(int.from_bytes(data[8:12], "big"))
            s.sendto(data[:8] + bytes(b ^ 0xFF for b in data[8:12]) + data[12:], st["to"])
    print(json.dumps({st["name"]: {"rtp": st["rtp"], "payload_types": sorted(st["pts"]),
                                   "ssrcs": sorted(st["ssrcs"]), "rtcp": st["rtcp"]}
                      for st in socks.values() if "name" in st}), flush=True)


if __name__ == "__main__":
    main()
