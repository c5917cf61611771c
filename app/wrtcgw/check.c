/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration checks beyond lib/config's (see check.h). Each message names
 * the field, as lib/config's do.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wrtc_dtls.h"
#include "wrtc_flow.h"

#include "check.h"

/* A PEM file starts with "-----BEGIN", possibly after blank lines. */
static bool
is_pem(const char *path)
{
	char buf[256];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, "-----BEGIN ") != NULL;
}

static int
check_certificate(const struct wrtc_config *cfg, unsigned int i, char *err, size_t size)
{
	const struct wrtc_config_dtls_profile *dp = &cfg->dtls_profiles[i];
	struct wrtc_dtls_cert *cert;
	char why[256] = "";
	const char *reason;

	if (dp->generated_certificate)
		return 0;
	if (is_pem(dp->pkcs12)) {
		snprintf(err, size, "dtls_profiles[%u].certificate.pkcs12: %s is a PEM file, "
			 "not PKCS#12 (make one with: openssl pkcs12 -export -in cert.pem "
			 "-inkey key.pem -out cert.p12)", i, dp->pkcs12);
		return -EINVAL;
	}
	cert = wrtc_dtls_cert_load_pkcs12(dp->pkcs12, dp->passphrase, why, sizeof(why));
	if (cert != NULL) {
		wrtc_dtls_cert_free(cert);
		return 0;
	}
	reason = strncmp(why, "pkcs12: ", 8) == 0 ? why + 8 : why;
	if (strstr(reason, "passphrase") != NULL)
		snprintf(err, size, "dtls_profiles[%u].certificate.passphrase: %s for %s", i,
			 reason, dp->pkcs12);
	else
		snprintf(err, size, "dtls_profiles[%u].certificate.pkcs12: %s: %s", i,
			 dp->pkcs12, reason[0] ? reason : strerror(errno));
	return -EINVAL;
}

int
app_config_check(const struct wrtc_config *cfg, char *err, size_t size)
{
	if (cfg->n_interfaces > WRTC_FLOW_MAX_IFACES) {
		snprintf(err, size, "interfaces: at most %d supported", WRTC_FLOW_MAX_IFACES);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->n_dtls_profiles; i++)
		if (check_certificate(cfg, i, err, size) != 0)
			return -EINVAL;
	return 0;
}
