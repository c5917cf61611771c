#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""What an operator installs: `meson install` into a staging root (mode
meson), or the Debian package built from debian/ with dpkg-buildpackage and
unpacked into a staging root (mode deb). Checks the file list (and the
package's conffiles), runs the installed binary's --version, --help (its
default configuration is the installed one) and --check-config on the
installed configuration, checks that the man page names every option --help
lists, and verifies the systemd unit with systemd-analyze.

Usage: test_install.py meson|deb SOURCE_DIR BUILD_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*cmd, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, **kw)


def project_version(src):
    with open(os.path.join(src, "meson.build")) as f:
        return re.search(r"version:\s*'([^']+)'", f.read()).group(1)


def files_under(root):
    out = set()
    for d, _, names in os.walk(root):
        for n in names:
            out.add("/" + os.path.relpath(os.path.join(d, n), root))
    return out


def expected(prefix, sysconf, unitdir, gz):
    z = ".gz" if gz else ""
    doc = f"{prefix}/share/doc/wrtcgw"
    return [f"{prefix}/bin/wrtcgw", f"{prefix}/bin/wrtcctl",
            f"{sysconf}/wrtcgw/wrtcgw.json", f"{sysconf}/default/wrtcgw",
            f"{prefix}/libexec/wrtcgw/wrtcgw-hugepages", f"{unitdir}/wrtcgw.service",
            f"{prefix}/share/man/man8/wrtcgw.8{z}", f"{prefix}/share/man/man1/wrtcctl.1{z}",
            f"{doc}/examples/example-sdes.json", f"{doc}/examples/kamailio/kamailio.cfg",
            f"{doc}/examples/opensips/wrtcgw.cfg"] + \
        [f"{doc}/{n}" for n in ("README.md", "configuration.md", "rpc.md", "deployment.md",
                                "architecture.md", "ng.md", "kamailio.md")]


def has(files, path):
    """Installed, compressed or not (dh_compress picks by size)."""
    return path in files or path + ".gz" in files or \
        (path.endswith(".gz") and path[:-3] in files)


def check_installed(root, prefix, sysconf, unitdir, version, gz):
    files = files_under(root)
    missing = [p for p in expected(prefix, sysconf, unitdir, gz) if not has(files, p)]
    expect(not missing, f"installed files present (missing: {missing or 'none'})")
    stray = [p for p in files if p.endswith((".a", ".h", ".pc")) or "/test" in p]
    expect(not stray, f"no libraries, headers or tests installed ({stray or 'none'})")
    exe = root + prefix + "/bin/wrtcgw"
    conf = root + sysconf + "/wrtcgw/wrtcgw.json"
    r = run(exe, "--version")
    expect(r.returncode == 0 and r.stdout.strip() == f"wrtcgw {version}",
           f"installed wrtcgw --version: {r.stdout.strip()}")
    r = run(exe, "--check-config", conf)
    expect(r.returncode == 0 and "configuration OK" in r.stdout,
           f"installed wrtcgw --check-config on the installed configuration: "
           f"{(r.stdout + r.stderr).strip()}")
    r = run(exe, "--help")
    expect(f"default: {sysconf}/wrtcgw/wrtcgw.json" in r.stdout,
           f"the installed binary's default configuration is {sysconf}/wrtcgw/wrtcgw.json")
    own = r.stdout.split("EAL options (before --)")[0]
    opts = sorted(set(re.findall(r"(--[a-z][a-z-]+)", own)))
    man = root + prefix + "/share/man/man8/wrtcgw.8"
    if not os.path.exists(man):
        man += ".gz"
    text = run("zcat", "-f", man).stdout.replace("\\-", "-")
    lacking = [o for o in opts if o not in text]
    expect(opts and not lacking, f"wrtcgw.8 names every option of --help {opts} "
           f"(lacking: {lacking or 'none'})")
    r = run(root + prefix + "/bin/wrtcctl", "--help")
    expect(r.returncode == 0 and "show" in r.stdout, "installed wrtcctl --help runs")
    with open(conf) as f:
        json.load(f)
    hp = root + prefix + "/libexec/wrtcgw/wrtcgw-hugepages"
    r = subprocess.run([hp], capture_output=True, text=True,
                       env=dict(os.environ, WRTCGW_HUGEPAGES="0"))
    expect(r.returncode == 0, "wrtcgw-hugepages with WRTCGW_HUGEPAGES=0 leaves pages alone")
    r = subprocess.run([hp], capture_output=True, text=True,
                       env=dict(os.environ, WRTCGW_HUGEPAGES="lots"))
    expect(r.returncode == 1 and "not a number" in r.stderr,
           f"wrtcgw-hugepages rejects a bad count: {r.stderr.strip()}")
    verify_unit(root, root + unitdir + "/wrtcgw.service", prefix)


def verify_unit(root, unit, prefix):
    with open(unit) as f:
        text = f.read()
    for need in ("Type=notify", "ExecStartPre=+", "--check-config", "Restart=on-failure",
                 "CapabilityBoundingSet=", "ExecReload=", "WatchdogSec="):
        expect(need in text, f"unit has {need}")
    sa = shutil.which("systemd-analyze")
    if sa is None:
        print("note: systemd-analyze not installed (Debian package systemd): unit not verified")
        return
    tmp = tempfile.mkdtemp(prefix="wrtcgw-unit-")
    try:
        # The unit names installed paths: point them into the staging root.
        staged = text.replace(prefix + "/bin/", root + prefix + "/bin/") \
                     .replace(prefix + "/libexec/", root + prefix + "/libexec/")
        path = os.path.join(tmp, "wrtcgw.service")
        with open(path, "w") as f:
            f.write(staged)
        r = run(sa, "verify", "--man=no", path)
        expect(r.returncode == 0 and not r.stderr.strip(),
               f"systemd-analyze verify: {(r.stdout + r.stderr).strip() or 'clean'}")
        # The same check fails on a broken copy, so a pass means something.
        with open(path, "w") as f:
            f.write(staged.replace("Type=notify", "Type=notifyy"))
        r = run(sa, "verify", "--man=no", path)
        expect(r.returncode != 0 or "notifyy" in r.stderr,
               "systemd-analyze verify rejects a broken unit")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def build_options(build):
    r = run("meson", "introspect", build, "--buildoptions")
    return {o["name"]: o["value"] for o in json.loads(r.stdout)}


def mode_meson(src, build, version):
    opts = build_options(build)
    prefix = opts["prefix"]
    sysconf = opts["sysconfdir"]
    sysconf = sysconf if sysconf.startswith("/") else os.path.join(prefix, sysconf)
    unitdir = opts.get("systemdunitdir") or ""
    root = tempfile.mkdtemp(prefix="wrtcgw-stage-")
    try:
        r = run("meson", "install", "-C", build, "--no-rebuild", "--quiet", "--destdir", root)
        expect(r.returncode == 0, f"meson install --destdir: {r.stderr.strip() or 'ok'}")
        if not unitdir:
            units = [p for p in files_under(root) if p.endswith("/wrtcgw.service")]
            unitdir = os.path.dirname(units[0]) if units else prefix + "/lib/systemd/system"
        check_installed(root, prefix, sysconf, unitdir, version, gz=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def copy_tree(src, dst):
    r = run("git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if r.returncode == 0 and r.stdout:
        for rel in r.stdout.split("\0"):
            if not rel or not os.path.isfile(os.path.join(src, rel)):
                continue
            os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
            shutil.copy2(os.path.join(src, rel), os.path.join(dst, rel))
    else:
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("build*", ".git"))


def mode_deb(src, version):
    tmp = tempfile.mkdtemp(prefix="wrtcgw-deb-")
    try:
        tree = os.path.join(tmp, "wrtcgw")
        copy_tree(src, tree)
        env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck parallel=2")
        r = subprocess.run(["nice", "dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree,
                           capture_output=True, text=True, env=env, timeout=1500)
        if r.returncode != 0:
            print((r.stdout + r.stderr)[-3000:])
        expect(r.returncode == 0, "dpkg-buildpackage -us -uc -b")
        arch = run("dpkg", "--print-architecture").stdout.strip()
        deb = os.path.join(tmp, f"wrtcgw_{version}_{arch}.deb")
        expect(os.path.exists(deb), f"built {os.path.basename(deb)}")
        if not os.path.exists(deb):
            return
        ctl = os.path.join(tmp, "control")
        run("dpkg-deb", "-e", deb, ctl)
        with open(os.path.join(ctl, "conffiles")) as f:
            conffiles = f.read().split()
        expect("/etc/wrtcgw/wrtcgw.json" in conffiles and "/etc/default/wrtcgw" in conffiles,
               f"conffiles: {conffiles}")
        with open(os.path.join(ctl, "control")) as f:
            control = f.read()
        expect("librte-eal" in control and "python3" in control,
               "Depends names the DPDK runtime and python3 (wrtcctl)")
        root = os.path.join(tmp, "root")
        r = run("dpkg-deb", "-x", deb, root)
        expect(r.returncode == 0, "dpkg-deb -x into a staging root")
        check_installed(root, "/usr", "/etc", "/lib/systemd/system", version, gz=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    mode, src, build = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    version = project_version(src)
    if mode == "meson":
        mode_meson(src, build, version)
    else:
        mode_deb(src, version)
    print(f"FAILED: {len(failures)}" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
