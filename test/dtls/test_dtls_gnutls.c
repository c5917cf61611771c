/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interop: lib/dtls (passive, on a loopback UDP socket) against GnuTLS's
 * gnutls-cli (active), an independent DTLS stack, for each SRTP profile GnuTLS 3.7
 * knows (the AES-CM ones: it has no AEAD SRTP profiles; the GCM profiles are
 * covered between two lib/dtls ends in test_dtls.c). The
 * handshake must complete with the profile offered, and the keying material
 * gnutls-cli exports ("EXTRACTOR-dtls_srtp") must split into exactly the SRTP
 * master keys and salts lib/dtls hands out. Exits 77 (skipped) without gnutls-cli.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "dtls_priv.h"
#include "wrtc_dtls.h"
#include "wrtc_test.h"

static const char *gnutls_cli;
static char cert_path[64], key_path[64];
static struct wrtc_dtls_cert *client_cert;

struct peer {
	int sock;
	struct sockaddr_in addr;
	socklen_t addr_len;
};

static void
send_cb(void *arg, const uint8_t *p, size_t n)
{
	struct peer *pe = arg;

	if (sendto(pe->sock, p, n, 0, (struct sockaddr *)&pe->addr, pe->addr_len) < 0)
		perror("sendto");
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static size_t
unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (n < cap && h[0] && h[1]) {
		unsigned int v;

		if (sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		h += 2;
	}
	return n;
}

/* Run gnutls-cli against our passive association for one profile. */
static int
run_profile(enum wrtc_srtp_suite suite, const char *gnutls_name)
{
	struct wrtc_dtls_ctx_prm cprm = {.profiles = {suite}};
	char fp[WRTC_DTLS_FINGERPRINT_MAX], port[16], out[16384], err[200] = "";
	char profiles_arg[80];
	struct sockaddr_in local = {.sin_family = AF_INET};
	socklen_t local_len = sizeof(local);
	struct wrtc_dtls_ctx *ctx = wrtc_dtls_ctx_create(&cprm, err, sizeof(err));
	struct wrtc_dtls *d = NULL;
	struct peer pe = {.addr_len = sizeof(pe.addr)};
	size_t out_len = 0;
	int pipefd[2], status = 0;
	pid_t pid;

	if (!WRTC_CHECK(ctx != NULL))
		return -1;
	wrtc_dtls_cert_fingerprint(client_cert, WRTC_DTLS_HASH_SHA256, fp, sizeof(fp));
	local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	pe.sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (pe.sock < 0 || bind(pe.sock, (struct sockaddr *)&local, sizeof(local)) != 0 ||
	    getsockname(pe.sock, (struct sockaddr *)&local, &local_len) != 0 || pipe(pipefd) != 0) {
		perror("socket");
		return -1;
	}
	snprintf(port, sizeof(port), "%u", ntohs(local.sin_port));
	snprintf(profiles_arg, sizeof(profiles_arg), "--srtp-profiles=%s", gnutls_name);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execl(gnutls_cli, "gnutls-cli", "--udp", "-p", port, "127.0.0.1", "--insecure",
		      profiles_arg, "--keymatexport=EXTRACTOR-dtls_srtp", "--keymatexportsize=88",
		      "--x509certfile", cert_path, "--x509keyfile", key_path, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);

	/* Serve until gnutls-cli exits (it does once the handshake is over and its
	 * stdin is at EOF) or 10 s pass. */
	uint64_t end = now_us() + 10000000;
	bool child_done = false;

	while (!child_done && now_us() < end) {
		struct pollfd pf[2] = {{.fd = pe.sock, .events = POLLIN},
				       {.fd = pipefd[0], .events = POLLIN}};
		uint64_t next = d ? wrtc_dtls_next_timeout(d) : UINT64_MAX, now = now_us();
		int wait_ms = 100;

		if (next <= now)
			wait_ms = 0;
		else if (next - now < 100000)
			wait_ms = (int)((next - now) / 1000);
		poll(pf, 2, wait_ms);
		if (pf[0].revents & POLLIN) {
			uint8_t buf[4096];
			struct sockaddr_in from;
			socklen_t from_len = sizeof(from);
			ssize_t n = recvfrom(pe.sock, buf, sizeof(buf), 0, (struct sockaddr *)&from,
					     &from_len);

			if (n > 0 && d == NULL) {
				/* First datagram: now we know the peer (and the cookie input). */
				pe.addr = from;
				pe.addr_len = from_len;
				struct wrtc_dtls_prm prm = {.ctx = ctx,
							    .role = WRTC_DTLS_ROLE_PASSIVE,
							    .peer_fingerprint = fp,
							    .peer_addr = &from,
							    .peer_addr_size = from_len,
							    .send = send_cb,
							    .send_arg = &pe};

				d = wrtc_dtls_create(&prm);
			}
			if (n > 0 && d != NULL)
				wrtc_dtls_input(d, buf, (size_t)n, now_us());
		}
		if (pf[1].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(pipefd[0], out + out_len, sizeof(out) - 1 - out_len);

			if (n <= 0)
				child_done = true;
			else
				out_len += (size_t)n;
		}
		if (d != NULL)
			wrtc_dtls_handle_timeout(d, now_us());
	}
	out[out_len] = '\0';
	if (!child_done)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(pipefd[0]);

	bool ok = WRTC_CHECK(d != NULL) && WRTC_CHECK_EQ(wrtc_dtls_state(d), WRTC_DTLS_CONNECTED);
	char expect_profile[80];

	snprintf(expect_profile, sizeof(expect_profile), "- SRTP profile: %s", gnutls_name);
	ok = WRTC_CHECK(strstr(out, expect_profile) != NULL) && ok;
	const char *km_line = strstr(out, "- Key material: ");

	ok = WRTC_CHECK(km_line != NULL) && ok;
	if (ok) {
		struct wrtc_dtls_srtp_keys k;
		size_t ks = wrtc_srtp_suite_key_size(suite), ss = wrtc_srtp_suite_salt_size(suite);
		uint8_t km[88];
		size_t n = unhex(km_line + 16, km, sizeof(km));

		WRTC_CHECK_EQ(n, 88);
		WRTC_CHECK_EQ(wrtc_dtls_srtp_keys(d, &k), 0);
		WRTC_CHECK_EQ(k.suite, suite);
		/* We are the server: the client's key and salt protect what we receive. */
		WRTC_CHECK(memcmp(k.remote.master_key, km, ks) == 0);
		WRTC_CHECK(memcmp(k.local.master_key, km + ks, ks) == 0);
		WRTC_CHECK(memcmp(k.remote.master_salt, km + 2 * ks, ss) == 0);
		WRTC_CHECK(memcmp(k.local.master_salt, km + 2 * ks + ss, ss) == 0);
	}
	if (!ok)
		fprintf(stderr, "  %s: state %s (%s); gnutls-cli said:\n%s\n", gnutls_name,
			d ? wrtc_dtls_state_name(wrtc_dtls_state(d)) : "none",
			d ? wrtc_dtls_reason(d) : "", out);
	wrtc_dtls_free(d);
	wrtc_dtls_ctx_free(ctx);
	close(pe.sock);
	return 0;
}

static int
test_aes_cm_80(void)
{
	return run_profile(WRTC_SRTP_AES_CM_128_HMAC_SHA1_80, "SRTP_AES128_CM_HMAC_SHA1_80");
}

static int
test_aes_cm_32(void)
{
	return run_profile(WRTC_SRTP_AES_CM_128_HMAC_SHA1_32, "SRTP_AES128_CM_HMAC_SHA1_32");
}

static const struct wrtc_test_case cases[] = {
	{"gnutls_aes_cm_80", test_aes_cm_80},
	{"gnutls_aes_cm_32", test_aes_cm_32},
};

int
main(void)
{
	static const char *paths[] = {"/usr/bin/gnutls-cli", "/usr/local/bin/gnutls-cli"};
	FILE *f;
	int rc;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (access(paths[i], X_OK) == 0)
			gnutls_cli = paths[i];
	if (gnutls_cli == NULL) {
		printf("skipped: gnutls-cli not installed (Debian package gnutls-bin)\n");
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	/* gnutls-cli's client certificate: one of ours, written as PEM. */
	client_cert = wrtc_dtls_cert_generate();
	snprintf(cert_path, sizeof(cert_path), "/tmp/wrtc_gnutls_%d_cert.pem", (int)getpid());
	snprintf(key_path, sizeof(key_path), "/tmp/wrtc_gnutls_%d_key.pem", (int)getpid());
	f = fopen(cert_path, "w");
	if (client_cert == NULL || f == NULL || PEM_write_X509(f, client_cert->x509) != 1)
		return 1;
	fclose(f);
	f = fopen(key_path, "w");
	if (f == NULL || PEM_write_PrivateKey(f, client_cert->pkey, NULL, NULL, 0, NULL, NULL) != 1)
		return 1;
	fclose(f);
	rc = wrtc_test_main(cases, sizeof(cases) / sizeof(cases[0]));
	unlink(cert_path);
	unlink(key_path);
	wrtc_dtls_cert_free(client_cert);
	return rc;
}
