/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /metrics endpoint on libmicrohttpd, in external polling mode (no
 * thread of its own): wrtc_metrics_server_poll() runs MHD_run(), which
 * looks at the sockets without waiting, so the caller's loop never blocks
 * and the render callback runs on the caller's thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "wrtc_metrics.h"

enum { POLL_INTERVAL_NS = 1000000 };

struct wrtc_metrics_server {
	struct MHD_Daemon *d;
	wrtc_metrics_render_fn *render;
	void *ctx;
	uint16_t port;
	uint64_t scrapes;
	uint64_t next_poll_ns;
};

static const char CONTENT_TYPE[] = "text/plain; version=0.0.4; charset=utf-8";

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static enum MHD_Result
reply_text(struct MHD_Connection *conn, unsigned int status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								  MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct wrtc_metrics_server *srv = cls;
	struct wrtc_metrics_buf b = {0};
	struct MHD_Response *r;
	enum MHD_Result rc;
	static int first;

	(void)version;
	(void)upload_data;
	/* The first call only announces the request (headers read). */
	if (*con_cls == NULL) {
		*con_cls = &first;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;  /* a body is read and ignored; 405 follows */
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (strcmp(url, "/metrics") != 0)
		return reply_text(conn, MHD_HTTP_NOT_FOUND,
				  "not found: the metrics are at /metrics\n");
	if (srv->render == NULL)
		return reply_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "starting\n");
	if (srv->render(&b, srv->ctx) != 0 || b.failed || b.data == NULL) {
		wrtc_metrics_buf_fini(&b);
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "metrics unavailable\n");
	}
	/* MHD frees the text with free() once it is sent. */
	r = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		wrtc_metrics_buf_fini(&b);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, CONTENT_TYPE);
	rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	srv->scrapes++;
	return rc;
}

struct wrtc_metrics_server *
wrtc_metrics_server_create(const struct wrtc_metrics_server_prm *prm)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	unsigned int flags = MHD_USE_EPOLL;
	struct wrtc_metrics_server *srv;
	const union MHD_DaemonInfo *info;
	int e;

	memset(&ss, 0, sizeof(ss));
	if (prm == NULL || prm->host == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (inet_pton(AF_INET, prm->host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(prm->port);
	} else if (inet_pton(AF_INET6, prm->host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(prm->port);
		flags |= MHD_USE_IPv6;
	} else {
		errno = EINVAL;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return NULL;
	errno = 0;
	srv->d = MHD_start_daemon(flags, prm->port, NULL, NULL, on_request, srv,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned int)(prm->max_connections ? prm->max_connections : 16),
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)(prm->timeout_s ? prm->timeout_s : 10),
				  MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
				  MHD_OPTION_END);
	if (srv->d == NULL) {
		e = errno ? errno : EADDRINUSE;
		free(srv);
		errno = e;
		return NULL;
	}
	info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info != NULL ? info->port : prm->port;
	return srv;
}

void
wrtc_metrics_server_set_render(struct wrtc_metrics_server *srv, wrtc_metrics_render_fn *fn,
			       void *ctx)
{
	srv->render = fn;
	srv->ctx = ctx;
}

int
wrtc_metrics_server_poll(struct wrtc_metrics_server *srv)
{
	uint64_t now = mono_ns();

	if (now < srv->next_poll_ns)
		return 0;
	srv->next_poll_ns = now + POLL_INTERVAL_NS;
	return MHD_run(srv->d) == MHD_YES ? 1 : -EIO;
}

int
wrtc_metrics_server_fd(const struct wrtc_metrics_server *srv)
{
	const union MHD_DaemonInfo *info =
		MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_EPOLL_FD);

	return info != NULL ? info->epoll_fd : -1;
}

void
wrtc_metrics_server_kick(struct wrtc_metrics_server *srv)
{
	srv->next_poll_ns = 0;
}

uint16_t
wrtc_metrics_server_port(const struct wrtc_metrics_server *srv)
{
	return srv->port;
}

uint64_t
wrtc_metrics_server_scrapes(const struct wrtc_metrics_server *srv)
{
	return srv->scrapes;
}

void
wrtc_metrics_server_free(struct wrtc_metrics_server *srv)
{
	if (srv == NULL)
		return;
	MHD_stop_daemon(srv->d);
	free(srv);
}
