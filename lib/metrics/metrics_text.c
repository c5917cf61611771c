/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus text exposition format, version 0.0.4: HELP/TYPE lines,
 * samples `name{label="value",...} value`.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_metrics.h"

static bool
reserve(struct wrtc_metrics_buf *b, size_t more)
{
	size_t size;
	char *p;

	if (b->failed)
		return false;
	if (b->len + more + 1 <= b->size)
		return true;
	size = b->size ? b->size : 4096;
	while (size < b->len + more + 1)
		size *= 2;
	p = realloc(b->data, size);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->size = size;
	return true;
}

static void
put(struct wrtc_metrics_buf *b, const char *s, size_t n)
{
	if (!reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void
puts_(struct wrtc_metrics_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
putf(struct wrtc_metrics_buf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void
wrtc_metrics_buf_fini(struct wrtc_metrics_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
wrtc_metrics_family(struct wrtc_metrics_buf *b, const char *name, enum wrtc_metrics_type type,
		    const char *help)
{
	puts_(b, "# HELP ");
	puts_(b, name);
	puts_(b, " ");
	/* HELP text escapes backslash and newline. */
	for (const char *p = help; *p != '\0'; p++) {
		if (*p == '\\')
			puts_(b, "\\\\");
		else if (*p == '\n')
			puts_(b, "\\n");
		else
			put(b, p, 1);
	}
	puts_(b, "\n# TYPE ");
	puts_(b, name);
	puts_(b, type == WRTC_METRICS_COUNTER ? " counter\n" : " gauge\n");
}

static void
head(struct wrtc_metrics_buf *b, const char *name, const char *const *labels, unsigned int n)
{
	puts_(b, name);
	if (labels == NULL || n == 0) {
		puts_(b, " ");
		return;
	}
	puts_(b, "{");
	for (unsigned int i = 0; i < n; i++) {
		if (i != 0)
			puts_(b, ",");
		puts_(b, labels[2 * i]);
		puts_(b, "=\"");
		for (const char *p = labels[2 * i + 1]; p != NULL && *p != '\0'; p++) {
			if (*p == '\\')
				puts_(b, "\\\\");
			else if (*p == '"')
				puts_(b, "\\\"");
			else if (*p == '\n')
				puts_(b, "\\n");
			else
				put(b, p, 1);
		}
		puts_(b, "\"");
	}
	puts_(b, "} ");
}

void
wrtc_metrics_u64(struct wrtc_metrics_buf *b, const char *name, const char *const *labels,
		 unsigned int n_labels, uint64_t value)
{
	head(b, name, labels, n_labels);
	putf(b, "%" PRIu64 "\n", value);
}

void
wrtc_metrics_double(struct wrtc_metrics_buf *b, const char *name, const char *const *labels,
		    unsigned int n_labels, double value)
{
	head(b, name, labels, n_labels);
	putf(b, "%.17g\n", value);
}

bool
wrtc_metrics_sanitize(char *s)
{
	if (s[0] == '\0')
		return false;
	for (char *p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			*p = '_';
	return true;
}
