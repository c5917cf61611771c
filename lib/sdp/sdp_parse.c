/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SDP parser (RFC 8866 grammar, with the attributes of RFC 3264, 3605,
 * 4145, 4568, 5761, 5763, 8839, 8843). Every line is kept; the lines the
 * gateway reads are also parsed into typed fields. Runs on the control lcore.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdp_priv.h"

enum { MAX_TOKENS = 256 };

struct parser {
	struct wrtc_sdp *sdp;
	struct wrtc_sdp_media *m; /* Current m-line, NULL at session level. */
	unsigned int line_no;
	char *err;
	size_t errlen;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->err == NULL || p->errlen == 0)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "line %u: ", p->line_no);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Split s in place on spaces and tabs; returns the count, or max + 1 on overflow. */
static unsigned int
split(char *s, char **tok, unsigned int max)
{
	unsigned int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			return n;
		if (n == max)
			return max + 1;
		tok[n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		if (*s == '\0')
			return n;
		*s++ = '\0';
	}
}

static bool
parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* A ptime may be written "20" or "20.0"; the fraction is dropped. */
static bool
parse_ms(char *s, uint32_t *out)
{
	char *dot = strchr(s, '.');

	if (dot != NULL) {
		for (const char *q = dot + 1; *q != '\0'; q++)
			if (*q < '0' || *q > '9')
				return false;
		*dot = '\0';
	}
	return parse_u32(s, 100000, out);
}

static bool
copy_tok(char *dst, size_t size, const char *src)
{
	return src[0] != '\0' && sdp_strlcpy(dst, src, size);
}

static int
parse_addrtype(const char *s)
{
	if (strcmp(s, "IP4") == 0)
		return AF_INET;
	if (strcmp(s, "IP6") == 0)
		return AF_INET6;
	return 0;
}

/* "IN IP4 <addr>[/ttl[/n]]" shared by c= and a=rtcp. */
static int
parse_conn_toks(struct parser *p, const char *what, char **tok, struct wrtc_sdp_conn *c)
{
	char *slash;

	if (strcmp(tok[0], "IN") != 0)
		return fail(p, "%s: network type \"%s\" is not IN", what, tok[0]);
	c->addrtype = parse_addrtype(tok[1]);
	if (c->addrtype == 0)
		return fail(p, "%s: address type \"%s\" is not IP4 or IP6", what, tok[1]);
	slash = strchr(tok[2], '/');
	if (slash != NULL)
		*slash = '\0';
	if (tok[2][0] == '\0' || strlen(tok[2]) >= WRTC_SDP_ADDR_LEN)
		return fail(p, "%s: bad connection address", what);
	sdp_addr_set(&c->addr, tok[2], 0);
	if (c->addr.family != 0 && c->addr.family != c->addrtype)
		return fail(p, "%s: address \"%s\" is not %s", what, tok[2], tok[1]);
	c->line_no = p->line_no;
	c->present = true;
	return 0;
}

static int
parse_c(struct parser *p, char *v)
{
	char *tok[4];
	struct wrtc_sdp_conn *c = p->m != NULL ? &p->m->conn : &p->sdp->conn;

	if (split(v, tok, 3) != 3)
		return fail(p, "c=: expected \"IN IP4|IP6 <address>\"");
	if (c->present) /* RFC 8866 allows several (multicast); the first one counts. */
		return 0;
	return parse_conn_toks(p, "c=", tok, c);
}

static int
parse_o(struct parser *p, char *v)
{
	char *tok[7];
	struct wrtc_sdp_origin *o = &p->sdp->origin;

	if (p->m != NULL)
		return fail(p, "o=: not allowed after an m= line");
	if (split(v, tok, 6) != 6)
		return fail(p, "o=: expected 6 fields "
			       "\"<user> <sess-id> <sess-version> IN IP4|IP6 <address>\"");
	if (!copy_tok(o->username, sizeof(o->username), tok[0]))
		return fail(p, "o=: username too long");
	if (!copy_tok(o->sess_id, sizeof(o->sess_id), tok[1]))
		return fail(p, "o=: session id too long");
	if (!copy_tok(o->sess_version, sizeof(o->sess_version), tok[2]))
		return fail(p, "o=: session version too long");
	if (strcmp(tok[3], "IN") != 0)
		return fail(p, "o=: network type \"%s\" is not IN", tok[3]);
	o->addrtype = parse_addrtype(tok[4]);
	if (o->addrtype == 0)
		return fail(p, "o=: address type \"%s\" is not IP4 or IP6", tok[4]);
	if (strlen(tok[5]) >= WRTC_SDP_ADDR_LEN)
		return fail(p, "o=: address too long");
	sdp_addr_set(&o->addr, tok[5], 0);
	return 0;
}

static int
parse_b(struct parser *p, char *v)
{
	char *colon = strchr(v, ':');
	uint32_t val;

	if (colon == NULL || colon == v)
		return fail(p, "b=: expected \"<type>:<bandwidth>\"");
	*colon = '\0';
	if (!parse_u32(colon + 1, UINT32_MAX, &val))
		return fail(p, "b=%s: bandwidth \"%s\" is not a number", v, colon + 1);
	if (strcmp(v, "AS") == 0)
		*(p->m ? &p->m->bw_as : &p->sdp->bw_as) = val;
	else if (strcmp(v, "TIAS") == 0)
		*(p->m ? &p->m->bw_tias : &p->sdp->bw_tias) = val;
	return 0;
}

static enum wrtc_sdp_media_type
media_type(const char *s)
{
	static const char *const names[] = {
	    [WRTC_SDP_MEDIA_AUDIO] = "audio",
	    [WRTC_SDP_MEDIA_VIDEO] = "video",
	    [WRTC_SDP_MEDIA_APPLICATION] = "application",
	    [WRTC_SDP_MEDIA_TEXT] = "text",
	    [WRTC_SDP_MEDIA_MESSAGE] = "message",
	};

	for (unsigned int i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum wrtc_sdp_media_type)i;
	return WRTC_SDP_MEDIA_OTHER;
}

static enum wrtc_sdp_proto
proto_parse(const char *s)
{
	for (int i = WRTC_SDP_PROTO_RTP_AVP; i <= WRTC_SDP_PROTO_UDP_DTLS_SCTP; i++)
		if (strcasecmp(s, wrtc_sdp_proto_name((enum wrtc_sdp_proto)i)) == 0)
			return (enum wrtc_sdp_proto)i;
	if (strcasecmp(s, "DTLS/SCTP") == 0 || strcasecmp(s, "TCP/DTLS/SCTP") == 0)
		return WRTC_SDP_PROTO_UDP_DTLS_SCTP;
	return WRTC_SDP_PROTO_OTHER;
}

static bool
proto_is_rtp(enum wrtc_sdp_proto proto)
{
	return proto >= WRTC_SDP_PROTO_RTP_AVP && proto <= WRTC_SDP_PROTO_UDP_TLS_RTP_SAVPF;
}

static int
parse_m(struct parser *p, char *v)
{
	char *tok[MAX_TOKENS];
	struct wrtc_sdp *sdp = p->sdp;
	struct wrtc_sdp_media *m;
	unsigned int n = split(v, tok, MAX_TOKENS);
	uint32_t val;
	char *slash;

	if (n > MAX_TOKENS)
		return fail(p, "m=: more than %u formats", MAX_TOKENS - 3);
	if (n < 3)
		return fail(p, "m=: expected \"<media> <port> <proto> <fmt> ...\"");
	if (sdp_grow((void **)&sdp->media, sdp->n_media, sizeof(*sdp->media)) != 0)
		return -ENOMEM;
	m = &sdp->media[sdp->n_media++];
	p->m = m;
	m->line_no = p->line_no;
	if (!copy_tok(m->media, sizeof(m->media), tok[0]))
		return fail(p, "m=: media type too long");
	m->type = media_type(tok[0]);
	m->n_ports = 1;
	slash = strchr(tok[1], '/');
	if (slash != NULL) {
		*slash = '\0';
		if (!parse_u32(slash + 1, 65535, &val) || val == 0)
			return fail(p, "m=: bad port count \"%s\"", slash + 1);
		m->n_ports = (uint16_t)val;
	}
	if (!parse_u32(tok[1], 65535, &val))
		return fail(p, "m=: bad port \"%s\"", tok[1]);
	m->port = (uint16_t)val;
	if (!copy_tok(m->proto_str, sizeof(m->proto_str), tok[2]))
		return fail(p, "m=: proto too long");
	m->proto = proto_parse(tok[2]);
	if (n == 3 && m->port != 0)
		return fail(p, "m=: no formats");
	m->fmts = calloc(n - 3 + 1, sizeof(*m->fmts));
	if (m->fmts == NULL)
		return -ENOMEM;
	for (unsigned int i = 3; i < n; i++) {
		m->fmts[m->n_fmts] = strdup(tok[i]);
		if (m->fmts[m->n_fmts] == NULL)
			return -ENOMEM;
		m->n_fmts++;
	}
	if (!proto_is_rtp(m->proto))
		return 0;
	m->codecs = calloc(m->n_fmts + 1, sizeof(*m->codecs));
	if (m->codecs == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < m->n_fmts; i++) {
		struct wrtc_sdp_codec_desc *c = &m->codecs[i];
		const char *name;

		if (!parse_u32(m->fmts[i], 127, &val))
			return fail(p, "m=: format \"%s\" is not a payload type 0-127", m->fmts[i]);
		for (unsigned int j = 0; j < i; j++)
			if (m->codecs[j].pt == val)
				return fail(p, "m=: payload type %u listed twice", val);
		c->pt = (uint8_t)val;
		c->channels = 1;
		if (sdp_static_pt(val, &name, &c->clock, &c->channels))
			sdp_strlcpy(c->name, name, sizeof(c->name));
		m->n_codecs++;
	}
	return 0;
}

static struct wrtc_sdp_codec_desc *
codec_by_pt(struct wrtc_sdp_media *m, uint32_t pt)
{
	for (unsigned int i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

static int
attr_rtpmap(struct parser *p, char *v)
{
	char *tok[3], *name, *clock, *chans;
	struct wrtc_sdp_codec_desc *c;
	uint32_t pt, val;

	if (p->m == NULL)
		return fail(p, "a=rtpmap: not allowed at session level");
	if (split(v, tok, 2) != 2)
		return fail(p, "a=rtpmap: expected \"<pt> <name>/<clock>[/<channels>]\"");
	if (!parse_u32(tok[0], 127, &pt))
		return fail(p, "a=rtpmap: bad payload type \"%s\"", tok[0]);
	name = tok[1];
	clock = strchr(name, '/');
	if (clock == NULL || clock == name)
		return fail(p, "a=rtpmap:%u: expected \"<name>/<clock>\"", pt);
	*clock++ = '\0';
	chans = strchr(clock, '/');
	if (chans != NULL)
		*chans++ = '\0';
	if (!parse_u32(clock, UINT32_MAX, &val) || val == 0)
		return fail(p, "a=rtpmap:%u: bad clock rate \"%s\"", pt, clock);
	c = codec_by_pt(p->m, pt);
	if (c == NULL)
		return 0; /* Not on the m-line: kept as a line only. */
	c->clock = val;
	c->channels = 1;
	if (chans != NULL) {
		if (!parse_u32(chans, 255, &val) || val == 0)
			return fail(p, "a=rtpmap:%u: bad channel count \"%s\"", pt, chans);
		c->channels = (uint8_t)val;
	}
	if (!sdp_strlcpy(c->name, name, sizeof(c->name)))
		return fail(p, "a=rtpmap:%u: encoding name too long", pt);
	c->has_rtpmap = true;
	return 0;
}

static int
attr_fmtp(struct parser *p, char *v)
{
	char *sp = v + strcspn(v, " \t");
	struct wrtc_sdp_codec_desc *c;
	uint32_t pt;

	if (p->m == NULL)
		return fail(p, "a=fmtp: not allowed at session level");
	if (*sp == '\0')
		return fail(p, "a=fmtp: expected \"<format> <parameters>\"");
	*sp++ = '\0';
	while (*sp == ' ' || *sp == '\t')
		sp++;
	if (p->m->codecs == NULL)
		return 0; /* Not an RTP m-line: formats are not payload types. */
	if (!parse_u32(v, 127, &pt))
		return fail(p, "a=fmtp: bad payload type \"%s\"", v);
	c = codec_by_pt(p->m, pt);
	if (c == NULL)
		return 0;
	free(c->fmtp);
	c->fmtp = strdup(sp);
	return c->fmtp == NULL ? -ENOMEM : 0;
}

static int
attr_rtcp(struct parser *p, char *v)
{
	char *tok[5];
	unsigned int n = split(v, tok, 4);
	uint32_t port;

	if (p->m == NULL)
		return fail(p, "a=rtcp: not allowed at session level");
	if (n != 1 && n != 4)
		return fail(p, "a=rtcp: expected \"<port> [IN IP4|IP6 <address>]\"");
	if (!parse_u32(tok[0], 65535, &port))
		return fail(p, "a=rtcp: bad port \"%s\"", tok[0]);
	p->m->has_rtcp = true;
	p->m->rtcp_port = (uint16_t)port;
	if (n == 4)
		return parse_conn_toks(p, "a=rtcp", tok + 1, &p->m->rtcp_conn);
	return 0;
}

static int
attr_group(struct parser *p, char *v)
{
	char *tok[MAX_TOKENS];
	unsigned int n = split(v, tok, MAX_TOKENS);
	struct wrtc_sdp *sdp = p->sdp;
	struct wrtc_sdp_group *g;

	if (p->m != NULL)
		return 0; /* Only meaningful at session level; kept. */
	if (n == 0 || n > MAX_TOKENS)
		return fail(p, "a=group: expected \"<semantics> <mid> ...\"");
	if (sdp_grow((void **)&sdp->groups, sdp->n_groups, sizeof(*sdp->groups)) != 0)
		return -ENOMEM;
	g = &sdp->groups[sdp->n_groups++];
	if (!copy_tok(g->semantics, sizeof(g->semantics), tok[0]))
		return fail(p, "a=group: semantics too long");
	g->mids = calloc(n, sizeof(*g->mids));
	if (g->mids == NULL)
		return -ENOMEM;
	for (unsigned int i = 1; i < n; i++) {
		if (!copy_tok(g->mids[g->n_mids], sizeof(g->mids[0]), tok[i]))
			return fail(p, "a=group: mid \"%.16s...\" too long", tok[i]);
		g->n_mids++;
	}
	return 0;
}

static int
attr_candidate(struct parser *p, char *v)
{
	char *tok[MAX_TOKENS];
	unsigned int n = split(v, tok, MAX_TOKENS);
	struct wrtc_sdp_media *m = p->m;
	struct wrtc_sdp_candidate *c;
	uint32_t val;

	if (m == NULL)
		return fail(p, "a=candidate: not allowed at session level");
	if (n < 8 || n > MAX_TOKENS)
		return fail(p, "a=candidate: expected \"<foundation> <component> <transport> "
			       "<priority> <address> <port> typ <type> ...\"");
	if (sdp_grow((void **)&m->cands, m->n_cands, sizeof(*m->cands)) != 0)
		return -ENOMEM;
	c = &m->cands[m->n_cands];
	memset(c, 0, sizeof(*c));
	if (strlen(tok[0]) > 32 || !copy_tok(c->foundation, sizeof(c->foundation), tok[0]))
		return fail(p, "a=candidate: foundation longer than 32 characters");
	if (!parse_u32(tok[1], 256, &val) || val == 0)
		return fail(p, "a=candidate: bad component \"%s\"", tok[1]);
	c->component = (uint16_t)val;
	if (strcasecmp(tok[2], "udp") == 0)
		c->transport = WRTC_SDP_CAND_UDP;
	else if (strcasecmp(tok[2], "tcp") == 0)
		c->transport = WRTC_SDP_CAND_TCP;
	else
		return fail(p, "a=candidate: transport \"%s\" is not udp or tcp", tok[2]);
	if (!parse_u32(tok[3], UINT32_MAX, &c->priority))
		return fail(p, "a=candidate: bad priority \"%s\"", tok[3]);
	if (strlen(tok[4]) >= WRTC_SDP_ADDR_LEN)
		return fail(p, "a=candidate: address too long");
	if (!parse_u32(tok[5], 65535, &val))
		return fail(p, "a=candidate: bad port \"%s\"", tok[5]);
	c->port = (uint16_t)val;
	sdp_addr_set(&c->addr, tok[4], c->port);
	if (strcmp(tok[6], "typ") != 0)
		return fail(p, "a=candidate: expected \"typ\", got \"%s\"", tok[6]);
	if (strcmp(tok[7], "host") == 0)
		c->type = WRTC_SDP_CAND_HOST;
	else if (strcmp(tok[7], "srflx") == 0)
		c->type = WRTC_SDP_CAND_SRFLX;
	else if (strcmp(tok[7], "prflx") == 0)
		c->type = WRTC_SDP_CAND_PRFLX;
	else if (strcmp(tok[7], "relay") == 0)
		c->type = WRTC_SDP_CAND_RELAY;
	else
		return fail(p, "a=candidate: unknown type \"%s\"", tok[7]);
	/* Extensions come as name/value pairs; unknown ones are skipped. */
	for (unsigned int i = 8; i + 1 < n; i += 2) {
		if (strcmp(tok[i], "raddr") == 0) {
			if (strlen(tok[i + 1]) >= WRTC_SDP_ADDR_LEN)
				return fail(p, "a=candidate: raddr too long");
			sdp_addr_set(&c->raddr, tok[i + 1], c->rport);
			c->has_raddr = true;
		} else if (strcmp(tok[i], "rport") == 0) {
			if (!parse_u32(tok[i + 1], 65535, &val))
				return fail(p, "a=candidate: bad rport \"%s\"", tok[i + 1]);
			c->rport = (uint16_t)val;
			if (c->has_raddr)
				sdp_addr_set(&c->raddr, c->raddr.str, c->rport);
		} else if (strcmp(tok[i], "tcptype") == 0) {
			if (strcmp(tok[i + 1], "active") == 0)
				c->tcptype = WRTC_SDP_TCPTYPE_ACTIVE;
			else if (strcmp(tok[i + 1], "passive") == 0)
				c->tcptype = WRTC_SDP_TCPTYPE_PASSIVE;
			else if (strcmp(tok[i + 1], "so") == 0)
				c->tcptype = WRTC_SDP_TCPTYPE_SO;
			else
				return fail(p, "a=candidate: unknown tcptype \"%s\"", tok[i + 1]);
		}
	}
	if ((n - 8) % 2 != 0)
		return fail(p, "a=candidate: extension \"%s\" has no value", tok[n - 1]);
	m->n_cands++;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
attr_fingerprint(struct parser *p, char *v)
{
	struct wrtc_sdp_fingerprint *level = p->m ? &p->m->fp : &p->sdp->fp;
	struct wrtc_sdp_fingerprint tmp = {0}, *fp = &tmp;
	char *tok[3];
	const char *s;
	size_t n = 0;

	if (split(v, tok, 2) != 2)
		return fail(p, "a=fingerprint: expected \"<hash> <hex>:<hex>...\"");
	if (!copy_tok(fp->hash, sizeof(fp->hash), tok[0]))
		return fail(p, "a=fingerprint: hash name too long");
	for (char *q = fp->hash; *q != '\0'; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	for (s = tok[1];; s += 3) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);

		if (hi < 0 || lo < 0)
			return fail(p, "a=fingerprint: bad hex byte at \"%.8s\"", s);
		if (n == WRTC_SDP_FP_MAX)
			return fail(p, "a=fingerprint: more than %d bytes", WRTC_SDP_FP_MAX);
		fp->bytes[n++] = (uint8_t)(hi << 4 | lo);
		if (s[2] == '\0')
			break;
		if (s[2] != ':')
			return fail(p, "a=fingerprint: expected ':' after byte %zu", n);
	}
	fp->size = n;
	fp->present = true;
	if (!level->present)
		*level = tmp;
	return 0;
}

static int
attr_setup(struct parser *p, const char *v)
{
	enum wrtc_sdp_setup s;

	if (strcmp(v, "actpass") == 0)
		s = WRTC_SDP_SETUP_ACTPASS;
	else if (strcmp(v, "active") == 0)
		s = WRTC_SDP_SETUP_ACTIVE;
	else if (strcmp(v, "passive") == 0)
		s = WRTC_SDP_SETUP_PASSIVE;
	else if (strcmp(v, "holdconn") == 0)
		s = WRTC_SDP_SETUP_HOLDCONN;
	else
		return fail(p, "a=setup: \"%s\" is not actpass, active, passive or holdconn", v);
	*(p->m ? &p->m->setup : &p->sdp->setup) = s;
	return 0;
}

static int
attr_crypto(struct parser *p, char *v)
{
	char *tok[4];
	struct wrtc_sdp_media *m = p->m;
	struct wrtc_sdp_crypto *c;
	unsigned int n;
	char *rest = NULL;
	uint32_t tag;

	if (m == NULL)
		return fail(p, "a=crypto: not allowed at session level");
	/* The session parameters are the rest of the line, kept as one string. */
	n = 0;
	{
		char *s = v;

		while (n < 3) {
			while (*s == ' ' || *s == '\t')
				s++;
			if (*s == '\0')
				break;
			tok[n++] = s;
			s += strcspn(s, " \t");
			if (*s == '\0')
				break;
			*s++ = '\0';
		}
		while (*s == ' ' || *s == '\t')
			s++;
		if (n == 3 && *s != '\0')
			rest = s;
	}
	if (n != 3)
		return fail(p,
			    "a=crypto: expected \"<tag> <suite> <key-params> [<session-params>]\"");
	if (!parse_u32(tok[0], 999999999, &tag) || strlen(tok[0]) > 9)
		return fail(p, "a=crypto: bad tag \"%s\"", tok[0]);
	if (strncmp(tok[2], "inline:", 7) != 0 || tok[2][7] == '\0')
		return fail(p, "a=crypto:%u: key parameters must start with \"inline:\"", tag);
	if (sdp_grow((void **)&m->crypto, m->n_crypto, sizeof(*m->crypto)) != 0)
		return -ENOMEM;
	c = &m->crypto[m->n_crypto];
	memset(c, 0, sizeof(*c));
	c->tag = tag;
	if (!sdp_strlcpy(c->suite, tok[1], sizeof(c->suite)))
		return fail(p, "a=crypto:%u: suite name too long", tag);
	if (!sdp_strlcpy(c->key_params, tok[2], sizeof(c->key_params)))
		return fail(p, "a=crypto:%u: key parameters too long", tag);
	if (rest != NULL && !sdp_strlcpy(c->session_params, rest, sizeof(c->session_params)))
		return fail(p, "a=crypto:%u: session parameters too long", tag);
	sdp_strlcpy(c->key_b64, tok[2] + 7, sizeof(c->key_b64));
	c->key_b64[strcspn(c->key_b64, "|;")] = '\0';
	if (c->key_b64[0] == '\0')
		return fail(p, "a=crypto:%u: empty inline key", tag);
	m->n_crypto++;
	return 0;
}

static int
attr_ice_str(struct parser *p, const char *name, const char *v, char *dst, size_t size, size_t min)
{
	size_t n = strlen(v);

	if (n < min || n >= size)
		return fail(p, "a=%s: length %zu is not %zu-%zu", name, n, min, size - 1);
	for (const char *q = v; *q != '\0'; q++)
		if (*q == ' ' || *q == '\t')
			return fail(p, "a=%s: contains a space", name);
	memcpy(dst, v, n + 1);
	return 0;
}

static int
parse_a(struct parser *p, char *v)
{
	struct wrtc_sdp *sdp = p->sdp;
	struct wrtc_sdp_media *m = p->m;
	char *name = v, *val = strchr(v, ':');
	struct wrtc_sdp_ice *ice = m ? &m->ice : &sdp->ice;
	enum wrtc_sdp_dir dir = WRTC_SDP_DIR_NONE;
	uint32_t ms;

	if (val != NULL)
		*val++ = '\0';
	if (*name == '\0')
		return fail(p, "a=: empty attribute name");
	if (strcmp(name, "sendrecv") == 0)
		dir = WRTC_SDP_DIR_SENDRECV;
	else if (strcmp(name, "sendonly") == 0)
		dir = WRTC_SDP_DIR_SENDONLY;
	else if (strcmp(name, "recvonly") == 0)
		dir = WRTC_SDP_DIR_RECVONLY;
	else if (strcmp(name, "inactive") == 0)
		dir = WRTC_SDP_DIR_INACTIVE;
	if (dir != WRTC_SDP_DIR_NONE) {
		*(m ? &m->dir : &sdp->dir) = dir;
		return 0;
	}
	if (strcmp(name, "rtcp-mux") == 0) {
		if (m != NULL)
			m->rtcp_mux = true;
		return 0;
	}
	if (strcmp(name, "rtcp-rsize") == 0) {
		if (m != NULL)
			m->rtcp_rsize = true;
		return 0;
	}
	if (strcmp(name, "ice-lite") == 0) {
		sdp->ice_lite = true;
		return 0;
	}
	if (strcmp(name, "end-of-candidates") == 0) {
		*(m ? &m->end_of_candidates : &sdp->end_of_candidates) = true;
		return 0;
	}
	if (val == NULL)
		return 0; /* An unknown property attribute. */
	if (strcmp(name, "rtpmap") == 0)
		return attr_rtpmap(p, val);
	if (strcmp(name, "fmtp") == 0)
		return attr_fmtp(p, val);
	if (strcmp(name, "ptime") == 0 || strcmp(name, "maxptime") == 0) {
		if (m == NULL)
			return 0; /* Not defined at session level; kept. */
		if (!parse_ms(val, &ms))
			return fail(p, "a=%s: \"%s\" is not a number of ms", name, val);
		*(name[0] == 'p' ? &m->ptime : &m->maxptime) = ms;
		return 0;
	}
	if (strcmp(name, "rtcp") == 0)
		return attr_rtcp(p, val);
	if (strcmp(name, "mid") == 0) {
		if (m == NULL)
			return fail(p, "a=mid: not allowed at session level");
		if (!copy_tok(m->mid, sizeof(m->mid), val))
			return fail(p, "a=mid: empty or longer than %d", WRTC_SDP_TOKEN_LEN - 1);
		return 0;
	}
	if (strcmp(name, "group") == 0)
		return attr_group(p, val);
	if (strcmp(name, "ice-ufrag") == 0)
		return attr_ice_str(p, name, val, ice->ufrag, sizeof(ice->ufrag), 1);
	if (strcmp(name, "ice-pwd") == 0)
		return attr_ice_str(p, name, val, ice->pwd, sizeof(ice->pwd), 1);
	if (strcmp(name, "ice-options") == 0) {
		if (!sdp_strlcpy(ice->options, val, sizeof(ice->options)))
			return fail(p, "a=ice-options: too long");
		return 0;
	}
	if (strcmp(name, "candidate") == 0)
		return attr_candidate(p, val);
	if (strcmp(name, "fingerprint") == 0)
		return attr_fingerprint(p, val);
	if (strcmp(name, "setup") == 0)
		return attr_setup(p, val);
	if (strcmp(name, "crypto") == 0)
		return attr_crypto(p, val);
	return 0;
}

static int
keep_line(struct parser *p, char type, const char *v, size_t n)
{
	struct wrtc_sdp_line **lines = p->m ? &p->m->lines : &p->sdp->lines;
	unsigned int *count = p->m ? &p->m->n_lines : &p->sdp->n_lines;
	char *copy;

	if (sdp_grow((void **)lines, *count, sizeof(**lines)) != 0)
		return -ENOMEM;
	copy = malloc(n + 1);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, v, n);
	copy[n] = '\0';
	(*lines)[*count].type = type;
	(*lines)[*count].value = copy;
	(*count)++;
	return 0;
}

static int
parse_line(struct parser *p, const char *line, size_t n, char *scratch)
{
	char type = line[0];
	int rc;

	if (n < 2 || line[1] != '=' || type < 'a' || type > 'z')
		return fail(p, "expected \"<letter>=<value>\", got \"%.*s\"",
			    (int)(n < 20 ? n : 20), line);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)line[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return fail(p, "control character 0x%02x in column %zu", ch, i + 1);
	}
	if (p->line_no == 1 && type != 'v')
		return fail(p, "the first line must be \"v=0\"");
	if (type == 'v' && (p->line_no != 1 || n != 3 || line[2] != '0'))
		return fail(p, "v=: only \"v=0\" on the first line is allowed");
	if (type == 'm') {
		/* The m= line opens a new media section and is its first kept line. */
		memcpy(scratch, line + 2, n - 2);
		scratch[n - 2] = '\0';
		rc = parse_m(p, scratch);
		if (rc != 0)
			return rc;
		return keep_line(p, type, line + 2, n - 2);
	}
	memcpy(scratch, line + 2, n - 2);
	scratch[n - 2] = '\0';
	switch (type) {
	case 'o':
		rc = parse_o(p, scratch);
		break;
	case 'c':
		rc = parse_c(p, scratch);
		break;
	case 'b':
		rc = parse_b(p, scratch);
		break;
	case 'a':
		rc = parse_a(p, scratch);
		break;
	default:
		rc = 0;
		break;
	}
	if (rc != 0)
		return rc;
	return keep_line(p, type, line + 2, n - 2);
}

int
wrtc_sdp_parse(const char *text, size_t len, struct wrtc_sdp **out, char *err, size_t errlen)
{
	struct parser p = {.err = err, .errlen = errlen};
	const char *s = text, *end = text + len;
	char *scratch = NULL;
	bool seen_o = false;
	int rc = 0;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL || (text == NULL && len > 0))
		return -EINVAL;
	*out = NULL;
	p.sdp = calloc(1, sizeof(*p.sdp));
	scratch = malloc(len + 1);
	if (p.sdp == NULL || scratch == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl != NULL ? nl : end;
		const char *nul;
		size_t n;

		p.line_no++;
		n = (size_t)(eol - s);
		nul = memchr(s, '\0', n);
		if (nul != NULL) {
			rc = fail(&p, "NUL byte in column %zu", (size_t)(nul - s) + 1);
			goto out;
		}
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n > 0) {
			if (s[0] == 'o')
				seen_o = true;
			rc = parse_line(&p, s, n, scratch);
			if (rc != 0) {
				if (rc == -ENOMEM && err != NULL && errlen > 0)
					snprintf(err, errlen, "out of memory");
				goto out;
			}
		} else if (p.line_no == 1) {
			rc = fail(&p, "the first line must be \"v=0\"");
			goto out;
		}
		s = nl != NULL ? nl + 1 : end;
	}
	if (p.sdp->n_lines == 0) {
		p.line_no = 1;
		rc = fail(&p, "empty description");
		goto out;
	}
	for (unsigned int i = 0; p.sdp->end_of_candidates && i < p.sdp->n_media; i++)
		p.sdp->media[i].end_of_candidates = true;
	if (!seen_o) {
		rc = fail(&p, "missing o= line");
		goto out;
	}
	*out = p.sdp;
	p.sdp = NULL;
out:
	free(scratch);
	wrtc_sdp_free(p.sdp);
	return rc;
}

static void
free_lines(struct wrtc_sdp_line *lines, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		free(lines[i].value);
	free(lines);
}

void
wrtc_sdp_free(struct wrtc_sdp *sdp)
{
	if (sdp == NULL)
		return;
	for (unsigned int i = 0; i < sdp->n_media; i++) {
		struct wrtc_sdp_media *m = &sdp->media[i];

		if (m->fmts != NULL)
			for (unsigned int j = 0; j < m->n_fmts; j++)
				free(m->fmts[j]);
		free(m->fmts);
		if (m->codecs != NULL)
			for (unsigned int j = 0; j < m->n_codecs; j++)
				free(m->codecs[j].fmtp);
		free(m->codecs);
		free(m->cands);
		free(m->crypto);
		free_lines(m->lines, m->n_lines);
	}
	free(sdp->media);
	for (unsigned int i = 0; i < sdp->n_groups; i++)
		free(sdp->groups[i].mids);
	free(sdp->groups);
	free_lines(sdp->lines, sdp->n_lines);
	free(sdp);
}
