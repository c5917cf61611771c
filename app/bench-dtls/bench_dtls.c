/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DTLS benchmark: complete DTLS 1.2 + use_srtp handshakes per second between two
 * in-memory associations in one thread (so one core does both ends' work), with
 * the ECDSA P-256 default certificate, cookie exchange, fingerprint checks and SRTP
 * key export. Prints the median of several runs: wall clock, process CPU time
 * (both ends), and the CPU time of each end's calls alone (what one gateway end
 * costs).
 *
 * Usage: wrtc-bench-dtls [runs (default 5)] [handshakes per run (default 500)]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wrtc_dtls.h"

enum { QMAX = 32, DMAX = 1500, MAX_RUNS = 31 };

struct queue {
	uint8_t data[QMAX][DMAX];
	size_t len[QMAX];
	int n;
};

static void
send_cb(void *arg, const uint8_t *p, size_t n)
{
	struct queue *q = arg;

	if (q->n < QMAX && n <= DMAX) {
		memcpy(q->data[q->n], p, n);
		q->len[q->n++] = n;
	}
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static double
cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* CPU time spent in each end's calls: [0] active, [1] passive (the gateway's usual role
 * when the browser offers actpass... either way, one end of the two). */
static double side_cpu[2];
static double clock_cost; /* CPU microseconds one thread_cpu_us() call costs. */

static double
thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Reading the thread CPU clock is a system call here: measure what one costs, so
 * each timed interval can be corrected by it. */
static void
calibrate_clock(void)
{
	double t0 = thread_cpu_us();

	for (int i = 0; i < 20000; i++)
		thread_cpu_us();
	clock_cost = (thread_cpu_us() - t0) / 20001;
}

/* Move queued datagrams to the other end; returns how many moved. */
static int
deliver(struct queue *q, struct wrtc_dtls *to, int to_side)
{
	static struct queue batch;
	int n = q->n;

	batch = *q;
	q->n = 0;
	for (int i = 0; i < n; i++) {
		double t0 = thread_cpu_us();

		wrtc_dtls_input(to, batch.data[i], batch.len[i], now_us());
		side_cpu[to_side] += thread_cpu_us() - t0 - clock_cost;
	}
	return n;
}

static int
handshake(struct wrtc_dtls_ctx *ctx, const char *fp)
{
	static struct queue qa, qb;
	struct wrtc_dtls_prm pa = {.ctx = ctx, .role = WRTC_DTLS_ROLE_ACTIVE,
				   .peer_fingerprint = fp, .send = send_cb, .send_arg = &qa};
	struct wrtc_dtls_prm pb = {.ctx = ctx, .role = WRTC_DTLS_ROLE_PASSIVE,
				   .peer_fingerprint = fp, .send = send_cb, .send_arg = &qb,
				   .peer_addr = "198.51.100.7:5000", .peer_addr_size = 17};
	struct wrtc_dtls_srtp_keys ka, kb;
	struct wrtc_dtls *a, *b;
	double t0 = thread_cpu_us(), t1;
	int rc = -1;

	a = wrtc_dtls_create(&pa);
	t1 = thread_cpu_us();
	side_cpu[0] += t1 - t0 - clock_cost;
	b = wrtc_dtls_create(&pb);
	side_cpu[1] += thread_cpu_us() - t1 - clock_cost;
	qa.n = 0;
	qb.n = 0;
	if (a == NULL || b == NULL)
		goto out;
	t0 = thread_cpu_us();
	wrtc_dtls_start(a, now_us());
	t1 = thread_cpu_us();
	side_cpu[0] += t1 - t0 - clock_cost;
	wrtc_dtls_start(b, now_us());
	side_cpu[1] += thread_cpu_us() - t1 - clock_cost;
	for (int i = 0; i < 20 && (deliver(&qa, b, 1) + deliver(&qb, a, 0)) > 0; i++)
		;
	if (wrtc_dtls_srtp_keys(a, &ka) != 0 || wrtc_dtls_srtp_keys(b, &kb) != 0 ||
	    memcmp(&ka.local, &kb.remote, sizeof(ka.local)) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0 && a && b)
		fprintf(stderr, "handshake failed: %s / %s\n", wrtc_dtls_reason(a),
			wrtc_dtls_reason(b));
	t0 = thread_cpu_us();
	wrtc_dtls_free(a);
	t1 = thread_cpu_us();
	side_cpu[0] += t1 - t0 - clock_cost;
	wrtc_dtls_free(b);
	side_cpu[1] += thread_cpu_us() - t1 - clock_cost;
	return rc;
}

int
main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	int n = argc > 2 ? atoi(argv[2]) : 500;
	char fp[WRTC_DTLS_FINGERPRINT_MAX], err[200];
	double rate[MAX_RUNS], cpu_rate[MAX_RUNS], act_rate[MAX_RUNS], pas_rate[MAX_RUNS];
	struct wrtc_dtls_ctx *ctx;

	if (runs < 1 || runs > MAX_RUNS || n < 1) {
		fprintf(stderr, "usage: %s [runs 1..%d] [handshakes]\n", argv[0], MAX_RUNS);
		return 2;
	}
	ctx = wrtc_dtls_ctx_create(NULL, err, sizeof(err));
	if (ctx == NULL || wrtc_dtls_cert_fingerprint(wrtc_dtls_cert_default(),
						      WRTC_DTLS_HASH_SHA256, fp, sizeof(fp)) < 0) {
		fprintf(stderr, "setup: %s\n", err);
		return 1;
	}
	calibrate_clock();
	for (int r = 0; r < runs; r++) {
		uint64_t t0 = now_us();
		double c0 = cpu_us();

		side_cpu[0] = 0;
		side_cpu[1] = 0;

		for (int i = 0; i < n; i++)
			if (handshake(ctx, fp) != 0)
				return 1;
		rate[r] = n * 1e6 / (double)(now_us() - t0);
		cpu_rate[r] = n * 1e6 / (cpu_us() - c0);
		act_rate[r] = n * 1e6 / side_cpu[0];
		pas_rate[r] = n * 1e6 / side_cpu[1];
	}
	qsort(rate, (size_t)runs, sizeof(rate[0]), cmp_double);
	qsort(cpu_rate, (size_t)runs, sizeof(cpu_rate[0]), cmp_double);
	qsort(act_rate, (size_t)runs, sizeof(act_rate[0]), cmp_double);
	qsort(pas_rate, (size_t)runs, sizeof(pas_rate[0]), cmp_double);
	printf("# %d handshakes per run, median of %d runs (both ends on this core)\n", n, runs);
	printf("handshakes/s: %.0f (min %.0f, max %.0f); per handshake %.0f us\n", rate[runs / 2],
	       rate[0], rate[runs - 1], 1e6 / rate[runs / 2]);
	printf("handshakes per CPU-second: %.0f (min %.0f, max %.0f); CPU per handshake %.0f us\n",
	       cpu_rate[runs / 2], cpu_rate[0], cpu_rate[runs - 1], 1e6 / cpu_rate[runs / 2]);
	printf("(timing each call costs %.1f us of CPU; counted in the lines above, not below)\n",
	       clock_cost);
	printf("one end alone, handshakes per CPU-second: active %.0f (%.0f us), passive %.0f "
	       "(%.0f us)\n",
	       act_rate[runs / 2], 1e6 / act_rate[runs / 2], pas_rate[runs / 2],
	       1e6 / pas_rate[runs / 2]);
	wrtc_dtls_ctx_free(ctx);
	return 0;
}
