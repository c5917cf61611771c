/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * User SDP manipulation rules: POSIX extended regular expressions applied
 * line by line, in order, to the SDP received from or sent to a trunk group
 * (like an SBC's SIP message manipulation). Control lcore only.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp_priv.h"

enum { MAX_GROUPS = 10 };

struct rule {
	enum wrtc_sdp_rule_dir dir;
	enum wrtc_sdp_rule_action action;
	regex_t re;
	char *replacement;
};

struct wrtc_sdp_rules {
	unsigned int n;
	struct rule rules[WRTC_SDP_MAX_RULES];
};

void
wrtc_sdp_rules_free(struct wrtc_sdp_rules *rules)
{
	if (rules == NULL)
		return;
	for (unsigned int i = 0; i < rules->n; i++) {
		regfree(&rules->rules[i].re);
		free(rules->rules[i].replacement);
	}
	free(rules);
}

static int
rule_err(char *err, size_t errlen, unsigned int i, const char *field, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "rules[%u].%s: %s", i, field, msg);
	return -EINVAL;
}

int
wrtc_sdp_rules_compile(const struct wrtc_sdp_rule_def *defs, unsigned int n,
		       struct wrtc_sdp_rules **out, char *err, size_t errlen)
{
	struct wrtc_sdp_rules *rules;

	if (out == NULL || (defs == NULL && n > 0))
		return -EINVAL;
	*out = NULL;
	if (n > WRTC_SDP_MAX_RULES)
		return rule_err(err, errlen, n, "count", "too many rules");
	rules = calloc(1, sizeof(*rules));
	if (rules == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		const struct wrtc_sdp_rule_def *d = &defs[i];
		struct rule *r = &rules->rules[i];
		int rc;

		if (d->dir < WRTC_SDP_RULE_IN || d->dir > WRTC_SDP_RULE_BOTH) {
			wrtc_sdp_rules_free(rules);
			return rule_err(err, errlen, i, "dir", "not in, out or both");
		}
		if (d->action != WRTC_SDP_RULE_SUBST && d->action != WRTC_SDP_RULE_DELETE) {
			wrtc_sdp_rules_free(rules);
			return rule_err(err, errlen, i, "action", "not substitute or delete");
		}
		if (d->pattern == NULL || d->pattern[0] == '\0') {
			wrtc_sdp_rules_free(rules);
			return rule_err(err, errlen, i, "pattern", "missing");
		}
		if (d->action == WRTC_SDP_RULE_SUBST && d->replacement == NULL) {
			wrtc_sdp_rules_free(rules);
			return rule_err(err, errlen, i, "replacement", "missing");
		}
		rc = regcomp(&r->re, d->pattern, REG_EXTENDED);
		if (rc != 0) {
			char msg[128];

			regerror(rc, &r->re, msg, sizeof(msg));
			wrtc_sdp_rules_free(rules);
			return rule_err(err, errlen, i, "pattern", msg);
		}
		rules->n = i + 1;
		r->dir = d->dir;
		r->action = d->action;
		if (d->replacement != NULL) {
			r->replacement = strdup(d->replacement);
			if (r->replacement == NULL) {
				wrtc_sdp_rules_free(rules);
				return -ENOMEM;
			}
		}
	}
	*out = rules;
	return 0;
}

/* Append the replacement with \0..\9 expanded; "\\" is a backslash. */
static void
put_replacement(struct sdp_buf *b, const char *rep, const char *line, const regmatch_t *pm)
{
	for (const char *s = rep; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '9') {
			const regmatch_t *g = &pm[s[1] - '0'];

			if (g->rm_so >= 0)
				sdp_buf_add(b, line + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
			s++;
		} else if (s[0] == '\\' && s[1] == '\\') {
			sdp_buf_add(b, "\\", 1);
			s++;
		} else {
			sdp_buf_add(b, s, 1);
		}
	}
}

/*
 * Replace every match of r in line (sed's s///g: an empty match right after a
 * previous match is skipped); the result goes to out, which is reset first.
 */
static void
subst_line(const struct rule *r, const char *line, struct sdp_buf *out)
{
	regmatch_t pm[MAX_GROUPS];
	const char *s = line;
	bool after_match = false;
	int flags = 0;

	out->len = 0;
	sdp_buf_add(out, "", 0);
	while (regexec(&r->re, s, MAX_GROUPS, pm, flags) == 0) {
		bool empty = pm[0].rm_eo == pm[0].rm_so;

		flags = REG_NOTBOL;
		if (empty && pm[0].rm_so == 0 && after_match) {
			after_match = false;
			if (*s == '\0')
				break;
			sdp_buf_add(out, s, 1);
			s++;
			continue;
		}
		sdp_buf_add(out, s, (size_t)pm[0].rm_so);
		put_replacement(out, r->replacement, s, pm);
		s += pm[0].rm_eo;
		after_match = !empty;
		if (empty) {
			/* Copy one character so the scan moves on. */
			if (*s == '\0')
				break;
			sdp_buf_add(out, s, 1);
			s++;
		}
	}
	sdp_buf_puts(out, s);
}

int
wrtc_sdp_rules_apply(const struct wrtc_sdp_rules *rules, enum wrtc_sdp_rule_dir dir,
		     const char *text, size_t len, char **out)
{
	struct sdp_buf res = {0}, cur = {0}, tmp = {0};
	const char *s = text, *end = text + len;

	if (out == NULL || (text == NULL && len > 0) ||
	    (dir != WRTC_SDP_RULE_IN && dir != WRTC_SDP_RULE_OUT))
		return -EINVAL;
	sdp_buf_add(&res, "", 0);
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl != NULL ? nl : end;
		size_t n = (size_t)(eol - s);
		bool keep = true;

		if (n > 0 && s[n - 1] == '\r')
			n--;
		cur.len = 0;
		sdp_buf_add(&cur, s, n);
		if (cur.oom || res.oom)
			break;
		if (memchr(cur.p, '\0', n) != NULL) {
			/* regexec() cannot see past a NUL: reject rather than mis-apply. */
			sdp_buf_fini(&res);
			sdp_buf_fini(&cur);
			sdp_buf_fini(&tmp);
			return -EINVAL;
		}
		for (unsigned int i = 0; rules != NULL && i < rules->n && keep; i++) {
			const struct rule *r = &rules->rules[i];
			struct sdp_buf swap;

			if (!(r->dir & dir))
				continue;
			if (r->action == WRTC_SDP_RULE_DELETE) {
				keep = regexec(&r->re, cur.p, 0, NULL, 0) != 0;
				continue;
			}
			subst_line(r, cur.p, &tmp);
			if (tmp.oom) {
				res.oom = true;
				keep = false;
				break;
			}
			swap = cur;
			cur = tmp;
			tmp = swap;
		}
		/* A line emptied by a substitution is dropped like a deleted one. */
		if (keep && cur.len > 0) {
			sdp_buf_add(&res, cur.p, cur.len);
			sdp_buf_add(&res, "\r\n", 2);
		}
		s = nl != NULL ? nl + 1 : end;
	}
	if (cur.oom || tmp.oom)
		res.oom = true;
	sdp_buf_fini(&cur);
	sdp_buf_fini(&tmp);
	return sdp_buf_take(&res, out, NULL);
}
