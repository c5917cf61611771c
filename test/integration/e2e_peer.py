# SPDX-License-Identifier: BSD-3-Clause
"""A WebRTC endpoint with audio and a data channel (aiortc), for the
WebRTC <-> WebRTC pass-through tests (test_passthrough.py).

    /usr/bin/python3 e2e_peer.py offer|answer SECONDS FREQ [nodata]

The offerer prints {"offer": SDP} and reads {"answer": SDP}; the answerer
reads {"offer": SDP} and prints {"answer": SDP}. Both send a sine tone of
FREQ Hz. On the data channel (opened by the offerer) each side sends a 1 KB
and a 64 KB message with checkable bytes; the other side echoes what it
gets. The final JSON report: DTLS state, the local and remote certificate
fingerprints (those the DTLS transport checked), audio frames and the
dominant frequency heard, and the messages echoed back intact.
"""
import asyncio
import hashlib
import json
import sys

from aiortc import RTCPeerConnection, RTCSessionDescription

import aiortc_peer
import tone

SIZES = (1024, 65536)


def message(tag, size):
    seed = hashlib.sha256(f"{tag}-{size}".encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def sdp_fingerprint(sdp):
    for line in sdp.splitlines():
        if line.startswith("a=fingerprint:"):
            return line.split(":", 1)[1].strip().upper()
    return None


async def main():
    role, seconds, freq = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    data = len(sys.argv) <= 4 or sys.argv[4] != "nodata"
    pc = RTCPeerConnection()
    received = {"frames": 0, "samples": [], "rate": 0}
    echoed = {}
    connected = asyncio.Event()
    tag = role

    @pc.on("connectionstatechange")
    def _conn():
        if pc.connectionState == "connected":
            connected.set()

    async def consume(track):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            received["frames"] += 1
            received["rate"] = frame.sample_rate
            if received["frames"] > 25:
                raw = bytes(frame.planes[0])[: frame.samples * 2 * len(frame.layout.channels)]
                received["samples"] += tone.s16le(raw)[:: len(frame.layout.channels)]

    @pc.on("track")
    def _track(track):
        asyncio.ensure_future(consume(track))

    def attach(ch):
        @ch.on("message")
        def _msg(m):
            m = bytes(m)
            for size in SIZES:
                if m == message(tag, size):
                    echoed[str(size)] = True
                    return
            ch.send(m)  # the other side's message: echo it

        async def send_all():
            while ch.readyState != "open":
                await asyncio.sleep(0.05)
            for size in SIZES:
                ch.send(message(tag, size))
        asyncio.ensure_future(send_all())

    if data and role == "offer":
        attach(pc.createDataChannel("e2e"))

    @pc.on("datachannel")
    def _dc(ch):
        attach(ch)

    pc.addTrack(aiortc_peer.ToneTrack(freq))
    loop = asyncio.get_event_loop()
    if role == "offer":
        await pc.setLocalDescription(await pc.createOffer())
        print(json.dumps({"offer": pc.localDescription.sdp}), flush=True)
        msg = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
        await pc.setRemoteDescription(RTCSessionDescription(msg["answer"], "answer"))
    else:
        msg = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
        await pc.setRemoteDescription(RTCSessionDescription(msg["offer"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        print(json.dumps({"answer": pc.localDescription.sdp}), flush=True)
    try:
        await asyncio.wait_for(connected.wait(), 30)
    except asyncio.TimeoutError:
        pass
    for _ in range(int(seconds * 10)):
        await asyncio.sleep(0.1)
        if received["frames"] > 50 * seconds and (not data or len(echoed) == len(SIZES)):
            break
    rate = received["rate"] or 48000
    f, rms = tone.dominant(received["samples"][-rate * 2:], rate)
    dtls = None
    for t in pc.getTransceivers():
        if t.sender and t.sender.transport:
            dtls = t.sender.transport.state
    report = {"dtls": dtls, "frames": received["frames"], "freq": f, "rms": rms,
              "echoed": sorted(echoed), "local_fp": sdp_fingerprint(pc.localDescription.sdp),
              "remote_fp": sdp_fingerprint(pc.remoteDescription.sdp)}
    await pc.close()
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
