# SPDX-License-Identifier: BSD-3-Clause
"""A real WebRTC endpoint with audio and video on one BUNDLE transport
(aiortc, which bundles every m-line) for the BUNDLE integration test.

    /usr/bin/python3 aiortc_av_peer.py offer SECONDS FREQ
        prints {"offer": SDP}, reads {"answer": SDP} from stdin
    /usr/bin/python3 aiortc_av_peer.py answer SECONDS FREQ
        reads {"offer": SDP}, prints {"answer": SDP}

It sends a sine tone of FREQ Hz and aiortc's test video (VP8 unless the
other side only has H.264), and finally prints a JSON report: connection
states, audio frames received with the dominant frequency, and video frames
decoded with their size.
"""
import asyncio
import json
import sys
import time

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import VideoStreamTrack

import aiortc_peer
import tone


async def main():
    role, seconds, freq = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    # aiortc bundles every m-line on one transport (max-bundle).
    pc = RTCPeerConnection()
    got = {"audio": 0, "video": 0, "samples": [], "rate": 0, "width": 0, "height": 0}
    states = []
    connected = asyncio.Event()

    @pc.on("connectionstatechange")
    def _conn():
        states.append(pc.connectionState)
        if pc.connectionState == "connected":
            connected.set()

    async def consume(track):
        t_first = None
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            got[track.kind] += 1
            if track.kind == "video":
                got["width"], got["height"] = frame.width, frame.height
                continue
            got["rate"] = frame.sample_rate
            now = time.time()
            t_first = t_first or now
            if now - t_first > 0.5:
                data = bytes(frame.planes[0])[: frame.samples * 2 * len(frame.layout.channels)]
                got["samples"] += tone.s16le(data)[:: len(frame.layout.channels)]

    @pc.on("track")
    def _track(track):
        asyncio.ensure_future(consume(track))

    pc.addTrack(aiortc_peer.ToneTrack(freq))
    pc.addTrack(VideoStreamTrack())
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
    rate = got["rate"] or aiortc_peer.RATE
    f, rms = tone.dominant(got["samples"][-rate * 2:], rate)
    report = {"connection": states, "audio_frames": got["audio"], "video_frames": got["video"],
              "width": got["width"], "height": got["height"], "freq": f, "rms": rms}
    await pc.close()
    print(json.dumps(report), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
