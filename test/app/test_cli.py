#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""wrtcgw's command line without EAL: --version, --help, and --check-config
catching what would otherwise fail only at start (PKCS#12 passphrase, a PEM
file given as PKCS#12, two interfaces on one address and port range, no
control listener). Run as root, the checks run again as nobody: they need no
root and no hugepages.

Usage: test_cli.py PATH/TO/wrtcgw
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(exe, *args, user=None):
    cmd = [exe, *args]
    if user:
        cmd = ["setpriv", "--reuid", str(user), "--regid", str(user), "--clear-groups", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def default_config():
    with open(os.path.join(SRC, "config", "default.json")) as f:
        return json.load(f)


def write(tmp, name, cfg):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        json.dump(cfg, f)
    os.chmod(path, 0o644)
    return path


def make_certs(tmp):
    key, crt, p12 = (os.path.join(tmp, n) for n in ("key.pem", "cert.pem", "cert.p12"))
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", crt,
                    "-days", "2", "-subj", "/CN=wrtcgw-test"], check=True, capture_output=True)
    subprocess.run(["openssl", "pkcs12", "-export", "-inkey", key, "-in", crt, "-out", p12,
                    "-passout", "pass:right"], check=True, capture_output=True)
    for p in (key, crt, p12):
        os.chmod(p, 0o644)
    return crt, p12


def with_cert(path, passphrase):
    cfg = default_config()
    cfg["dtls_profiles"][0]["certificate"] = {"pkcs12": path, "passphrase": passphrase}
    return cfg


def main():
    exe = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="wrtcgw-cli-")
    os.chmod(tmp, 0o755)
    try:
        r = run(exe, "--version")
        expect(r.returncode == 0 and r.stdout.startswith("wrtcgw "),
               f"--version: {r.stdout.strip()}")
        r = run(exe, "--help")
        expect(r.returncode == 0 and "--check-config" in r.stdout and "--config FILE" in r.stdout
               and "EAL common options" in r.stdout and "--vdev" in r.stdout,
               "--help lists the gateway's options and the EAL options")
        r = run(exe, "--bogus")
        expect(r.returncode != 0, "an unknown option is an error")

        crt, p12 = make_certs(tmp)
        cases = [
            ("the shipped default", default_config(), 0, "configuration OK"),
            ("a PKCS#12 with its passphrase", with_cert(p12, "right"), 0, "configuration OK"),
            ("a wrong PKCS#12 passphrase", with_cert(p12, "wrong"), 1,
             f"dtls_profiles[0].certificate.passphrase: wrong passphrase for {p12}"),
            ("a PEM file where PKCS#12 is expected", with_cert(crt, ""), 1,
             f"dtls_profiles[0].certificate.pkcs12: {crt} is a PEM file, not PKCS#12"),
        ]
        two = default_config()
        second = dict(two["interfaces"][0], name="lab2", port=1)
        two["interfaces"].append(second)
        cases.append(("two interfaces on one address and port range", two, 1,
                      "interfaces[1].media_port_min: address 10.99.0.2 with media ports "
                      "20000..29999 overlaps interface \"lab\" (20000..29999)"))
        two_ok = json.loads(json.dumps(two))
        two_ok["interfaces"][1].update(media_port_min=30000, media_port_max=30999)
        cases.append(("the same with disjoint port ranges", two_ok, 0, "configuration OK"))
        none = default_config()
        none["control"]["rpc_tcp"] = ""
        none["control"].pop("rpc_unix", None)
        cases.append(("both control listeners disabled", none, 1,
                      "control: rpc_tcp and rpc_unix are both disabled"))

        users = [None]
        if os.geteuid() == 0:
            # nobody (65534) runs a copy: the build tree may not be readable to it.
            users.append(65534)
            nexe = os.path.join(tmp, "wrtcgw")
            shutil.copy(exe, nexe)
            os.chmod(nexe, 0o755)
        for i, (what, cfg, rc, text) in enumerate(cases):
            path = write(tmp, f"case{i}.json", cfg)
            for user in users:
                r = run(nexe if user else exe, "--check-config", path, user=user)
                out = r.stdout + r.stderr
                expect(r.returncode == rc and text in out and "EAL" not in out,
                       f"--check-config: {what}{' (as nobody)' if user else ''}: "
                       f"exit {r.returncode}: {out.strip()}")
        # The form after -- (with EAL options before it) is handled before EAL too.
        r = run(exe, "-l", "0", "--no-huge", "--", "--config",
                write(tmp, "d.json", default_config()), "--check-config")
        expect(r.returncode == 0 and "configuration OK" in r.stdout and "EAL" not in r.stderr,
               "EAL options -- --config FILE --check-config: checked without EAL")
        r = run(exe, "--check-config", os.path.join(tmp, "missing.json"))
        expect(r.returncode == 1 and "missing.json: No such file or directory" in r.stderr,
               f"a missing file: {r.stderr.strip()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'FAILED: ' + str(len(failures)) if failures else 'all passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
