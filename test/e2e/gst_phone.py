# SPDX-License-Identifier: BSD-3-Clause
"""A plain-RTP SIP video phone made from GStreamer (test_video.py).

One gst-launch-1.0 with an rtpbin session: a live test pattern encoded
(vp8enc or x264enc, keyframe interval configurable) and payloaded (rtpvp8pay,
rtph264pay) goes out; what comes in is depayloaded and decoded (vp8dec,
avdec_h264) into an `identity silent=false` whose per-buffer messages (-v)
count the decoded frames. rtpbin answers RTCP PLI/FIR by asking the encoder
for a key frame, and sends receiver reports; the decoders ask for a key
frame when they cannot decode (automatic-request-sync-points), which rtpbin
sends as PLI or FIR, as the caps say the sender understands.

gst-launch cannot give its udpsrc and udpsink one socket, so a small shim in
this process owns the phone's signalled address (ip:port for RTP, port+1 for
RTCP, symmetric RTP as RFC 4961 wants) and forwards datagrams between it and
the pipeline's loopback ports unchanged, noting the time of each one and the
RTCP feedback the gateway sends (PLI, FIR).
"""
import os
import select
import signal
import socket
import struct
import subprocess
import threading
import time

GST_LAUNCH = "/usr/bin/gst-launch-1.0"

# codec -> (encoding name, encoder, payloader, depayloader, decoder)
CODECS = {
    "vp8": ("VP8", "vp8enc deadline=1 cpu-used=8 target-bitrate=300000 keyframe-max-dist={kmd}",
            "rtpvp8pay picture-id-mode=15-bit mtu=1200", "rtpvp8depay request-keyframe=true",
            "vp8dec automatic-request-sync-points=true"),
    "h264": ("H264", "x264enc tune=zerolatency speed-preset=ultrafast bitrate=300 "
             "key-int-max={kmd} ! video/x-h264,profile=constrained-baseline",
             "rtph264pay config-interval=-1 aggregate-mode=zero-latency mtu=1200",
             "rtph264depay request-keyframe=true", "avdec_h264 automatic-request-sync-points=true"),
}
ELEMENTS = {"vp8": ["vp8enc", "vp8dec", "rtpvp8pay", "rtpvp8depay"],
            "h264": ["x264enc", "avdec_h264", "rtph264pay", "rtph264depay"]}


def missing_elements(codec):
    """The GStreamer elements `codec` needs that are not installed."""
    if not os.access(GST_LAUNCH, os.X_OK):
        return ["gst-launch-1.0"]
    out = []
    for e in ELEMENTS[codec] + ["rtpbin", "videotestsrc", "udpsrc", "udpsink", "identity"]:
        if subprocess.run(["gst-inspect-1.0", "--exists", e]).returncode != 0:
            out.append(e)
    return out


def _free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def rtcp_feedback(data):
    """[(kind, media ssrc)] of the PLI/FIR in compound RTCP `data`."""
    out = []
    off = 0
    while off + 4 <= len(data):
        fmt, pt = data[off] & 0x1f, data[off + 1]
        words = struct.unpack("!H", data[off + 2:off + 4])[0]
        end = off + 4 * (words + 1)
        if end > len(data):
            break
        if pt == 206 and fmt == 1 and end - off >= 12:
            out.append(("pli", struct.unpack("!I", data[off + 8:off + 12])[0]))
        elif pt == 206 and fmt == 4 and end - off >= 20:
            out.append(("fir", struct.unpack("!I", data[off + 12:off + 16])[0]))
        off = end
    return out


class GstPhone:
    """The video half of a SIP phone: address ip:port (RTP), port+1 (RTCP)."""

    def __init__(self, tmp, ip, port, codec="vp8", keyframe_max_dist=30, verbose=False,
                 feedback="pli", drop_rx_s=0.0):
        """feedback: the key frame requests it understands and sends ('pli',
        'fir' or 'both'); drop_rx_s: the shim drops the video from the
        gateway for this long after its first packet (the receiver misses
        the first key frame and must ask for one)."""
        self.tmp, self.ip, self.port, self.codec = tmp, ip, port, codec
        self.fb_kind = feedback
        self.drop_rx_s = drop_rx_s
        self.dropped = 0
        self.drop_end = None
        self.kmd = keyframe_max_dist
        self.verbose = verbose
        self.pt = None
        self.ssrc = 0x6a570000 + port  # what the pipeline sends
        self.remote = None  # the gateway's (ip, rtp port)
        self.proc = None
        self.lock = threading.Lock()
        self.frames = []  # time of each decoded frame
        self.rx_rtp = []  # time of each RTP packet from the gateway
        self.tx_rtp = []  # time of each RTP packet to the gateway
        self.feedback = []  # (time, kind, media ssrc) of PLI/FIR from the gateway
        self.rx_pts = set()
        self.rx_rtcp = 0
        self.stop_flag = False
        fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
        # The signalled side.
        self.rtp = socket.socket(fam, socket.SOCK_DGRAM)
        self.rtp.bind((ip, port))
        self.rtcp = socket.socket(fam, socket.SOCK_DGRAM)
        self.rtcp.bind((ip, port + 1))
        assert feedback in ("pli", "fir", "both"), feedback
        # The pipeline's side: it sends to these, receives on rx_*.
        self.from_gst_rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.from_gst_rtp.bind(("127.0.0.1", 0))
        self.from_gst_rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.from_gst_rtcp.bind(("127.0.0.1", 0))
        self.to_gst = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rx_port = _free_udp_port()
        self.rx_rtcp_port = _free_udp_port()
        self.log_path = os.path.join(tmp, f"gst-{port}.log")
        self.thread = threading.Thread(target=self._shim, daemon=True)
        self.thread.start()

    def sdp_media(self, pt, direction="sendrecv", fmtp=None, reject=False):
        """The phone's video m-line (RTP/AVP, PLI and FIR feedback)."""
        name = CODECS[self.codec][0]
        lines = [f"m=video {0 if reject else self.port} RTP/AVP {pt}",
                 f"a=rtpmap:{pt} {name}/90000"]
        if fmtp:
            lines.append(f"a=fmtp:{pt} {fmtp}")
        if self.fb_kind in ("pli", "both"):
            lines.append(f"a=rtcp-fb:{pt} nack pli")
        if self.fb_kind in ("fir", "both"):
            lines.append(f"a=rtcp-fb:{pt} ccm fir")
        lines.append(f"a={direction}")
        return lines

    def start(self, pt, remote=None, timeout=30):
        """Starts the pipeline (payload type pt both ways) and waits until it
        plays. What it sends is dropped until set_remote() (or remote:
        (the gateway's ip, RTP port))."""
        self.remote = remote
        self.pt = pt
        self.ready = threading.Event()
        name, enc, pay, depay, dec = CODECS[self.codec]
        enc = enc.format(kmd=self.kmd)
        # rtpsession asks for key frames (its decoder's sync point requests)
        # with what the caps say the sender understands.
        caps = (f"application/x-rtp,media=video,clock-rate=90000,encoding-name={name},"
                f"payload={pt}" +
                (",rtcp-fb-nack-pli=(boolean)true" if self.fb_kind in ("pli", "both") else "") +
                (",rtcp-fb-ccm-fir=(boolean)true" if self.fb_kind in ("fir", "both") else ""))
        pipeline = (
            f"rtpbin name=rb latency=50 rtp-profile=avpf "
            f"videotestsrc is-live=true pattern=ball ! "
            f"video/x-raw,width=320,height=240,framerate=15/1 ! {enc} ! "
            f"{pay} pt={pt} ssrc={self.ssrc} ! rb.send_rtp_sink_0 "
            f"rb.send_rtp_src_0 ! udpsink host=127.0.0.1 "
            f"port={self.from_gst_rtp.getsockname()[1]} sync=false async=false "
            f"rb.send_rtcp_src_0 ! udpsink host=127.0.0.1 "
            f"port={self.from_gst_rtcp.getsockname()[1]} sync=false async=false "
            f"udpsrc address=127.0.0.1 port={self.rx_port} caps=\"{caps}\" ! rb.recv_rtp_sink_0 "
            f"udpsrc address=127.0.0.1 port={self.rx_rtcp_port} ! rb.recv_rtcp_sink_0 "
            f"rb. ! {depay} ! {dec} ! identity name=decoded silent=false ! "
            f"fakesink sync=false")
        self.logf = open(self.log_path, "w")
        self.logf.write(pipeline + "\n")
        self.logf.flush()
        self.proc = subprocess.Popen(
            [GST_LAUNCH, "-v", "-X", "stats", "-e"] + _split(pipeline), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
            start_new_session=True)
        threading.Thread(target=self._read_gst, daemon=True).start()
        if not self.ready.wait(timeout):
            raise RuntimeError(f"gst-launch-1.0 is not playing after {timeout} s:\n{self.log()}")

    def set_remote(self, gw_ip, gw_port):
        """From now on the pipeline's packets go to gw_ip:gw_port (RTCP
        gw_port + 1)."""
        self.remote = (gw_ip, gw_port)

    def _read_gst(self):
        for line in self.proc.stdout:
            if "decoded: last-message = chain" in line:
                with self.lock:
                    self.frames.append(time.time())
            elif "last-message" not in line:
                self.logf.write(line)
                if "New clock" in line:
                    self.ready.set()
        self.logf.flush()

    def _shim(self):
        socks = [self.rtp, self.rtcp, self.from_gst_rtp, self.from_gst_rtcp]
        while not self.stop_flag:
            try:
                ready, _, _ = select.select(socks, [], [], 0.1)
            except (OSError, ValueError):
                return
            for s in ready:
                try:
                    data, src = s.recvfrom(4096)
                except OSError:
                    continue
                now = time.time()
                if s is self.rtp:
                    if len(data) >= 12 and data[0] >> 6 == 2:
                        with self.lock:
                            self.rx_rtp.append(now)
                            self.rx_pts.add(data[1] & 0x7f)
                        if now - self.rx_rtp[0] < self.drop_rx_s:
                            self.dropped += 1
                            self.drop_end = self.rx_rtp[0] + self.drop_rx_s
                            continue
                    self.to_gst.sendto(data, ("127.0.0.1", self.rx_port))
                elif s is self.rtcp:
                    with self.lock:
                        self.rx_rtcp += 1
                        self.feedback += [(now, k, ssrc) for k, ssrc in rtcp_feedback(data)]
                    self.to_gst.sendto(data, ("127.0.0.1", self.rx_rtcp_port))
                elif self.remote is not None:
                    dst = self.remote if s is self.from_gst_rtp else \
                        (self.remote[0], self.remote[1] + 1)
                    try:
                        (self.rtp if s is self.from_gst_rtp else self.rtcp).sendto(data, dst)
                    except OSError:
                        continue
                    if s is self.from_gst_rtp:
                        with self.lock:
                            self.tx_rtp.append(now)

    def report(self):
        with self.lock:
            return {"frames": len(self.frames), "rx_rtp": len(self.rx_rtp),
                    "tx_rtp": len(self.tx_rtp), "rx_rtcp": self.rx_rtcp,
                    "rx_pts": sorted(self.rx_pts),
                    "feedback": [(k, hex(s)) for _, k, s in self.feedback][-10:],
                    "first_rx": self.rx_rtp[0] if self.rx_rtp else None,
                    "first_frame": self.frames[0] if self.frames else None,
                    "dropped": self.dropped, "drop_end": self.drop_end,
                    "running": self.proc is not None and self.proc.poll() is None}

    def log(self, lines=30):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def close(self):
        self.stop_flag = True
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.thread.join(2)
        for s in (self.rtp, self.rtcp, self.from_gst_rtp, self.from_gst_rtcp, self.to_gst):
            s.close()
        if self.proc:
            self.logf.close()


def _split(pipeline):
    """gst-launch arguments: words, with caps="..." kept as one."""
    out, cur, quoted = [], "", False
    for ch in pipeline:
        if ch == '"':
            quoted = not quoted
        elif ch == " " and not quoted:
            if cur:
                out.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out
