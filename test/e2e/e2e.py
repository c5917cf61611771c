# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end harness: headless Chromium ⇄ wrtcgw ⇄ a plain RTP/AVP phone.

The lab (test/integration/wrtclab.py) has the gateway in its DUT namespace on
net_af_packet. This process moves itself into the lab's peer namespace
(enter_netns) before it starts any thread, so everything it opens there is
on the peer side of the veth: the HTTP server that serves the page and takes
its commands (127.0.0.1), the phone's RTP socket (10.99.0.3 / fd00:99::3),
Chromium (which it starts) and coturn (10.99.0.4). The gateway's RPC is a
unix socket file, reachable from any namespace.

This process is the signalling controller: it takes the browser's SDP from the
page, calls `offer`/`answer` on the gateway, builds the phone's SDP and hands
the rewritten SDP back, as a SIP B2BUA would.
"""
import ctypes
import http.server
import json
import math
import os
import queue
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import wave

HERE = os.path.dirname(os.path.realpath(__file__))
INTEGRATION = os.path.join(os.path.dirname(HERE), "integration")
import sys  # noqa: E402
sys.path.insert(0, INTEGRATION)
import tone  # noqa: E402
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, DUT_IP6, PEER_IP4, PEER_IP6, sdp_media_addr  # noqa: E402,F401

CHROMIUM = os.environ.get("WRTC_E2E_CHROMIUM", "/usr/bin/chromium")
TURNSERVER = "/usr/bin/turnserver"
TURN_IP = "10.99.0.4"
TURN_PORT = 3478
TURN_USER, TURN_PASS, TURN_REALM = "e2e", "e2e-secret", "wrtcgw.test"
BROWSER_HZ = 440
PHONE_HZ = 1000
CLONE_NEWNET = 0x40000000


class Failure(AssertionError):
    pass


def expect(cond, what):
    if not cond:
        raise Failure(what)


def enter_netns(name):
    """Moves this (still single-threaded) process into network namespace name."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"setns({name}): {os.strerror(e)}")
    finally:
        os.close(fd)


def write_tone_wav(path, freq, seconds=10, rate=48000, amp=8000):
    """A mono 16-bit WAV of a sine: Chromium's fake microphone loops it. The
    length is a whole number of periods so the loop has no click."""
    n = rate * seconds
    pcm = struct.pack("<%dh" % n, *(int(amp * math.sin(2 * math.pi * freq * i / rate))
                                    for i in range(n)))
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return path


# --- G.711 A-law (ITU-T G.711), to complement tone.py's µ-law ---

def _alaw_encode(s):
    sign = 0x80 if s >= 0 else 0
    s = min(abs(s) if s >= 0 else -s - 1, 32767) >> 3
    if s < 32:
        code = s >> 1
    else:
        exp = 1
        while s >= 64 and exp < 7:
            s >>= 1
            exp += 1
        code = (exp << 4) | ((s >> 1) & 0x0f)
    return (sign | code) ^ 0x55


def _alaw_decode(a):
    a ^= 0x55
    exp = (a >> 4) & 0x07
    mant = a & 0x0f
    t = (mant << 4) + 8
    if exp:
        t = (t + 0x100) << (exp - 1)
    return t if a & 0x80 else -t


ALAW_DEC = [_alaw_decode(i) for i in range(256)]


def alaw_encode(samples):
    return bytes(_alaw_encode(s) for s in samples)


def alaw_decode(data):
    return [ALAW_DEC[b] for b in data]


def sip_sdp(ip, port, pt=0, direction="sendrecv", version=1):
    """The phone's SDP: one codec plus telephone-event, the given direction."""
    name = {0: "PCMU/8000", 8: "PCMA/8000"}[pt]
    fam = "IP6" if ":" in ip else "IP4"
    return "\r\n".join([
        "v=0", f"o=phone 4711 {version} IN {fam} {ip}", "s=-", f"c=IN {fam} {ip}", "t=0 0",
        f"m=audio {port} RTP/AVP {pt} 101", f"a=rtpmap:{pt} {name}",
        "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20",
        f"a={direction}"]) + "\r\n"


def sdp_direction(sdp):
    for d in ("sendrecv", "sendonly", "recvonly", "inactive"):
        if f"a={d}" in sdp:
            return d
    return "sendrecv"


def sdp_value(sdp, attr):
    for line in sdp.splitlines():
        if line.startswith(f"a={attr}:"):
            return line.split(":", 1)[1].strip()
    return None


class Phone:
    """A plain RTP/AVP SIP-side peer: sends a tone (PCMU or PCMA, 20 ms) to
    the gateway's port from its answer/offer and keeps every packet it gets
    back with its arrival time."""

    def __init__(self, ip, port, freq=PHONE_HZ, pt=0):
        self.ip, self.port, self.freq, self.pt = ip, port, freq, pt
        self.sock = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET,
                                  socket.SOCK_DGRAM)
        self.sock.bind((ip, port))
        self.sock.settimeout(0.005)
        self.remote = None
        self.sending = False
        self.sent = 0
        self.rx = []  # (time, pt, seq, payload, source, timestamp)
        self.lock = threading.Lock()
        self.stop_flag = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def sdp(self, direction="sendrecv", version=1):
        return sip_sdp(self.ip, self.port, self.pt, direction, version)

    def start(self, gw_ip, gw_port):
        self.remote = (gw_ip, gw_port)
        self.sending = True

    def _run(self):
        seq, next_send = 0, time.time()
        while not self.stop_flag:
            now = time.time()
            if now >= next_send:
                if self.sending and self.remote:
                    enc = tone.ulaw_encode if self.pt == 0 else alaw_encode  # re-offers
                    pcm = tone.sine(self.freq, 8000, 160, seq * 160)
                    hdr = struct.pack("!BBHII", 0x80, self.pt, seq & 0xffff,
                                      (seq * 160) & 0xffffffff, 0x0ab1e5)
                    try:
                        self.sock.sendto(hdr + enc(pcm), self.remote)
                        self.sent += 1
                    except OSError:
                        pass
                seq += 1
                next_send += 0.02
                if next_send < now - 0.2:
                    next_send = now
            try:
                data, src = self.sock.recvfrom(2048)
            except (socket.timeout, OSError):
                continue
            if len(data) < 12 or data[0] >> 6 != 2 or 72 <= (data[1] & 0x7f) <= 76:
                continue  # not RTP, or RTCP
            off = 12 + 4 * (data[0] & 0x0f)
            if data[0] & 0x10 and len(data) >= off + 4:
                off += 4 + 4 * struct.unpack("!H", data[off + 2:off + 4])[0]
            with self.lock:
                self.rx.append((time.time(), data[1] & 0x7f, struct.unpack("!H", data[2:4])[0],
                                data[off:], f"{src[0]}:{src[1]}",
                                struct.unpack("!I", data[4:8])[0]))

    def close(self):
        self.stop_flag = True
        self.thread.join(2)
        self.sock.close()

    def packets(self, since=0.0, until=None):
        with self.lock:
            return [p for p in self.rx if p[0] >= since and (until is None or p[0] < until)]

    def events(self, pt=101, since=0.0):
        """RFC 4733 events received with payload type pt, one per RTP
        timestamp: [(event, final duration, end bit seen, packets)]."""
        out = {}
        for p in self.packets(since):
            if p[1] != pt or len(p[3]) < 4:
                continue
            ev, flags, dur = p[3][0], p[3][1], struct.unpack("!H", p[3][2:4])[0]
            ts = p[5] if len(p) > 5 else None
            key = (ts, ev)
            e = out.setdefault(key, [ev, 0, False, 0])
            e[1] = max(e[1], dur)
            e[2] = e[2] or bool(flags & 0x80)
            e[3] += 1
        return [tuple(v) for v in out.values()]

    def report(self, since=0.0, until=None):
        """Packets, payload types, sources, sequence gaps, and the dominant
        frequency and RMS level of the last half second in the window."""
        pk = self.packets(since, until)
        audio = []
        for p in pk[-25:]:
            if p[1] == 0:
                audio += tone.ulaw_decode(p[3])
            elif p[1] == 8:
                audio += alaw_decode(p[3])
        f, rms = tone.dominant(audio[-4000:], 8000)
        gaps = lost = 0
        for a, b in zip(pk, pk[1:]):
            d = (b[2] - a[2]) & 0xffff
            if d != 1:
                gaps += 1
                if 1 < d < 1000:
                    lost += d - 1
        return {"received": len(pk), "payload_types": sorted({p[1] for p in pk}),
                "sources": sorted({p[4] for p in pk}), "seq_gaps": gaps, "lost": lost,
                "freq": f, "rms": round(rms), "sent": self.sent}


class _Server(http.server.ThreadingHTTPServer):
    # A page of ES modules (SIP.js: about 200 files) opens many connections at
    # once; with the default listen backlog of 5 the kernel drops SYNs and
    # Chromium's retries back off for longer than the page may take to load.
    request_queue_size = 256


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def _send(self, code, body=b"", ctype="application/json"):
        try:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the page went away (a scenario killed Chromium)

    def do_GET(self):
        agent = self.server.agent
        static = self._static(agent)
        if self.path in ("/", "/page.html") or self.path.startswith("/?"):
            with open(os.path.join(HERE, agent.page), "rb") as f:
                self._send(200, f.read(), "text/html; charset=utf-8")
        elif self.path == "/page.js":
            with open(os.path.join(HERE, "page.js"), "rb") as f:
                self._send(200, f.read(), "text/javascript; charset=utf-8")
        elif static is not None:
            with open(static, "rb") as f:
                self._send(200, f.read(), "text/javascript; charset=utf-8")
        elif self.path == "/cmd":
            agent.polled.set()
            try:
                cmd = agent.cmds.get(timeout=20)
            except queue.Empty:
                self._send(204)
                return
            self._send(200, json.dumps(cmd).encode())
        else:
            self._send(404)

    def _static(self, agent):
        """A .js file under one of the agent's static directories
        (url prefix -> directory), or None."""
        for prefix, d in agent.static.items():
            if self.path.startswith(prefix) and self.path.endswith(".js"):
                path = os.path.realpath(os.path.join(d, self.path[len(prefix):]))
                if path.startswith(os.path.realpath(d) + os.sep) and os.path.isfile(path):
                    return path
        return None

    def do_POST(self):
        agent = self.server.agent
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/result":
            agent.results.put(json.loads(body))
        elif self.path == "/log":
            agent.add_log(body.decode(errors="replace"))
        self._send(200, b"{}")


class Browser:
    """Headless Chromium running page.html, driven command by command."""

    def __init__(self, tmp, freq=BROWSER_HZ, verbose=False, page="page.html", static=None):
        """page: the HTML file of test/e2e the browser loads; static: extra
        {url prefix: directory} of JavaScript files it may load."""
        self.tmp = tmp
        self.verbose = verbose
        self.page = page
        self.static = static or {}
        self.cmds = queue.Queue()
        self.results = queue.Queue()
        self.polled = threading.Event()
        self.page_log = []
        self.next_id = 1
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.agent = self
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        wav = write_tone_wav(os.path.join(tmp, f"tone{freq}.wav"), freq)
        self.chrome_log_path = os.path.join(tmp, "chromium.log")
        self.chrome_log = open(self.chrome_log_path, "w")
        url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.cmd = [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                    f"--use-file-for-fake-audio-capture={wav}",
                    "--disable-features=WebRtcHideLocalIpsWithMdns",
                    "--autoplay-policy=no-user-gesture-required",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--no-default-browser-check",
                    "--disable-background-timer-throttling",
                    "--disable-renderer-backgrounding",
                    "--enable-logging=stderr", "--v=0",
                    f"--user-data-dir={os.path.join(tmp, 'chromium-profile')}", url]
        # Loading the page is the harness, not the gateway: a Chromium that
        # stalls on it (a page of many ES modules on a loaded machine) is
        # started once more with a fresh profile before the test gives up.
        for attempt in range(2):
            profile = os.path.join(tmp, f"chromium-profile{attempt}")
            self.cmd[-2] = f"--user-data-dir={profile}"
            self.proc = subprocess.Popen(self.cmd, stdout=self.chrome_log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
            if self.polled.wait(60):
                break
            self.kill()
            if attempt == 1:
                raise Failure("Chromium did not load the page (2 starts, 60 s each):\n" +
                              self.chromium_log())
            print("  Chromium did not load the page within 60 s: started again", flush=True)

    def add_log(self, line):
        self.page_log.append(f"{time.strftime('%H:%M:%S')} {line}")
        if self.verbose:
            print(f"  [page] {line}", flush=True)

    def do(self, op, timeout=60, **args):
        """Runs one page command; returns its value or raises Failure. The
        wait is generous: in CI's sanitizer pass a loaded machine once left a
        page 30 s without answering a getStats() call (e2e-pcma)."""
        if self.proc.poll() is not None:
            raise Failure(f"Chromium exited ({self.proc.returncode}) before '{op}':\n"
                          + self.chromium_log())
        cid = self.next_id
        self.next_id += 1
        self.cmds.put(dict(args, op=op, id=cid))
        deadline = time.time() + timeout
        while True:
            try:
                res = self.results.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                raise Failure(f"browser: no answer to '{op}' within {timeout} s")
            if res.get("id") == cid:
                break
        if not res.get("ok"):
            raise Failure(f"browser: {res.get('error')}")
        return res.get("value")

    def chromium_log(self, lines=40):
        try:
            with open(self.chrome_log_path) as f:
                return "".join([ln for ln in f if "Failed to send STUN ping" not in ln][-lines:])
        except OSError:
            return ""

    def kill(self):
        """SIGKILL for Chromium's process group: the browser vanishes without
        BYE, DTLS close_notify or anything else."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()
        self.httpd.shutdown()
        self.chrome_log.close()


class Turn:
    """coturn on TURN_IP (an extra address of the peer namespace), long-term
    credentials, UDP only, relay addresses on TURN_IP as well."""

    def __init__(self, tmp):
        self.log_path = os.path.join(tmp, "turnserver.log")
        subprocess.run(["ip", "addr", "add", TURN_IP + "/24", "dev", "peer0"], check=True)
        self.logf = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [TURNSERVER, "-n", "--no-cli", "--no-tls", "--no-dtls", "--no-tcp-relay",
             f"--listening-ip={TURN_IP}", f"--relay-ip={TURN_IP}",
             f"--listening-port={TURN_PORT}", "--min-port=49160", "--max-port=49200",
             "--lt-cred-mech", f"--user={TURN_USER}:{TURN_PASS}", f"--realm={TURN_REALM}",
             "--fingerprint", "--log-file=stdout", "--simple-log", "--verbose",
             "--pidfile", os.path.join(tmp, "turnserver.pid")],
            stdout=self.logf, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"turnserver exited ({self.proc.returncode}):\n{self.log()}")
            r = subprocess.run(["ss", "-Hlun", f"src {TURN_IP}:{TURN_PORT}"],
                               capture_output=True, text=True)
            if r.stdout.strip():
                return
            time.sleep(0.1)
        raise Failure(f"turnserver does not listen on {TURN_IP}:{TURN_PORT}:\n{self.log()}")

    def ice_servers(self):
        return [{"urls": f"turn:{TURN_IP}:{TURN_PORT}?transport=udp", "username": TURN_USER,
                 "credential": TURN_PASS}]

    def log(self, lines=40):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.logf.close()


def legs(q):
    """(webrtc leg, sip leg) of the first stream of a query/delete result."""
    ls = q["streams"][0]["legs"]
    web = next((leg for leg in ls if "ice" in leg), None)
    sip = next((leg for leg in ls if leg is not web), None)
    expect(web is not None and sip is not None, f"query: no webrtc and sip leg in {ls}")
    return web, sip


class Env:
    """One scenario's world: lab, gateway, this process in the peer
    namespace, Chromium, and optionally coturn."""

    def __init__(self, exe, verbose=False, turn=False, family=4, config=None, page="page.html",
                 static=None):
        self.verbose = verbose
        self.tmp = tempfile.mkdtemp(prefix="wrtcgw-e2e-")
        self.lab = wrtclab.Lab()
        self.lab.create()
        self.gw = self.browser = self.turn = None
        self.phones = []
        try:
            self.gw = wrtclab.Gateway(self.lab, exe, config=config).start()
            enter_netns(self.lab.peer)
            # The browser gets host candidates of one address family only, so
            # a scenario knows which one it tests (Chromium prefers IPv6).
            subprocess.run(["ip", "-6" if family == 4 else "-4", "addr", "flush", "dev", "peer0",
                            "scope", "global"], check=True)
            if turn:
                self.turn = Turn(self.tmp)
            self.browser = Browser(self.tmp, verbose=verbose, page=page, static=static)
        except BaseException:
            self.close()
            raise

    def phone(self, ip, port, pt=0):
        p = Phone(ip, port, pt=pt)
        self.phones.append(p)
        return p

    def rpc(self, method, **params):
        try:
            r = self.gw.rpc.call(method, **params)
        except wrtclab.RpcError as e:
            raise Failure(f"gateway RPC {method} failed: {e}") from None
        if self.verbose and method not in ("query",):
            print(f"  rpc {method} {params.get('call_id', '')}: ok", flush=True)
        return r

    def diagnostics(self):
        out = []
        if self.browser:
            out.append("---- page log ----\n" + "\n".join(self.browser.page_log[-40:]))
            out.append("---- chromium (tail) ----\n" + self.browser.chromium_log(25))
        if self.turn:
            out.append("---- turnserver (tail) ----\n" + self.turn.log(25))
        if self.gw:
            log = self.gw.log().splitlines()
            out.append(f"---- wrtcgw log (tail; all of it in {self.gw.log_path}) ----\n"
                       + "\n".join(log[-60:]))
        return "\n".join(out)

    def close(self, keep=True):
        """keep=False removes the temporary files (Chromium profile, logs)."""
        for p in self.phones:
            p.close()
        if self.browser:
            self.browser.close()
        if self.turn:
            self.turn.close()
        if self.gw:
            try:
                self.gw.stop()
            except RuntimeError as e:
                print(f"warning: {e}")
        self.lab.destroy()
        if not keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
            if self.gw:
                shutil.rmtree(self.gw.tmp, ignore_errors=True)
