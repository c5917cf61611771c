/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/sdp: fixture round trips, parsed fields of real browser
 * SDPs, malformed input and its messages, codec negotiation, manipulation
 * rules, re-offer comparison, and the golden rewrite cases in cases/.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_sdp.h"
#include "wrtc_test.h"

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[size] = '\0';
	*len = (size_t)size;
	return buf;
}

/* Read a fixture by name from test/fixtures/sdp. */
static char *
read_fixture(const char *name, size_t *len)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", SDP_FIXTURES_DIR, name);
	return read_file(path, len);
}

static struct wrtc_sdp *
parse_str(const char *s)
{
	struct wrtc_sdp *sdp = NULL;
	char err[256];

	if (wrtc_sdp_parse(s, strlen(s), &sdp, err, sizeof(err)) != 0)
		fprintf(stderr, "  parse: %s\n", err);
	return sdp;
}

static struct wrtc_sdp *
parse_fixture(const char *name)
{
	size_t len;
	char *s = read_fixture(name, &len);
	struct wrtc_sdp *sdp = NULL;
	char err[256];

	if (s == NULL) {
		fprintf(stderr, "  cannot read fixture %s\n", name);
		return NULL;
	}
	if (wrtc_sdp_parse(s, len, &sdp, err, sizeof(err)) != 0)
		fprintf(stderr, "  %s: %s\n", name, err);
	free(s);
	return sdp;
}

/* ------------------------------------------------------------------ */
/* Round trips                                                          */
/* ------------------------------------------------------------------ */

static bool
lines_equal(const struct wrtc_sdp_line *a, unsigned int na, const struct wrtc_sdp_line *b,
	    unsigned int nb)
{
	if (na != nb)
		return false;
	for (unsigned int i = 0; i < na; i++)
		if (a[i].type != b[i].type || strcmp(a[i].value, b[i].value) != 0)
			return false;
	return true;
}

static bool
conn_equal(const struct wrtc_sdp_conn *a, const struct wrtc_sdp_conn *b)
{
	return a->present == b->present && a->addrtype == b->addrtype &&
	       strcmp(a->addr.str, b->addr.str) == 0 && a->addr.family == b->addr.family &&
	       memcmp(&a->addr.ss, &b->addr.ss, sizeof(a->addr.ss)) == 0;
}

/* Structural equality of two parsed models (every typed field and every line). */
static bool
model_equal(const struct wrtc_sdp *a, const struct wrtc_sdp *b)
{
	if (!lines_equal(a->lines, a->n_lines, b->lines, b->n_lines) || a->n_media != b->n_media ||
	    a->n_groups != b->n_groups || !conn_equal(&a->conn, &b->conn) || a->dir != b->dir ||
	    a->ice_lite != b->ice_lite || memcmp(&a->ice, &b->ice, sizeof(a->ice)) != 0 ||
	    memcmp(&a->fp, &b->fp, sizeof(a->fp)) != 0 || a->setup != b->setup ||
	    a->bw_as != b->bw_as || strcmp(a->origin.sess_id, b->origin.sess_id) != 0 ||
	    strcmp(a->origin.sess_version, b->origin.sess_version) != 0)
		return false;
	for (unsigned int i = 0; i < a->n_groups; i++) {
		if (strcmp(a->groups[i].semantics, b->groups[i].semantics) != 0 ||
		    a->groups[i].n_mids != b->groups[i].n_mids)
			return false;
		for (unsigned int j = 0; j < a->groups[i].n_mids; j++)
			if (strcmp(a->groups[i].mids[j], b->groups[i].mids[j]) != 0)
				return false;
	}
	for (unsigned int i = 0; i < a->n_media; i++) {
		const struct wrtc_sdp_media *x = &a->media[i], *y = &b->media[i];

		if (!lines_equal(x->lines, x->n_lines, y->lines, y->n_lines) ||
		    x->type != y->type || x->port != y->port || x->proto != y->proto ||
		    x->n_fmts != y->n_fmts || x->n_codecs != y->n_codecs ||
		    !conn_equal(&x->conn, &y->conn) || x->ptime != y->ptime ||
		    x->maxptime != y->maxptime || x->dir != y->dir || x->has_rtcp != y->has_rtcp ||
		    x->rtcp_port != y->rtcp_port || x->rtcp_mux != y->rtcp_mux ||
		    strcmp(x->mid, y->mid) != 0 || memcmp(&x->ice, &y->ice, sizeof(x->ice)) != 0 ||
		    x->n_cands != y->n_cands || x->end_of_candidates != y->end_of_candidates ||
		    memcmp(&x->fp, &y->fp, sizeof(x->fp)) != 0 || x->setup != y->setup ||
		    x->n_crypto != y->n_crypto)
			return false;
		for (unsigned int j = 0; j < x->n_codecs; j++) {
			const struct wrtc_sdp_codec_desc *c = &x->codecs[j], *d = &y->codecs[j];

			if (c->pt != d->pt || strcmp(c->name, d->name) != 0 ||
			    c->clock != d->clock || c->channels != d->channels ||
			    (c->fmtp == NULL) != (d->fmtp == NULL) ||
			    (c->fmtp != NULL && strcmp(c->fmtp, d->fmtp) != 0))
				return false;
		}
		if (x->n_cands > 0 && memcmp(x->cands, y->cands, x->n_cands * sizeof(*x->cands)))
			return false;
		if (x->n_crypto > 0 &&
		    memcmp(x->crypto, y->crypto, x->n_crypto * sizeof(*x->crypto)) != 0)
			return false;
	}
	return true;
}

/* Count the non-empty lines of a text. */
static unsigned int
count_lines(const char *s, size_t len)
{
	unsigned int n = 0;
	const char *end = s + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = (size_t)((nl ? nl : end) - s);

		if (l > 0 && s[l - 1] == '\r')
			l--;
		if (l > 0)
			n++;
		s = nl ? nl + 1 : end;
	}
	return n;
}

static int
roundtrip_text(const char *name, const char *text, size_t len)
{
	struct wrtc_sdp *a = NULL, *b = NULL;
	char err[256], *out = NULL;
	size_t out_len = 0;
	unsigned int kept;

	if (!WRTC_CHECK(wrtc_sdp_parse(text, len, &a, err, sizeof(err)) == 0)) {
		fprintf(stderr, "  %s: %s\n", name, err);
		return -1;
	}
	WRTC_CHECK(wrtc_sdp_serialize(a, &out, &out_len) == 0);
	WRTC_CHECK(wrtc_sdp_parse(out, out_len, &b, err, sizeof(err)) == 0);
	if (b != NULL && !WRTC_CHECK(model_equal(a, b)))
		fprintf(stderr, "  %s: model differs after a round trip\n", name);
	/* Every line is kept: as many lines out as non-empty lines in. */
	kept = a->n_lines;
	for (unsigned int i = 0; i < a->n_media; i++)
		kept += a->media[i].n_lines;
	WRTC_CHECK_EQ(kept, count_lines(text, len));
	WRTC_CHECK_EQ(count_lines(out, out_len), count_lines(text, len));
	/* CRLF input serialises byte for byte. */
	if (strstr(text, "\r\n") != NULL && memchr(text, '\n', len) != NULL &&
	    strstr(text, "\n\n") == NULL && text[len - 1] == '\n')
		WRTC_CHECK(out_len == len && memcmp(out, text, len) == 0);
	free(out);
	wrtc_sdp_free(a);
	wrtc_sdp_free(b);
	return 0;
}

static int
test_roundtrip_fixtures(void)
{
	DIR *dir = opendir(SDP_FIXTURES_DIR);
	struct dirent *e;
	unsigned int n = 0;

	if (!WRTC_CHECK(dir != NULL))
		return 0;
	while ((e = readdir(dir)) != NULL) {
		char path[1024];
		size_t len;
		char *text;

		if (strstr(e->d_name, ".sdp") == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", SDP_FIXTURES_DIR, e->d_name);
		text = read_file(path, &len);
		if (!WRTC_CHECK(text != NULL))
			continue;
		roundtrip_text(e->d_name, text, len);
		n++;
		free(text);
	}
	closedir(dir);
	WRTC_CHECK(n >= 10);
	return 0;
}

/* LF-only input parses to the same model as CRLF input. */
static int
test_lf_endings(void)
{
	size_t len;
	char *crlf = read_fixture("chrome-offer-av.sdp", &len);
	char *lf;
	size_t j = 0;
	struct wrtc_sdp *a = NULL, *b = NULL;

	if (!WRTC_CHECK(crlf != NULL))
		return -1;
	lf = malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		if (crlf[i] != '\r')
			lf[j++] = crlf[i];
	WRTC_CHECK(wrtc_sdp_parse(crlf, len, &a, NULL, 0) == 0);
	WRTC_CHECK(wrtc_sdp_parse(lf, j, &b, NULL, 0) == 0);
	WRTC_CHECK(a != NULL && b != NULL && model_equal(a, b));
	roundtrip_text("lf", lf, j);
	wrtc_sdp_free(a);
	wrtc_sdp_free(b);
	free(crlf);
	free(lf);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Parsed fields                                                        */
/* ------------------------------------------------------------------ */

static int
test_fields_chrome_av(void)
{
	struct wrtc_sdp *sdp = parse_fixture("chrome-offer-av.sdp");
	const struct wrtc_sdp_media *a, *v;
	const struct wrtc_sdp_codec_desc *c;
	const struct wrtc_sdp_conn *conn;
	const struct wrtc_sdp_fingerprint *fp;
	struct wrtc_sdp_ice ice;

	if (!WRTC_CHECK(sdp != NULL))
		return -1;
	WRTC_CHECK_STREQ(sdp->origin.sess_id, "7701327436279635633");
	WRTC_CHECK_STREQ(sdp->origin.sess_version, "2");
	WRTC_CHECK_EQ(sdp->origin.addr.family, AF_INET);
	WRTC_CHECK_EQ(sdp->n_groups, 1);
	WRTC_CHECK_STREQ(sdp->groups[0].semantics, "BUNDLE");
	WRTC_CHECK_EQ(sdp->groups[0].n_mids, 2);
	WRTC_CHECK_STREQ(sdp->groups[0].mids[1], "1");
	WRTC_CHECK(wrtc_sdp_group_find(sdp, "BUNDLE", "1") == &sdp->groups[0]);
	WRTC_CHECK(wrtc_sdp_group_find(sdp, "BUNDLE", "2") == NULL);
	if (!WRTC_CHECK_EQ(sdp->n_media, 2))
		goto out;
	/* Video rides audio's transport; audio carries it; out of range: no. */
	WRTC_CHECK(!wrtc_sdp_bundled_behind(sdp, 0));
	WRTC_CHECK(wrtc_sdp_bundled_behind(sdp, 1));
	WRTC_CHECK(!wrtc_sdp_bundled_behind(sdp, 2));
	a = &sdp->media[0];
	v = &sdp->media[1];
	WRTC_CHECK_EQ(a->type, WRTC_SDP_MEDIA_AUDIO);
	WRTC_CHECK_EQ(a->port, 36674);
	WRTC_CHECK_EQ(a->proto, WRTC_SDP_PROTO_UDP_TLS_RTP_SAVPF);
	WRTC_CHECK_EQ(a->n_fmts, 8);
	WRTC_CHECK_EQ(a->n_codecs, 8);
	c = &a->codecs[0];
	WRTC_CHECK_EQ(c->pt, 111);
	WRTC_CHECK_STREQ(c->name, "opus");
	WRTC_CHECK_EQ(c->clock, 48000);
	WRTC_CHECK_EQ(c->channels, 2);
	WRTC_CHECK_STREQ(c->fmtp, "minptime=10;useinbandfec=1");
	c = wrtc_sdp_media_codec(a, 110);
	WRTC_CHECK(c != NULL && strcmp(c->name, "telephone-event") == 0 && c->clock == 48000);
	c = wrtc_sdp_media_codec(a, 126);
	WRTC_CHECK(c != NULL && c->clock == 8000 && c->fmtp == NULL);
	c = wrtc_sdp_media_codec(a, 0);
	WRTC_CHECK(c != NULL && c->has_rtpmap && strcmp(c->name, "PCMU") == 0);
	conn = wrtc_sdp_media_conn(sdp, 0);
	WRTC_CHECK(conn != NULL && conn->addrtype == AF_INET &&
		   strcmp(conn->addr.str, "127.0.0.1") == 0 &&
		   ((const struct sockaddr_in *)&conn->addr.ss)->sin_addr.s_addr ==
		       htonl(INADDR_LOOPBACK));
	WRTC_CHECK(a->has_rtcp && a->rtcp_port == 9 && a->rtcp_conn.present);
	WRTC_CHECK_STREQ(a->rtcp_conn.addr.str, "0.0.0.0");
	WRTC_CHECK(a->rtcp_mux && a->rtcp_rsize);
	WRTC_CHECK_STREQ(a->mid, "0");
	ice = wrtc_sdp_media_ice(sdp, 0);
	WRTC_CHECK_STREQ(ice.ufrag, "d3Ck");
	WRTC_CHECK_STREQ(ice.pwd, "NdSAU5EJw1PqJv7TAkDEOnwW");
	WRTC_CHECK_STREQ(ice.options, "trickle");
	if (WRTC_CHECK_EQ(a->n_cands, 2)) {
		const struct wrtc_sdp_candidate *k = &a->cands[0];

		WRTC_CHECK_STREQ(k->foundation, "3020661845");
		WRTC_CHECK_EQ(k->component, 1);
		WRTC_CHECK_EQ(k->transport, WRTC_SDP_CAND_UDP);
		WRTC_CHECK_EQ(k->priority, 2122260223u);
		WRTC_CHECK_STREQ(k->addr.str, "127.0.0.1");
		WRTC_CHECK_EQ(k->port, 36674);
		WRTC_CHECK_EQ(ntohs(((const struct sockaddr_in *)&k->addr.ss)->sin_port), 36674);
		WRTC_CHECK_EQ(k->type, WRTC_SDP_CAND_HOST);
		k = &a->cands[1];
		WRTC_CHECK_EQ(k->transport, WRTC_SDP_CAND_TCP);
		WRTC_CHECK_EQ(k->tcptype, WRTC_SDP_TCPTYPE_ACTIVE);
		WRTC_CHECK_EQ(k->port, 9);
	}
	fp = wrtc_sdp_media_fingerprint(sdp, 0);
	if (WRTC_CHECK(fp != NULL)) {
		WRTC_CHECK_STREQ(fp->hash, "sha-256");
		WRTC_CHECK_EQ(fp->size, 32);
		WRTC_CHECK_EQ(fp->bytes[0], 0x88);
		WRTC_CHECK_EQ(fp->bytes[31], 0xC8);
	}
	WRTC_CHECK_EQ(wrtc_sdp_media_setup(sdp, 0), WRTC_SDP_SETUP_ACTPASS);
	WRTC_CHECK_EQ(wrtc_sdp_media_dir(sdp, 0), WRTC_SDP_DIR_SENDRECV);
	WRTC_CHECK(!wrtc_sdp_media_is_hold(sdp, 0));

	WRTC_CHECK_EQ(v->type, WRTC_SDP_MEDIA_VIDEO);
	WRTC_CHECK_EQ(v->port, 9);
	WRTC_CHECK_EQ(v->n_codecs, 23);
	c = wrtc_sdp_media_codec(v, 97);
	WRTC_CHECK(c != NULL && strcmp(c->name, "rtx") == 0 && strcmp(c->fmtp, "apt=96") == 0);
	c = wrtc_sdp_media_codec(v, 45);
	WRTC_CHECK(c != NULL && strcmp(c->name, "AV1") == 0 && c->clock == 90000);
	WRTC_CHECK_STREQ(v->mid, "1");
	WRTC_CHECK_EQ(v->n_cands, 0);
	/* c=IN IP4 0.0.0.0 with ICE is not a hold. */
	WRTC_CHECK(!wrtc_sdp_media_is_hold(sdp, 1));
	/* A first m-line rejected (port 0) carries nothing: video is first. */
	sdp->media[0].port = 0;
	WRTC_CHECK(!wrtc_sdp_bundled_behind(sdp, 1));
out:
	wrtc_sdp_free(sdp);
	return 0;
}

static int
test_fields_aiortc(void)
{
	struct wrtc_sdp *sdp = parse_fixture("aiortc-answer.sdp");

	if (!WRTC_CHECK(sdp != NULL))
		return -1;
	WRTC_CHECK_EQ(sdp->n_media, 1);
	WRTC_CHECK(sdp->media[0].end_of_candidates);
	WRTC_CHECK_EQ(wrtc_sdp_media_setup(sdp, 0), WRTC_SDP_SETUP_ACTIVE);
	WRTC_CHECK_STREQ(sdp->media[0].cands[0].foundation, "16572de626da4e5384a0ce2d0d93678a");
	WRTC_CHECK_STREQ(wrtc_sdp_media_ice(sdp, 0).ufrag, "sXEE");
	wrtc_sdp_free(sdp);
	return 0;
}

/* Firefox writes a=fmtp before a=rtpmap and the fingerprint at session level. */
static int
test_fields_firefox(void)
{
	struct wrtc_sdp *sdp = parse_fixture("firefox-offer-audio.sdp");
	const struct wrtc_sdp_codec_desc *c;
	const struct wrtc_sdp_media *m;

	if (!WRTC_CHECK(sdp != NULL))
		return -1;
	m = &sdp->media[0];
	c = wrtc_sdp_media_codec(m, 109);
	WRTC_CHECK(c != NULL && strcmp(c->name, "opus") == 0 && c->channels == 2);
	WRTC_CHECK_STREQ(c->fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1");
	c = wrtc_sdp_media_codec(m, 9);
	WRTC_CHECK(c != NULL && c->channels == 1 && c->has_rtpmap);
	WRTC_CHECK_STREQ(wrtc_sdp_media_codec(m, 101)->fmtp, "0-15");
	WRTC_CHECK(!m->fp.present && wrtc_sdp_media_fingerprint(sdp, 0) == &sdp->fp);
	WRTC_CHECK_EQ(sdp->fp.bytes[0], 0x1B);
	WRTC_CHECK_STREQ(wrtc_sdp_media_ice(sdp, 0).options, "trickle");
	WRTC_CHECK_STREQ(wrtc_sdp_media_ice(sdp, 0).ufrag, "5b4a2c1d");
	WRTC_CHECK_EQ(m->n_cands, 3);
	WRTC_CHECK_EQ(m->cands[0].transport, WRTC_SDP_CAND_UDP);
	WRTC_CHECK_EQ(m->cands[1].tcptype, WRTC_SDP_TCPTYPE_ACTIVE);
	WRTC_CHECK_EQ(m->cands[2].type, WRTC_SDP_CAND_SRFLX);
	WRTC_CHECK_EQ(m->cands[2].rport, 51433);
	WRTC_CHECK(m->end_of_candidates);
	WRTC_CHECK_STREQ(sdp->origin.username, "mozilla...THIS_IS_SDPARTA-99.0");
	wrtc_sdp_free(sdp);
	return 0;
}

static const char sip_v6_sdes[] =
    "v=0\n"
    "o=alice 2890844526 2890844527 IN IP6 2001:db8::5\n"
    "s=call\n"
    "c=IN IP6 2001:db8::5\n"
    "b=AS:128\n"
    "t=0 0\n"
    "a=sendonly\n"
    "a=ice-ufrag:sessUF\n"
    "a=ice-pwd:sessionpasswordsessionpw\n"
    "a=fingerprint:SHA-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB\n"
    "m=audio 49170 RTP/SAVP 0 8 97 101\n"
    "b=TIAS:64000\n"
    "a=rtpmap:97 iLBC/8000\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=fmtp:101 0-15\n"
    "a=ptime:30\n"
    "a=maxptime:60.0\n"
    "a=rtcp:53020 IN IP6 2001:db8::6\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32 KDR=1\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\n"
    "a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998\n"
    "a=candidate:3 1 udp 16777215 2001:db8::7 3478 typ relay raddr :: rport 0 generation 0\n"
    "a=candidate:4 1 udp 2130706431 4d3e2f.local 50000 typ host\n"
    "a=x-custom\n"
    "m=video 0 RTP/AVP 31\n";

static int
test_fields_sip_v6(void)
{
	struct wrtc_sdp *sdp = parse_str(sip_v6_sdes);
	const struct wrtc_sdp_media *m;
	const struct wrtc_sdp_fingerprint *fp;

	if (!WRTC_CHECK(sdp != NULL))
		return -1;
	m = &sdp->media[0];
	WRTC_CHECK_EQ(sdp->conn.addrtype, AF_INET6);
	WRTC_CHECK_EQ(sdp->conn.addr.family, AF_INET6);
	WRTC_CHECK(wrtc_sdp_media_conn(sdp, 0) == &sdp->conn);
	WRTC_CHECK_EQ(sdp->bw_as, 128);
	WRTC_CHECK_EQ(m->bw_tias, 64000);
	WRTC_CHECK_EQ(m->proto, WRTC_SDP_PROTO_RTP_SAVP);
	WRTC_CHECK_EQ(m->ptime, 30);
	WRTC_CHECK_EQ(m->maxptime, 60);
	WRTC_CHECK_EQ(wrtc_sdp_media_dir(sdp, 0), WRTC_SDP_DIR_SENDONLY);
	WRTC_CHECK(wrtc_sdp_media_is_hold(sdp, 0));
	WRTC_CHECK_STREQ(m->codecs[1].name, "PCMA");
	WRTC_CHECK(!m->codecs[1].has_rtpmap);
	WRTC_CHECK_STREQ(m->codecs[2].name, "iLBC");
	WRTC_CHECK_STREQ(m->codecs[3].fmtp, "0-15");
	WRTC_CHECK(m->has_rtcp && m->rtcp_port == 53020 && m->rtcp_conn.addr.family == AF_INET6);
	if (WRTC_CHECK_EQ(m->n_crypto, 2)) {
		WRTC_CHECK_EQ(m->crypto[0].tag, 1);
		WRTC_CHECK_STREQ(m->crypto[0].suite, "AES_CM_128_HMAC_SHA1_80");
		WRTC_CHECK_STREQ(m->crypto[0].key_params,
				 "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32");
		WRTC_CHECK_STREQ(m->crypto[0].key_b64, "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR");
		WRTC_CHECK_STREQ(m->crypto[0].session_params, "KDR=1");
		WRTC_CHECK_STREQ(m->crypto[1].session_params, "");
	}
	if (WRTC_CHECK_EQ(m->n_cands, 3)) {
		WRTC_CHECK_EQ(m->cands[0].type, WRTC_SDP_CAND_SRFLX);
		WRTC_CHECK(m->cands[0].has_raddr);
		WRTC_CHECK_STREQ(m->cands[0].raddr.str, "10.0.1.1");
		WRTC_CHECK_EQ(m->cands[0].rport, 8998);
		WRTC_CHECK_EQ(m->cands[1].type, WRTC_SDP_CAND_RELAY);
		WRTC_CHECK_EQ(m->cands[1].addr.family, AF_INET6);
		WRTC_CHECK_EQ(m->cands[2].addr.family, 0); /* mDNS name */
	}
	/* Session-level ICE and fingerprint apply to the m-line. */
	WRTC_CHECK_STREQ(wrtc_sdp_media_ice(sdp, 0).ufrag, "sessUF");
	fp = wrtc_sdp_media_fingerprint(sdp, 0);
	WRTC_CHECK(fp != NULL && strcmp(fp->hash, "sha-1") == 0 && fp->size == 20);
	WRTC_CHECK_EQ(sdp->media[1].port, 0);
	WRTC_CHECK_EQ(sdp->media[1].type, WRTC_SDP_MEDIA_VIDEO);
	roundtrip_text("sip_v6_sdes", sip_v6_sdes, strlen(sip_v6_sdes));
	wrtc_sdp_free(sdp);
	return 0;
}

static int
test_old_hold(void)
{
	struct wrtc_sdp *sdp = parse_str("v=0\r\no=- 1 2 IN IP4 192.0.2.1\r\ns=-\r\n"
					 "c=IN IP4 0.0.0.0\r\nt=0 0\r\n"
					 "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.9\r\n"
					 "m=audio 4002 RTP/AVP 0\r\n");

	if (!WRTC_CHECK(sdp != NULL))
		return -1;
	WRTC_CHECK(!wrtc_sdp_media_is_hold(sdp, 0)); /* media c= overrides */
	WRTC_CHECK(wrtc_sdp_media_is_hold(sdp, 1));
	WRTC_CHECK_EQ(wrtc_sdp_media_dir(sdp, 1), WRTC_SDP_DIR_SENDRECV);
	wrtc_sdp_free(sdp);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Malformed input                                                      */
/* ------------------------------------------------------------------ */

#define HDR "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n"
#define MA "m=audio 5000 RTP/AVP 0 96\r\n"

struct bad_case {
	const char *sdp;
	const char *err;
};

static const struct bad_case bad_cases[] = {
    {"", "line 1: empty description"},
    {"\r\n", "line 1: the first line must be \"v=0\""},
    {"o=- 1 1 IN IP4 1.2.3.4\r\n", "line 1: the first line must be \"v=0\""},
    {"v=1\r\n", "line 1: v=: only \"v=0\" on the first line is allowed"},
    {"v=0\r\ns=-\r\n", "line 2: missing o= line"},
    {"v=0\r\nhello\r\n", "line 2: expected \"<letter>=<value>\", got \"hello\""},
    {"v=0\r\nA=b\r\n", "line 2: expected \"<letter>=<value>\", got \"A=b\""},
    {"v=0\r\ns=a\x01"
     "b\r\n",
     "line 2: control character 0x01 in column 4"},
    {"v=0\r\ns=a\0b\r\n", "line 2: NUL byte in column 4"},
    {"v=0\r\no=- 1 1 IN IP4\r\n",
     "line 2: o=: expected 6 fields \"<user> <sess-id> <sess-version> IN IP4|IP6 <address>\""},
    {"v=0\r\no=- 1 1 IN IPX 1.2.3.4\r\n", "line 2: o=: address type \"IPX\" is not IP4 or IP6"},
    {HDR "c=IN IP4\r\n", "line 5: c=: expected \"IN IP4|IP6 <address>\""},
    {HDR "c=ATM IP4 1.2.3.4\r\n", "line 5: c=: network type \"ATM\" is not IN"},
    {HDR "c=IN IP4 2001:db8::1\r\n", "line 5: c=: address \"2001:db8::1\" is not IP4"},
    {HDR "b=AS:lots\r\n", "line 5: b=AS: bandwidth \"lots\" is not a number"},
    {HDR "b=AS\r\n", "line 5: b=: expected \"<type>:<bandwidth>\""},
    {HDR "m=audio\r\n", "line 5: m=: expected \"<media> <port> <proto> <fmt> ...\""},
    {HDR "m=audio 70000 RTP/AVP 0\r\n", "line 5: m=: bad port \"70000\""},
    {HDR "m=audio 5000/0 RTP/AVP 0\r\n", "line 5: m=: bad port count \"0\""},
    {HDR "m=audio 5000 RTP/AVP\r\n", "line 5: m=: no formats"},
    {HDR "m=audio 5000 RTP/AVP 0 x\r\n", "line 5: m=: format \"x\" is not a payload type 0-127"},
    {HDR "m=audio 5000 RTP/AVP 0 128\r\n",
     "line 5: m=: format \"128\" is not a payload type 0-127"},
    {HDR "m=audio 5000 RTP/AVP 0 0\r\n", "line 5: m=: payload type 0 listed twice"},
    {HDR MA "a=rtpmap:96 opus\r\n", "line 6: a=rtpmap:96: expected \"<name>/<clock>\""},
    {HDR MA "a=rtpmap:96 opus/0\r\n", "line 6: a=rtpmap:96: bad clock rate \"0\""},
    {HDR MA "a=rtpmap:96 opus/48000/x\r\n", "line 6: a=rtpmap:96: bad channel count \"x\""},
    {HDR MA "a=rtpmap:300 opus/48000\r\n", "line 6: a=rtpmap: bad payload type \"300\""},
    {HDR "a=rtpmap:96 opus/48000\r\n", "line 5: a=rtpmap: not allowed at session level"},
    {HDR MA "a=fmtp:96\r\n", "line 6: a=fmtp: expected \"<format> <parameters>\""},
    {HDR MA "a=ptime:fast\r\n", "line 6: a=ptime: \"fast\" is not a number of ms"},
    {HDR MA "a=rtcp:x\r\n", "line 6: a=rtcp: bad port \"x\""},
    {HDR MA "a=rtcp:5001 IN IP4\r\n", "line 6: a=rtcp: expected \"<port> [IN IP4|IP6 <address>]\""},
    {HDR MA "a=setup:both\r\n",
     "line 6: a=setup: \"both\" is not actpass, active, passive or holdconn"},
    {HDR MA "a=fingerprint:sha-256\r\n",
     "line 6: a=fingerprint: expected \"<hash> <hex>:<hex>...\""},
    {HDR MA "a=fingerprint:sha-256 AB:CD:G0\r\n", "line 6: a=fingerprint: bad hex byte at \"G0\""},
    {HDR MA "a=fingerprint:sha-256 AB-CD\r\n", "line 6: a=fingerprint: expected ':' after byte 1"},
    {HDR MA "a=candidate:1 1 udp 100 192.0.2.1 5000\r\n",
     "line 6: a=candidate: expected \"<foundation> <component> <transport> <priority> "
     "<address> <port> typ <type> ...\""},
    {HDR MA "a=candidate:1 1 sctp 100 192.0.2.1 5000 typ host\r\n",
     "line 6: a=candidate: transport \"sctp\" is not udp or tcp"},
    {HDR MA "a=candidate:1 1 udp 100 192.0.2.1 5000 typ magic\r\n",
     "line 6: a=candidate: unknown type \"magic\""},
    {HDR MA "a=candidate:1 1 udp 100 192.0.2.1 99999 typ host\r\n",
     "line 6: a=candidate: bad port \"99999\""},
    {HDR MA "a=candidate:1 0 udp 100 192.0.2.1 5000 typ host\r\n",
     "line 6: a=candidate: bad component \"0\""},
    {HDR MA "a=candidate:1 1 udp 100 192.0.2.1 5000 typ srflx raddr\r\n",
     "line 6: a=candidate: extension \"raddr\" has no value"},
    {HDR MA "a=candidate:1 1 udp 100 192.0.2.1 5000 kind host\r\n",
     "line 6: a=candidate: expected \"typ\", got \"kind\""},
    {HDR MA "a=crypto:1 AES_CM_128_HMAC_SHA1_80\r\n",
     "line 6: a=crypto: expected \"<tag> <suite> <key-params> [<session-params>]\""},
    {HDR MA "a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:abc\r\n", "line 6: a=crypto: bad tag \"x\""},
    {HDR MA "a=crypto:1 AES_CM_128_HMAC_SHA1_80 key:abc\r\n",
     "line 6: a=crypto:1: key parameters must start with \"inline:\""},
    {HDR MA "a=ice-ufrag:\r\n", "line 6: a=ice-ufrag: length 0 is not 1-256"},
    {HDR MA "a=ice-pwd:a b\r\n", "line 6: a=ice-pwd: contains a space"},
    {HDR "a=mid:0\r\n", "line 5: a=mid: not allowed at session level"},
    {HDR MA "a=:x\r\n", "line 6: a=: empty attribute name"},
    {HDR MA "o=- 1 1 IN IP4 1.2.3.4\r\n", "line 6: o=: not allowed after an m= line"},
    {HDR MA "v=0\r\n", "line 6: v=: only \"v=0\" on the first line is allowed"},
};

static int
test_malformed(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = strlen(c->sdp);
		struct wrtc_sdp *sdp = (struct wrtc_sdp *)&len;
		char err[256];
		int rc;

		/* The NUL case is the one input with an embedded NUL. */
		if (strstr(c->err, "NUL byte") != NULL)
			len = strlen(c->sdp) + 4;
		rc = wrtc_sdp_parse(c->sdp, len, &sdp, err, sizeof(err));
		if (!WRTC_CHECK_EQ(rc, -EINVAL))
			fprintf(stderr, "  case %zu accepted\n", i);
		WRTC_CHECK(sdp == NULL);
		if (!WRTC_CHECK_STREQ(err, c->err))
			fprintf(stderr, "  case %zu\n", i);
		wrtc_sdp_free(sdp == (struct wrtc_sdp *)&len ? NULL : sdp);
	}
	/* The error buffer is optional and truncates safely. */
	{
		struct wrtc_sdp *sdp = NULL;
		char small[8];

		WRTC_CHECK_EQ(wrtc_sdp_parse("v=1", 3, &sdp, NULL, 0), -EINVAL);
		WRTC_CHECK_EQ(wrtc_sdp_parse("v=1", 3, &sdp, small, sizeof(small)), -EINVAL);
		WRTC_CHECK_STREQ(small, "line 1:");
		WRTC_CHECK_EQ(wrtc_sdp_parse(NULL, 0, NULL, NULL, 0), -EINVAL);
	}
	return 0;
}

/* Lenient on what real SIP devices send: blank lines, LF, unknown lines, no s=/t=. */
static int
test_lenient(void)
{
	static const char s[] = "v=0\n\no=- 1 1 IN IP4 host.example\nz=0 0\n"
				"m=audio 5000 RTP/AVP 0 96\na=rtpmap:97 L16/8000\n"
				"a=fmtp:98 x=y\na=fancy:thing\nk=clear:secret\n"
				"m=application 5002 UDP/DTLS/SCTP webrtc-datachannel\n"
				"a=fmtp:webrtc-datachannel max-message-size=1\n\n\n";
	struct wrtc_sdp *sdp = parse_str(s);

	if (!WRTC_CHECK(sdp != NULL))
		return -1;
	WRTC_CHECK_EQ(sdp->origin.addr.family, 0);
	WRTC_CHECK_STREQ(sdp->origin.addr.str, "host.example");
	WRTC_CHECK_EQ(sdp->media[0].n_lines, 5);
	WRTC_CHECK_STREQ(sdp->media[0].codecs[1].name, ""); /* dynamic PT without rtpmap */
	WRTC_CHECK_EQ(sdp->media[1].proto, WRTC_SDP_PROTO_UDP_DTLS_SCTP);
	WRTC_CHECK_EQ(sdp->media[1].n_codecs, 0);
	WRTC_CHECK_STREQ(sdp->media[1].fmts[0], "webrtc-datachannel");
	roundtrip_text("lenient", s, strlen(s));
	wrtc_sdp_free(sdp);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Codec negotiation                                                    */
/* ------------------------------------------------------------------ */

static void
policy_add(struct wrtc_sdp_codec_policy *p, const char *name, uint32_t clock, uint8_t ch, int pt,
	   uint32_t ptime, const char *fmtp)
{
	struct wrtc_sdp_codec *c = &p->codecs[p->n++];

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->clock = clock;
	c->channels = ch;
	c->pt = pt;
	c->ptime = ptime;
	snprintf(c->fmtp, sizeof(c->fmtp), "%s", fmtp ? fmtp : "");
}

/* Named codec policies used by the tests and the golden cases. */
static int
make_policy(const char *name, struct wrtc_sdp_codec_policy *p)
{
	memset(p, 0, sizeof(*p));
	if (strcmp(name, "none") == 0)
		return 0;
	if (strcmp(name, "sip-g711") == 0) {
		policy_add(p, "PCMU", 8000, 1, 0, 20, NULL);
		policy_add(p, "PCMA", 8000, 1, 8, 20, NULL);
		policy_add(p, "telephone-event", 8000, 1, 101, 0, "0-16");
		return 0;
	}
	if (strcmp(name, "sip-g722") == 0) {
		policy_add(p, "G722", 8000, 1, 9, 20, NULL);
		policy_add(p, "PCMA", 8000, 1, 8, 20, NULL);
		policy_add(p, "telephone-event", 8000, 1, 101, 0, "0-16");
		return 0;
	}
	if (strcmp(name, "sip-video") == 0) {
		policy_add(p, "PCMU", 8000, 1, 0, 20, NULL);
		policy_add(p, "telephone-event", 8000, 1, 101, 0, "0-16");
		policy_add(p, "H264", 90000, 0, -1, 0, NULL);
		policy_add(p, "VP8", 90000, 0, -1, 0, NULL);
		return 0;
	}
	if (strcmp(name, "webrtc-opus") == 0) {
		policy_add(p, "opus", 48000, 2, 111, 20, "minptime=10;useinbandfec=1");
		policy_add(p, "PCMU", 8000, 1, 0, 20, NULL);
		policy_add(p, "telephone-event", 48000, 1, 110, 0, "0-16");
		return 0;
	}
	return -1;
}

static const char sip_offer_g711[] =
    "v=0\r\no=pbx 1000 1000 IN IP4 198.51.100.7\r\ns=-\r\nc=IN IP4 198.51.100.7\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 8 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\na=ptime:20\r\n";

static int
test_codec_relay_g711(void)
{
	struct wrtc_sdp *offer = parse_fixture("chrome-offer-audio.sdp");
	struct wrtc_sdp *ans = parse_str("v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\n"
					 "c=IN IP4 198.51.100.7\r\nt=0 0\r\n"
					 "m=audio 30000 RTP/AVP 0 101\r\n"
					 "a=rtpmap:101 telephone-event/8000\r\na=ptime:30\r\n");
	struct wrtc_sdp_codec_policy pol;
	struct wrtc_sdp_codec_decision dec;

	if (!WRTC_CHECK(offer != NULL && ans != NULL))
		goto out;
	make_policy("sip-g711", &pol);
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(&offer->media[0], &pol, true, &dec), 0);
	if (!WRTC_CHECK_EQ(dec.n_b_offer, 3))
		goto out;
	WRTC_CHECK(strcmp(dec.b_offer[0].name, "PCMU") == 0 && dec.b_offer[0].pt == 0);
	WRTC_CHECK_EQ(dec.a_offer_pt[0], 0);
	WRTC_CHECK(strcmp(dec.b_offer[1].name, "PCMA") == 0 && dec.b_offer[1].pt == 8);
	WRTC_CHECK(strcmp(dec.b_offer[2].name, "telephone-event") == 0);
	WRTC_CHECK_EQ(dec.b_offer[2].pt, 101);
	WRTC_CHECK_EQ(dec.b_offer[2].clock, 8000);
	WRTC_CHECK_EQ(dec.a_offer_pt[2], 126);
	WRTC_CHECK_EQ(wrtc_sdp_codec_answer(&dec, &offer->media[0], &ans->media[0]), 0);
	WRTC_CHECK(dec.answered);
	WRTC_CHECK_EQ(dec.mode, WRTC_SDP_CODEC_RELAY);
	WRTC_CHECK_STREQ(dec.a_codec.name, "PCMU");
	WRTC_CHECK_EQ(dec.a_codec.pt, 0);
	WRTC_CHECK_EQ(dec.b_codec.pt, 0);
	WRTC_CHECK_EQ(dec.a_te_pt, 126);
	WRTC_CHECK_EQ(dec.a_te_clock, 8000);
	WRTC_CHECK_EQ(dec.b_te_pt, 101);
	WRTC_CHECK_EQ(dec.n_map, 2);
	WRTC_CHECK(dec.map[0].a_pt == 0 && dec.map[0].b_pt == 0);
	WRTC_CHECK(dec.map[1].a_pt == 126 && dec.map[1].b_pt == 101);
	WRTC_CHECK_EQ(dec.b_ptime, 30);
	WRTC_CHECK_EQ(dec.a_ptime, 30); /* relay: the same packets on both sides */
out:
	wrtc_sdp_free(offer);
	wrtc_sdp_free(ans);
	return 0;
}

static int
test_codec_transcode_opus(void)
{
	struct wrtc_sdp *offer = parse_str(sip_offer_g711);
	struct wrtc_sdp *ans = parse_str("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
					 "m=audio 9 UDP/TLS/RTP/SAVPF 111 110\r\n"
					 "a=rtpmap:111 opus/48000/2\r\n"
					 "a=rtpmap:110 telephone-event/48000\r\n");
	struct wrtc_sdp_codec_policy pol;
	struct wrtc_sdp_codec_decision dec;

	if (!WRTC_CHECK(offer != NULL && ans != NULL))
		goto out;
	make_policy("webrtc-opus", &pol);
	/* Without transcoding only PCMU is common. */
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(&offer->media[0], &pol, false, &dec), 0);
	WRTC_CHECK_EQ(dec.n_b_offer, 1);
	WRTC_CHECK_STREQ(dec.b_offer[0].name, "PCMU");
	/* With it, opus first, then PCMU, then telephone-event/48000. */
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(&offer->media[0], &pol, true, &dec), 0);
	if (!WRTC_CHECK_EQ(dec.n_b_offer, 3))
		goto out;
	WRTC_CHECK(strcmp(dec.b_offer[0].name, "opus") == 0 && dec.b_offer[0].pt == 111);
	WRTC_CHECK_EQ(dec.b_offer[0].channels, 2);
	WRTC_CHECK_EQ(dec.a_offer_pt[0], -1);
	WRTC_CHECK_EQ(dec.a_offer_pt[1], 0);
	WRTC_CHECK(dec.b_offer[2].pt == 110 && dec.b_offer[2].clock == 48000);
	WRTC_CHECK_EQ(dec.a_offer_pt[2], -1);
	WRTC_CHECK_EQ(wrtc_sdp_codec_answer(&dec, &offer->media[0], &ans->media[0]), 0);
	WRTC_CHECK_EQ(dec.mode, WRTC_SDP_CODEC_TRANSCODE);
	WRTC_CHECK_STREQ(dec.a_codec.name, "PCMA"); /* the offerer's first choice */
	WRTC_CHECK_EQ(dec.a_codec.pt, 8);
	WRTC_CHECK_STREQ(dec.b_codec.name, "opus");
	WRTC_CHECK_EQ(dec.b_codec.pt, 111);
	WRTC_CHECK_EQ(dec.a_te_pt, 101);
	WRTC_CHECK_EQ(dec.a_te_clock, 8000);
	WRTC_CHECK_EQ(dec.b_te_pt, 110);
	WRTC_CHECK_EQ(dec.b_te_clock, 48000);
	WRTC_CHECK_EQ(dec.n_map, 0);
	WRTC_CHECK_EQ(dec.a_ptime, 20);
	WRTC_CHECK_EQ(dec.b_ptime, 20);
out:
	wrtc_sdp_free(offer);
	wrtc_sdp_free(ans);
	return 0;
}

static int
test_codec_reject_and_relay_all(void)
{
	struct wrtc_sdp *offer = parse_fixture("chrome-offer-av.sdp");
	struct wrtc_sdp *sip = parse_str(sip_offer_g711);
	struct wrtc_sdp_codec_policy pol;
	struct wrtc_sdp_codec_decision dec;

	if (!WRTC_CHECK(offer != NULL && sip != NULL))
		goto out;
	/* G.722 only and no transcoding: the SIP offer has nothing in common. */
	memset(&pol, 0, sizeof(pol));
	policy_add(&pol, "G722", 8000, 1, 9, 20, NULL);
	policy_add(&pol, "telephone-event", 8000, 1, 101, 0, NULL);
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(&sip->media[0], &pol, false, &dec), -ENOENT);
	WRTC_CHECK_EQ(dec.mode, WRTC_SDP_CODEC_REJECT);
	WRTC_CHECK_EQ(dec.n_b_offer, 0);
	/* An audio-only policy relays the video m-line as offered, PTs kept. */
	make_policy("sip-g711", &pol);
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(&offer->media[1], &pol, true, &dec), 0);
	WRTC_CHECK_EQ(dec.n_b_offer, 23);
	WRTC_CHECK(dec.b_offer[0].pt == 96 && dec.a_offer_pt[0] == 96);
	WRTC_CHECK(dec.b_offer[22].pt == 120 && strcmp(dec.b_offer[22].name, "ulpfec") == 0);
	/* A video policy picks VP8 and the first H264, in policy order. */
	make_policy("sip-video", &pol);
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(&offer->media[1], &pol, true, &dec), 0);
	if (WRTC_CHECK_EQ(dec.n_b_offer, 2)) {
		WRTC_CHECK(strcmp(dec.b_offer[0].name, "H264") == 0 && dec.b_offer[0].pt == 102);
		WRTC_CHECK_STREQ(dec.b_offer[0].fmtp,
				 "level-asymmetry-allowed=1;packetization-mode=1;"
				 "profile-level-id=42001f");
		WRTC_CHECK(strcmp(dec.b_offer[1].name, "VP8") == 0 && dec.b_offer[1].pt == 96);
	}
	/* rtx follows each relayed video codec, apt= rewritten to the b-side PT. */
	memset(&pol, 0, sizeof(pol));
	policy_add(&pol, "VP8", 90000, 0, 100, 0, NULL);
	policy_add(&pol, "H264", 90000, 0, -1, 0, NULL);
	policy_add(&pol, "rtx", 90000, 0, -1, 0, NULL);
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(&offer->media[1], &pol, false, &dec), 0);
	if (WRTC_CHECK_EQ(dec.n_b_offer, 4)) {
		WRTC_CHECK(dec.b_offer[0].pt == 100 && dec.a_offer_pt[0] == 96);
		WRTC_CHECK(dec.b_offer[1].pt == 102 && dec.a_offer_pt[1] == 102);
		WRTC_CHECK(strcmp(dec.b_offer[2].name, "rtx") == 0 && dec.b_offer[2].pt == 97);
		WRTC_CHECK_STREQ(dec.b_offer[2].fmtp, "apt=100");
		WRTC_CHECK_EQ(dec.a_offer_pt[2], 97);
		WRTC_CHECK(dec.b_offer[3].pt == 103 && strcmp(dec.b_offer[3].fmtp, "apt=102") == 0);
	}
	/* PT clash: both want 101; the second gets a free dynamic PT. */
	memset(&pol, 0, sizeof(pol));
	policy_add(&pol, "opus", 48000, 2, 101, 0, NULL);
	policy_add(&pol, "telephone-event", 8000, 1, 101, 0, NULL);
	policy_add(&pol, "telephone-event", 48000, 1, 101, 0, NULL);
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(&offer->media[0], &pol, false, &dec), 0);
	/* te/8000 is left out: no 8 kHz codec is offered on side b. */
	if (WRTC_CHECK_EQ(dec.n_b_offer, 2)) {
		WRTC_CHECK_EQ(dec.b_offer[0].pt, 101);
		WRTC_CHECK_EQ(dec.b_offer[1].clock, 48000);
		WRTC_CHECK_EQ(dec.b_offer[1].pt, 110); /* the offerer's PT for te/48000 was free */
	}
	/* An answer that picks nothing offered rejects. */
	make_policy("sip-g711", &pol);
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(&offer->media[0], &pol, false, &dec), 0);
	{
		struct wrtc_sdp *bad = parse_str("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n"
						 "m=audio 4000 RTP/AVP 18\r\n");

		WRTC_CHECK_EQ(wrtc_sdp_codec_answer(&dec, &offer->media[0], &bad->media[0]),
			      -ENOENT);
		WRTC_CHECK_EQ(dec.mode, WRTC_SDP_CODEC_REJECT);
		wrtc_sdp_free(bad);
	}
	/* H.264 answered with another PT: the offered variant of the same
	 * packetization-mode and profile (RFC 6184 8.2.2), the level aside. */
	memset(&pol, 0, sizeof(pol));
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(&offer->media[1], &pol, false, &dec), 0);
	{
		static const struct {
			const char *fmtp;
			int a_pt;
		} h264[] = {
		    {"profile-level-id=42e01f;packetization-mode=1", 108},
		    {"packetization-mode=0;profile-level-id=42e00d", 114},
		    {"profile-level-id=42001f;packetization-mode=1", 102},
		    {"profile-level-id=4d0028;packetization-mode=1", 116},
		    {"profile-level-id=42c01f", 114},
		    {"profile-level-id=640c1f;packetization-mode=1", -1},
		};

		for (size_t i = 0; i < sizeof(h264) / sizeof(h264[0]); i++) {
			char text[512];
			struct wrtc_sdp *ans;

			snprintf(text, sizeof(text),
				 "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n"
				 "m=video 4000 RTP/AVP 126\r\nc=IN IP4 1.2.3.4\r\n"
				 "a=rtpmap:126 H264/90000\r\na=fmtp:126 %s\r\n", h264[i].fmtp);
			ans = parse_str(text);
			if (!WRTC_CHECK(ans != NULL))
				continue;
			if (h264[i].a_pt < 0) {
				WRTC_CHECK_EQ(wrtc_sdp_codec_answer(&dec, &offer->media[1],
								    &ans->media[0]), -ENOENT);
			} else if (WRTC_CHECK_EQ(wrtc_sdp_codec_answer(&dec, &offer->media[1],
								       &ans->media[0]), 0)) {
				WRTC_CHECK_EQ(dec.a_codec.pt, h264[i].a_pt);
				WRTC_CHECK_EQ(dec.b_codec.pt, 126);
			}
			wrtc_sdp_free(ans);
		}
	}
	WRTC_CHECK_EQ(wrtc_sdp_codec_offer(NULL, &pol, false, &dec), -EINVAL);
out:
	wrtc_sdp_free(offer);
	wrtc_sdp_free(sip);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Manipulation rules                                                   */
/* ------------------------------------------------------------------ */

static int
test_rules(void)
{
	static const struct wrtc_sdp_rule_def defs[] = {
	    {WRTC_SDP_RULE_OUT, WRTC_SDP_RULE_DELETE, "^a=maxptime:", NULL},
	    {WRTC_SDP_RULE_OUT, WRTC_SDP_RULE_SUBST, "^s=.*$", "s=wrtcgw"},
	    {WRTC_SDP_RULE_BOTH, WRTC_SDP_RULE_SUBST, "^a=rtpmap:([0-9]+) PCMU/",
	     "a=rtpmap:\\1 pcmu/"},
	    {WRTC_SDP_RULE_IN, WRTC_SDP_RULE_SUBST, "b", "B"},
	    {WRTC_SDP_RULE_IN, WRTC_SDP_RULE_SUBST, "^x=.*", ""},
	};
	static const char in[] = "v=0\r\ns=call\r\nx=gone\r\na=maxptime:40\nab=bb\r\n"
				 "a=rtpmap:0 PCMU/8000";
	struct wrtc_sdp_rules *rules = NULL;
	struct wrtc_sdp_rule_def bad = {WRTC_SDP_RULE_OUT, WRTC_SDP_RULE_SUBST, "a=(x", "y"};
	char err[128], *out = NULL;

	WRTC_CHECK_EQ(wrtc_sdp_rules_compile(defs, 5, &rules, err, sizeof(err)), 0);
	WRTC_CHECK_EQ(wrtc_sdp_rules_apply(rules, WRTC_SDP_RULE_OUT, in, strlen(in), &out), 0);
	WRTC_CHECK_STREQ(out, "v=0\r\ns=wrtcgw\r\nx=gone\r\nab=bb\r\na=rtpmap:0 pcmu/8000\r\n");
	free(out);
	WRTC_CHECK_EQ(wrtc_sdp_rules_apply(rules, WRTC_SDP_RULE_IN, in, strlen(in), &out), 0);
	WRTC_CHECK_STREQ(out,
			 "v=0\r\ns=call\r\na=maxptime:40\r\naB=BB\r\na=rtpmap:0 pcmu/8000\r\n");
	free(out);
	/* NULL rules copy the text with CRLF endings. */
	WRTC_CHECK_EQ(wrtc_sdp_rules_apply(NULL, WRTC_SDP_RULE_OUT, "v=0\n", 4, &out), 0);
	WRTC_CHECK_STREQ(out, "v=0\r\n");
	free(out);
	/* An empty match does not loop. */
	{
		struct wrtc_sdp_rules *r2 = NULL;
		struct wrtc_sdp_rule_def d = {WRTC_SDP_RULE_OUT, WRTC_SDP_RULE_SUBST, "x*", "-"};

		WRTC_CHECK_EQ(wrtc_sdp_rules_compile(&d, 1, &r2, err, sizeof(err)), 0);
		WRTC_CHECK_EQ(wrtc_sdp_rules_apply(r2, WRTC_SDP_RULE_OUT, "ab", 2, &out), 0);
		WRTC_CHECK_STREQ(out, "-a-b-\r\n");
		free(out);
		wrtc_sdp_rules_free(r2);
	}
	wrtc_sdp_rules_free(rules);
	rules = NULL;
	WRTC_CHECK_EQ(wrtc_sdp_rules_compile(&bad, 1, &rules, err, sizeof(err)), -EINVAL);
	WRTC_CHECK(rules == NULL);
	WRTC_CHECK(strncmp(err, "rules[0].pattern: ", 18) == 0);
	bad.pattern = "ok";
	bad.replacement = NULL;
	WRTC_CHECK_EQ(wrtc_sdp_rules_compile(&bad, 1, &rules, err, sizeof(err)), -EINVAL);
	WRTC_CHECK_STREQ(err, "rules[0].replacement: missing");
	wrtc_sdp_rules_free(NULL);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Re-offer comparison                                                  */
/* ------------------------------------------------------------------ */

/* Copy a fixture with one substring replaced. */
static struct wrtc_sdp *
fixture_edit(const char *name, const char *from, const char *to)
{
	size_t len;
	char *s = read_fixture(name, &len), *p, *t;
	struct wrtc_sdp *sdp;

	if (s == NULL)
		return NULL;
	p = strstr(s, from);
	if (p == NULL) {
		free(s);
		return NULL;
	}
	t = malloc(len + strlen(to) + 1);
	memcpy(t, s, (size_t)(p - s));
	strcpy(t + (p - s), to);
	strcat(t, p + strlen(from));
	sdp = parse_str(t);
	free(s);
	free(t);
	return sdp;
}

static int
test_compare(void)
{
	struct wrtc_sdp *a = parse_fixture("chrome-offer-audio.sdp");
	struct wrtc_sdp *same = parse_fixture("chrome-offer-audio.sdp");
	struct wrtc_sdp *restart =
	    fixture_edit("chrome-offer-audio.sdp", "a=ice-ufrag:UsfL", "a=ice-ufrag:Zq9x");
	struct wrtc_sdp *pwd = fixture_edit("chrome-offer-audio.sdp", "XVphikDHfFDk4Omq7o/NzQqV",
					    "XVphikDHfFDk4Omq7o/Nz000");
	struct wrtc_sdp *hold = fixture_edit("chrome-offer-audio.sdp", "a=sendrecv", "a=sendonly");
	struct wrtc_sdp *codec =
	    fixture_edit("chrome-offer-audio.sdp", "111 63 9 0 8", "0 8 111 63 9");
	struct wrtc_sdp *ver = fixture_edit("chrome-offer-audio.sdp", "7513341853229324260 2",
					    "7513341853229324260 3");
	struct wrtc_sdp_diff d;

	if (!WRTC_CHECK(a && same && restart && pwd && hold && codec && ver))
		goto out;
	WRTC_CHECK_EQ(wrtc_sdp_compare(a, same, &d), 0);
	WRTC_CHECK_EQ(d.all, 0);
	WRTC_CHECK(d.same_origin_version);
	WRTC_CHECK(!wrtc_sdp_is_ice_restart(a, same));
	WRTC_CHECK(wrtc_sdp_is_ice_restart(a, restart));
	WRTC_CHECK(wrtc_sdp_is_ice_restart(a, pwd));
	WRTC_CHECK_EQ(wrtc_sdp_compare(a, restart, &d), 0);
	WRTC_CHECK_EQ(d.media[0], WRTC_SDP_CHG_ICE_RESTART);
	WRTC_CHECK_EQ(wrtc_sdp_compare(a, hold, &d), 0);
	WRTC_CHECK_EQ(d.media[0], WRTC_SDP_CHG_HOLD | WRTC_SDP_CHG_DIR);
	WRTC_CHECK_EQ(wrtc_sdp_compare(hold, a, &d), 0);
	WRTC_CHECK_EQ(d.media[0], WRTC_SDP_CHG_RESUME | WRTC_SDP_CHG_DIR);
	WRTC_CHECK_EQ(wrtc_sdp_compare(a, codec, &d), 0);
	WRTC_CHECK_EQ(d.all, WRTC_SDP_CHG_CODECS);
	WRTC_CHECK_EQ(wrtc_sdp_compare(a, ver, &d), 0);
	WRTC_CHECK(!d.same_origin_version && d.all == 0);
	{
		struct wrtc_sdp *av = parse_fixture("chrome-offer-av.sdp");

		WRTC_CHECK_EQ(wrtc_sdp_compare(a, av, &d), 0);
		WRTC_CHECK_EQ(d.n_media, 2);
		WRTC_CHECK_EQ(d.media[1], WRTC_SDP_CHG_ADDED);
		WRTC_CHECK(d.media[0] & WRTC_SDP_CHG_ICE_RESTART);
		WRTC_CHECK_EQ(wrtc_sdp_compare(av, a, &d), 0);
		WRTC_CHECK_EQ(d.media[1], WRTC_SDP_CHG_REMOVED);
		wrtc_sdp_free(av);
	}
out:
	wrtc_sdp_free(a);
	wrtc_sdp_free(same);
	wrtc_sdp_free(restart);
	wrtc_sdp_free(pwd);
	wrtc_sdp_free(hold);
	wrtc_sdp_free(codec);
	wrtc_sdp_free(ver);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Golden rewrite cases: test/sdp/cases/<name>.sdp                      */
/* ------------------------------------------------------------------ */

/*
 * A case file: ";" comment lines, "#" flag lines (key=value ...), the input
 * SDP, a "----" line, and the expected output. Placeholders in the expected
 * output stand for the values the harness passes in: PORT<i>/RTCP<i> (m-line
 * i's local RTP/RTCP ports), UFRAG/PWD (UFRAG2/PWD2 with ufrag=2), FPRINT,
 * LOCAL4, LOCAL6.
 */

enum { MAX_M = 8 };

static const char fp_hex[] = "0F:1E:2D:3C:4B:5A:69:78:87:96:A5:B4:C3:D2:E1:F0:"
			     "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

struct golden {
	char side[16], type[16], policy[32], offer[64], prev[64], change[64], af[16];
	char ice[8], cands[8], setup[16], addr[8], delete[64], subst[128];
	int transcode, rtcp_mux, bundle, sdes, ufrag, reject, sessver, passthrough;
};

/* The flags a case file may set: text fields and integer fields of struct golden. */
static const struct {
	const char *name;
	size_t offset;
	size_t size; /* 0 = an int field. */
} golden_flags[] = {
/* clang-format off */
#define TEXT(f) {#f, offsetof(struct golden, f), sizeof(((struct golden *)0)->f)}
#define INT(f) {#f, offsetof(struct golden, f), 0}
	TEXT(side), TEXT(type), TEXT(policy), TEXT(offer), TEXT(prev), TEXT(change),
	TEXT(af), TEXT(ice), TEXT(cands), TEXT(setup), TEXT(addr), TEXT(delete), TEXT(subst),
	INT(transcode), INT(rtcp_mux), INT(bundle), INT(sdes), INT(ufrag), INT(reject),
	INT(sessver), INT(passthrough),
#undef TEXT
#undef INT
    /* clang-format on */
};

static void
golden_flag(struct golden *g, const char *k, const char *v)
{
	for (size_t i = 0; i < sizeof(golden_flags) / sizeof(golden_flags[0]); i++) {
		char *field = (char *)g + golden_flags[i].offset;

		if (strcmp(k, golden_flags[i].name) != 0)
			continue;
		if (golden_flags[i].size > 0)
			snprintf(field, golden_flags[i].size, "%s", v);
		else
			*(int *)field = atoi(v);
		return;
	}
	fprintf(stderr, "  unknown flag %s\n", k);
	wrtc_test_failures++;
}

/* Replace placeholder tokens (not followed by an alphanumeric) in s. */
static char *
expand(const char *s, int ufrag)
{
	char subst[32][2][128];
	unsigned int n = 0;
	size_t cap = strlen(s) * 4 + 256, len = 0;
	char *out = malloc(cap);

	for (unsigned int i = 0; i < MAX_M; i++) {
		snprintf(subst[n][0], 128, "PORT%u", i);
		snprintf(subst[n++][1], 128, "%u", 40000 + 2 * i);
		snprintf(subst[n][0], 128, "RTCP%u", i);
		snprintf(subst[n++][1], 128, "%u", 40001 + 2 * i);
	}
	snprintf(subst[n][0], 128, "UFRAG");
	snprintf(subst[n++][1], 128, "%s", ufrag == 2 ? "Gw2b" : "Gw1a");
	snprintf(subst[n][0], 128, "PWD");
	snprintf(subst[n++][1], 128, "%s",
		 ufrag == 2 ? "gatewaypassword000000002" : "gatewaypassword000000001");
	snprintf(subst[n][0], 128, "FPRINT");
	snprintf(subst[n++][1], 128, "%s", fp_hex);
	snprintf(subst[n][0], 128, "LOCAL4");
	snprintf(subst[n++][1], 128, "203.0.113.10");
	snprintf(subst[n][0], 128, "LOCAL6");
	snprintf(subst[n++][1], 128, "2001:db8::10");
	while (*s != '\0') {
		bool done = false;

		for (unsigned int i = 0; i < n && !done; i++) {
			size_t l = strlen(subst[i][0]);
			char next;

			if (strncmp(s, subst[i][0], l) != 0)
				continue;
			next = s[l];
			if ((next >= '0' && next <= '9') || (next >= 'A' && next <= 'Z') ||
			    (next >= 'a' && next <= 'z'))
				continue;
			len += (size_t)sprintf(out + len, "%s", subst[i][1]);
			s += l;
			done = true;
		}
		if (done)
			continue;
		/* Normalise line endings to CRLF. */
		if (*s == '\n' && (len == 0 || out[len - 1] != '\r'))
			out[len++] = '\r';
		out[len++] = *s++;
	}
	out[len] = '\0';
	return out;
}

static uint32_t
change_mask(const char *s)
{
	static const struct {
		const char *name;
		uint32_t flag;
	} names[] = {
	    {"ice_restart", WRTC_SDP_CHG_ICE_RESTART},
	    {"codecs", WRTC_SDP_CHG_CODECS},
	    {"hold", WRTC_SDP_CHG_HOLD},
	    {"resume", WRTC_SDP_CHG_RESUME},
	    {"dir", WRTC_SDP_CHG_DIR},
	    {"addr", WRTC_SDP_CHG_ADDR},
	    {"crypto", WRTC_SDP_CHG_CRYPTO},
	    {"ptime", WRTC_SDP_CHG_PTIME},
	};
	uint32_t m = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strstr(s, names[i].name) != NULL)
			m |= names[i].flag;
	return m;
}

static void
print_diff(const char *name, const char *want, const char *got)
{
	unsigned int line = 1;

	while (*want != '\0' && *want == *got) {
		if (*want == '\n')
			line++;
		want++;
		got++;
	}
	fprintf(stderr,
		"  %s: output differs at line %u\n  --- expected from there:\n%.300s\n"
		"  --- got:\n%.300s\n",
		name, line, want, got);
}

static int
run_golden(const char *name, char *text)
{
	struct golden g = {
	    .transcode = 1, .bundle = 1, .ufrag = 1, .reject = -1, .sessver = 1, .rtcp_mux = -1};
	char *sep, *input, *expected = NULL, *out = NULL, err[256];
	struct wrtc_sdp *in = NULL, *offer = NULL, *prev = NULL, *check = NULL;
	struct wrtc_sdp_codec_policy pol;
	struct wrtc_sdp_codec_decision dec[MAX_M];
	struct wrtc_sdp_rewrite_media media[MAX_M];
	struct wrtc_sdp_local_cand cands[MAX_M][2];
	struct wrtc_sdp_crypto crypto = {.tag = 1,
					 .suite = "AES_CM_128_HMAC_SHA1_80",
					 .key_params =
					     "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"};
	struct wrtc_sdp_rewrite_prm prm = {0};
	struct wrtc_sdp_rules *rules = NULL;
	bool webrtc;
	int rc;

	/* Header: comments and flags. */
	input = text;
	while (*input == ';' || *input == '#') {
		char *eol = strchr(input, '\n');

		if (eol == NULL)
			return -1;
		*eol = '\0';
		if (*input == '#') {
			char *save = NULL;

			for (char *t = strtok_r(input + 1, " \t\r", &save); t != NULL;
			     t = strtok_r(NULL, " \t\r", &save)) {
				char *eq = strchr(t, '=');

				if (eq == NULL)
					continue;
				*eq = '\0';
				golden_flag(&g, t, eq + 1);
			}
		}
		input = eol + 1;
	}
	sep = strstr(input, "\n----");
	if (!WRTC_CHECK(sep != NULL))
		return -1;
	*sep = '\0';
	expected = expand(strchr(sep + 1, '\n') + 1, g.ufrag);
	webrtc = strcmp(g.side, "webrtc") == 0;
	prm.is_offer = strcmp(g.type, "offer") == 0;
	if (!WRTC_CHECK(webrtc || strcmp(g.side, "sip") == 0) ||
	    !WRTC_CHECK(prm.is_offer || strcmp(g.type, "answer") == 0) ||
	    !WRTC_CHECK(make_policy(g.policy[0] ? g.policy : "none", &pol) == 0))
		goto out;
	rc = wrtc_sdp_parse(input, strlen(input), &in, err, sizeof(err));
	if (!WRTC_CHECK_EQ(rc, 0)) {
		fprintf(stderr, "  %s: input: %s\n", name, err);
		goto out;
	}
	if (!WRTC_CHECK(in->n_media <= MAX_M))
		goto out;
	if (g.offer[0] != '\0') {
		offer = parse_fixture(g.offer);
		if (!WRTC_CHECK(offer != NULL && offer->n_media == in->n_media))
			goto out;
	}
	if (g.prev[0] != '\0') {
		struct wrtc_sdp_diff d;

		prev = parse_fixture(g.prev);
		if (!WRTC_CHECK(prev != NULL))
			goto out;
		WRTC_CHECK_EQ(wrtc_sdp_compare(prev, in, &d), 0);
		if (!WRTC_CHECK_EQ(d.all, change_mask(g.change)))
			fprintf(stderr, "  %s: change flags\n", name);
	}
	/* Codec decisions: offer step on the offer, then the answer step. */
	for (unsigned int i = 0; i < in->n_media; i++) {
		const struct wrtc_sdp_media *om = prm.is_offer ? &in->media[i] : &offer->media[i];

		wrtc_sdp_codec_offer(om, &pol, g.transcode != 0, &dec[i]);
		if (!prm.is_offer && dec[i].mode != WRTC_SDP_CODEC_REJECT)
			wrtc_sdp_codec_answer(&dec[i], om, &in->media[i]);
	}
	memset(media, 0, sizeof(media));
	memset(cands, 0, sizeof(cands));
	for (unsigned int i = 0; i < in->n_media; i++) {
		struct wrtc_sdp_rewrite_media *pm = &media[i];
		const char *cf = g.cands[0] ? g.cands : (webrtc ? "v4" : "none");

		pm->rtp_port = (int)i == g.reject ? 0 : (uint16_t)(40000 + 2 * i);
		pm->rtcp_port = (uint16_t)(40001 + 2 * i);
		/* DTLS pass-through relays the payload untouched: no codec decision. */
		pm->codecs = g.passthrough ? NULL : &dec[i];
		if (strcmp(cf, "v4") == 0 || strcmp(cf, "both") == 0) {
			struct wrtc_sdp_local_cand *c = &cands[i][pm->n_cands++];

			*c = (struct wrtc_sdp_local_cand){.family = AF_INET,
							  .addr = "203.0.113.10",
							  .port = pm->rtp_port,
							  .component = 1,
							  .priority = 2130706431,
							  .foundation = "1"};
		}
		if (strcmp(cf, "v6") == 0 || strcmp(cf, "both") == 0) {
			struct wrtc_sdp_local_cand *c = &cands[i][pm->n_cands++];

			*c = (struct wrtc_sdp_local_cand){.family = AF_INET6,
							  .addr = "2001:db8::10",
							  .port = pm->rtp_port,
							  .component = 1,
							  .priority = 2130706175,
							  .foundation = "2"};
		}
		pm->cands = cands[i];
		if (g.sdes) {
			pm->n_crypto = 1;
			pm->crypto = &crypto;
		}
	}
	prm.side = webrtc ? WRTC_SDP_SIDE_WEBRTC : WRTC_SDP_SIDE_SIP;
	prm.offer = offer;
	prm.sdes = g.sdes != 0;
	prm.ice_mode = strcmp(g.ice, "full") == 0   ? WRTC_SDP_ICE_FULL
		       : strcmp(g.ice, "lite") == 0 ? WRTC_SDP_ICE_LITE
		       : strcmp(g.ice, "none") == 0 ? WRTC_SDP_ICE_NONE
		       : webrtc			    ? WRTC_SDP_ICE_LITE
						    : WRTC_SDP_ICE_NONE;
	prm.ice_ufrag = g.ufrag == 2 ? "Gw2b" : "Gw1a";
	prm.ice_pwd = g.ufrag == 2 ? "gatewaypassword000000002" : "gatewaypassword000000001";
	prm.fp_hash = "sha-256";
	prm.fp_hex = fp_hex;
	prm.setup = strcmp(g.setup, "active") == 0    ? WRTC_SDP_SETUP_ACTIVE
		    : strcmp(g.setup, "passive") == 0 ? WRTC_SDP_SETUP_PASSIVE
		    : strcmp(g.setup, "actpass") == 0 ? WRTC_SDP_SETUP_ACTPASS
						      : WRTC_SDP_SETUP_NONE;
	prm.rtcp_mux = g.rtcp_mux < 0 ? webrtc : g.rtcp_mux != 0;
	prm.bundle = g.bundle != 0;
	prm.dtls_passthrough = g.passthrough != 0;
	prm.addr4 = strcmp(g.addr, "v6") == 0 ? NULL : "203.0.113.10";
	prm.addr6 = strcmp(g.addr, "v4") == 0 ? NULL : "2001:db8::10";
	prm.af_pref = strcmp(g.af, "ipv6") == 0	      ? WRTC_SDP_AF_IPV6
		      : strcmp(g.af, "match") == 0    ? WRTC_SDP_AF_MATCH
		      : strcmp(g.af, "received") == 0 ? WRTC_SDP_AF_RECEIVED
						      : WRTC_SDP_AF_IPV4;
	/* Manipulation rules: delete=<ERE> and subst=<ERE>|<replacement>, outbound. */
	if (g.delete[0] != '\0' || g.subst[0] != '\0') {
		struct wrtc_sdp_rule_def defs[2];
		unsigned int n = 0;
		char *bar = strchr(g.subst, '|');

		if (g.delete[0] != '\0')
			defs[n++] = (struct wrtc_sdp_rule_def){
			    WRTC_SDP_RULE_OUT, WRTC_SDP_RULE_DELETE, g.delete, NULL};
		if (bar != NULL) {
			*bar = '\0';
			defs[n++] = (struct wrtc_sdp_rule_def){
			    WRTC_SDP_RULE_OUT, WRTC_SDP_RULE_SUBST, g.subst, bar + 1};
		}
		if (!WRTC_CHECK_EQ(wrtc_sdp_rules_compile(defs, n, &rules, err, sizeof(err)), 0))
			goto out;
		prm.rules = rules;
	}
	prm.sess_id = 424242;
	prm.sess_version = g.sessver;
	prm.n_media = in->n_media;
	prm.media = media;
	rc = wrtc_sdp_rewrite(in, &prm, &out, err, sizeof(err));
	if (!WRTC_CHECK_EQ(rc, 0)) {
		fprintf(stderr, "  %s: rewrite: %s\n", name, err);
		goto out;
	}
	if (!WRTC_CHECK_STREQ(out, expected))
		print_diff(name, expected, out);
	if (getenv("WRTC_SDP_DUMP") != NULL)
		fprintf(stderr, "=== %s\n%s=== end\n", name, out);
	/* What we send must itself parse. */
	rc = wrtc_sdp_parse(out, strlen(out), &check, err, sizeof(err));
	if (!WRTC_CHECK_EQ(rc, 0))
		fprintf(stderr, "  %s: output does not parse: %s\n", name, err);
out:
	free(expected);
	free(out);
	wrtc_sdp_free(in);
	wrtc_sdp_free(offer);
	wrtc_sdp_free(prev);
	wrtc_sdp_free(check);
	wrtc_sdp_rules_free(rules);
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
test_golden(void)
{
	DIR *dir = opendir(SDP_CASES_DIR);
	char *names[256];
	unsigned int n = 0;
	struct dirent *e;

	if (!WRTC_CHECK(dir != NULL))
		return -1;
	while ((e = readdir(dir)) != NULL && n < 256)
		if (strstr(e->d_name, ".sdp") != NULL)
			names[n++] = strdup(e->d_name);
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (unsigned int i = 0; i < n; i++) {
		char path[1024];
		size_t len;
		char *text;
		int before = wrtc_test_failures;

		snprintf(path, sizeof(path), "%s/%s", SDP_CASES_DIR, names[i]);
		text = read_file(path, &len);
		if (WRTC_CHECK(text != NULL))
			run_golden(names[i], text);
		printf("     %s %s\n", wrtc_test_failures == before ? "ok  " : "FAIL", names[i]);
		free(text);
		free(names[i]);
	}
	WRTC_CHECK(n >= 10);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Rewrite parameter errors                                             */
/* ------------------------------------------------------------------ */

static int
test_rewrite_errors(void)
{
	struct wrtc_sdp *in = parse_fixture("chrome-offer-audio.sdp");
	struct wrtc_sdp_rewrite_media media[1] = {{.rtp_port = 40000}};
	struct wrtc_sdp_rewrite_prm prm = {.side = WRTC_SDP_SIDE_WEBRTC,
					   .is_offer = true,
					   .ice_mode = WRTC_SDP_ICE_LITE,
					   .ice_ufrag = "abcd",
					   .ice_pwd = "pwdpwdpwdpwdpwdpwdpwdpwd",
					   .addr4 = "203.0.113.10",
					   .n_media = 1,
					   .media = media};
	char err[256], *out = NULL;

	if (!WRTC_CHECK(in != NULL))
		return -1;
	WRTC_CHECK_EQ(wrtc_sdp_rewrite(in, &prm, &out, err, sizeof(err)), -EINVAL);
	WRTC_CHECK_STREQ(err, "media[0]: UDP/TLS/RTP/SAVPF needs fp_hash and fp_hex");
	prm.fp_hash = "sha-256";
	prm.fp_hex = fp_hex;
	prm.n_media = 2;
	WRTC_CHECK_EQ(wrtc_sdp_rewrite(in, &prm, &out, err, sizeof(err)), -EINVAL);
	WRTC_CHECK_STREQ(err, "n_media is 2 but the SDP has 1 m-lines");
	prm.n_media = 1;
	prm.ice_ufrag = "ab\r\na=evil";
	WRTC_CHECK_EQ(wrtc_sdp_rewrite(in, &prm, &out, err, sizeof(err)), -EINVAL);
	WRTC_CHECK_STREQ(err, "a string parameter contains a line break or a space");
	prm.ice_ufrag = "abcd";
	prm.addr4 = NULL;
	WRTC_CHECK_EQ(wrtc_sdp_rewrite(in, &prm, &out, err, sizeof(err)), -EINVAL);
	WRTC_CHECK_STREQ(err, "media[0]: no local address (addr4 and addr6 are NULL)");
	prm.addr4 = "203.0.113.10";
	prm.is_offer = false;
	WRTC_CHECK_EQ(wrtc_sdp_rewrite(in, &prm, &out, err, sizeof(err)), -EINVAL);
	WRTC_CHECK_STREQ(err, "offer: required for an answer");
	prm.is_offer = true;
	prm.side = WRTC_SDP_SIDE_SIP;
	prm.sdes = true;
	prm.ice_mode = WRTC_SDP_ICE_NONE;
	WRTC_CHECK_EQ(wrtc_sdp_rewrite(in, &prm, &out, err, sizeof(err)), -EINVAL);
	WRTC_CHECK_STREQ(err, "media[0]: RTP/SAVP needs a=crypto lines (n_crypto is 0)");
	prm.sdes = false;
	WRTC_CHECK_EQ(wrtc_sdp_rewrite(in, &prm, &out, err, sizeof(err)), 0);
	WRTC_CHECK(out != NULL && strstr(out, "m=audio 40000 RTP/AVP 111 63 9 0 8 13 110 126\r\n"));
	free(out);
	wrtc_sdp_free(in);
	return 0;
}

static int
test_session_level_attrs(void)
{
	struct wrtc_sdp *sdp =
	    parse_str("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\na=end-of-candidates\r\n"
		      "a=fingerprint:sha-256 01:02\r\na=fingerprint:sha-1 03:04:05\r\n"
		      "a=setup:passive\r\na=inactive\r\n"
		      "m=audio 4000 RTP/AVP 0\r\nm=audio 4002 RTP/AVP 0\r\na=sendrecv\r\n"
		      "a=fingerprint:sha-1 AA\r\na=setup:active\r\n");

	if (!WRTC_CHECK(sdp != NULL))
		return -1;
	WRTC_CHECK(sdp->end_of_candidates);
	WRTC_CHECK(sdp->media[0].end_of_candidates && sdp->media[1].end_of_candidates);
	/* The first fingerprint of a level counts. */
	WRTC_CHECK_STREQ(sdp->fp.hash, "sha-256");
	WRTC_CHECK_EQ(sdp->fp.size, 2);
	WRTC_CHECK(wrtc_sdp_media_fingerprint(sdp, 0) == &sdp->fp);
	WRTC_CHECK_EQ(wrtc_sdp_media_fingerprint(sdp, 1)->bytes[0], 0xAA);
	WRTC_CHECK_EQ(wrtc_sdp_media_setup(sdp, 0), WRTC_SDP_SETUP_PASSIVE);
	WRTC_CHECK_EQ(wrtc_sdp_media_setup(sdp, 1), WRTC_SDP_SETUP_ACTIVE);
	WRTC_CHECK_EQ(wrtc_sdp_media_dir(sdp, 0), WRTC_SDP_DIR_INACTIVE);
	WRTC_CHECK_EQ(wrtc_sdp_media_dir(sdp, 1), WRTC_SDP_DIR_SENDRECV);
	WRTC_CHECK(wrtc_sdp_media_is_hold(sdp, 0));
	WRTC_CHECK(!wrtc_sdp_media_is_hold(sdp, 1));
	WRTC_CHECK(wrtc_sdp_media_conn(sdp, 0) == NULL);
	wrtc_sdp_free(sdp);
	return 0;
}

/* The c= family: IPv4/IPv6 preference, the received c=, the peer's best candidate. */
static int
test_af_choice(void)
{
	static const char offer_txt[] =
	    "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
	    "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
	    "a=ice-ufrag:abcd\r\na=ice-pwd:pwdpwdpwdpwdpwdpwdpwdpwd\r\n"
	    "a=fingerprint:sha-256 01:02\r\na=setup:actpass\r\na=rtcp-mux\r\n"
	    "a=candidate:1 1 udp 2122262783 2001:db8::77 50000 typ host\r\n"
	    "a=candidate:2 1 udp 2122194687 192.0.2.77 50000 typ host\r\n";
	struct wrtc_sdp *offer = parse_str(offer_txt);
	struct wrtc_sdp *ans = parse_str("v=0\r\no=- 1 1 IN IP4 198.51.100.7\r\ns=-\r\n"
					 "c=IN IP4 198.51.100.7\r\nt=0 0\r\n"
					 "m=audio 30000 RTP/AVP 0\r\n");
	struct wrtc_sdp_rewrite_media media = {.rtp_port = 40000};
	struct wrtc_sdp_rewrite_prm prm = {.side = WRTC_SDP_SIDE_WEBRTC,
					   .offer = offer,
					   .ice_mode = WRTC_SDP_ICE_LITE,
					   .ice_ufrag = "abcd",
					   .ice_pwd = "pwdpwdpwdpwdpwdpwdpwdpwd",
					   .fp_hash = "sha-256",
					   .fp_hex = fp_hex,
					   .bundle = true,
					   .addr4 = "203.0.113.10",
					   .addr6 = "2001:db8::10",
					   .n_media = 1,
					   .media = &media};
	static const struct {
		enum wrtc_sdp_af_pref pref;
		bool v4, v6;
		const char *c;
	} t[] = {
	    {WRTC_SDP_AF_IPV4, true, true, "c=IN IP4 203.0.113.10\r\n"},
	    {WRTC_SDP_AF_IPV6, true, true, "c=IN IP6 2001:db8::10\r\n"},
	    {WRTC_SDP_AF_IPV6, true, false, "c=IN IP4 203.0.113.10\r\n"},
	    {WRTC_SDP_AF_IPV4, false, true, "c=IN IP6 2001:db8::10\r\n"},
	    {WRTC_SDP_AF_MATCH, true, true, "c=IN IP4 203.0.113.10\r\n"},
	    {WRTC_SDP_AF_RECEIVED, true, true, "c=IN IP6 2001:db8::10\r\n"},
	};
	char err[256], *out;

	if (!WRTC_CHECK(offer != NULL && ans != NULL))
		goto out;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		prm.af_pref = t[i].pref;
		prm.addr4 = t[i].v4 ? "203.0.113.10" : NULL;
		prm.addr6 = t[i].v6 ? "2001:db8::10" : NULL;
		out = NULL;
		if (!WRTC_CHECK_EQ(wrtc_sdp_rewrite(ans, &prm, &out, err, sizeof(err)), 0)) {
			fprintf(stderr, "  case %zu: %s\n", i, err);
			continue;
		}
		if (!WRTC_CHECK(strstr(out, t[i].c) != NULL))
			fprintf(stderr, "  case %zu:\n%s", i, out);
		/* Answers to a BUNDLE offer: group, mid, mux, and the offer's proto. */
		WRTC_CHECK(strstr(out, "a=group:BUNDLE 0\r\n") != NULL);
		WRTC_CHECK(strstr(out, "m=audio 40000 UDP/TLS/RTP/SAVPF 0\r\n") != NULL);
		WRTC_CHECK(strstr(out, "a=setup:active\r\n") != NULL);
		free(out);
	}
out:
	wrtc_sdp_free(offer);
	wrtc_sdp_free(ans);
	return 0;
}

static const struct wrtc_test_case cases[] = {
    {"roundtrip_fixtures", test_roundtrip_fixtures},
    {"lf_endings", test_lf_endings},
    {"fields_chrome_av", test_fields_chrome_av},
    {"fields_aiortc", test_fields_aiortc},
    {"fields_firefox", test_fields_firefox},
    {"fields_sip_v6", test_fields_sip_v6},
    {"old_hold", test_old_hold},
    {"session_level_attrs", test_session_level_attrs},
    {"af_choice", test_af_choice},
    {"malformed", test_malformed},
    {"lenient", test_lenient},
    {"codec_relay_g711", test_codec_relay_g711},
    {"codec_transcode_opus", test_codec_transcode_opus},
    {"codec_reject_and_relay_all", test_codec_reject_and_relay_all},
    {"rules", test_rules},
    {"compare", test_compare},
    {"rewrite_errors", test_rewrite_errors},
    {"golden", test_golden},
};

WRTC_TEST_MAIN(cases)
