# SPDX-License-Identifier: BSD-3-Clause
"""An SDES-SRTP SIP-side peer (libsrtp through pylibsrtp, an implementation
independent of the gateway's): sends COUNT SRTP packets protected with its
own key, and unprotects what it receives with the gateway's key.

    /usr/bin/python3 sdes_peer.py BIND_IP BIND_PORT GW_IP GW_PORT MY_KEY_B64 GW_KEY_B64 COUNT SSRC

Prints "ready" once its socket is bound, then JSON: {"sent": n, "received": [hex of
each decrypted RTP packet], "errors": n}.
"""
import base64
import json
import socket
import sys
import time

from pylibsrtp import Error, Policy, Session

import udp_peer


def main():
    ip, port, gw_ip, gw_port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    my_key, gw_key = base64.b64decode(sys.argv[5]), base64.b64decode(sys.argv[6])
    count, ssrc = int(sys.argv[7]), int(sys.argv[8])
    tx = Session(policy=Policy(key=my_key, ssrc_type=Policy.SSRC_ANY_OUTBOUND,
                               srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))
    rx = Session(policy=Policy(key=gw_key, ssrc_type=Policy.SSRC_ANY_INBOUND,
                               srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, port))
    s.settimeout(0.002)
    # The test starts the other peer only after this line: packets relayed to
    # this port before the bind would be lost.
    print("ready", flush=True)
    received, errors = [], 0
    time.sleep(1.0)  # let the plain-RTP peer bind first
    end = time.time() + 2.5
    i = 0
    while time.time() < end:
        if i < count:
            s.sendto(tx.protect(udp_peer.rtp(i, ssrc, 0, 160)), (gw_ip, gw_port))
            i += 1
        try:
            data, _ = s.recvfrom(2048)
        except socket.timeout:
            continue
        try:
            received.append(rx.unprotect(data).hex())
        except Error:
            errors += 1
    print(json.dumps({"sent": i, "received": received, "errors": errors}))


if __name__ == "__main__":
    main()
