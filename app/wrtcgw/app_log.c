/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A log stream for rte_openlog_stream(): rte_vlog() formats a message into
 * this FILE and flushes it, so each write below is one message (the buffer
 * is larger than any line the gateway logs). Each line gets the time and the
 * message's level in front; the same text goes to syslog at the matching
 * priority, as the EAL's own stream does, except under systemd, where
 * stdout already reaches the journal (JOURNAL_STREAM is set) and a syslog
 * copy would show every line twice, and where no syslog socket exists (a
 * container, a lab namespace: glibc would try to connect again for every
 * line, a socket() and connect() per message).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <rte_log.h>

#include "app_log.h"

static bool to_syslog;

static const char *
level_name(int level)
{
	static const char *const names[] = {
		"", "EMERG", "ALERT", "CRIT", "ERR", "WARNING", "NOTICE", "INFO", "DEBUG",
	};

	return level >= 1 && level <= 8 ? names[level] : "INFO";
}

static ssize_t
log_write(void *cookie, const char *buf, size_t size)
{
	int level = rte_log_cur_msg_loglevel();
	const char *p = buf, *end = buf + size;
	char stamp[64];
	struct timespec ts;
	struct tm tm;

	(void)cookie;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(stamp, sizeof(stamp), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (ts.tv_nsec / 1000000) % 1000);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		fprintf(stdout, "%s %-7s %.*s\n", stamp, level_name(level), (int)n, p);
		if (to_syslog)
			syslog(level >= 1 && level <= 8 ? level - 1 : LOG_INFO, "%.*s", (int)n, p);
		p += n + (nl != NULL);
	}
	fflush(stdout);
	return (ssize_t)size;
}

int
app_log_init(void)
{
	static char buf[8192];
	cookie_io_functions_t fns = {.write = log_write};
	FILE *f = fopencookie(NULL, "w", fns);

	if (f == NULL)
		return -errno;
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	to_syslog = getenv("JOURNAL_STREAM") == NULL && access(_PATH_LOG, W_OK) == 0;
	if (to_syslog)
		openlog(NULL, LOG_NDELAY, LOG_USER);
	return rte_openlog_stream(f) == 0 ? 0 : -EINVAL;
}
