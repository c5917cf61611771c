/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The socket layer: listeners, per-client line buffering and non-blocking
 * writes. Everything is driven by wrtc_rpc_server_poll(), which never blocks
 * longer than its timeout argument.
 *
 * Flow control: a client whose pending replies exceed max_line is not read
 * from and its buffered requests wait, so memory per client stays bounded by
 * about 2 * max_line. A client whose replies make no progress for
 * STALL_MS is closed, so a client that never reads cannot hold a slot forever.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "rpc_priv.h"

enum {
	READ_CHUNK = 64 * 1024,     /* Bytes per recv(). */
	READ_BUDGET = 256 * 1024,   /* Bytes read per client per poll, for fairness. */
	LINE_BUDGET = 64,           /* Requests handled per client per poll. */
	ACCEPT_BUDGET = 16,         /* Connections accepted per listener per poll. */
	CLOSE_GRACE_MS = 2000,      /* A closing client's time to read its last reply. */
	STALL_MS = 30000,           /* Replies not draining for this long: drop the client. */
	MAX_CLIENTS_LIMIT = 4096,
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static size_t
buf_pending(const struct rpc_buf *b)
{
	return b->len - b->off;
}

/* Makes room for @p more bytes after len, compacting or growing the buffer. */
static int
buf_reserve(struct rpc_buf *b, size_t more)
{
	size_t need, cap;
	char *d;

	if (b->off > 0 && (b->off == b->len || b->cap - b->len < more)) {
		memmove(b->data, b->data + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
	}
	need = b->len + more;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < need)
		cap *= 2;
	d = realloc(b->data, cap);
	if (d == NULL)
		return -ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

static int
buf_append(struct rpc_buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n) != 0)
		return -ENOMEM;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	return 0;
}

static void
buf_free(struct rpc_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static void
client_close(struct wrtc_rpc_server *srv, struct rpc_client *c)
{
	if (c->fd < 0)
		return;
	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	srv->n_clients--;
}

/* Writes what the socket takes now; closes the client on a write error. */
static void
client_flush(struct wrtc_rpc_server *srv, struct rpc_client *c, uint64_t now)
{
	while (buf_pending(&c->out) > 0) {
		ssize_t n = send(c->fd, c->out.data + c->out.off, buf_pending(&c->out),
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->out.off += (size_t)n;
			c->stall_since_ms = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (c->stall_since_ms == 0)
				c->stall_since_ms = now;
			return;
		}
		client_close(srv, c);
		return;
	}
	c->out.off = c->out.len = 0;
	c->stall_since_ms = 0;
}

/* Queues one reply line; false if the client had to be dropped. */
static bool
client_reply(struct wrtc_rpc_server *srv, struct rpc_client *c, const char *line)
{
	size_t n = strlen(line);

	if (buf_pending(&c->out) > srv->max_output || buf_append(&c->out, line, n) != 0 ||
	    buf_append(&c->out, "\n", 1) != 0) {
		client_close(srv, c);
		return false;
	}
	return true;
}

static void
client_start_closing(struct rpc_client *c, uint64_t now)
{
	c->closing = true;
	c->deadline_ms = now + CLOSE_GRACE_MS;
	c->in.off = c->in.len = 0;
	c->scanned = 0;
}

static void
client_oversize(struct wrtc_rpc_server *srv, struct rpc_client *c, uint64_t now)
{
	char msg[192];

	snprintf(msg, sizeof(msg),
		 "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":%d,\"message\":"
		 "\"request line exceeds %zu bytes; closing the connection\"}}",
		 WRTC_RPC_INVALID_REQUEST, srv->max_line);
	if (client_reply(srv, c, msg))
		client_start_closing(c, now);
}

/* Runs one request and queues its reply; false if the client was dropped. */
static bool
client_line(struct wrtc_rpc_server *srv, struct rpc_client *c, char *line, size_t len,
	    int *handled)
{
	char *reply;
	bool ok = true;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	reply = wrtc_rpc_server_handle_line(srv, line, len);
	(*handled)++;
	if (reply != NULL) {
		ok = client_reply(srv, c, reply);
		free(reply);
	}
	return ok;
}

/* True when the client has a complete request it may run now. */
static bool
client_has_work(const struct wrtc_rpc_server *srv, const struct rpc_client *c)
{
	if (c->fd < 0 || c->closing || buf_pending(&c->out) > srv->max_line)
		return false;
	if (c->eof && buf_pending(&c->in) > 0)
		return true;
	if (buf_pending(&c->in) <= c->scanned)
		return false;
	return memchr(c->in.data + c->in.off + c->scanned, '\n',
		      buf_pending(&c->in) - c->scanned) != NULL;
}

/* Handles up to LINE_BUDGET buffered requests. */
static int
client_process(struct wrtc_rpc_server *srv, struct rpc_client *c, uint64_t now)
{
	int handled = 0;

	while (c->fd >= 0 && !c->closing && handled < LINE_BUDGET &&
	       buf_pending(&c->out) <= srv->max_line) {
		char *start = c->in.data + c->in.off;
		size_t avail = buf_pending(&c->in);
		char *nl = avail > c->scanned ? memchr(start + c->scanned, '\n',
						       avail - c->scanned) : NULL;
		size_t len;

		if (nl == NULL) {
			c->scanned = avail;
			if (avail > srv->max_line) {
				client_oversize(srv, c, now);
				break;
			}
			if (c->eof) {
				/* The last request may lack its newline. */
				if (avail > 0 && !client_line(srv, c, start, avail, &handled))
					break;
				client_start_closing(c, now);
			}
			break;
		}
		len = (size_t)(nl - start);
		if (len > srv->max_line) {
			client_oversize(srv, c, now);
			break;
		}
		c->in.off += len + 1;
		c->scanned = 0;
		if (!client_line(srv, c, start, len, &handled))
			break;
	}
	if (c->fd >= 0 && c->eof && !c->closing && buf_pending(&c->in) == 0)
		client_start_closing(c, now);
	return handled;
}

/* Reads what is available (up to READ_BUDGET). */
static void
client_read(struct wrtc_rpc_server *srv, struct rpc_client *c)
{
	size_t total = 0;

	while (total < READ_BUDGET) {
		char scratch[4096];
		char *dst;
		size_t room;
		ssize_t n;

		if (c->closing) {
			/* Draining: read and discard so close() sends FIN, not RST. */
			dst = scratch;
			room = sizeof(scratch);
		} else {
			if (buf_pending(&c->in) > srv->max_line)
				return; /* client_process() reports the oversized line. */
			if (buf_reserve(&c->in, READ_CHUNK) != 0) {
				client_close(srv, c);
				return;
			}
			dst = c->in.data + c->in.len;
			room = READ_CHUNK;
		}
		n = recv(c->fd, dst, room, MSG_DONTWAIT);
		if (n > 0) {
			if (!c->closing)
				c->in.len += (size_t)n;
			total += (size_t)n;
			continue;
		}
		if (n == 0) {
			c->eof = true;
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			client_close(srv, c);
		return;
	}
}

static void
accept_clients(struct wrtc_rpc_server *srv, int lfd)
{
	for (int i = 0; i < ACCEPT_BUDGET; i++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		int fd = accept4(lfd, (struct sockaddr *)&peer, &plen,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct rpc_client *c = NULL;

		if (fd < 0)
			return;
		if (lfd == srv->tcp_fd &&
		    !wrtc_rpc_acl_allows(&srv->allow, (struct sockaddr *)&peer, plen)) {
			/* Not a client of ours: no reply, nothing read. */
			srv->st.refused_source++;
			close(fd);
			continue;
		}
		for (unsigned int s = 0; s < srv->max_clients; s++) {
			if (srv->clients[s].fd < 0) {
				c = &srv->clients[s];
				break;
			}
		}
		if (c == NULL) {
			char msg[160];
			int n = snprintf(msg, sizeof(msg),
					 "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":%d,"
					 "\"message\":\"too many clients (max %u)\"}}\n",
					 WRTC_RPC_OVERLOADED, srv->max_clients);

			if (send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
				(void)0; /* Best effort: the client is refused either way. */
			close(fd);
			srv->st.refused_full++;
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		srv->n_clients++;
		srv->st.accepted++;
	}
}

/* Fills @p pfds (room for the listeners and every client) with what the
 * server waits for; lowers *timeout_ms to 0 when a client has buffered work
 * and to a closing client's grace deadline. Slot of client pfds[i] in pslot. */
static unsigned int
fill_pollfds(const struct wrtc_rpc_server *srv, struct pollfd *pfds, unsigned int *pslot,
	     int *timeout_ms)
{
	unsigned int n = 0;

	for (unsigned int s = 0; s < srv->max_clients; s++) {
		if (client_has_work(srv, &srv->clients[s])) {
			*timeout_ms = 0;
			break;
		}
	}
	if (srv->tcp_fd >= 0)
		pfds[n++] = (struct pollfd){.fd = srv->tcp_fd, .events = POLLIN};
	if (srv->unix_fd >= 0)
		pfds[n++] = (struct pollfd){.fd = srv->unix_fd, .events = POLLIN};
	for (unsigned int s = 0; s < srv->max_clients; s++) {
		const struct rpc_client *c = &srv->clients[s];
		short ev = 0;

		if (c->fd < 0)
			continue;
		if (!c->eof && (c->closing || buf_pending(&c->out) <= srv->max_line))
			ev |= POLLIN;
		if (buf_pending(&c->out) > 0)
			ev |= POLLOUT;
		/* Closing clients wake up at their deadline at the latest. */
		if (c->closing && *timeout_ms != 0)
			*timeout_ms = *timeout_ms < 0 || *timeout_ms > CLOSE_GRACE_MS ?
				      CLOSE_GRACE_MS : *timeout_ms;
		if (pslot != NULL)
			pslot[n] = s;
		pfds[n++] = (struct pollfd){.fd = c->fd, .events = ev};
	}
	return n;
}

unsigned int
wrtc_rpc_server_pollfds_max(const struct wrtc_rpc_server *srv)
{
	return srv->max_clients + 2;
}

unsigned int
wrtc_rpc_server_pollfds(const struct wrtc_rpc_server *srv, struct pollfd *pfds, unsigned int max,
			int *timeout_ms)
{
	if (max < wrtc_rpc_server_pollfds_max(srv)) {
		*timeout_ms = 0; /* the caller cannot wait for all: do not wait */
		return 0;
	}
	return fill_pollfds(srv, pfds, NULL, timeout_ms);
}

int
wrtc_rpc_server_poll(struct wrtc_rpc_server *srv, int timeout_ms)
{
	unsigned int n;
	int handled = 0, rc;
	uint64_t now;

	n = fill_pollfds(srv, srv->pfds, srv->pslot, &timeout_ms);
	rc = poll(srv->pfds, n, timeout_ms);
	if (rc < 0 && errno != EINTR)
		return -errno;
	now = now_ms();
	for (unsigned int i = 0; rc > 0 && i < n; i++) {
		short re = srv->pfds[i].revents;
		struct rpc_client *c;

		if (re == 0)
			continue;
		if (srv->pfds[i].fd == srv->tcp_fd || srv->pfds[i].fd == srv->unix_fd) {
			accept_clients(srv, srv->pfds[i].fd);
			continue;
		}
		c = &srv->clients[srv->pslot[i]];
		if (c->fd != srv->pfds[i].fd)
			continue;
		if (re & POLLOUT)
			client_flush(srv, c, now);
		if (c->fd >= 0 && (re & (POLLIN | POLLHUP | POLLERR)))
			client_read(srv, c);
	}
	for (unsigned int s = 0; s < srv->max_clients; s++) {
		struct rpc_client *c = &srv->clients[s];

		if (c->fd < 0)
			continue;
		handled += client_process(srv, c, now);
		if (c->fd >= 0 && buf_pending(&c->out) > 0)
			client_flush(srv, c, now);
		if (c->fd < 0)
			continue;
		if (c->closing && buf_pending(&c->out) == 0) {
			/* Tell the peer we are done, then close once it is too (or later). */
			shutdown(c->fd, SHUT_WR);
			if (c->eof)
				client_close(srv, c);
		}
		if (c->fd >= 0 && c->closing && now >= c->deadline_ms)
			client_close(srv, c);
		if (c->fd >= 0 && c->stall_since_ms != 0 && now - c->stall_since_ms >= STALL_MS)
			client_close(srv, c);
	}
	return handled;
}

static int
listen_tcp(struct wrtc_rpc_server *srv, const char *host, uint16_t port)
{
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct sockaddr_storage bound;
	socklen_t blen = sizeof(bound);
	const struct sockaddr *sa;
	socklen_t salen;
	int fd, one = 1, family;

	if (inet_pton(AF_INET, host, &a4.sin_addr) == 1) {
		family = AF_INET;
		sa = (const struct sockaddr *)&a4;
		salen = sizeof(a4);
	} else if (inet_pton(AF_INET6, host, &a6.sin6_addr) == 1) {
		family = AF_INET6;
		sa = (const struct sockaddr *)&a6;
		salen = sizeof(a6);
	} else {
		return -EINVAL;
	}
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, sa, salen) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&bound, &blen) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	srv->tcp_fd = fd;
	srv->tcp_port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&bound)->sin_port :
			      ((struct sockaddr_in6 *)&bound)->sin6_port);
	return 0;
}

static int
listen_unix(struct wrtc_rpc_server *srv, const struct wrtc_rpc_server_prm *prm)
{
	const char *path = prm->unix_path;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	if (lstat(path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		/* A socket someone still listens on is not stale. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	srv->unix_fd = fd;
	srv->unix_path = strdup(path);
	if (srv->unix_path == NULL)
		return -ENOMEM;
	/* Owner, group and mode are set before listen(): nobody can connect
	 * while the socket still has the creator's defaults. */
	if ((prm->unix_set_owner || prm->unix_set_group) &&
	    chown(path, prm->unix_set_owner ? prm->unix_uid : (uid_t)-1,
		  prm->unix_set_group ? prm->unix_gid : (gid_t)-1) != 0)
		return -errno;
	if (prm->unix_mode != 0 && chmod(path, (mode_t)prm->unix_mode) != 0)
		return -errno;
	if (listen(fd, 64) != 0)
		return -errno;
	return 0;
}

struct wrtc_rpc_server *
wrtc_rpc_server_create(const struct wrtc_rpc_server_prm *prm)
{
	struct wrtc_rpc_server *srv;
	int rc = 0;

	if (prm == NULL || prm->max_clients > MAX_CLIENTS_LIMIT || prm->unix_mode > 07777 ||
	    (prm->token != NULL && strlen(prm->token) > WRTC_RPC_TOKEN_MAX)) {
		errno = EINVAL;
		return NULL;
	}
	if (prm->tcp_host != NULL &&
	    (rc = wrtc_rpc_acl_check_listen(prm->allow, prm->tcp_host)) != 0) {
		errno = -rc;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return NULL;
	srv->tcp_fd = -1;
	srv->unix_fd = -1;
	srv->max_line = prm->max_line ? prm->max_line : WRTC_RPC_DEFAULT_MAX_LINE;
	srv->max_output = prm->max_output ? prm->max_output : 4 * srv->max_line + 65536;
	srv->max_clients = prm->max_clients ? prm->max_clients : WRTC_RPC_DEFAULT_MAX_CLIENTS;
	srv->clients = calloc(srv->max_clients, sizeof(*srv->clients));
	srv->pfds = calloc(srv->max_clients + 2, sizeof(*srv->pfds));
	srv->pslot = calloc(srv->max_clients + 2, sizeof(*srv->pslot));
	if (srv->clients == NULL || srv->pfds == NULL || srv->pslot == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	for (unsigned int i = 0; i < srv->max_clients; i++)
		srv->clients[i].fd = -1;
	if (prm->allow != NULL)
		srv->allow = *prm->allow;
	if (prm->token != NULL && prm->token[0] != '\0' &&
	    (srv->token = strdup(prm->token)) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if (prm->tcp_host != NULL && (rc = listen_tcp(srv, prm->tcp_host, prm->tcp_port)) != 0)
		goto fail;
	if (prm->unix_path != NULL && prm->unix_path[0] != '\0' &&
	    (rc = listen_unix(srv, prm)) != 0)
		goto fail;
	return srv;
fail:
	wrtc_rpc_server_free(srv);
	errno = -rc;
	return NULL;
}

void
wrtc_rpc_server_free(struct wrtc_rpc_server *srv)
{
	if (srv == NULL)
		return;
	for (unsigned int i = 0; srv->clients != NULL && i < srv->max_clients; i++)
		client_close(srv, &srv->clients[i]);
	if (srv->tcp_fd >= 0)
		close(srv->tcp_fd);
	if (srv->unix_fd >= 0) {
		close(srv->unix_fd);
		if (srv->unix_path != NULL)
			unlink(srv->unix_path);
	}
	for (unsigned int i = 0; i < srv->n_methods; i++)
		free(srv->methods[i].name);
	free(srv->methods);
	free(srv->unix_path);
	free(srv->token);
	free(srv->clients);
	free(srv->pfds);
	free(srv->pslot);
	free(srv);
}

uint16_t
wrtc_rpc_server_tcp_port(const struct wrtc_rpc_server *srv)
{
	return srv->tcp_fd >= 0 ? srv->tcp_port : 0;
}

unsigned int
wrtc_rpc_server_clients(const struct wrtc_rpc_server *srv)
{
	return srv->n_clients;
}

void
wrtc_rpc_server_stats(const struct wrtc_rpc_server *srv, struct wrtc_rpc_server_stats *out)
{
	*out = srv->st;
}
