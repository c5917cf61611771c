/* SPDX-License-Identifier: BSD-3-Clause */
/* A MOS estimate from RTCP report figures (docs/ng.md "Call quality"). */
#include "wrtc_rtcp.h"

unsigned int
wrtc_rtcp_mos(unsigned int loss_pct, unsigned int jitter_ms, unsigned int rtt_ms)
{
	/* The simplified E-model: one-way latency of half the round trip plus
	 * twice the jitter plus 10 ms of codec delay lowers R from 93.2 (slowly
	 * under 160 ms), each percent of loss by 2.5; R maps to MOS by ITU-T G.107
	 * annex B. */
	double eff = rtt_ms / 2.0 + 2.0 * jitter_ms + 10.0;
	double r = eff < 160.0 ? 93.2 - eff / 40.0 : 93.2 - (eff - 120.0) / 10.0;
	double mos;

	r -= 2.5 * (loss_pct > 100 ? 100 : loss_pct);
	if (r < 0.0)
		r = 0.0;
	mos = 1.0 + 0.035 * r + 0.000007 * r * (r - 60.0) * (100.0 - r);
	if (mos < 1.0)
		mos = 1.0;
	if (mos > 4.5)
		mos = 4.5;
	return (unsigned int)(mos * 10.0 + 0.5);
}
