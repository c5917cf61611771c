# SPDX-License-Identifier: BSD-3-Clause
"""A real WebRTC endpoint (aiortc: ICE, DTLS-SRTP, RTP) for integration tests.

    /usr/bin/python3 aiortc_peer.py offer SECONDS FREQ [CODEC]
        prints {"offer": SDP}, reads {"answer": SDP} from stdin; CODEC
        (e.g. "opus") restricts what it offers
    /usr/bin/python3 aiortc_peer.py answer SECONDS FREQ
        reads {"offer": SDP}, prints {"answer": SDP}

It sends a sine tone of FREQ Hz, and finally prints a JSON report: ICE and
DTLS states, audio frames received, the dominant frequency and level of
the received audio, and the consent checks (RFC 7675) it sent and got
answered. With WRTC_CONSENT_INTERVAL=SECONDS in the environment it checks
consent that often (aioice's default is every 5 s).
"""
import asyncio
import fractions
import json
import os
import random
import struct
import sys
import time

import aioice.ice
import aioice.stun

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack
from av import AudioFrame

import tone

RATE = 48000
FRAME = 960
CONSENT = {"sent": 0, "answered": 0}


async def query_consent(self):
    """aioice's consent loop (one request per nominated pair, no
    retransmission, given up after 6 failures), counting each transaction."""
    failures = 0
    while True:
        await asyncio.sleep(aioice.ice.CONSENT_INTERVAL * (0.8 + 0.4 * random.random()))
        for pair in self._nominated.values():
            request = self.build_request(pair, nominate=False)
            try:
                await pair.protocol.request(request, pair.remote_addr,
                                            integrity_key=self.remote_password.encode("utf8"),
                                            retransmissions=0)
                CONSENT["answered"] += 1
                failures = 0
            except aioice.stun.TransactionError:
                failures += 1
            CONSENT["sent"] += 1
            if failures >= aioice.ice.CONSENT_FAILURES:
                self._query_consent_handle = None
                return await self.close()


aioice.ice.Connection.query_consent = query_consent
if os.environ.get("WRTC_CONSENT_INTERVAL"):
    aioice.ice.CONSENT_INTERVAL = float(os.environ["WRTC_CONSENT_INTERVAL"])


class ToneTrack(MediaStreamTrack):
    kind = "audio"

    def __init__(self, freq):
        super().__init__()
        self.freq = freq
        self.n = 0
        self.t0 = None

    async def recv(self):
        if self.t0 is None:
            self.t0 = time.time()
        wait = self.t0 + self.n * FRAME / RATE - time.time()
        if wait > 0:
            await asyncio.sleep(wait)
        pcm = tone.sine(self.freq, RATE, FRAME, self.n * FRAME)
        frame = AudioFrame(format="s16", layout="mono", samples=FRAME)
        frame.planes[0].update(struct.pack("<%dh" % FRAME, *pcm))
        frame.sample_rate = RATE
        frame.pts = self.n * FRAME
        frame.time_base = fractions.Fraction(1, RATE)
        self.n += 1
        return frame


async def main():
    role, seconds, freq = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    pc = RTCPeerConnection()
    received = {"frames": 0, "samples": [], "rate": 0}
    states = {"ice": [], "connection": []}
    connected = asyncio.Event()

    @pc.on("iceconnectionstatechange")
    def _ice():
        states["ice"].append(pc.iceConnectionState)

    @pc.on("connectionstatechange")
    def _conn():
        states["connection"].append(pc.connectionState)
        if pc.connectionState == "connected":
            connected.set()

    async def consume(track):
        t_first = None
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            received["frames"] += 1
            received["rate"] = frame.sample_rate
            now = time.time()
            t_first = t_first or now
            if now - t_first > 0.5:
                data = bytes(frame.planes[0])[: frame.samples * 2 * len(frame.layout.channels)]
                samples = tone.s16le(data)[:: len(frame.layout.channels)]
                received["samples"] += samples

    @pc.on("track")
    def _track(track):
        asyncio.ensure_future(consume(track))

    sender = pc.addTrack(ToneTrack(freq))
    if len(sys.argv) > 4:
        from aiortc.rtcrtpsender import RTCRtpSender
        caps = RTCRtpSender.getCapabilities("audio")
        prefs = [c for c in caps.codecs if c.name.lower() == sys.argv[4].lower()]
        for t in pc.getTransceivers():
            if t.sender == sender:
                t.setCodecPreferences(prefs)
    if role == "offer":
        await pc.setLocalDescription(await pc.createOffer())
        print(json.dumps({"offer": pc.localDescription.sdp}), flush=True)
        msg = json.loads(await asyncio.get_event_loop().run_in_executor(None, sys.stdin.readline))
        await pc.setRemoteDescription(RTCSessionDescription(msg["answer"], "answer"))
    else:
        msg = json.loads(await asyncio.get_event_loop().run_in_executor(None, sys.stdin.readline))
        await pc.setRemoteDescription(RTCSessionDescription(msg["offer"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        print(json.dumps({"answer": pc.localDescription.sdp}), flush=True)
    try:
        await asyncio.wait_for(connected.wait(), 20)
    except asyncio.TimeoutError:
        pass
    await asyncio.sleep(seconds)
    rate = received["rate"] or RATE
    f, rms = tone.dominant(received["samples"][-rate * 2:], rate)
    dtls = None
    for t in pc.getTransceivers():
        if t.sender and t.sender.transport:
            dtls = t.sender.transport.state
    report = {"ice": states["ice"], "connection": states["connection"], "dtls": dtls,
              "frames": received["frames"], "freq": f, "rms": rms, "consent": dict(CONSENT)}
    await pc.close()
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
