/* SPDX-License-Identifier: BSD-3-Clause */
/* Certificates: PKCS#12 loading, ECDSA P-256 generation, SDP fingerprints. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "dtls_priv.h"

static const struct {
	const char *name;
	const char *md;
} hashes[WRTC_DTLS_HASH_MAX] = {
	[WRTC_DTLS_HASH_SHA256] = {"sha-256", "SHA256"},
	[WRTC_DTLS_HASH_SHA1] = {"sha-1", "SHA1"},
	[WRTC_DTLS_HASH_SHA224] = {"sha-224", "SHA224"},
	[WRTC_DTLS_HASH_SHA384] = {"sha-384", "SHA384"},
	[WRTC_DTLS_HASH_SHA512] = {"sha-512", "SHA512"},
};

const EVP_MD *
wrtc_dtls_hash_md(enum wrtc_dtls_hash hash)
{
	if ((unsigned int)hash >= WRTC_DTLS_HASH_MAX)
		return NULL;
	return EVP_get_digestbyname(hashes[hash].md);
}

const char *
wrtc_dtls_hash_name(enum wrtc_dtls_hash hash)
{
	if ((unsigned int)hash >= WRTC_DTLS_HASH_MAX)
		return "";
	return hashes[hash].name;
}

static void
set_err(char *err, size_t size, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char detail[120] = "";

	if (err == NULL || size == 0)
		return;
	if (e != 0)
		ERR_error_string_n(e, detail, sizeof(detail));
	snprintf(err, size, "%s%s%s", what, e ? ": " : "", detail);
	ERR_clear_error();
}

void
wrtc_dtls_cert_free(struct wrtc_dtls_cert *cert)
{
	if (cert == NULL)
		return;
	X509_free(cert->x509);
	EVP_PKEY_free(cert->pkey);
	free(cert);
}

struct wrtc_dtls_cert *
wrtc_dtls_cert_load_pkcs12(const char *path, const char *passphrase, char *err, size_t err_size)
{
	struct wrtc_dtls_cert *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	EVP_PKEY *pkey = NULL;
	PKCS12 *p12 = NULL;
	X509 *x509 = NULL;
	FILE *f;
	int e = EINVAL;

	ERR_clear_error();
	if (path == NULL) {
		set_err(err, err_size, "pkcs12: no file name");
		errno = EINVAL;
		return NULL;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		e = errno;
		if (err && err_size)
			snprintf(err, err_size, "pkcs12: %s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	p12 = d2i_PKCS12_fp(f, NULL);
	fclose(f);
	if (p12 == NULL) {
		set_err(err, err_size, "pkcs12: not a PKCS#12 file");
		goto out;
	}
	if (passphrase == NULL)
		passphrase = "";
	/* An empty passphrase may have been encoded as none at all: try both. */
	if (PKCS12_mac_present(p12) && !PKCS12_verify_mac(p12, passphrase, -1) &&
	    !(passphrase[0] == '\0' && PKCS12_verify_mac(p12, NULL, 0))) {
		set_err(err, err_size, "pkcs12: wrong passphrase");
		goto out;
	}
	if (!PKCS12_parse(p12, passphrase, &pkey, &x509, &ca)) {
		set_err(err, err_size, "pkcs12: cannot decrypt or parse");
		goto out;
	}
	if (pkey == NULL || x509 == NULL) {
		set_err(err, err_size, "pkcs12: no private key or no certificate in the file");
		goto out;
	}
	if (X509_check_private_key(x509, pkey) != 1) {
		set_err(err, err_size, "pkcs12: private key does not match the certificate");
		goto out;
	}
	cert = calloc(1, sizeof(*cert));
	if (cert == NULL) {
		e = ENOMEM;
		goto out;
	}
	cert->x509 = x509;
	cert->pkey = pkey;
	x509 = NULL;
	pkey = NULL;
out:
	sk_X509_pop_free(ca, X509_free);
	X509_free(x509);
	EVP_PKEY_free(pkey);
	PKCS12_free(p12);
	if (cert == NULL)
		errno = e;
	return cert;
}

struct wrtc_dtls_cert *
wrtc_dtls_cert_generate(void)
{
	struct wrtc_dtls_cert *cert;
	X509_NAME *name;
	uint8_t serial[8];
	BIGNUM *bn = NULL;

	cert = calloc(1, sizeof(*cert));
	if (cert == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	cert->pkey = EVP_EC_gen("P-256");
	cert->x509 = X509_new();
	if (cert->pkey == NULL || cert->x509 == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		goto fail;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert->x509)) == NULL)
		goto fail;
	name = X509_get_subject_name(cert->x509);
	if (X509_set_version(cert->x509, 2) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(cert->x509), -86400) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(cert->x509), 365L * 86400) == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"wrtcgw",
				       -1, -1, 0) != 1 ||
	    X509_set_issuer_name(cert->x509, name) != 1 ||
	    X509_set_pubkey(cert->x509, cert->pkey) != 1 ||
	    X509_sign(cert->x509, cert->pkey, EVP_sha256()) == 0)
		goto fail;
	BN_free(bn);
	return cert;
fail:
	BN_free(bn);
	wrtc_dtls_cert_free(cert);
	ERR_clear_error();
	errno = EIO;
	return NULL;
}

const struct wrtc_dtls_cert *
wrtc_dtls_cert_default(void)
{
	static struct wrtc_dtls_cert *dflt;

	if (dflt == NULL)
		dflt = wrtc_dtls_cert_generate();
	return dflt;
}

int
wrtc_dtls_cert_fingerprint(const struct wrtc_dtls_cert *cert, enum wrtc_dtls_hash hash,
			   char *buf, size_t size)
{
	const EVP_MD *md = wrtc_dtls_hash_md(hash);
	uint8_t dig[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	size_t o;

	if (cert == NULL || md == NULL || buf == NULL)
		return -EINVAL;
	if (X509_digest(cert->x509, md, dig, &n) != 1)
		return -EINVAL;
	o = strlen(hashes[hash].name);
	if (size < o + 1 + 3 * n)
		return -ENOSPC;
	memcpy(buf, hashes[hash].name, o);
	buf[o++] = ' ';
	for (unsigned int i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, size - o, i ? ":%02X" : "%02X", dig[i]);
	return (int)o;
}
