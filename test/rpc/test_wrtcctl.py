#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests tools/wrtcctl against a fake gateway started here.

The fake gateway speaks newline-delimited JSON-RPC 2.0 on 127.0.0.1 (an
ephemeral port) and on a unix socket, answers with the result shapes of
docs/rpc.md and records every request, so each test checks both what
wrtcctl sent and exactly what it printed.

usage: test_wrtcctl.py PATH/TO/wrtcctl
"""

import json
import os
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import unittest

WRTCCTL = None

QUERY = {
    "call_id": "call-1", "state": "active", "duration": 3725.4,
    "from_tag": "ft1", "to_tag": "tt1", "calling": "alice", "called": "bob",
    "ingress": "webrtc", "egress": "sip",
    "legs": [
        {"tag": "ft1", "role": "offerer", "trunk_group": "webrtc", "kind": "webrtc",
         "security": {"srtp": True, "dtls": True, "sdes": False,
                      "suite": "AES_CM_128_HMAC_SHA1_80"},
         "ice": {"mode": "lite", "state": "completed", "call_type": "host/srflx"},
         "dtls": {"state": "connected", "role": "passive"},
         "kbps_in": 41.25, "kbps_out": 40.0,
         "streams": [
             {"index": 0, "media": "audio", "codec": "opus",
              "local_address": "10.99.0.2", "local_rtp_port": 20000, "local_rtcp_port": 20000,
              "remote_address": "fd00:99::1", "remote_rtp_port": 50000,
              "remote_rtcp_port": 50000, "packets_in": 186250, "packets_out": 186240,
              "drops": 3, "kbps_in": 41.25, "kbps_out": 40.0}]},
        {"tag": "tt1", "role": "answerer", "trunk_group": "sip", "kind": "sip",
         "security": {"srtp": False, "dtls": False, "sdes": False},
         "ice": {"mode": "none", "state": None},
         "dtls": {"state": None},
         "kbps_in": 80.0, "kbps_out": 80.0,
         "streams": [
             {"index": 0, "media": "audio", "codec": "PCMU",
              "local_address": "10.99.0.2", "local_rtp_port": 20002, "local_rtcp_port": 20003,
              "remote_address": "10.99.0.1", "remote_rtp_port": 4000, "remote_rtcp_port": 4001,
              "packets_in": 186200, "packets_out": 186250, "drops": 0,
              "kbps_in": 80.0, "kbps_out": 80.0}]}]}

RESULTS = {
    "list": {"calls": [
        {"call_id": "call-1", "state": "active", "duration": 3725.4, "ingress": "webrtc",
         "egress": "sip", "streams": 2},
        {"call_id": "c2", "state": "offered", "duration": 4, "ingress": "sip",
         "egress": "webrtc", "streams": 1}]},
    "policers": {"policers": [
        {"id": 0, "name": "link-lab", "type": "link-data", "mode": "data-rate",
         "bucket": 1500000, "rate": 125000000, "priority_rate": 125000000,
         "accepted": 123456, "discarded": 0},
        {"id": 1, "name": "stun", "type": "stun", "mode": "packet-rate", "bucket": 100,
         "rate": 1000, "priority_rate": 10000, "accepted": 10599, "discarded": 89901}]},
    "statistics": {"uptime": 120, "calls": {"active": 1, "total": 7, "timed_out": 2},
                   "drops": {"no_flow": 5, "policed_stun": 89901}},
    "delete": {"call_id": "call-1", "duration": 61.0, "legs": [
        {"tag": "ft1", "streams": [{"index": 0, "media": "audio", "packets_in": 3050,
                                    "packets_out": 3049, "bytes_in": 305000,
                                    "bytes_out": 304900, "drops": 1}]},
        {"tag": "tt1", "streams": [{"index": 0, "media": "audio", "packets_in": 3049,
                                    "packets_out": 3050, "bytes_in": 524428,
                                    "bytes_out": 524600, "drops": 0}]}]},
}


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
                         "CALL-ID  STATE    DURATION  INGRESS  EGRESS  STREAMS\n"
                         "call-1   active   1:02:05   webrtc   sip           2\n"
                         "c2       offered  0:00:04   sip      webrtc        1\n"
                         "2 calls\n")

    def test_show_call(self):
        out = self.ok("-s", self.addr, "show", "call", "call-1")
        req = self.last_request()
        self.assertEqual((req["method"], req["params"]), ("query", {"call_id": "call-1"}))
        self.assertEqual(out, (
            "call-id:   call-1\n"
            "state:     active\n"
            "duration:  1:02:05\n"
            "from-tag:  ft1\n"
            "to-tag:    tt1\n"
            "calling:   alice\n"
            "called:    bob\n"
            "ingress:   webrtc\n"
            "egress:    sip\n"
            "\n"
            "leg 0: offerer tag ft1, trunk group webrtc (webrtc)\n"
            "  security:  DTLS-SRTP AES_CM_128_HMAC_SHA1_80\n"
            "  ice:       lite, state completed, call type host/srflx\n"
            "  dtls:      connected, role passive\n"
            "  bandwidth: in 41.2 kbit/s, out 40.0 kbit/s\n"
            "\n"
            "  #  MEDIA  CODEC  LOCAL            RTCP   REMOTE              RTCP   PKTS-IN"
            "  PKTS-OUT  DROPS  KBPS-IN  KBPS-OUT\n"
            "  0  audio  opus   10.99.0.2:20000  20000  [fd00:99::1]:50000  50000   186250"
            "    186240      3     41.2      40.0\n"
            "\n"
            "leg 1: answerer tag tt1, trunk group sip (sip)\n"
            "  security:  RTP\n"
            "  ice:       none, state -, call type -\n"
            "  dtls:      -\n"
            "  bandwidth: in 80.0 kbit/s, out 80.0 kbit/s\n"
            "\n"
            "  #  MEDIA  CODEC  LOCAL            RTCP   REMOTE          RTCP  PKTS-IN"
            "  PKTS-OUT  DROPS  KBPS-IN  KBPS-OUT\n"
            "  0  audio  PCMU   10.99.0.2:20002  20003  10.99.0.1:4000  4001   186200"
            "    186250      0     80.0      80.0\n"))

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
                         " 0  link-lab  link-data  data-rate    1500000  125000000  125000000"
                         "    123456          0\n"
                         " 1  stun      stun       packet-rate      100       1000      10000"
                         "     10599      89901\n")

    def test_show_statistics(self):
        out = self.ok("-s", self.addr, "show", "statistics")
        self.assertEqual(self.last_request()["method"], "statistics")
        self.assertEqual(out,
                         "uptime              120\n"
                         "calls.active        1\n"
                         "calls.total         7\n"
                         "calls.timed_out     2\n"
                         "drops.no_flow       5\n"
                         "drops.policed_stun  89901\n")

    def test_delete_call(self):
        out = self.ok("-s", self.addr, "delete", "call", "call-1", "--from-tag", "ft1")
        req = self.last_request()
        self.assertEqual((req["method"], req["params"]),
                         ("delete", {"call_id": "call-1", "from_tag": "ft1"}))
        self.assertEqual(out,
                         "deleted call call-1 after 0:01:01\n"
                         "LEG-TAG  #  MEDIA  PKTS-IN  PKTS-OUT  BYTES-IN  BYTES-OUT  DROPS\n"
                         "ft1      0  audio     3050      3049    305000     304900      1\n"
                         "tt1      0  audio     3049      3050    524428     524600      0\n")

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


if __name__ == "__main__":
    WRTCCTL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
