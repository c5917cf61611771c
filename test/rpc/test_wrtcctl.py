#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests tools/wrtcctl against a fake gateway started here.

The fake gateway speaks newline-delimited JSON-RPC 2.0 on 127.0.0.1 (an
ephemeral port) and on a unix socket, answers with the result shapes of
docs/rpc.md and records every request, so each test checks both what
wrtcctl sent and exactly what it printed.

With a second argument, the path of test/rpc/rpc_serve (the real lib/rpc
server with lib/policer rows), wrtcctl is also run against that.

usage: test_wrtcctl.py PATH/TO/wrtcctl [PATH/TO/rpc_serve]
"""

import json
import os
import re
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import unittest

WRTCCTL = None
RPC_SERVE = None

def flow(local, remote, rx, tx, drops=0, reasons=None):
    return {"local": local, "remote": remote, "latched": True, "rx_packets": rx,
            "rx_bytes": rx * 100, "tx_packets": tx, "tx_bytes": tx * 100, "drops": drops,
            "rtcp_packets": 0, "drop_reasons": reasons or {}}


QUERY = {
    "call_id": "call-1", "state": "answered", "created": 1764000000, "duration": 3725.4,
    "worker": 1, "calling": "alice",
    "legs": [
        {"tag": "ft1", "role": "offerer", "trunk_group": "webrtc", "kind": "webrtc",
         "ice": "lite", "security": "srtp", "interface": "lab"},
        {"tag": "tt1", "role": "answerer", "trunk_group": "sip", "kind": "sip",
         "ice": "none", "security": "none", "interface": "lab"}],
    "streams": [
        {"index": 0, "type": "audio", "state": "active", "codec_mode": "transcode",
         "codec_offerer": {"name": "opus", "payload_type": 111, "clock": 48000, "ptime": 20},
         "codec_answerer": {"name": "PCMU", "payload_type": 0, "clock": 8000, "ptime": 20},
         "legs": [
             {"leg": "ft1", "port": 20000, "rtcp_mux": True,
              "rtp": flow("10.99.0.2:20000", "[fd00:99::1]:50000", 186250, 186240, 3,
                          {"srtp-auth-failed": 3}),
              "rtcp": flow("10.99.0.2:20001", "-", 0, 0),
              "rx_kbps": 41, "tx_kbps": 40, "security": "srtp-terminated",
              "ice": {"state": "completed", "local_mode": "lite", "remote_mode": "full",
                      "role": "controlled", "selected_remote": "[fd00:99::1]:50000",
                      "consent": True, "consent_age": 1.5, "generation": 0, "requests": 900,
                      "call_type": "host/srflx"},
              "dtls": {"state": "connected", "role": "passive", "version": "DTLSv1.2",
                       "srtp_suite": "AES_CM_128_HMAC_SHA1_80", "reason": ""}},
             {"leg": "tt1", "port": 20002, "rtcp_mux": False,
              "rtp": flow("10.99.0.2:20002", "10.99.0.1:4000", 186200, 186250),
              "rtcp": flow("10.99.0.2:20003", "10.99.0.1:4001", 370, 372),
              "rx_kbps": 80, "tx_kbps": 80, "security": "none",
              "dtls": {"state": "none"}}]}]}

DELETED = dict(QUERY, state="deleted", duration=61.0)

RESULTS = {
    "list": {"calls": [
        {"call_id": "call-1", "state": "answered", "duration": 3725.4, "from_tag": "ft1",
         "to_tag": "tt1", "streams": 1},
        {"call_id": "c2", "state": "offered", "duration": 4, "from_tag": "x9", "to_tag": "",
         "streams": 2}]},
    "policers": {"policers": [
        {"id": 0, "name": "link-lab", "type": "link-data", "mode": "data-rate",
         "bucket": 1500000, "rate": 125000000, "priority_rate": 0,
         "accepted": 123456, "discarded": 0},
        {"id": 1, "name": "stun", "type": "stun", "mode": "packet-rate", "bucket": 100,
         "rate": 1000, "priority_rate": 10000, "accepted": 10599, "discarded": 89901}]},
    "statistics": {"uptime": 120, "calls_active": 1, "calls_created": 7, "calls_deleted": 6,
                   "calls_timed_out": 0, "offers": 8, "answers": 7,
                   "rx_packets": 2400000, "tx_packets": 2399000, "relayed_packets": 2398000,
                   "punted_packets": 1500, "media_rx_bytes": 380000000,
                   "media_tx_bytes": 379000000, "dtls_handshakes": 4, "dtls_failures": 1,
                   "transcoders_created": 2,
                   "requests_rejected": {"offer": 3, "answer": 0, "delete": 1},
                   "slow_path": {"arp": 3, "stun": 7, "nd": 0},
                   "drops": {"no-stream-for-port": 5, "policed": 89901, "runt": 0},
                   "workers": [{"worker": 0, "rx_packets": 10, "busy": 0.25,
                                "busy_cycles": 250, "idle_cycles": 750},
                               {"worker": 1, "rx_packets": 12, "busy": 0.5}],
                   "interfaces": [{"interface": "lab", "device": "net_af_packet0",
                                   "steering": "software", "media_ports_in_use": 4,
                                   "media_ports_total": 20000}]},
    "delete": DELETED,
}


EXPECTED_CALL = """\
call-id:   call-1
state:     answered
duration:  1:02:05
worker:    1
calling:   alice

TAG  ROLE      TRUNK-GROUP  KIND    ICE   SECURITY  INTERFACE
ft1  offerer   webrtc       webrtc  lite  srtp      lab
tt1  answerer  sip          sip     none  none      lab

stream 0: audio, active, transcode opus/48000 pt 111 20 ms <-> PCMU/8000 pt 0 20 ms
  LEG  FLOW  LOCAL            REMOTE              LATCHED  RX-PKTS  RX-BYTES  TX-PKTS  TX-BYTES  DROPS
  ft1  rtp   10.99.0.2:20000  [fd00:99::1]:50000  yes       186250  18625000   186240  18624000      3
  ft1  rtcp  10.99.0.2:20001  -                   yes            0         0        0         0      0
  tt1  rtp   10.99.0.2:20002  10.99.0.1:4000      yes       186200  18620000   186250  18625000      0
  tt1  rtcp  10.99.0.2:20003  10.99.0.1:4001      yes          370     37000      372     37200      0
  leg ft1: in 41 kbit/s, out 40 kbit/s, security srtp-terminated, rtcp-mux yes
    ice:  completed (local lite, remote full, controlled), selected [fd00:99::1]:50000, consent yes
          call type host/srflx
    dtls: connected, role passive, DTLSv1.2, AES_CM_128_HMAC_SHA1_80
    rtp drops: srtp-auth-failed 3
  leg tt1: in 80 kbit/s, out 80 kbit/s, security none, rtcp-mux no
"""

EXPECTED_DELETE = """\
deleted call call-1 after 0:01:01
#  LEG  FLOW  LOCAL            REMOTE              LATCHED  RX-PKTS  RX-BYTES  TX-PKTS  TX-BYTES  DROPS
0  ft1  rtp   10.99.0.2:20000  [fd00:99::1]:50000  yes       186250  18625000   186240  18624000      3
0  ft1  rtcp  10.99.0.2:20001  -                   yes            0         0        0         0      0
0  tt1  rtp   10.99.0.2:20002  10.99.0.1:4000      yes       186200  18620000   186250  18625000      0
0  tt1  rtcp  10.99.0.2:20003  10.99.0.1:4001      yes          370     37000      372     37200      0
"""


class FakeGateway(socketserver.StreamRequestHandler):
    requests = []
    mode = "normal"

    def handle(self):
        for raw in self.rfile:
            req = json.loads(raw)
            FakeGateway.requests.append(req)
            if FakeGateway.mode == "silent-close":
                return
            if FakeGateway.mode == "garbage":
                self.wfile.write(b"hello there\n")
                return
            method, params = req["method"], req.get("params", {})
            reply = {"jsonrpc": "2.0", "id": req["id"]}
            if method == "query":
                if params.get("call_id") == "call-1":
                    reply["result"] = QUERY
                else:
                    reply["error"] = {"code": -32001,
                                      "message": "call \"%s\" not found" % params.get("call_id")}
            elif method in RESULTS:
                reply["result"] = RESULTS[method]
            elif method == "echo":
                reply["result"] = params
            else:
                reply["error"] = {"code": -32601, "message": "unknown method \"%s\"" % method}
            self.wfile.write((json.dumps(reply) + "\n").encode())


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def run(*args, env_socket=None):
    env = dict(os.environ)
    env.pop("WRTCCTL_SOCKET", None)
    if env_socket:
        env["WRTCCTL_SOCKET"] = env_socket
    p = subprocess.run(["/usr/bin/python3", WRTCCTL] + list(args), capture_output=True,
                       text=True, timeout=30, env=env)
    return p.returncode, p.stdout, p.stderr


class WrtcctlTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.tcp = TCPServer(("127.0.0.1", 0), FakeGateway)
        cls.addr = "127.0.0.1:%d" % cls.tcp.server_address[1]
        cls.unix_path = os.path.join(cls.tmp.name, "gw.sock")
        cls.unix = UnixServer(cls.unix_path, FakeGateway)
        for srv in (cls.tcp, cls.unix):
            threading.Thread(target=srv.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.tcp.shutdown()
        cls.unix.shutdown()
        cls.tcp.server_close()
        cls.unix.server_close()
        cls.tmp.cleanup()

    def setUp(self):
        FakeGateway.requests.clear()
        FakeGateway.mode = "normal"

    def ok(self, *args, **kw):
        rc, out, err = run(*args, **kw)
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "")
        return out

    def last_request(self):
        self.assertEqual(len(FakeGateway.requests), 1)
        req = FakeGateway.requests[0]
        self.assertEqual(req["jsonrpc"], "2.0")
        self.assertIn("id", req)
        return req

    def test_show_calls(self):
        out = self.ok("-s", self.addr, "show", "calls")
        self.assertEqual(self.last_request()["method"], "list")
        self.assertEqual(out,
                         "CALL-ID  STATE     DURATION  FROM-TAG  TO-TAG  STREAMS\n"
                         "call-1   answered  1:02:05   ft1       tt1           1\n"
                         "c2       offered   0:00:04   x9        -             2\n"
                         "2 calls\n")

    def test_show_call(self):
        out = self.ok("-s", self.addr, "show", "call", "call-1")
        req = self.last_request()
        self.assertEqual((req["method"], req["params"]), ("query", {"call_id": "call-1"}))
        self.assertEqual(out, EXPECTED_CALL)

    def test_show_call_json(self):
        out = self.ok("-s", self.addr, "--json", "show", "call", "call-1")
        self.assertEqual(json.loads(out), QUERY)

    def test_unknown_call(self):
        rc, out, err = run("-s", self.addr, "show", "call", "nope")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertEqual(err, "wrtcctl: query failed: call \"nope\" not found (code -32001)\n")

    def test_show_policers(self):
        out = self.ok("-s", self.addr, "show", "policers")
        self.assertEqual(self.last_request()["method"], "policers")
        self.assertEqual(out,
                         "ID  NAME      TYPE       MODE          BUCKET       RATE  PRIO-RATE"
                         "  ACCEPTED  DISCARDED\n"
                         " 0  link-lab  link-data  data-rate    1500000  125000000          0"
                         "    123456          0\n"
                         " 1  stun      stun       packet-rate      100       1000      10000"
                         "     10599      89901\n")

    def test_show_statistics(self):
        out = self.ok("-s", self.addr, "show", "statistics")
        self.assertEqual(self.last_request()["method"], "statistics")
        self.assertEqual(out, (
            "uptime                            120\n"
            "calls_active                      1\n"
            "calls_created                     7\n"
            "calls_deleted                     6\n"
            "offers                            8\n"
            "answers                           7\n"
            "rx_packets                        2400000\n"
            "tx_packets                        2399000\n"
            "relayed_packets                   2398000\n"
            "punted_packets                    1500\n"
            "media_rx_bytes                    380000000\n"
            "media_tx_bytes                    379000000\n"
            "dtls_handshakes                   4\n"
            "dtls_failures                     1\n"
            "transcoders_created               2\n"
            "requests_rejected.offer           3\n"
            "requests_rejected.delete          1\n"
            "slow_path.arp                     3\n"
            "slow_path.stun                    7\n"
            "drops.no-stream-for-port          5\n"
            "drops.policed                     89901\n"
            "workers[0].worker                 0\n"
            "workers[0].rx_packets             10\n"
            "workers[0].busy                   0.2\n"
            "workers[0].busy_cycles            250\n"
            "workers[0].idle_cycles            750\n"
            "workers[1].worker                 1\n"
            "workers[1].rx_packets             12\n"
            "workers[1].busy                   0.5\n"
            "interfaces[0].interface           lab\n"
            "interfaces[0].device              net_af_packet0\n"
            "interfaces[0].steering            software\n"
            "interfaces[0].media_ports_in_use  4\n"
            "interfaces[0].media_ports_total   20000\n"
            "(4 zero counters not shown; --all shows them)\n"))

    def test_show_statistics_all(self):
        out = self.ok("-s", self.addr, "show", "statistics", "--all")
        for line in ("calls_timed_out", "requests_rejected.answer", "slow_path.nd", "drops.runt"):
            self.assertRegex(out, "(?m)^%s +0$" % re.escape(line))
        self.assertNotIn("not shown", out)

    def test_json_anywhere(self):
        want = json.dumps(RESULTS["list"], indent=2) + "\n"
        for args in (["--json", "show", "calls"], ["show", "--json", "calls"],
                     ["show", "calls", "--json"], ["show", "calls", "-j"]):
            self.assertEqual(self.ok("-s", self.addr, *args), want, args)
        out = self.ok("-s", self.addr, "show", "call", "call-1", "--json")
        self.assertEqual(json.loads(out), QUERY)
        out = self.ok("-s", self.addr, "show", "statistics", "--json")
        self.assertEqual(json.loads(out), RESULTS["statistics"])  # zeros included

    def test_show_totals(self):
        out = self.ok("-s", self.addr, "show", "totals")
        self.assertEqual([r["method"] for r in FakeGateway.requests], ["statistics", "policers"])
        self.assertEqual(out, (
            "Uptime:                                0:02:00\n"
            "Calls active:                          1\n"
            "Calls created / deleted / timed out:   7 / 6 / 0\n"
            "Offers / answers:                      8 / 7\n"
            "Rejected offer / answer / delete:      3 / 0 / 1\n"
            "DTLS handshakes ok / failed:           4 / 1\n"
            "Transcoders created:                   2\n"
            "\n"
            "Packets rx / tx:                       2.4M / 2.4M\n"
            "Packets relayed / to control lcore:    2.4M / 1.5k\n"
            "Media bytes rx / tx:                   380.0MB / 379.0MB\n"
            "Average packets/s rx / tx (uptime):    20.0k / 20.0k\n"
            "Drops:                                 89.9k (policed 89.9k, no-stream-for-port 5)\n"
            "Slow path:                             arp 3, stun 7, nd 0\n"
            "\n"
            "Worker 0:                              10 rx, 25.0% of cycles busy\n"
            "Worker 1:                              12 rx, 50.0% of iterations busy\n"
            "Interface lab:                         net_af_packet0, media ports 4 of 20000 in use\n"
            "Policer link-lab:                      accepted 123.5k, discarded 0\n"
            "Policer stun:                          accepted 10.6k, discarded 89.9k\n"))
        out = self.ok("-s", self.addr, "--json", "show", "totals")
        self.assertEqual(json.loads(out), {"statistics": RESULTS["statistics"],
                                           "policers": RESULTS["policers"]})

    def test_delete_call(self):
        out = self.ok("-s", self.addr, "delete", "call", "call-1", "--from-tag", "ft1")
        req = self.last_request()
        self.assertEqual((req["method"], req["params"]),
                         ("delete", {"call_id": "call-1", "from_tag": "ft1"}))
        self.assertEqual(out, EXPECTED_DELETE)

    def test_raw(self):
        out = self.ok("-s", self.addr, "raw", "echo", '{"a": [1, 2], "b": "x"}')
        req = self.last_request()
        self.assertEqual((req["method"], req["params"]), ("echo", {"a": [1, 2], "b": "x"}))
        self.assertEqual(json.loads(out), {"a": [1, 2], "b": "x"})
        rc, out, err = run("-s", self.addr, "raw", "frobnicate")
        self.assertEqual(rc, 1)
        self.assertEqual(err, "wrtcctl: frobnicate failed: unknown method \"frobnicate\" "
                              "(code -32601)\n")
        self.assertNotIn("params", FakeGateway.requests[-1])
        rc, out, err = run("-s", self.addr, "raw", "echo", "{not json")
        self.assertEqual(rc, 2)
        self.assertTrue(err.startswith("wrtcctl: params are not JSON: "), err)
        rc, out, err = run("-s", self.addr, "raw", "echo", "[1]")
        self.assertEqual((rc, err), (2, "wrtcctl: params must be a JSON object\n"))

    def test_unix_socket_and_env(self):
        out = self.ok("-s", self.unix_path, "show", "calls")
        self.assertTrue(out.startswith("CALL-ID  STATE"), out)
        out = self.ok("show", "policers", env_socket=self.unix_path)
        self.assertTrue(out.startswith("ID  NAME"), out)

    def test_unreachable(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # Nothing listens on this port now.
        rc, out, err = run("-s", "127.0.0.1:%d" % port, "show", "calls")
        self.assertEqual(rc, 3)
        self.assertEqual(out, "")
        self.assertEqual(err, "wrtcctl: cannot connect to the gateway at 127.0.0.1:%d: "
                              "Connection refused\n"
                              "wrtcctl: is wrtcgw running? Choose its socket with -s HOST:PORT "
                              "or -s PATH\n" % port)
        rc, out, err = run("-s", os.path.join(self.tmp.name, "none.sock"), "show", "calls")
        self.assertEqual(rc, 3)
        self.assertIn("unix socket %s: No such file or directory"
                      % os.path.join(self.tmp.name, "none.sock"), err)

    def test_bad_replies(self):
        FakeGateway.mode = "silent-close"
        rc, out, err = run("-s", self.addr, "show", "calls")
        self.assertEqual(rc, 3)
        self.assertIn("closed the connection without answering", err)
        FakeGateway.mode = "garbage"
        rc, out, err = run("-s", self.addr, "show", "calls")
        self.assertEqual(rc, 3)
        self.assertIn("sent a reply that is not JSON", err)

    def test_usage(self):
        rc, out, err = run("show")
        self.assertEqual(rc, 2)
        rc, out, err = run("--help")
        self.assertEqual(rc, 0)
        self.assertIn("show", out)


class RealServerTest(unittest.TestCase):
    """wrtcctl against lib/rpc itself (framing, error replies, policer rows)."""
    maxDiff = None

    def setUp(self):
        if RPC_SERVE is None:
            self.skipTest("rpc_serve not built (lib/policer disabled)")
        self.tmp = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.tmp.name, "gw.sock")
        self.proc = subprocess.Popen([RPC_SERVE, self.path], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.assertEqual(self.proc.stdout.readline(), "ready\n")

    def tearDown(self):
        self.proc.stdin.close()
        self.assertEqual(self.proc.wait(timeout=10), 0)
        self.proc.stdout.close()
        # The server removes its socket file when it stops.
        self.assertFalse(os.path.exists(self.path))
        self.tmp.cleanup()

    def test_real_server(self):
        rc, out, err = run("-s", self.path, "show", "calls")
        self.assertEqual((rc, out, err), (0, "no calls\n", ""))
        rc, out, err = run("-s", self.path, "show", "policers")
        self.assertEqual(err, "")
        self.assertEqual(out,
                         "ID  NAME  TYPE       MODE         BUCKET  RATE  PRIO-RATE  ACCEPTED"
                         "  DISCARDED\n"
                         " 0  link  link-data  data-rate      3000  1000          0         3"
                         "          1\n"
                         " 1  stun  stun       packet-rate     100  1000      10000       100"
                         "         50\n")
        rc, out, err = run("-s", self.path, "show", "call", "zz")
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(err, "wrtcctl: query failed: call_id: no call \"zz\" (code -32001)\n")
        rc, out, err = run("-s", self.path, "raw", "query", "{}")
        self.assertEqual(err, "wrtcctl: query failed: call_id: missing (code -32602)\n")
        rc, out, err = run("-s", self.path, "show", "statistics")
        self.assertEqual((rc, err), (1, "wrtcctl: statistics failed: unknown method "
                                        "\"statistics\" (code -32601)\n"))
        rc, out, err = run("-s", self.path, "--json", "show", "policers")
        rows = json.loads(out)["policers"]
        self.assertEqual([(r["name"], r["accepted"], r["discarded"]) for r in rows],
                         [("link", 3, 1), ("stun", 100, 50)])


if __name__ == "__main__":
    WRTCCTL = os.path.abspath(sys.argv.pop(1))
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        RPC_SERVE = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
