/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wrtc_metrics.h"
#include "wrtc_test.h"

static int
test_text(void)
{
	struct wrtc_metrics_buf b = {0};
	const char *l[] = {"reason", "a\"b\\c\nd", "worker", "0"};
	char name[] = "no-stream.for port";
	const char *sanitized = name;

	wrtc_metrics_family(&b, "wrtcgw_drops_total", WRTC_METRICS_COUNTER, "Drops \\ by\nreason.");
	wrtc_metrics_u64(&b, "wrtcgw_drops_total", l, 2, 18446744073709551615ULL);
	wrtc_metrics_family(&b, "wrtcgw_calls", WRTC_METRICS_GAUGE, "Calls.");
	wrtc_metrics_u64(&b, "wrtcgw_calls", NULL, 0, 3);
	wrtc_metrics_double(&b, "wrtcgw_calls", l + 2, 1, 0.5);
	WRTC_CHECK(!b.failed);
	WRTC_CHECK_STREQ(b.data,
		"# HELP wrtcgw_drops_total Drops \\\\ by\\nreason.\n"
		"# TYPE wrtcgw_drops_total counter\n"
		"wrtcgw_drops_total{reason=\"a\\\"b\\\\c\\nd\",worker=\"0\"} 18446744073709551615\n"
		"# HELP wrtcgw_calls Calls.\n"
		"# TYPE wrtcgw_calls gauge\n"
		"wrtcgw_calls 3\n"
		"wrtcgw_calls{worker=\"0\"} 0.5\n");
	WRTC_CHECK_EQ(b.len, strlen(b.data));
	wrtc_metrics_buf_fini(&b);
	WRTC_CHECK(b.data == NULL && b.len == 0);
	WRTC_CHECK(wrtc_metrics_sanitize(name));
	WRTC_CHECK_STREQ(sanitized, "no_stream_for_port");
	name[0] = '\0';
	WRTC_CHECK(!wrtc_metrics_sanitize(name));
	return 0;
}

static int renders;

static int
render(struct wrtc_metrics_buf *b, void *ctx)
{
	renders++;
	wrtc_metrics_family(b, "wrtcgw_test", WRTC_METRICS_GAUGE, "A test value.");
	wrtc_metrics_u64(b, "wrtcgw_test", NULL, 0, *(uint64_t *)ctx);
	return 0;
}

/* One HTTP exchange against the server, polling it from this same thread. */
static int
http(struct wrtc_metrics_server *srv, const char *req, char *out, size_t size)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(wrtc_metrics_server_port(srv))};
	size_t len = 0, sent = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct timespec nap = {0, 200000};

	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (fd < 0 ||
	    (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != EINPROGRESS))
		return -1;
	/* At most 10 s on a loaded machine; the loop ends as soon as the reply is in. */
	for (int i = 0; i < 50000; i++) {
		ssize_t n;

		if (wrtc_metrics_server_poll(srv) < 0)
			break;
		if (sent < strlen(req)) {
			n = send(fd, req + sent, strlen(req) - sent, MSG_NOSIGNAL);
			if (n > 0)
				sent += (size_t)n;
		}
		n = recv(fd, out + len, size - 1 - len, 0);
		if (n == 0)
			break;
		if (n > 0)
			len += (size_t)n;
		nanosleep(&nap, NULL);
	}
	close(fd);
	out[len] = '\0';
	return (int)len;
}

static int
test_server(void)
{
	struct wrtc_metrics_server *srv;
	uint64_t value = 42;
	char buf[8192];

	srv = wrtc_metrics_server_create(&(struct wrtc_metrics_server_prm){.host = "127.0.0.1"});
	if (!WRTC_CHECK(srv != NULL))
		return -1;
	WRTC_CHECK(wrtc_metrics_server_port(srv) != 0);
	/* No renderer yet: 503. */
	WRTC_CHECK(http(srv, "GET /metrics HTTP/1.0\r\n\r\n", buf, sizeof(buf)) > 0);
	WRTC_CHECK(strncmp(buf, "HTTP/1.0 503", 12) == 0 || strncmp(buf, "HTTP/1.1 503", 12) == 0);
	wrtc_metrics_server_set_render(srv, render, &value);
	WRTC_CHECK(http(srv, "GET /metrics HTTP/1.0\r\n\r\n", buf, sizeof(buf)) > 0);
	WRTC_CHECK(strstr(buf, " 200 OK\r\n") != NULL);
	WRTC_CHECK(strstr(buf, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") !=
		   NULL);
	WRTC_CHECK(strstr(buf, "\r\n\r\n# HELP wrtcgw_test A test value.\n"
			       "# TYPE wrtcgw_test gauge\nwrtcgw_test 42\n") != NULL);
	value = 43;
	WRTC_CHECK(http(srv, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", buf,
			sizeof(buf)) > 0);
	WRTC_CHECK(strstr(buf, "wrtcgw_test 43\n") != NULL);
	WRTC_CHECK_EQ(renders, 2);
	WRTC_CHECK_EQ(wrtc_metrics_server_scrapes(srv), 2);
	WRTC_CHECK(http(srv, "GET /other HTTP/1.0\r\n\r\n", buf, sizeof(buf)) > 0);
	WRTC_CHECK(strstr(buf, " 404 ") != NULL);
	WRTC_CHECK(http(srv, "POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", buf,
			sizeof(buf)) > 0);
	WRTC_CHECK(strstr(buf, " 405 ") != NULL);
	WRTC_CHECK(http(srv, "garbage\r\n\r\n", buf, sizeof(buf)) >= 0);  /* no crash */
	WRTC_CHECK_EQ(renders, 2);
	wrtc_metrics_server_free(srv);
	wrtc_metrics_server_free(NULL);

	WRTC_CHECK(wrtc_metrics_server_create(&(struct wrtc_metrics_server_prm){
		.host = "localhost"}) == NULL && errno == EINVAL);
	srv = wrtc_metrics_server_create(&(struct wrtc_metrics_server_prm){.host = "::1"});
	WRTC_CHECK(srv == NULL || wrtc_metrics_server_port(srv) != 0);  /* no IPv6 in some labs */
	wrtc_metrics_server_free(srv);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"text_format", test_text},
	{"http_server", test_server},
};

WRTC_TEST_MAIN(cases)
