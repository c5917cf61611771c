# SPDX-License-Identifier: BSD-3-Clause
"""Integration test: what an operator watches. The Prometheus endpoint is
scraped during a live call (values move with the call; `promtool check
metrics` accepts the text), and the log has time and level on every line, one
line per rejected request with its call-id and reason, and one summary line
per call at delete.

    sudo python3 test_observe.py PATH_TO_WRTCGW

Exit 77 (skipped) without root.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wrtclab  # noqa: E402
from wrtclab import DUT_IP4, PEER_IP4, RpcError  # noqa: E402
from test_relay import ep, expect, run_peer, setup_call  # noqa: E402

METRICS = "127.0.0.1:19901"
CAPTURE_DIR = tempfile.mkdtemp(prefix="wrtcgw-capture-")
N = 40

SCRAPE = r"""
import sys, urllib.request
r = urllib.request.urlopen("http://%s/metrics" % sys.argv[1], timeout=5)
sys.stdout.write(r.headers.get("Content-Type") + "\n")
sys.stdout.write(r.read().decode())
"""


def scrape(lab, gw):
    """GET /metrics from inside the gateway's namespace (the endpoint is on its loopback)."""
    r = wrtclab.sh("ip", "netns", "exec", lab.dut, sys.executable, "-c", SCRAPE, METRICS,
                   check=False, timeout=30)
    expect(r.returncode == 0, f"scrape failed: {r.stderr}")
    ctype, text = r.stdout.split("\n", 1)
    expect(ctype.startswith("text/plain; version=0.0.4"), f"Content-Type {ctype}")
    return text


def samples(text):
    """{'name{labels}': value} of a Prometheus text exposition."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, val = line.rsplit(" ", 1)
            out[key] = float(val)
    return out


def total(s, name):
    return sum(v for k, v in s.items() if k == name or k.startswith(name + "{"))


def promtool(text):
    if shutil.which("promtool") is None:
        raise AssertionError("promtool missing (tools/install-deps installs prometheus)")
    r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                       text=True, timeout=60)
    expect(r.returncode == 0, f"promtool check metrics: {r.stdout}{r.stderr}")


def case_metrics_live_call(gw, lab):
    before = samples(scrape(lab, gw))
    expect(before.get('wrtcgw_calls{state="answered"}') == 0, "a call before the test")
    expect(any(k.startswith('wrtcgw_build_info{version="') and v == 1 for k, v in before.items()),
           "no wrtcgw_build_info")
    for name in ("wrtcgw_port_rx_missed_total", "wrtcgw_port_rx_nombuf_total",
                 "wrtcgw_worker_busy_cycles_total", "wrtcgw_worker_idle_cycles_total",
                 'wrtcgw_drops_total{reason="unexpected-source"}',
                 "wrtcgw_dtls_handshakes_total", "wrtcgw_transcoders",
                 "wrtcgw_policer_discarded_total"):
        expect(any(k == name or k.startswith(name + "{") for k in before), f"no {name}")
    a_ip, b_ip = PEER_IP4
    setup_call(gw, "obs1", a_ip, 36000, b_ip, 36002)
    pa = gw.rpc.call("query", call_id="obs1")["streams"][0]["legs"][0]["rtp"]["local"]
    pb = gw.rpc.call("query", call_id="obs1")["streams"][0]["legs"][1]["rtp"]["local"]
    got = run_peer(lab, {
        "sockets": {"a": ep(a_ip, 36000), "b": ep(b_ip, 36002)},
        "steps": [
            {"send": "a", "to": pa, "count": N, "ssrc": 0x1111, "interval": 0.002},
            {"send": "b", "to": pb, "count": N, "ssrc": 0x2222, "interval": 0.002},
        ],
        "linger": 0.5})
    expect(len(got["a"]) == N and len(got["b"]) == N, "media did not flow")
    # Bytes are sampled once a second: wait for the sample, not a fixed time.
    deadline = time.time() + 10
    while True:
        text = scrape(lab, gw)
        during = samples(text)
        if total(during, "wrtcgw_media_bytes_total") - total(before, "wrtcgw_media_bytes_total") \
                >= 2 * N * 172 or time.time() > deadline:
            break
        time.sleep(0.2)
    promtool(text)
    expect(during['wrtcgw_calls{state="answered"}'] == 1, "calls gauge did not count the call")
    expect(total(during, "wrtcgw_streams") >= 4, f"streams {total(during, 'wrtcgw_streams')}")
    for name, least in (("wrtcgw_relayed_packets_total", 2 * N),
                        ("wrtcgw_rx_packets_total", 2 * N),
                        ("wrtcgw_port_rx_packets_total", 2 * N),
                        ("wrtcgw_port_tx_packets_total", 2 * N),
                        ("wrtcgw_offers_total", 1), ("wrtcgw_answers_total", 1),
                        ("wrtcgw_calls_created_total", 1),
                        ("wrtcgw_media_bytes_total", 2 * 2 * N * 172),
                        ("wrtcgw_worker_busy_cycles_total", 1)):
        moved = total(during, name) - total(before, name)
        expect(moved >= least, f"{name} moved by {moved}, expected >= {least}")
    media_ports = total(during, "wrtcgw_media_ports_in_use") - \
        total(before, "wrtcgw_media_ports_in_use")
    expect(media_ports == 4, f"media ports in use moved by {media_ports} (2 legs x RTP+RTCP)")
    gw.rpc.call("delete", call_id="obs1")
    after = samples(scrape(lab, gw))
    expect(after['wrtcgw_calls{state="answered"}'] == 0, "calls gauge after delete")
    expect(total(after, "wrtcgw_calls_deleted_total") - total(before, "wrtcgw_calls_deleted_total")
           == 1, "calls_deleted_total")
    expect(total(after, "wrtcgw_media_ports_in_use") == total(before, "wrtcgw_media_ports_in_use"),
           "media ports not released in the gauge")


LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (EMERG|ALERT|CRIT|ERR|WARNING|NOTICE|"
                  r"INFO|DEBUG) +\S")


def case_logs(gw, lab):
    a_ip, b_ip = PEER_IP4
    before = samples(scrape(lab, gw))
    try:
        gw.rpc.call("offer", call_id="rej-offer", from_tag="f", sdp="v=0\r\nthis is not SDP\r\n")
        raise AssertionError("bad offer accepted")
    except RpcError as e:
        reason = e.message
    try:
        gw.rpc.call("delete", call_id="rej-delete")
        raise AssertionError("delete of an unknown call accepted")
    except RpcError:
        pass
    setup_call(gw, "obs2", a_ip, 36100, b_ip, 36102)
    try:
        gw.rpc.call("answer", call_id="obs2", from_tag="nobody", to_tag="x", sdp="v=0\r\n")
        raise AssertionError("answer from a stranger accepted")
    except RpcError:
        pass
    gw.rpc.call("delete", call_id="obs2")
    after = samples(scrape(lab, gw))
    for m in ("offer", "answer", "delete"):
        key = 'wrtcgw_rejected_requests_total{method="%s"}' % m
        expect(after[key] - before[key] == 1, f"{key} moved by {after[key] - before[key]}")
    deadline = time.time() + 10
    while "[obs2] ended" not in gw.log() and time.time() < deadline:
        time.sleep(0.1)
    lines = gw.log().splitlines()
    gw_lines = [ln for ln in lines if "session: " in ln or "wrtcgw: " in ln]
    expect(gw_lines, "no gateway log lines")
    bad = [ln for ln in gw_lines if not LINE.match(ln)]
    expect(not bad, f"lines without time and level: {bad[:3]}")
    rej = [ln for ln in lines if "[rej-offer] offer rejected: " in ln]
    expect(len(rej) == 1 and reason in rej[0] and " WARNING " in rej[0],
           f"rejected offer logged {len(rej)} times: {rej}")
    rej = [ln for ln in lines if "[rej-delete] delete rejected: call_id: no call" in ln]
    expect(len(rej) == 1, f"rejected delete logged {len(rej)} times")
    rej = [ln for ln in lines if "[obs2] answer rejected: from_tag" in ln]
    expect(len(rej) == 1, f"rejected answer logged {len(rej)} times")
    summ = [ln for ln in lines if "[obs2] ended (delete): " in ln]
    expect(len(summ) == 1, f"summary lines: {summ}")
    expect(re.search(r"ended \(delete\): \d+\.\d s, answered, legs: "
                     r"\[ftag-obs2 rx \d+ tx \d+ dropped \d+ lost \d+ rtp PCMU\] "
                     r"\[ttag-obs2 rx \d+ tx \d+ dropped \d+ lost \d+ rtp PCMU\]", summ[0]),
           f"summary line: {summ[0]}")


def case_dashboard_names(gw, lab):
    """Every metric the Grafana dashboard queries is one the gateway serves."""
    import json
    text = scrape(lab, gw)
    families = {ln.split()[2] for ln in text.splitlines() if ln.startswith("# TYPE ")}
    with open(os.path.join(wrtclab.SRC, "tools", "grafana", "wrtcgw.json")) as f:
        dash = json.load(f)
    used = set()
    for p in dash["panels"]:
        for t in p.get("targets", []):
            used |= set(re.findall(r"wrtcgw_[a-z0-9_]+", t["expr"]))
    expect(used, "dashboard queries nothing")
    missing = sorted(used - families)
    expect(not missing, f"dashboard uses metrics the gateway does not serve: {missing}")


def case_capture_dir(gw, lab):
    """Per-call capture goes to capture.dir as pcapng that tshark reads."""
    a_ip, b_ip = PEER_IP4
    setup_call(gw, "obs-cap", a_ip, 36200, b_ip, 36202)
    legs = gw.rpc.call("query", call_id="obs-cap")["streams"][0]["legs"]
    pa, pb = legs[0]["rtp"]["local"], legs[1]["rtp"]["local"]
    r = gw.rpc.call("capture", call_id="obs-cap", action="start")
    expect(r["file"].startswith(CAPTURE_DIR + "/obs-cap-") and r["file"].endswith(".pcapng"),
           f"capture file {r['file']} not in capture.dir {CAPTURE_DIR}")
    got = run_peer(lab, {
        "sockets": {"a": ep(a_ip, 36200), "b": ep(b_ip, 36202)},
        "steps": [{"send": "a", "to": pa, "count": 20, "ssrc": 0x3333, "interval": 0.002}],
        "linger": 0.3})
    expect(len(got["b"]) == 20, "media did not flow")
    r = gw.rpc.call("capture", call_id="obs-cap", action="stop")
    expect(r["packets"] == 20, f"capture wrote {r['packets']} packets, not 20")
    with open(r["file"], "rb") as f:
        expect(f.read(4) == b"\x0a\x0d\x0d\x0a", "not a pcapng section header block")
    port = pa.rsplit(":", 1)[1]
    out = subprocess.run(["tshark", "-r", r["file"], "-d", f"udp.port=={port},rtp", "-T", "fields",
                          "-e", "rtp.ssrc", "-e", "frame.time_epoch"],
                         capture_output=True, text=True, timeout=60)
    rows = [ln.split("\t") for ln in out.stdout.splitlines()]
    expect(len(rows) == 20 and all(row[0] == "0x00003333" for row in rows),
           f"tshark read {rows[:3]}... {out.stderr[-300:]}")
    expect(all(abs(float(row[1]) - time.time()) < 120 for row in rows),
           f"capture timestamps off: {rows[0][1]} vs {time.time()}")
    gw.rpc.call("delete", call_id="obs-cap")


def case_reject_rate_limit(gw, lab):
    """A flood of bad requests is counted in full but logged at a bounded rate,
    and the next line that gets through says how many were left out."""
    before = samples(scrape(lab, gw))
    for i in range(120):
        try:
            gw.rpc.call("delete", call_id=f"flood-{i}")
        except RpcError:
            pass
    after = samples(scrape(lab, gw))
    key = 'wrtcgw_rejected_requests_total{method="delete"}'
    expect(after[key] - before[key] == 120, f"{key} moved by {after[key] - before[key]}")
    logged = [ln for ln in gw.log().splitlines() if "[flood-" in ln]
    expect(50 <= len(logged) < 120, f"{len(logged)} of 120 flood lines logged")
    deadline = time.time() + 10
    n = 0
    while time.time() < deadline:
        try:
            gw.rpc.call("delete", call_id=f"after-flood-{n}")
        except RpcError:
            pass
        if re.search(r"\[after-flood-\d+\] delete rejected: .* \(\d+ rejections not logged "
                     r"before this one\)", gw.log()):
            return
        n += 1
        time.sleep(0.15)
    raise AssertionError("no line told how many rejections were left out")


def case_wrtcctl_totals(gw, lab):
    """wrtcctl's one-screen summary and zero-hiding statistics against the gateway."""
    ctl = os.path.join(wrtclab.SRC, "tools", "wrtcctl")
    st = gw.rpc.call("statistics")
    r = subprocess.run(["/usr/bin/python3", ctl, "-s", gw.sock_path, "show", "totals"],
                       capture_output=True, text=True, timeout=30)
    expect(r.returncode == 0, f"wrtcctl show totals: {r.stderr}")
    want = "%d / %d / %d" % (st["calls_created"], st["calls_deleted"], st["calls_timed_out"])
    for line in ("Calls active:", "Calls created / deleted / timed out:   " + want,
                 "Rejected offer / answer / delete:", "Worker 0:", "Interface lab:",
                 "Policer stun:"):
        expect(line in r.stdout, f"show totals lacks {line!r}:\n{r.stdout}")
    r = subprocess.run(["/usr/bin/python3", ctl, "-s", gw.sock_path, "show", "statistics"],
                       capture_output=True, text=True, timeout=30)
    expect(r.returncode == 0 and "zero counters not shown" in r.stdout and
           not re.search(r"(?m)^drops\.\S+ +0$", r.stdout), f"show statistics:\n{r.stdout}")
    r = subprocess.run(["/usr/bin/python3", ctl, "-s", gw.sock_path, "show", "statistics",
                        "--all", "--json"], capture_output=True, text=True, timeout=30)
    import json
    expect(r.returncode == 0 and "drops" in json.loads(r.stdout), "show statistics --all --json")


CASES = [case_metrics_live_call, case_logs, case_dashboard_names, case_capture_dir,
         case_reject_rate_limit, case_wrtcctl_totals]


def main():
    if os.geteuid() != 0:
        print("SKIP: needs root for network namespaces")
        return 77
    cfg = wrtclab.default_config()
    cfg["control"]["metrics_listen"] = METRICS
    cfg["capture"] = {"dir": CAPTURE_DIR}
    passed = failed = 0
    with wrtclab.Lab() as lab:
        gw = wrtclab.Gateway(lab, sys.argv[1], config=cfg).start()
        try:
            passed, failed = wrtclab.run_cases(CASES, gw, lab)
            rc = gw.stop()
            if rc != 0:
                print(f"FAIL clean_shutdown: wrtcgw exited {rc}")
                failed += 1
        finally:
            if gw.proc and gw.proc.poll() is None:
                gw.proc.kill()
            if failed:
                print("--- gateway log ---")
                print(gw.log()[-4000:])
    shutil.rmtree(CAPTURE_DIR, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
