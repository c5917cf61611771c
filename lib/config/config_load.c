/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading (file or memory), freeing, lookups and enum spellings. Everything
 * here runs on the control lcore before workers start.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

void
wrtc_config_free(struct wrtc_config *cfg)
{
	if (cfg == NULL)
		return;
	for (unsigned int i = 0; i < cfg->n_trunk_groups; i++) {
		struct wrtc_config_trunk_group *t = &cfg->trunk_groups[i];

		for (unsigned int j = 0; j < t->n_sdp_rules; j++) {
			free(t->sdp_rules[j].regex);
			free(t->sdp_rules[j].replacement);
		}
		free(t->sdp_rules);
	}
	free(cfg->interfaces);
	free(cfg->dtls_profiles);
	free(cfg->crypto_profiles);
	free(cfg->codec_entries);
	free(cfg->psps);
	free(cfg->trunk_groups);
	free(cfg->policers);
	free(cfg);
}

static void
set_err(char *err, size_t err_size, const char *fmt, const char *a, int line, int col,
	const char *text)
{
	if (err == NULL || err_size == 0)
		return;
	snprintf(err, err_size, fmt, a, line, col, text);
}

static struct wrtc_config *
load_json(json_t *root, const char *base_dir, char *err, size_t err_size)
{
	struct cfg_ctx c = {.err = err, .err_size = err_size, .base_dir = base_dir};
	struct wrtc_config *cfg = calloc(1, sizeof(*cfg));

	if (cfg == NULL) {
		set_err(err, err_size, "%sout of memory", "", 0, 0, "");
		errno = ENOMEM;
		return NULL;
	}
	c.cfg = cfg;
	if (cfg_parse_root(&c, root) != 0) {
		wrtc_config_free(cfg);
		if (errno != ENOMEM)
			errno = EINVAL;
		return NULL;
	}
	return cfg;
}

struct wrtc_config *
wrtc_config_load_string(const char *json, size_t len, const char *base_dir, char *err,
			size_t err_size)
{
	struct wrtc_config *cfg;
	json_error_t jerr;
	json_t *root;

	if (err != NULL && err_size > 0)
		err[0] = '\0';
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		set_err(err, err_size, "%s%d:%d: %s", "", jerr.line, jerr.column, jerr.text);
		errno = EINVAL;
		return NULL;
	}
	errno = 0;
	cfg = load_json(root, base_dir, err, err_size);
	json_decref(root);
	return cfg;
}

struct wrtc_config *
wrtc_config_load_file(const char *path, char *err, size_t err_size)
{
	struct wrtc_config *cfg;
	char *copy, *dir;
	json_error_t jerr;
	json_t *root;
	FILE *f;

	if (err != NULL && err_size > 0)
		err[0] = '\0';
	f = fopen(path, "r");
	if (f == NULL) {
		int e = errno;

		if (err != NULL && err_size > 0)
			snprintf(err, err_size, "%s: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	if (root == NULL) {
		set_err(err, err_size, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
		errno = EINVAL;
		return NULL;
	}
	copy = strdup(path);
	if (copy == NULL) {
		json_decref(root);
		errno = ENOMEM;
		return NULL;
	}
	dir = dirname(copy);
	errno = 0;
	cfg = load_json(root, dir, err, err_size);
	free(copy);
	json_decref(root);
	return cfg;
}

int
wrtc_config_trunk_group_find(const struct wrtc_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_trunk_groups; i++)
		if (strcmp(cfg->trunk_groups[i].name, name) == 0)
			return (int)i;
	return -1;
}

int
wrtc_config_interface_find(const struct wrtc_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_interfaces; i++)
		if (strcmp(cfg->interfaces[i].name, name) == 0)
			return (int)i;
	return -1;
}

#define ENUM_STR(fn, type, table) \
	const char * \
	fn(type v) \
	{ \
		return (unsigned int)v < sizeof(table) / sizeof(table[0]) ? table[v] : "?"; \
	}

ENUM_STR(wrtc_config_codec_str, enum wrtc_config_codec, cfg_codec_names)
ENUM_STR(wrtc_config_suite_str, enum wrtc_config_srtp_suite, cfg_suite_names)
ENUM_STR(wrtc_config_ice_str, enum wrtc_config_ice, cfg_ice_names)
ENUM_STR(wrtc_config_latch_str, enum wrtc_config_latch, cfg_latch_names)
ENUM_STR(wrtc_config_trunk_kind_str, enum wrtc_config_trunk_kind, cfg_kind_names)
ENUM_STR(wrtc_config_policer_type_str, enum wrtc_config_policer_type, cfg_ptype_names)
ENUM_STR(wrtc_config_policer_mode_str, enum wrtc_config_policer_mode, cfg_pmode_names)
