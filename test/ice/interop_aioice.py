#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Interoperability of lib/ice with aioice (the ICE agent of aiortc), on
127.0.0.1 only: test/ice/ice_udp_peer runs one of our agents on a UDP
socket, aioice connects to it, sends a datagram over the nominated pair and
expects it echoed back (our agent only echoes from the selected pair).

Scenarios: our lite agent (aioice controlling, regular nomination because the
peer is lite), our full agent controlled (aioice controlling, aggressive
nomination), our full agent controlling (aioice controlled), and a role
conflict (both start controlling). One scenario runs long enough for two
consent rounds each way.

Usage: interop_aioice.py PATH/TO/ice_udp_peer. Exits 77 (skipped) without aioice.
"""
import asyncio
import os
import subprocess
import sys

try:
    import aioice
    import aioice.ice
except ImportError:
    print("aioice not available: skipped")
    sys.exit(77)

# Loopback only: aioice would otherwise gather every interface address.
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


async def read_line(proc):
    line = await asyncio.get_event_loop().run_in_executor(None, proc.stdout.readline)
    return line.decode().strip()


async def scenario(peer, name, our_mode, our_role, aioice_controlling, seconds,
                   expect_role=None, consent_s=None):
    port = 40000 + (os.getpid() % 1000) * 10 + hash(name) % 10
    args = [peer, our_mode, our_role, "127.0.0.1", str(port), str(seconds)]
    if consent_s:
        args.append(str(consent_s))
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    local = (await read_line(proc)).split()
    assert local[0] == "LOCAL", local
    conn = aioice.Connection(ice_controlling=aioice_controlling, components=1)
    await conn.gather_candidates()
    cand = conn.local_candidates[0]
    proc.stdin.write(("REMOTE %s %s 0 %s %d\n" % (conn.local_username, conn.local_password,
                                                  cand.host, cand.port)).encode())
    proc.stdin.flush()
    conn.remote_username = local[1]
    conn.remote_password = local[2]
    conn.remote_is_lite = our_mode == "lite"
    await conn.add_remote_candidate(aioice.Candidate(
        foundation="1", component=1, transport="udp", priority=2130706431,
        host=local[3], port=int(local[4]), type="host"))
    await conn.add_remote_candidate(None)
    ok = True
    try:
        await asyncio.wait_for(conn.connect(), 10)
        # Media is a stream: keep sending until our agent, which only echoes
        # from its selected pair, has been nominated (after a role conflict
        # that can take a check or two longer than aioice's connect()).
        data = None
        for _ in range(25):
            await conn.send(b"ping-" + name.encode())
            try:
                data = await asyncio.wait_for(conn.recv(), 0.2)
                break
            except asyncio.TimeoutError:
                continue
        if data is None:
            raise TimeoutError("no echo within 5 s")
        if data != b"echo:ping-" + name.encode():
            print("  %s: unexpected echo %r" % (name, data))
            ok = False
        if consent_s:
            # aioice goes away: our agent must notice within consent_s.
            await conn.close()
    except Exception as exc:  # report and go on to the peer's status
        print("  %s: aioice failed: %r" % (name, exc))
        ok = False
    status = {}
    events = []
    while True:
        line = await read_line(proc)
        if not line:
            break
        if line.startswith("EVENT"):
            events.append(line[6:])
        if line.startswith("STATUS"):
            status = dict(kv.split("=", 1) for kv in line.split()[1:])
    if not consent_s:
        await conn.close()
    proc.wait()
    want_state = "failed" if consent_s else "completed"
    checks = [
        (status.get("state") == want_state, "state %s" % status.get("state")),
        (status.get("consent") == ("0" if consent_s else "1"),
         "consent %s" % status.get("consent")),
        (int(status.get("echoed", 0)) >= 1, "echoed %s" % status.get("echoed")),
        (status.get("bad_integrity") == "0", "bad_integrity %s" % status.get("bad_integrity")),
        (status.get("selected") == "%s:%d" % (cand.host, cand.port),
         "selected %s" % status.get("selected")),
    ]
    if expect_role:
        checks.append((status.get("role") == expect_role, "role %s" % status.get("role")))
    if seconds > 12 and our_mode == "full":
        checks.append((int(status.get("tx_consent", 0)) >= 2, "tx_consent %s"
                       % status.get("tx_consent")))
    if consent_s:
        checks.append((any(e.startswith("consent-lost") for e in events), "no consent-lost"))
        checks.append((int(status.get("age_ms", 0)) >= consent_s * 1000, "age_ms %s"
                       % status.get("age_ms")))
    elif seconds > 12:
        checks.append((int(status.get("age_ms", 99999)) < 7000, "age_ms %s"
                       % status.get("age_ms")))
    for good, what in checks:
        if not good:
            print("  %s: %s" % (name, what))
            ok = False
    print("%s %s  (%s; events: %s)" % ("ok  " if ok else "FAIL", name,
                                      " ".join("%s=%s" % kv for kv in status.items()),
                                      ", ".join(events)))
    return ok


async def main(peer):
    results = [
        await scenario(peer, "lite vs aioice controlling", "lite", "controlled", True, 14),
        await scenario(peer, "full controlled vs aioice controlling", "full", "controlled",
                       True, 3),
        await scenario(peer, "full controlling vs aioice controlled", "full", "controlling",
                       False, 14),
        await scenario(peer, "role conflict, both controlling", "full", "controlling", True, 4),
        await scenario(peer, "consent lost when aioice goes away", "full", "controlled", True,
                       9, consent_s=6),
    ]
    print("%d passed, %d failed" % (results.count(True), results.count(False)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
