#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""tools/bench/plot: run-all's log becomes a results file with every figure,
and the results files become the PNG plots docs/benchmarks.md shows.

usage: test_plot.py PATH/TO/tools/bench/plot
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

PLOT = None

LOG = """\
# wrtcgw benchmarks, 2026-12-01 10:00 UTC, commit abc1234
# AMD EPYC, 2 cores;  10:00:00 up 1 day,  load average: 1.50, 1.20, 1.00
## (a), (b) packets/s per worker core, zero-cost I/O
$ build-bench/app/trafficgen/wrtc-bench-fastpath -l 0 -- -m relay -n 1000 -p 1000000 -r 5
relay: median 5000000 packets/s per worker core
RESULT test=throughput mode=relay calls=1000 runs=5 pps=5000000 pps_tsc=5100000 ns_per_pkt=200.0
$ build-bench/app/trafficgen/wrtc-bench-fastpath -l 0 -- -m xcode -c 10 -n 100 -p 30000 -r 5
RESULT test=xcode complexity=10 calls=100 runs=5 us_per_call_tick=150.0 calls_per_core=133 out_in=1.0000
$ python3 tools/bench/e2e.py --target wrtcgw --media relay --calls 100 --seconds 10 --runs 3
{"target": "wrtcgw", "calls": 100, "run": 1, "loss_pct": 0.0}
{"summary": true, "target": "wrtcgw", "media": "relay", "calls": 100, "runs": 3, "median_loss_pct": 0.5, "median_lat_p50_us": 20.0, "median_lat_p99_us": 900.0, "median_relay_cpu_pct": 120.0}
{"summary": true, "target": "rtpengine", "media": "relay", "calls": 100, "runs": 3, "median_loss_pct": 2.0, "median_lat_p50_us": 40.0, "median_lat_p99_us": 5000.0, "median_relay_cpu_pct": 60.0}
# done 10:20 UTC
"""


def run(*args):
    return subprocess.run(["/usr/bin/python3", PLOT] + list(args), capture_output=True,
                          text=True, timeout=120)


class PlotTest(unittest.TestCase):
    def test_convert(self):
        with tempfile.TemporaryDirectory() as d:
            log, out = os.path.join(d, "bench-results-x.txt"), os.path.join(d, "x.jsonl")
            with open(log, "w") as f:
                f.write(LOG)
            p = run("--convert", log, out)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out) as f:
                rows = [json.loads(line) for line in f]
            self.assertEqual([r["kind"] for r in rows], ["throughput", "xcode", "e2e", "e2e"])
            tp, xc, w, r = rows
            self.assertEqual((tp["mode"], tp["pps"], tp["ns_per_pkt"]), ("relay", 5000000, 200.0))
            self.assertEqual((xc["complexity"], xc["calls_per_core"]), (10, 133))
            self.assertEqual((w["target"], w["median_loss_pct"]), ("wrtcgw", 0.5))
            self.assertEqual(r["target"], "rtpengine")
            for row in rows:
                self.assertEqual(row["commit"], "abc1234")
                self.assertEqual(row["date"], "2026-12-01 10:00 UTC")
                self.assertEqual(row["load"], "1.50, 1.20, 1.00")
                self.assertEqual(row["session"], "x")
            self.assertIn("-m relay", tp["command"])
            self.assertIn("e2e.py", w["command"])
            # And it plots: every kind present gives its image.
            p = run("-o", d, out)
            self.assertEqual(p.returncode, 0, p.stderr)
            for name in ("e2e-relay.png", "per-core.png"):
                with open(os.path.join(d, name), "rb") as f:
                    self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
            self.assertFalse(os.path.exists(os.path.join(d, "e2e-xcode.png")))

    def test_seeded_results(self):
        """The recorded figures in tools/bench/results plot into the three images."""
        results = os.path.join(os.path.dirname(PLOT), "results")
        files = sorted(os.path.join(results, f) for f in os.listdir(results)
                       if f.endswith(".jsonl"))
        self.assertTrue(files)
        for path in files:
            with open(path) as f:
                for line in f:
                    r = json.loads(line)
                    for key in ("kind", "session", "date", "commit", "command", "source"):
                        self.assertIn(key, r, "%s: %s" % (path, line))
        with tempfile.TemporaryDirectory() as d:
            p = run("-o", d)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(sorted(os.listdir(d)), ["e2e-relay.png", "e2e-xcode.png",
                                                     "per-core.png"])

    def test_bad_input(self):
        with tempfile.TemporaryDirectory() as d:
            bad = os.path.join(d, "bad.jsonl")
            with open(bad, "w") as f:
                f.write("{not json\n")
            p = run("-o", d, bad)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("bad.jsonl:1: not JSON", p.stderr)


if __name__ == "__main__":
    PLOT = sys.argv.pop(1)
    unittest.main()
