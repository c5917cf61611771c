# SPDX-License-Identifier: BSD-3-Clause
"""A plain RTP/AVP SIP-side media peer: sends a PCMU tone at 50 packets/s to
the gateway and measures what comes back.

    python3 sip_peer.py BIND_IP BIND_PORT GW_IP GW_PORT SECONDS FREQ [PT]

Prints JSON: packets received, payload types, source, and the dominant
frequency and RMS level of the decoded audio (from the second half second on).
"""
import json
import socket
import struct
import sys
import time

import tone


def main():
    bind_ip, bind_port, gw_ip, gw_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    seconds, freq = float(sys.argv[5]), float(sys.argv[6])
    pt = int(sys.argv[7]) if len(sys.argv) > 7 else 0
    fam = socket.AF_INET6 if ":" in bind_ip else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((bind_ip, bind_port))
    s.settimeout(0.005)
    # RTCP on port + 1 (no rtcp-mux on the SIP side): count the SRs we get.
    r = socket.socket(fam, socket.SOCK_DGRAM)
    r.bind((bind_ip, bind_port + 1))
    r.setblocking(False)
    sr_ssrcs, sr_counts = set(), []
    rtp_ssrcs = set()
    start = time.time()
    seq, sent, got, pts, srcs, audio, seqs = 0, 0, 0, set(), set(), [], []
    next_send = start
    while time.time() - start < seconds:
        now = time.time()
        if now >= next_send:
            pcm = tone.sine(freq, 8000, 160, seq * 160)
            hdr = struct.pack("!BBHII", 0x80, pt, seq & 0xffff, (seq * 160) & 0xffffffff, 0x51b51b)
            s.sendto(hdr + tone.ulaw_encode(pcm), (gw_ip, gw_port))
            seq += 1
            sent += 1
            next_send += 0.02
        try:
            while True:
                rdata, _ = r.recvfrom(2048)
                if len(rdata) >= 28 and rdata[1] == 200:
                    sr_ssrcs.add(struct.unpack("!I", rdata[4:8])[0])
                    sr_counts.append(struct.unpack("!I", rdata[20:24])[0])
        except BlockingIOError:
            pass
        try:
            data, src = s.recvfrom(2048)
        except socket.timeout:
            continue
        if len(data) < 12 or data[0] >> 6 != 2:
            continue
        got += 1
        pts.add(data[1] & 0x7f)
        srcs.add(f"{src[0]}:{src[1]}")
        seqs.append(struct.unpack("!H", data[2:4])[0])
        rtp_ssrcs.add(struct.unpack("!I", data[8:12])[0])
        if (data[1] & 0x7f) == 0 and time.time() - start > 0.5:
            cc = data[0] & 0x0f
            off = 12 + 4 * cc
            if data[0] & 0x10 and len(data) >= off + 4:
                off += 4 + 4 * struct.unpack("!H", data[off + 2:off + 4])[0]
            audio += tone.ulaw_decode(data[off:])
    f, rms = tone.dominant(audio[-8000 * 2:], 8000)
    print(json.dumps({"sent": sent, "received": got, "payload_types": sorted(pts),
                      "sources": sorted(srcs), "freq": f, "rms": rms,
                      "sr_ssrcs": sorted(sr_ssrcs), "sr_packet_counts": sr_counts,
                      "rtp_ssrcs": sorted(rtp_ssrcs),
                      "seq_gaps": sum(1 for a, b in zip(seqs, seqs[1:]) if (b - a) & 0xffff != 1)}))


if __name__ == "__main__":
    main()
