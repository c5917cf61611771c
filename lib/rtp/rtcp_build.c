/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTCP building: SR and RR from a leg's own send and receive statistics
 * (RFC 3550 6.4, A.3), SDES CNAME and BYE. Report blocks update the
 * "prior" counters of struct wrtc_rtp_rx_stats, so they must be built by the
 * thread that owns those statistics.
 */
#include <string.h>

#include "wrtc_rtcp.h"

/* Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch). */
#define NTP_UNIX_OFFSET 2208988800ull

uint64_t
wrtc_rtcp_ntp_from_unix_us(uint64_t unix_us)
{
	uint64_t sec = unix_us / 1000000u + NTP_UNIX_OFFSET;
	uint64_t frac = ((unix_us % 1000000u) << 32) / 1000000u;

	return (sec << 32) | frac;
}

static void
hdr_write(uint8_t *p, unsigned int count, uint8_t pt, size_t size)
{
	p[0] = (uint8_t)(0x80 | (count & 0x1f));
	p[1] = pt;
	wrtc_rtp_put16(p + 2, (uint16_t)(size / 4 - 1));
}

static unsigned int
count_reportable(struct wrtc_rtp_rx_stats *const *rx, unsigned int n_rx)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < n_rx; i++)
		if (rx[i] != NULL && rx[i]->started && rx[i]->probation == 0)
			n++;
	return n;
}

static void
rb_write(uint8_t *b, struct wrtc_rtp_rx_stats *s, uint64_t now_us)
{
	uint32_t expected = wrtc_rtp_rx_expected(s);
	uint32_t exp_int = expected - s->expected_prior;
	uint32_t rcv_int = s->received - s->received_prior;
	int64_t lost_int = (int64_t)exp_int - (int64_t)rcv_int;
	uint8_t fraction = 0;
	uint32_t lost = (uint32_t)wrtc_rtp_rx_lost(s) & 0xffffff;
	uint32_t dlsr = 0;

	s->expected_prior = expected;
	s->received_prior = s->received;
	if (exp_int != 0 && lost_int > 0)
		fraction = (uint8_t)(((uint64_t)lost_int << 8) / exp_int);
	if (s->lsr_arrival_us && now_us >= s->lsr_arrival_us)
		dlsr = (uint32_t)(((now_us - s->lsr_arrival_us) << 16) / 1000000u);

	wrtc_rtp_put32(b, s->ssrc);
	b[4] = fraction;
	b[5] = (uint8_t)(lost >> 16);
	b[6] = (uint8_t)(lost >> 8);
	b[7] = (uint8_t)lost;
	wrtc_rtp_put32(b + 8, wrtc_rtp_rx_ext_max(s));
	wrtc_rtp_put32(b + 12, wrtc_rtp_rx_jitter(s));
	wrtc_rtp_put32(b + 16, s->lsr_arrival_us ? s->lsr : 0);
	wrtc_rtp_put32(b + 20, dlsr);
}

static void
rbs_write(uint8_t *b, uint64_t now_us, struct wrtc_rtp_rx_stats *const *rx, unsigned int n_rx)
{
	for (unsigned int i = 0; i < n_rx; i++) {
		if (rx[i] == NULL || !rx[i]->started || rx[i]->probation != 0)
			continue;
		rb_write(b, rx[i], now_us);
		b += WRTC_RTCP_RB_SIZE;
	}
}

int
wrtc_rtcp_build_sr(uint8_t *buf, size_t cap, const struct wrtc_rtp_tx_stats *tx, uint64_t ntp,
		   uint64_t now_us, struct wrtc_rtp_rx_stats *const *rx, unsigned int n_rx)
{
	unsigned int n;
	size_t size;
	uint32_t ts = tx->last_ts;

	if (n_rx > WRTC_RTCP_MAX_RB)
		return -EINVAL;
	n = count_reportable(rx, n_rx);
	size = 28 + (size_t)WRTC_RTCP_RB_SIZE * n;
	if (cap < size)
		return -ENOSPC;
	if (tx->last_us && now_us > tx->last_us)
		ts += (uint32_t)((now_us - tx->last_us) * tx->clock / 1000000u);
	hdr_write(buf, n, WRTC_RTCP_SR, size);
	wrtc_rtp_put32(buf + 4, tx->ssrc);
	wrtc_rtp_put32(buf + 8, (uint32_t)(ntp >> 32));
	wrtc_rtp_put32(buf + 12, (uint32_t)ntp);
	wrtc_rtp_put32(buf + 16, ts);
	wrtc_rtp_put32(buf + 20, tx->packets);
	wrtc_rtp_put32(buf + 24, tx->octets);
	rbs_write(buf + 28, now_us, rx, n_rx);
	return (int)size;
}

int
wrtc_rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t now_us,
		   struct wrtc_rtp_rx_stats *const *rx, unsigned int n_rx)
{
	unsigned int n;
	size_t size;

	if (n_rx > WRTC_RTCP_MAX_RB)
		return -EINVAL;
	n = count_reportable(rx, n_rx);
	size = 8 + (size_t)WRTC_RTCP_RB_SIZE * n;
	if (cap < size)
		return -ENOSPC;
	hdr_write(buf, n, WRTC_RTCP_RR, size);
	wrtc_rtp_put32(buf + 4, ssrc);
	rbs_write(buf + 8, now_us, rx, n_rx);
	return (int)size;
}

int
wrtc_rtcp_build_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname)
{
	size_t len = strlen(cname);
	size_t size;

	if (len > 255)
		return -EINVAL;
	/* Header, SSRC, CNAME item, END, padded to 32 bits. */
	size = (4 + 4 + 2 + len + 1 + 3) & ~(size_t)3;
	if (cap < size)
		return -ENOSPC;
	memset(buf, 0, size);
	hdr_write(buf, 1, WRTC_RTCP_SDES, size);
	wrtc_rtp_put32(buf + 4, ssrc);
	buf[8] = WRTC_RTCP_SDES_CNAME;
	buf[9] = (uint8_t)len;
	memcpy(buf + 10, cname, len);
	return (int)size;
}

int
wrtc_rtcp_build_bye(uint8_t *buf, size_t cap, uint32_t ssrc, const char *reason)
{
	size_t len = reason ? strlen(reason) : 0;
	size_t size;

	if (len > 255)
		return -EINVAL;
	size = 8 + (reason ? (1 + len + 3) & ~(size_t)3 : 0);
	if (cap < size)
		return -ENOSPC;
	memset(buf, 0, size);
	hdr_write(buf, 1, WRTC_RTCP_BYE, size);
	wrtc_rtp_put32(buf + 4, ssrc);
	if (reason) {
		buf[8] = (uint8_t)len;
		memcpy(buf + 9, reason, len);
	}
	return (int)size;
}

int
wrtc_rtcp_build_report(uint8_t *buf, size_t cap, const struct wrtc_rtp_tx_stats *tx,
		       const char *cname, uint64_t ntp, uint64_t now_us,
		       struct wrtc_rtp_rx_stats *const *rx, unsigned int n_rx)
{
	int a, b;

	if (strlen(cname) > 255 || n_rx > WRTC_RTCP_MAX_RB)
		return -EINVAL;
	/* Check the room for both parts before touching the priors. */
	if (cap < 28 + (size_t)WRTC_RTCP_RB_SIZE * count_reportable(rx, n_rx) +
			  ((4 + 4 + 2 + strlen(cname) + 1 + 3) & ~(size_t)3))
		return -ENOSPC;
	if (tx->packets)
		a = wrtc_rtcp_build_sr(buf, cap, tx, ntp, now_us, rx, n_rx);
	else
		a = wrtc_rtcp_build_rr(buf, cap, tx->ssrc, now_us, rx, n_rx);
	if (a < 0)
		return a;
	b = wrtc_rtcp_build_sdes_cname(buf + a, cap - (size_t)a, tx->ssrc, cname);
	if (b < 0)
		return b;
	return a + b;
}
