# SPDX-License-Identifier: BSD-3-Clause
"""A network-namespace lab for wrtcgw: the gateway on net_af_packet in one
namespace, ordinary Linux hosts in another, joined by a veth pair.

Used by the integration tests and by tools/demo. Needs root (ip netns).
Everything it creates carries a per-process suffix and is removed on exit.
"""
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

DUT_MAC = "02:00:00:00:00:02"
DUT_IP4 = "10.99.0.2"
DUT_IP6 = "fd00:99::2"
PEER_IP4 = ["10.99.0.1", "10.99.0.3"]
PEER_IP6 = ["fd00:99::1", "fd00:99::3"]

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sh(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


class Lab:
    """Two namespaces: dut (the gateway's veth, no kernel addresses) and peer."""

    def __init__(self, tag=None):
        tag = tag or str(os.getpid())
        self.dut = f"wgt-dut-{tag}"
        self.peer = f"wgt-peer-{tag}"
        self.dut_if = "dut0"
        self.peer_if = "peer0"
        self.up = False

    def __enter__(self):
        self.create()
        return self

    def __exit__(self, *exc):
        self.destroy()

    def create(self):
        self.destroy()
        sh("ip", "netns", "add", self.dut)
        sh("ip", "netns", "add", self.peer)
        self.up = True
        atexit.register(self.destroy)
        sh("ip", "link", "add", self.dut_if, "netns", self.dut, "type", "veth",
           "peer", "name", self.peer_if, "netns", self.peer)
        for ns in (self.dut, self.peer):
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        # The DUT side has no addresses and no IPv6, so the kernel there never
        # answers or sends anything of its own; wrtcgw owns the addresses.
        sh("ip", "netns", "exec", self.dut, "sysctl", "-qw",
           f"net.ipv6.conf.{self.dut_if}.disable_ipv6=1")
        sh("ip", "-n", self.dut, "link", "set", self.dut_if, "address", DUT_MAC, "up")
        for a in PEER_IP4:
            sh("ip", "-n", self.peer, "addr", "add", a + "/24", "dev", self.peer_if)
        for a in PEER_IP6:
            sh("ip", "-n", self.peer, "addr", "add", a + "/64", "dev", self.peer_if, "nodad")
        sh("ip", "-n", self.peer, "link", "set", self.peer_if, "up")
        # With TX checksum offload on, the peer's kernel hands af_packet
        # frames with only the pseudo-header sum, which the gateway drops.
        self.peer_exec(sys.executable, "-c", TXCSUM_OFF, self.peer_if)

    def destroy(self):
        if not getattr(self, "up", False):
            sh("ip", "netns", "del", self.dut, check=False)
            sh("ip", "netns", "del", self.peer, check=False)
            return
        for ns in (self.dut, self.peer):
            sh("ip", "netns", "del", ns, check=False)
        self.up = False

    def add_sig_link(self, dut_ip="10.98.0.2", peer_ip="10.98.0.1"):
        """A second veth pair for signalling between the kernels of the two
        namespaces (a SIP proxy in the DUT namespace next to the gateway,
        reaching its ng socket on loopback; SIP peers in the peer namespace)."""
        sh("ip", "link", "add", "sig0", "netns", self.dut, "type", "veth",
           "peer", "name", "sig1", "netns", self.peer)
        sh("ip", "-n", self.dut, "addr", "add", dut_ip + "/24", "dev", "sig0")
        sh("ip", "-n", self.peer, "addr", "add", peer_ip + "/24", "dev", "sig1")
        sh("ip", "-n", self.dut, "link", "set", "sig0", "up")
        sh("ip", "-n", self.peer, "link", "set", "sig1", "up")
        return dut_ip, peer_ip

    def add_second_dut_link(self, dut_if="dut1", mac="02:00:00:00:00:05"):
        """A second gateway port on the same LAN: veth dut_if (DUT namespace,
        no kernel address) to peer1, bridged with peer0 in the peer namespace,
        whose addresses move to the bridge. For two gateways side by side."""
        sh("ip", "link", "add", dut_if, "netns", self.dut, "type", "veth",
           "peer", "name", "peer1", "netns", self.peer)
        sh("ip", "netns", "exec", self.dut, "sysctl", "-qw",
           f"net.ipv6.conf.{dut_if}.disable_ipv6=1")
        sh("ip", "-n", self.dut, "link", "set", dut_if, "address", mac, "up")
        sh("ip", "-n", self.peer, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.peer, "addr", "flush", "dev", self.peer_if)
        for dev in (self.peer_if, "peer1"):
            sh("ip", "-n", self.peer, "link", "set", dev, "master", "br0")
            sh("ip", "-n", self.peer, "link", "set", dev, "up")
        for a in PEER_IP4:
            sh("ip", "-n", self.peer, "addr", "add", a + "/24", "dev", "br0")
        for a in PEER_IP6:
            sh("ip", "-n", self.peer, "addr", "add", a + "/64", "dev", "br0", "nodad")
        sh("ip", "-n", self.peer, "link", "set", "br0", "up")
        for dev in ("peer1", "br0"):
            self.peer_exec(sys.executable, "-c", TXCSUM_OFF, dev)
        return dut_if

    def dut_popen(self, *args, **kw):
        return subprocess.Popen(["ip", "netns", "exec", self.dut, *args], **kw)

    def peer_exec(self, *args, **kw):
        return sh("ip", "netns", "exec", self.peer, *args, **kw)

    def peer_popen(self, *args, **kw):
        return subprocess.Popen(["ip", "netns", "exec", self.peer, *args], **kw)


TXCSUM_OFF = r"""
import array, fcntl, socket, struct, sys
buf = array.array('B', struct.pack('II', 0x17, 0))
ifr = struct.pack('16sP', sys.argv[1].encode(), buf.buffer_info()[0])
fcntl.ioctl(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), 0x8946, ifr)
"""


def run_cases(cases, *args, only=None):
    """Run each case(*args) (only those named in @p only, when given),
    printing "ok   NAME" or "FAIL NAME" with the traceback.
    Returns (passed, failed)."""
    passed = failed = 0
    for case in cases:
        if only and case.__name__ not in only:
            continue
        try:
            case(*args)
            print(f"ok   {case.__name__}")
            passed += 1
        except Exception:
            print(f"FAIL {case.__name__}")
            traceback.print_exc()
            failed += 1
    return passed, failed


def default_config():
    with open(os.path.join(SRC, "config", "default.json")) as f:
        return json.load(f)


class Gateway:
    """wrtcgw running in the lab's DUT namespace, controlled over its unix socket."""

    def __init__(self, lab, exe, config=None, workers=1, extra_eal=None, log=None,
                 config_path=None, telemetry=False, dut_if=None, name=""):
        """config: a dict written to a temporary file with the RPC moved to a
        private unix socket; config_path: a file used as it is."""
        self.lab = lab
        self.exe = exe
        self.tmp = tempfile.mkdtemp(prefix="wrtcgw-test-")
        if config_path is not None:
            with open(config_path) as f:
                cfg = json.load(f)
            self.sock_path = cfg.get("control", {}).get("rpc_unix", "/run/wrtcgw.sock")
            self.config_path = config_path
        else:
            self.sock_path = os.path.join(self.tmp, "rpc.sock")
            cfg = config or default_config()
            cfg.setdefault("control", {})
            cfg["control"]["rpc_unix"] = self.sock_path
            cfg["control"]["rpc_tcp"] = ""
            self.config_path = os.path.join(self.tmp, "config.json")
            with open(self.config_path, "w") as f:
                json.dump(cfg, f, indent=1)
        self.log_path = log or os.path.join(self.tmp, "wrtcgw.log")
        lcores = "0-1" if workers == 1 else "0@0,1@1,2@1" if workers == 2 else None
        self.file_prefix = "wgt" + str(os.getpid()) + name
        eal = ["--no-huge", "-m", "256", "--no-pci", "--no-shconf",
               "--file-prefix", self.file_prefix,
               "--vdev", f"net_af_packet0,iface={dut_if or lab.dut_if},framecnt=4096,qpairs=1"]
        if not telemetry:
            eal.append("--no-telemetry")
        eal = (["-l", lcores] if workers == 1 else ["--lcores", lcores]) + eal
        self.cmd = ["ip", "netns", "exec", lab.dut, exe] + eal + (extra_eal or []) + \
            ["--", "--config", self.config_path]
        self.proc = None
        self.rpc = None

    def start(self, timeout=30):
        self.logf = open(self.log_path, "w")
        if os.path.exists(self.sock_path) and self.config_path and "wrtcgw-test-" not in self.sock_path:
            # A socket file left by a gateway that died; the server replaces it too.
            try:
                os.unlink(self.sock_path)
            except OSError:
                pass
        self.proc = subprocess.Popen(self.cmd, stdout=self.logf, stderr=subprocess.STDOUT)
        atexit.register(self.stop)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"wrtcgw exited with {self.proc.returncode}:\n{self.log()}")
            if os.path.exists(self.sock_path):
                try:
                    self.rpc = RpcClient(self.sock_path)
                    return self
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"wrtcgw did not open its RPC socket in {timeout}s:\n{self.log()}")

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, timeout=15):
        """SIGTERM, wait; returns the exit code (raises if it had to be killed)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        if self.rpc:
            self.rpc.close()
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("wrtcgw did not stop on SIGTERM")


def telemetry(gw, cmd, timeout=5):
    """One DPDK telemetry command on the gateway's telemetry socket (the
    protocol dpdk-telemetry.py speaks); returns the decoded reply's value."""
    path = f"/var/run/dpdk/{gw.file_prefix}/dpdk_telemetry.v2"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(timeout)
    s.connect(path)
    json.loads(s.recv(16384))   # greeting: version, pid, max_output_len
    s.send(cmd.encode())
    reply = json.loads(s.recv(65536))
    s.close()
    return reply[cmd.split(",")[0]]


class RpcError(Exception):
    def __init__(self, error):
        super().__init__(f"{error.get('code')}: {error.get('message')}")
        self.code = error.get("code")
        self.message = error.get("message", "")


class RpcClient:
    """Newline-delimited JSON-RPC 2.0 over a unix socket."""

    def __init__(self, path, timeout=10):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.buf = b""
        self.next_id = 1

    def close(self):
        self.s.close()

    def send_raw(self, line):
        self.s.sendall(line if isinstance(line, bytes) else line.encode())

    def recv_line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("gateway closed the RPC connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def call_raw(self, method, params=None):
        req = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            req["params"] = params
        self.next_id += 1
        self.send_raw(json.dumps(req) + "\n")
        return self.recv_line()

    def call(self, method, **params):
        # -32005 is retryable by contract (docs/rpc.md): a worker is behind and
        # nothing was applied. Retry for a while, as a controller would.
        deadline = time.time() + 10
        while True:
            rsp = self.call_raw(method, params)
            if "error" not in rsp:
                return rsp["result"]
            if rsp["error"].get("code") != -32005 or time.time() > deadline:
                raise RpcError(rsp["error"])
            time.sleep(0.05)


class Kamailio:
    """Kamailio (config/kamailio/kamailio.cfg by default) in namespace ns,
    foreground (-DD), logging to a file; defines as -A NAME=VALUE."""

    def __init__(self, ns, defines, cfg=None, sip=("10.98.0.2", 5060)):
        self.ns = ns
        self.cfg = cfg or os.path.join(SRC, "config", "kamailio", "kamailio.cfg")
        self.tmp = tempfile.mkdtemp(prefix="wrtcgw-kamailio-")
        self.log_path = os.path.join(self.tmp, "kamailio.log")
        self.sip = sip
        args = []
        for d in defines:
            args += ["-A", d]
        self.cmd = ["ip", "netns", "exec", ns, "kamailio", "-DD", "-E", "-f", self.cfg,
                    "-Y", self.tmp, "-P", os.path.join(self.tmp, "kamailio.pid"),
                    "-w", self.tmp, "-m", "64", "-M", "8"] + args
        self.proc = None

    def start(self, timeout=20):
        self.logf = open(self.log_path, "w")
        self.proc = subprocess.Popen(self.cmd, stdout=self.logf, stderr=subprocess.STDOUT)
        atexit.register(self.stop)
        # Ready when it answers a SIP request (OPTIONS gets a 405 here).
        s = socket_in_netns(self.ns)
        s.settimeout(0.2)
        deadline = time.time() + timeout
        n = 0
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"kamailio exited with {self.proc.returncode}:\n{self.log()}")
            n += 1
            msg = (f"OPTIONS sip:{self.sip[0]}:{self.sip[1]} SIP/2.0\r\n"
                   f"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-probe{n};rport\r\n"
                   f"From: <sip:probe@127.0.0.1>;tag=p{n}\r\nTo: <sip:{self.sip[0]}>\r\n"
                   f"Call-ID: probe-{os.getpid()}-{n}\r\nCSeq: 1 OPTIONS\r\n"
                   "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")
            try:
                s.sendto(msg.encode(), self.sip)
                if s.recv(4096).startswith(b"SIP/2.0"):
                    s.close()
                    return self
            except OSError:
                time.sleep(0.1)
        s.close()
        raise RuntimeError(f"kamailio did not answer SIP in {timeout}s:\n{self.log()}")

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, timeout=10):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def socket_in_netns(ns, family=socket.AF_INET, type_=socket.SOCK_DGRAM):
    """A socket created inside network namespace ns (setns in a helper
    thread: the namespace is per thread, the socket keeps it)."""
    import ctypes
    import threading
    libc = ctypes.CDLL(None, use_errno=True)
    out = {}

    def run():
        fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
        try:
            if libc.setns(fd, 0x40000000) != 0:   # CLONE_NEWNET
                out["err"] = OSError(ctypes.get_errno(), "setns")
                return
            out["s"] = socket.socket(family, type_)
        finally:
            os.close(fd)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "err" in out:
        raise out["err"]
    return out["s"]


def bencode(v):
    if isinstance(v, bool):
        v = "yes" if v else "no"
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, (list, tuple)):
        return b"l" + b"".join(bencode(x) for x in v) + b"e"
    if isinstance(v, dict):
        return b"d" + b"".join(bencode(k) + bencode(x) for k, x in v.items()) + b"e"
    raise TypeError(type(v))


def bdecode(b):
    """Strict enough for replies: returns (value, rest)."""
    c = b[:1]
    if c == b"i":
        e = b.index(b"e")
        return int(b[1:e]), b[e + 1:]
    if c in (b"l", b"d"):
        b = b[1:]
        items = []
        while b[:1] != b"e":
            if not b:
                raise ValueError("unterminated")
            x, b = bdecode(b)
            items.append(x)
        if c == b"l":
            return items, b[1:]
        return {items[i]: items[i + 1] for i in range(0, len(items), 2)}, b[1:]
    colon = b.index(b":")
    n = int(b[:colon])
    s = b[colon + 1:colon + 1 + n]
    if len(s) != n:
        raise ValueError("short string")
    return s.decode(errors="replace"), b[colon + 1 + n:]


class NgClient:
    """rtpengine ng over UDP from inside a namespace (the gateway's)."""

    def __init__(self, ns, host="127.0.0.1", port=2223, timeout=5):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.s = socket_in_netns(ns, fam)
        self.s.settimeout(timeout)
        self.addr = (host, port)
        self.n = 0
        # Cookies must be unique per request: the gateway answers a cookie
        # it has seen in the last 30 s from its reply cache.
        self.prefix = os.urandom(4).hex()

    def close(self):
        self.s.close()

    def send_raw(self, data):
        self.s.sendto(data, self.addr)

    def recv_raw(self):
        return self.s.recv(65536)

    def request(self, cmd, cookie=None, **kv):
        """Send {command: cmd, **kv} (underscores in keys become dashes); the
        decoded reply dict, after checking the cookie came back."""
        self.n += 1
        cookie = cookie or f"{self.prefix}_{self.n}"
        d = {"command": cmd}
        for k, v in kv.items():
            d[k.replace("_", "-")] = v
        self.send_raw(cookie.encode() + b" " + bencode(d))
        return self.reply(cookie)

    def reply(self, cookie):
        data = self.recv_raw()
        c, _, body = data.partition(b" ")
        if c.decode() != cookie:
            raise ValueError(f"cookie {c!r} != {cookie!r}")
        v, rest = bdecode(body)
        if rest:
            raise ValueError(f"trailing bytes after the reply: {rest[:40]!r}")
        return v


def sip_sdp(ip, port, pts=(0, 8, 101), sess="1", rtcp_port=None):
    names = {0: "PCMU/8000", 8: "PCMA/8000", 9: "G722/8000", 101: "telephone-event/8000"}
    fam = "IP6" if ":" in ip else "IP4"
    lines = ["v=0", f"o=- {sess} 1 IN {fam} {ip}", "s=-", f"c=IN {fam} {ip}", "t=0 0",
             f"m=audio {port} RTP/AVP " + " ".join(str(p) for p in pts)]
    for p in pts:
        lines.append(f"a=rtpmap:{p} {names[p]}")
    if 101 in pts:
        lines.append("a=fmtp:101 0-16")
    if rtcp_port:
        lines.append(f"a=rtcp:{rtcp_port}")
    lines += ["a=ptime:20", "a=sendrecv"]
    return "\r\n".join(lines) + "\r\n"


def sdp_media_addr(sdp):
    """(address, rtp port) of the first m-line of an SDP."""
    addr = port = None
    for line in sdp.splitlines():
        if line.startswith("c=") and addr is None:
            addr = line.split()[2]
        if line.startswith("m=") and port is None:
            port = int(line.split()[1])
    return addr, port


USAGE = """usage: wrtclab.py up [TAG] | down [TAG] | eal [TAG]
  up    create the lab (namespaces wgt-dut-TAG and wgt-peer-TAG, default TAG "lab")
        and leave it up; the gateway owns 10.99.0.2 and fd00:99::2 on dut0
  down  remove it
  eal   print the EAL arguments for a gateway started in the lab's dut namespace"""


def main(argv):
    if len(argv) < 2 or argv[1] not in ("up", "down", "eal"):
        print(USAGE, file=sys.stderr)
        return 2
    lab = Lab(argv[2] if len(argv) > 2 else "lab")
    eal = (f"-l 0-1 --no-huge -m 256 --no-pci --no-shconf --no-telemetry "
           f"--vdev net_af_packet0,iface={lab.dut_if},framecnt=4096,qpairs=1")
    if argv[1] == "down":
        lab.up = True
        lab.destroy()
        print(f"down: {lab.dut} {lab.peer} removed")
    elif argv[1] == "eal":
        print(eal)
    else:
        lab.create()
        atexit.unregister(lab.destroy)
        print(f"up: {lab.peer}/{lab.peer_if} {' '.join(PEER_IP4 + PEER_IP6)} <-veth-> "
              f"{lab.dut}/{lab.dut_if} {DUT_MAC} (the gateway owns {DUT_IP4} {DUT_IP6})")
        print(f"start the gateway: ip netns exec {lab.dut} wrtcgw {eal} -- --config FILE")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
