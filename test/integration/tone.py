# SPDX-License-Identifier: BSD-3-Clause
"""Tone generation and measurement shared by the integration peers
(stdlib only: G.711 µ-law, sine generator, Goertzel frequency/level)."""
import math
import struct


def sine(freq, rate, n, start, amp=8000):
    return [int(amp * math.sin(2 * math.pi * freq * (start + i) / rate)) for i in range(n)]


def _ulaw_encode(s):
    # G.711 µ-law (ITU-T G.711, bias 0x84, clip 32635).
    sign = 0x80 if s < 0 else 0
    s = min(abs(s), 32635) + 0x84
    exp = 7
    mask = 0x4000
    while exp > 0 and not (s & mask):
        exp -= 1
        mask >>= 1
    mant = (s >> (exp + 3)) & 0x0f
    return ~(sign | (exp << 4) | mant) & 0xff


def _ulaw_decode(u):
    u = ~u & 0xff
    t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)
    return (0x84 - t) if (u & 0x80) else (t - 0x84)


ULAW_DEC = [_ulaw_decode(i) for i in range(256)]


def ulaw_encode(samples):
    return bytes(_ulaw_encode(s) for s in samples)


def ulaw_decode(data):
    return [ULAW_DEC[b] for b in data]


def goertzel_power(samples, rate, freq):
    k = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2


def dominant(samples, rate, lo=100, hi=3800, step=10):
    """(frequency, rms) of the strongest tone between lo and hi Hz."""
    if not samples:
        return 0, 0.0
    best = max(range(lo, hi, step), key=lambda f: goertzel_power(samples, rate, f))
    rms = math.sqrt(sum(x * x for x in samples) / len(samples))
    return best, rms


def s16le(data):
    return list(struct.unpack("<%dh" % (len(data) // 2), data))


def _alaw_encode(s):
    # G.711 A-law (ITU-T G.711; the segment search of Sun's g711.c).
    s >>= 3
    if s >= 0:
        mask = 0xd5
    else:
        mask = 0x55
        s = -s - 1
    seg = 0
    for end in (0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff):
        if s <= end:
            break
        seg += 1
    if seg >= 8:
        return 0x7f ^ mask
    a = seg << 4
    a |= (s >> 1) & 0x0f if seg < 2 else (s >> seg) & 0x0f
    return a ^ mask


def _alaw_decode(a):
    a ^= 0x55
    t = (a & 0x0f) << 4
    seg = (a & 0x70) >> 4
    if seg == 0:
        t += 8
    elif seg == 1:
        t += 0x108
    else:
        t = (t + 0x108) << (seg - 1)
    return t if a & 0x80 else -t


ALAW_DEC = [_alaw_decode(i) for i in range(256)]


def alaw_encode(samples):
    return bytes(_alaw_encode(s) for s in samples)


def alaw_decode(data):
    return [ALAW_DEC[b] for b in data]
