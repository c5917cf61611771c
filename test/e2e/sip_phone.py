# SPDX-License-Identifier: BSD-3-Clause
"""A small SIP phone for the SIP-over-WebSocket test: UDP signalling through
a proxy (Kamailio), RFC 3261 dialogs with route sets, and media by e2e.Phone
(a PCMU tone out, every packet back kept for analysis).

It places a call (INVITE, ACK, BYE) or answers one (100/200, waits for ACK,
answers BYE), and answers in-dialog requests with 200 OK. Enough SIP for a
proxy test; not a general user agent.
"""
import os
import queue
import re
import socket
import threading
import time


def _hdrs(msg, name):
    """Every value of header name (and its compact form) in order, split at
    commas for Record-Route/Route/Via."""
    compact = {"via": "v", "contact": "m", "from": "f", "to": "t", "call-id": "i",
               "content-length": "l", "content-type": "c"}
    names = {name.lower(), compact.get(name.lower(), name.lower())}
    out = []
    for line in msg["lines"]:
        k, _, v = line.partition(":")
        if k.strip().lower() in names:
            if name.lower() in ("record-route", "route"):
                out += [x.strip() for x in re.split(r",(?=\s*<)", v)]
            else:
                out.append(v.strip())
    return out


def parse(data):
    head, _, body = data.decode(errors="replace").partition("\r\n\r\n")
    lines = head.split("\r\n")
    first = lines[0]
    msg = {"first": first, "lines": lines[1:], "body": body}
    if first.startswith("SIP/2.0"):
        msg["code"] = int(first.split()[1])
    else:
        msg["method"] = first.split()[0]
        msg["uri"] = first.split()[1]
    msg["hdr"] = lambda n: (_hdrs(msg, n) or [None])[0]
    msg["hdrs"] = lambda n: _hdrs(msg, n)
    return msg


def uri_of(v):
    m = re.search(r"<([^>]+)>", v)
    return m.group(1) if m else v.split(";")[0].strip()


def tag_of(v):
    m = re.search(r";\s*tag=([^;>\s]+)", v)
    return m.group(1) if m else None


def sdp_media(sdp):
    ip = port = None
    for line in sdp.splitlines():
        if line.startswith("c=") and ip is None:
            ip = line.split()[2]
        if line.startswith("m=audio"):
            port = int(line.split()[1])
    return ip, port


class SipPhone:
    def __init__(self, ip, port, proxy, user, domain, media):
        self.ip, self.port, self.proxy = ip, port, proxy
        self.user, self.domain, self.media = user, domain, media
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((ip, port))
        self.sock.settimeout(0.1)
        self.inbox = queue.Queue()
        self.dialog = None
        self.log = []
        self.stop_flag = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def close(self):
        self.stop_flag = True
        self.thread.join(2)
        self.sock.close()

    def _send(self, text):
        self.log.append(">> " + text.split("\r\n", 1)[0])
        self.sock.sendto(text.encode(), self.proxy)

    def _run(self):
        while not self.stop_flag:
            try:
                data, _ = self.sock.recvfrom(65536)
            except (socket.timeout, OSError):
                continue
            msg = parse(data)
            self.log.append("<< " + msg["first"])
            if "method" in msg and msg["method"] in ("BYE", "OPTIONS", "INFO", "UPDATE"):
                if msg["method"] == "BYE":
                    self.dialog = dict(self.dialog or {}, ended=True)
                self._reply(msg, 200, "OK")
                continue
            self.inbox.put(msg)

    def _wait(self, pred, timeout, what):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                m = self.inbox.get(timeout=max(0.05, deadline - time.time()))
            except queue.Empty:
                break
            if pred(m):
                return m
        raise AssertionError(f"sip phone: no {what} within {timeout} s; log: {self.log[-12:]}")

    def _reply(self, req, code, reason, extra="", body="", to_tag=None):
        to = req["hdr"]("To")
        if to_tag and tag_of(to) is None:
            to += f";tag={to_tag}"
        lines = [f"SIP/2.0 {code} {reason}"]
        lines += [f"Via: {v}" for v in req["hdrs"]("Via")]
        lines += [f"Record-Route: {r}" for r in req["hdrs"]("Record-Route")]
        lines += [f"From: {req['hdr']('From')}", f"To: {to}",
                  f"Call-ID: {req['hdr']('Call-ID')}", f"CSeq: {req['hdr']('CSeq')}"]
        if extra:
            lines.append(extra)
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        self._send("\r\n".join(lines) + "\r\n\r\n" + body)

    def _request(self, method, cseq, body=""):
        d = self.dialog
        branch = "z9hG4bK" + os.urandom(6).hex()
        lines = [f"{method} {d['target']} SIP/2.0",
                 f"Via: SIP/2.0/UDP {self.ip}:{self.port};branch={branch};rport"]
        lines += [f"Route: {r}" for r in d["route"]]
        lines += [f"From: <sip:{self.user}@{self.domain}>;tag={d['local_tag']}",
                  f"To: <{d['remote_uri']}>;tag={d['remote_tag']}",
                  f"Call-ID: {d['call_id']}", f"CSeq: {cseq} {method}", "Max-Forwards: 70",
                  f"Contact: <sip:{self.user}@{self.ip}:{self.port}>"]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append(f"Content-Length: {len(body.encode())}")
        self._send("\r\n".join(lines) + "\r\n\r\n" + body)

    def call(self, target, timeout=20):
        """INVITE target through the proxy; on 200 start the media and ACK."""
        call_id = os.urandom(8).hex() + "@" + self.ip
        tag = os.urandom(4).hex()
        sdp = self.media.sdp()
        invite = "\r\n".join([
            f"INVITE {target} SIP/2.0",
            f"Via: SIP/2.0/UDP {self.ip}:{self.port};branch=z9hG4bK{os.urandom(6).hex()};rport",
            f"From: <sip:{self.user}@{self.domain}>;tag={tag}", f"To: <{target}>",
            f"Call-ID: {call_id}", "CSeq: 1 INVITE", "Max-Forwards: 70",
            f"Contact: <sip:{self.user}@{self.ip}:{self.port}>",
            "Content-Type: application/sdp", f"Content-Length: {len(sdp.encode())}"])
        self._send(invite + "\r\n\r\n" + sdp)
        deadline = time.time() + timeout
        last = time.time()
        while True:
            try:
                m = self._wait(lambda m: m.get("code") is not None
                               and m["hdr"]("Call-ID") == call_id, 0.5, "reply")
            except AssertionError:
                if time.time() > deadline:
                    raise
                if time.time() - last > 2:
                    self._send(invite + "\r\n\r\n" + sdp)
                    last = time.time()
                continue
            if m["code"] < 200:
                continue
            if m["code"] >= 300:
                raise AssertionError(f"sip phone: call failed: {m['first']}")
            break
        self.dialog = {"call_id": call_id, "local_tag": tag, "remote_tag": tag_of(m["hdr"]("To")),
                       "remote_uri": target, "target": uri_of(m["hdr"]("Contact")),
                       "route": list(reversed(m["hdrs"]("Record-Route"))), "cseq": 1}
        ip, port = sdp_media(m["body"])
        self.media.start(ip, port)
        self._request("ACK", 1)
        return m

    def answer(self, timeout=20):
        """Wait for an INVITE, answer 200 with our SDP, start the media."""
        inv = self._wait(lambda m: m.get("method") == "INVITE", timeout, "INVITE")
        tag = os.urandom(4).hex()
        self._reply(inv, 100, "Trying")
        sdp = self.media.sdp()
        contact = f"Contact: <sip:{self.user}@{self.ip}:{self.port}>"
        self._reply(inv, 200, "OK", contact, sdp, to_tag=tag)
        ip, port = sdp_media(inv["body"])
        self.media.start(ip, port)
        frm = inv["hdr"]("From")
        self.dialog = {"call_id": inv["hdr"]("Call-ID"), "local_tag": tag,
                       "remote_tag": tag_of(frm), "remote_uri": uri_of(frm),
                       "target": uri_of(inv["hdr"]("Contact")),
                       "route": inv["hdrs"]("Record-Route"), "cseq": 100}
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                self._wait(lambda m: m.get("method") == "ACK", 1, "ACK")
                return inv
            except AssertionError:
                self._reply(inv, 200, "OK", contact, sdp, to_tag=tag)
        raise AssertionError(f"sip phone: no ACK; log: {self.log[-12:]}")

    def bye(self, timeout=10):
        self.dialog["cseq"] += 1
        self._request("BYE", self.dialog["cseq"])
        self._wait(lambda m: m.get("code") == 200 and "BYE" in (m["hdr"]("CSeq") or ""),
                   timeout, "200 to BYE")

    def ended(self):
        return bool(self.dialog and self.dialog.get("ended"))
