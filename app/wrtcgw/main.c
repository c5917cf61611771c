/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrtcgw: command line, EAL start-up, configuration, port bring-up, worker
 * launch, and the control lcore loop (sessions, slow path, JSON-RPC, ng).
 * SIGINT/SIGTERM stop it cleanly; SIGHUP reloads the configuration file
 * without dropping calls. Under systemd (Type=notify) it reports READY,
 * RELOADING and STOPPING.
 *
 * Usage: wrtcgw [EAL options] -- [--config FILE]
 *        wrtcgw --check-config [FILE] | --version | --help
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "app_log.h"
#include "wrtc_build_config.h"
#ifdef WRTC_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "wrtc_config.h"
#include "wrtc_net.h"
#include "wrtc_ng.h"
#include "wrtc_port.h"
#include "wrtc_rpc.h"
#include "wrtc_session.h"
#include "wrtc_worker.h"

#include "check.h"

RTE_LOG_REGISTER_DEFAULT(wrtc_app_logtype, INFO);
#define APP_LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, wrtc_app_logtype, "wrtcgw: " fmt "\n", ##__VA_ARGS__)

static struct wrtc_dataplane dp;
/*
 * The control loop's idle wait (control.idle_max_us, docs/configuration.md):
 * after an iteration found nothing to do, wait on the RPC, ng and metrics
 * sockets until one has work, the session's next timer is due or @p max_us
 * passes, whichever comes first. Each empty iteration in a row doubles the
 * wait (from 50 us), so a busy control lcore keeps its short turns.
 */
struct ctl_idle {
	struct pollfd *pfds;
	unsigned int cap;
	uint32_t wait_us;  /* current step of the back-off, 0 after work */
};

static void
ctl_idle_wait(struct ctl_idle *ci, unsigned int moved, uint32_t max_us,
	      struct wrtc_session_mgr *mgr, struct wrtc_rpc_server *rpc,
	      struct wrtc_ng_server *ng, struct wrtc_metrics_server *metrics)
{
	int timeout_ms = (int)(max_us / 1000) + 1, metrics_fd = -1;
	unsigned int n = 0;
	struct timespec ts;
	uint64_t us;

	if (moved != 0) {
		ci->wait_us = 0;
		return;
	}
	ci->wait_us = ci->wait_us == 0 ? 50 : RTE_MIN(ci->wait_us * 2, max_us);
	us = wrtc_session_idle_us(mgr, ci->wait_us);
	if (us == 0)
		return;
	n = wrtc_rpc_server_pollfds(rpc, ci->pfds, ci->cap, &timeout_ms);
	if (timeout_ms == 0)
		return;
	if (ng != NULL && wrtc_ng_server_fd(ng) >= 0)
		ci->pfds[n++] = (struct pollfd){.fd = wrtc_ng_server_fd(ng), .events = POLLIN};
	if (metrics != NULL && (metrics_fd = wrtc_metrics_server_fd(metrics)) >= 0)
		ci->pfds[n++] = (struct pollfd){.fd = metrics_fd, .events = POLLIN};
	ts.tv_sec = (time_t)(us / 1000000);
	ts.tv_nsec = (long)(us % 1000000) * 1000;
	/* EINTR (SIGHUP, SIGTERM) ends the wait: the loop looks at its flags. */
	if (ppoll(ci->pfds, n, &ts, NULL) > 0 && metrics_fd >= 0 && ci->pfds[n - 1].revents != 0)
		wrtc_metrics_server_kick(metrics);
}

static uint32_t app_stop;
static uint32_t app_reload;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		__atomic_store_n(&app_reload, 1, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&app_stop, 1, __ATOMIC_RELEASE);
}

/* The systemd watchdog interval in TSC cycles (0: none): WatchdogSec= of the
 * unit; the control loop pings at half of it. */
static uint64_t
watchdog_cycles(void)
{
#ifdef WRTC_HAVE_SYSTEMD
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
		return usec / 2 * (rte_get_tsc_hz() / 1000000);
#endif
	return 0;
}

static void
notify(const char *state)
{
#ifdef WRTC_HAVE_SYSTEMD
	int rc = sd_notify(0, state);

	if (rc < 0)
		APP_LOG(WARNING, "sd_notify: %s", strerror(-rc));
#else
	(void)state;
#endif
}

/* The installed binary reads the installed configuration; one run from the
 * build tree reads the source tree's config/default.json. */
static const char *
default_config_path(void)
{
	static char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t blen = strlen(WRTC_BUILD_DIR);

	if (n > 0) {
		exe[n] = '\0';
		if (strncmp(exe, WRTC_BUILD_DIR, blen) == 0 && exe[blen] == '/')
			return WRTC_SOURCE_DIR "/config/default.json";
	}
	return WRTC_SYSCONF_CONFIG;
}

static void
usage_app(const char *prog)
{
	printf("usage: %s [EAL options] -- [--config FILE]\n"
	       "       %s --check-config [FILE] | --version | --help\n"
	       "\n"
	       "wrtcgw options (after --, or alone):\n"
	       "  -c, --config FILE        JSON configuration (default: %s)\n"
	       "  --check-config [FILE]    check FILE (default: --config's) as the start would,\n"
	       "                           certificates included, then exit: 0 valid, 1 not;\n"
	       "                           needs no EAL, hugepages or root\n"
	       "  --version                print the version and exit\n"
	       "  -h, --help               this text, then the EAL options\n"
	       "\n"
	       "Signals: SIGTERM/SIGINT stop (calls are removed first); SIGHUP reloads the\n"
	       "configuration file (log levels, policer rates, SDP rules, codec entries and\n"
	       "profiles for new calls) and keeps every call.\n"
	       "\n"
	       "EAL options (before --), for example:\n"
	       "  -l 0-1 -a 0000:03:00.0              control lcore 0, one worker, one NIC\n"
	       "  -l 0-1 --no-huge -m 256 --no-pci --vdev net_af_packet0,iface=dut0\n",
	       prog, prog, default_config_path());
}

/* DPDK's own --help lists the EAL options and exits (EAL 22.11); should it
 * return instead, the list is printed all the same. */
static int
usage_eal(const char *prog)
{
	char *args[] = {(char *)prog, (char *)"--help", NULL};

	fflush(stdout);
	if (rte_eal_init(2, args) >= 0)
		rte_eal_cleanup();
	return EXIT_SUCCESS;
}

static void
apply_log_levels(const struct wrtc_config *cfg)
{
	for (unsigned int i = 0; i < cfg->n_log_levels; i++)
		if (rte_log_set_level_pattern(cfg->log_levels[i].pattern,
					      cfg->log_levels[i].level) != 0)
			APP_LOG(WARNING, "log_levels.%s: not applied", cfg->log_levels[i].pattern);
}

/* Loads and checks a configuration file; NULL with the reason printed. */
static struct wrtc_config *
config_load(const char *path, bool to_log)
{
	char err[WRTC_CONFIG_ERR_SIZE];
	struct wrtc_config *cfg = wrtc_config_load_file(path, err, sizeof(err));

	if (cfg != NULL && app_config_check(cfg, err, sizeof(err)) != 0) {
		wrtc_config_free(cfg);
		cfg = NULL;
	}
	if (cfg == NULL) {
		/* File errors already start with the file name. */
		bool named = strncmp(err, path, strlen(path)) == 0;

		if (to_log)
			APP_LOG(ERR, "%s%s%s", named ? "" : path, named ? "" : ": ", err);
		else
			fprintf(stderr, "wrtcgw: %s%s%s\n", named ? "" : path, named ? "" : ": ",
				err);
	}
	return cfg;
}

static int
check_config(const char *path)
{
	struct wrtc_config *cfg = config_load(path, false);

	if (cfg == NULL)
		return EXIT_FAILURE;
	printf("%s: configuration OK (%u interface(s), %u trunk group(s), %u policer(s))\n", path,
	       cfg->n_interfaces, cfg->n_trunk_groups, cfg->n_policers);
	wrtc_config_free(cfg);
	return EXIT_SUCCESS;
}

/*
 * Options handled before EAL: --help, --version and --check-config run with
 * no EAL at all (no hugepages, no root). They are looked for after "--", or
 * anywhere when the line has no "--" (wrtcgw --check-config FILE).
 * @param eal_argc  set to the arguments EAL gets: all, or only the program
 *   name when the line starts with a gateway option (wrtcgw --config FILE).
 * @return an exit status, or -1 to go on and start.
 */
static int
early_options(int argc, char **argv, int *eal_argc)
{
	int first = 1, sep = -1;
	const char *config = NULL, *check = NULL;
	bool want_check = false;

	*eal_argc = argc;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	/* EAL's own --help (before "--") gets the full text too. */
	for (int i = 1; i < (sep < 0 ? argc : sep); i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage_app(argv[0]);
			return usage_eal(argv[0]);
		}
	if (sep >= 0)
		first = sep + 1;
	else if (argc < 2 || strncmp(argv[1], "--", 2) != 0 ||
		 (strcmp(argv[1], "--version") != 0 && strcmp(argv[1], "--check-config") != 0 &&
		  strcmp(argv[1], "--config") != 0))
		return -1;
	if (sep < 0)
		*eal_argc = 1;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--version") == 0) {
			printf("wrtcgw %s\n", WRTC_VERSION);
			return EXIT_SUCCESS;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage_app(argv[0]);
			return usage_eal(argv[0]);
		} else if (strcmp(a, "--check-config") == 0) {
			want_check = true;
			if (i + 1 < argc && argv[i + 1][0] != '-')
				check = argv[++i];
		} else if (strncmp(a, "--check-config=", 15) == 0) {
			want_check = true;
			check = a + 15;
		} else if ((strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) && i + 1 < argc) {
			config = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			config = a + 9;
		} else if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) {
			fprintf(stderr, "wrtcgw: %s needs a FILE\n", a);
			return EXIT_FAILURE;
		} else if (sep < 0) {
			fprintf(stderr, "wrtcgw: %s: unknown option (EAL options go before --; "
				"wrtcgw --help lists both)\n", a);
			return EXIT_FAILURE;
		}
	}
	if (want_check)
		return check_config(check ? check : config ? config : default_config_path());
	return -1;
}

static int
iface_setup(const struct wrtc_config *cfg, uint16_t i)
{
	const struct wrtc_config_interface *ci = &cfg->interfaces[i];
	struct wrtc_net_iface *ifc = &dp.ifc[i];
	struct wrtc_port *p = &dp.port[i];
	char desc[512];
	int rc;

	memset(ifc, 0, sizeof(*ifc));
	ifc->port_id = p->port_id;
	ifc->mac = p->mac;
	if (ci->has_ipv4) {
		wrtc_net_addr_set_v4(&ifc->ip4, ci->ipv4.s_addr);
		ifc->ip4_prefix = ci->ipv4_prefix;
		if (ci->has_gateway4)
			wrtc_net_addr_set_v4(&ifc->gw4, ci->gateway4.s_addr);
	}
	if (ci->has_ipv6) {
		wrtc_net_addr_set_v6(&ifc->ip6, ci->ipv6.s6_addr);
		ifc->ip6_prefix = ci->ipv6_prefix;
		if (ci->has_gateway6)
			wrtc_net_addr_set_v6(&ifc->gw6, ci->gateway6.s6_addr);
	}
	ifc->tx_cksum_offload = p->tx_ip_csum && p->tx_udp_csum;
	rc = wrtc_net_iface_init(ifc);
	if (rc != 0) {
		APP_LOG(ERR, "interfaces[%u] (%s): addresses rejected: %s", i, ci->name,
			strerror(-rc));
		return rc;
	}
	wrtc_port_describe(p, desc, sizeof(desc));
	APP_LOG(INFO, "interface %s: %s", ci->name, desc);
	return 0;
}

static struct wrtc_rpc_server *
rpc_start(const struct wrtc_config *cfg, char *err, size_t size)
{
	const struct wrtc_config_control *cc = &cfg->control;
	struct wrtc_rpc_server_prm prm = {
		.tcp_host = cc->rpc_tcp_enabled ? cc->rpc_tcp_host : NULL,
		.tcp_port = cc->rpc_tcp_port,
		.unix_path = cc->rpc_unix,
		.allow = &cc->allow_from,
		.token = cc->token,
		.unix_set_owner = cc->rpc_unix_set_owner,
		.unix_uid = cc->rpc_unix_uid,
		.unix_set_group = cc->rpc_unix_set_group,
		.unix_gid = cc->rpc_unix_gid,
		.unix_mode = cc->rpc_unix_mode,
	};
	struct wrtc_rpc_server *srv = wrtc_rpc_server_create(&prm);

	if (srv == NULL)
		snprintf(err, size, "control: cannot listen on %s%s%s: %s",
			 cc->rpc_tcp_enabled ? cc->rpc_tcp : "",
			 cc->rpc_tcp_enabled && cc->rpc_unix[0] ? " / " : "", cc->rpc_unix,
			 strerror(errno));
	return srv;
}

/* SIGHUP: load the file again; the session manager takes what can change
 * live. On success it owns the new configuration and the old one goes. */
static void
reload(struct wrtc_session_mgr *mgr, struct wrtc_config **cfg, const char *path)
{
	struct wrtc_config *next;
	char err[WRTC_CONFIG_ERR_SIZE];

	notify("RELOADING=1");
	APP_LOG(NOTICE, "SIGHUP: reloading %s", path);
	next = config_load(path, true);
	if (next == NULL) {
		APP_LOG(ERR, "reload: nothing applied, the running configuration stays");
	} else if (wrtc_session_mgr_reload(mgr, next, err, sizeof(err)) != 0) {
		APP_LOG(ERR, "reload: %s: %s; nothing applied, the running configuration stays",
			path, err);
		wrtc_config_free(next);
	} else {
		apply_log_levels(next);
		wrtc_config_free(*cfg);
		*cfg = next;
		APP_LOG(NOTICE, "reload: done");
	}
	notify("READY=1");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = default_config_path();
	struct wrtc_session_mgr *mgr = NULL;
	struct wrtc_rpc_server *rpc = NULL;
	struct wrtc_metrics_server *metrics = NULL;
	struct wrtc_ng_server *ng = NULL;
	struct wrtc_config *cfg = NULL;
	struct rte_mempool *mp = NULL;
	bool metrics_failed = false, pdump = false;
	struct ctl_idle ci = {0};
	char err[WRTC_CONFIG_ERR_SIZE];
	unsigned int lcore, nb_workers;
	uint64_t wd_cycles, wd_next;
	int rc, opt, eal_argc, status = EXIT_FAILURE;

	rc = early_options(argc, argv, &eal_argc);
	if (rc >= 0)
		return rc;
	/* Before the EAL, so its own lines get time and level too. */
	rc = app_log_init();
	if (rc != 0)
		fprintf(stderr, "wrtcgw: log stream: %s (the EAL's is used)\n", strerror(-rc));
	/* A reload asked for during start-up runs once the loop starts. */
	signal(SIGHUP, on_signal);
	rc = rte_eal_init(eal_argc, argv);
	if (rc < 0) {
		fprintf(stderr, "wrtcgw: EAL initialisation failed: %s (wrtcgw --help lists the "
			"options)\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	/* EAL leaves argv[rc] as the program name for what follows. */
	if (eal_argc == argc) {
		argc -= rc;
		argv += rc;
	}
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		default:
			usage_app(argv[0]);
			rte_eal_cleanup();
			return EXIT_FAILURE;
		}
	}

	cfg = config_load(config_path, false);
	if (cfg == NULL)
		goto out;
	apply_log_levels(cfg);

	nb_workers = rte_lcore_count() - 1;
	if (cfg->workers.count != 0 && cfg->workers.count < nb_workers)
		nb_workers = cfg->workers.count;
	if (nb_workers == 0 || nb_workers > WRTC_MAX_WORKERS) {
		fprintf(stderr, "wrtcgw: need 1..%d worker lcores besides the main lcore "
			"(EAL -l gave %u lcores)\n", WRTC_MAX_WORKERS, rte_lcore_count());
		goto out;
	}

	mp = rte_pktmbuf_pool_create("wrtc_mbufs", cfg->workers.mbufs ? cfg->workers.mbufs : 16383,
				     256, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "wrtcgw: mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}

	memset(dp.iface_of_port, 0xff, sizeof(dp.iface_of_port));
	dp.nb_workers = (uint16_t)nb_workers;
	dp.mp = mp;
	dp.nb_ifaces = (uint16_t)cfg->n_interfaces;
	for (uint16_t i = 0; i < dp.nb_ifaces; i++) {
		rc = wrtc_port_open(cfg->interfaces[i].port, dp.nb_workers, mp, &dp.port[i]);
		if (rc != 0) {
			fprintf(stderr, "wrtcgw: interfaces[%u].port: cannot open \"%s\": %s "
				"(%u ports available; give a --vdev or a bound PCI device)\n",
				i, cfg->interfaces[i].port, strerror(-rc),
				rte_eth_dev_count_avail());
			goto out;
		}
		dp.iface_of_port[dp.port[i].port_id] = (int16_t)i;
		if (iface_setup(cfg, i) != 0)
			goto out;
	}
	for (uint16_t w = 0; w < dp.nb_workers; w++) {
		dp.workers[w] = wrtc_worker_create(&dp, w, (int)rte_socket_id());
		if (dp.workers[w] == NULL) {
			fprintf(stderr, "wrtcgw: worker %u: %s\n", w, rte_strerror(rte_errno));
			goto out;
		}
	}

	mgr = wrtc_session_mgr_create(&(struct wrtc_session_prm){.cfg = cfg, .dp = &dp, .mp = mp});
	if (mgr == NULL) {
		fprintf(stderr, "wrtcgw: session manager: %s (see the log line above)\n",
			rte_strerror(rte_errno));
		goto out;
	}
	rpc = rpc_start(cfg, err, sizeof(err));
	if (rpc == NULL) {
		fprintf(stderr, "wrtcgw: %s\n", err);
		goto out;
	}
	rc = wrtc_session_rpc_register(mgr, rpc);
	if (rc != 0) {
		fprintf(stderr, "wrtcgw: registering the RPC methods: %s\n", strerror(-rc));
		goto out;
	}
	if (cfg->control.metrics_enabled) {
		metrics = wrtc_metrics_server_create(&(struct wrtc_metrics_server_prm){
			.host = cfg->control.metrics_host, .port = cfg->control.metrics_port});
		if (metrics == NULL) {
			fprintf(stderr, "wrtcgw: control.metrics_listen: cannot listen on %s: %s\n",
				cfg->control.metrics_listen, strerror(errno));
			goto out;
		}
		wrtc_session_metrics_register(mgr, metrics);
		APP_LOG(INFO, "metrics on http://%s/metrics", cfg->control.metrics_listen);
	}

	/* dpdk-dumpcap and dpdk-pdump attach as secondary processes: that needs
	 * the shared config (no --no-shconf, no --in-memory) and hugepages
	 * (docs/deployment.md, "Packet capture with dpdk-dumpcap"). */
	pdump = rte_pdump_init() == 0;
	if (pdump)
		APP_LOG(INFO, "dpdk-dumpcap/dpdk-pdump can attach (runtime dir %s)",
			rte_eal_get_runtime_dir());
	else
		APP_LOG(INFO, "dpdk-dumpcap unavailable: %s (needs the EAL's shared config)",
			rte_strerror(rte_errno));
	if (cfg->control.ng_enabled) {
		ng = wrtc_ng_server_create(&(struct wrtc_ng_server_prm){
			.host = cfg->control.ng_host, .port = cfg->control.ng_port, .mgr = mgr,
			.allow = &cfg->control.allow_from});
		if (ng == NULL) {
			fprintf(stderr, "wrtcgw: control.ng_listen: cannot listen on %s: %s\n",
				cfg->control.ng_listen, strerror(errno));
			goto out;
		}
	}

	/* The idle wait's descriptors: the RPC server's, ng's and metrics'. */
	ci.cap = wrtc_rpc_server_pollfds_max(rpc) + 2;
	ci.pfds = calloc(ci.cap, sizeof(*ci.pfds));
	if (ci.pfds == NULL) {
		fprintf(stderr, "wrtcgw: out of memory\n");
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	{
		uint16_t w = 0;

		RTE_LCORE_FOREACH_WORKER(lcore) {
			if (w >= dp.nb_workers)
				break;
			/* workers.idle: adaptive polling (lib/worker/worker_idle.c). */
			dp.workers[w]->idle_max_us =
				cfg->workers.idle_adaptive ? cfg->workers.idle_max_us : 0;
			rte_eal_remote_launch(wrtc_worker_main, dp.workers[w], lcore);
			w++;
		}
	}
	/* Calls kept in Redis come back before the first RPC is read. */
	rc = wrtc_session_ha_restore(mgr);
	if (rc != 0)
		APP_LOG(WARNING, "ha: restore incomplete: %s", strerror(-rc));
	APP_LOG(NOTICE, "running: %u worker(s), %u interface(s), control on lcore %u, rpc %s%s%s, "
		"ng %s", dp.nb_workers, dp.nb_ifaces, rte_lcore_id(), cfg->control.rpc_tcp,
		cfg->control.rpc_unix[0] ? " and " : "", cfg->control.rpc_unix,
		cfg->control.ng_enabled ? cfg->control.ng_listen : "off");
	printf("wrtcgw ready\n");
	fflush(stdout);
	notify("READY=1\nSTATUS=running");
	wd_cycles = watchdog_cycles();
	wd_next = rte_rdtsc() + wd_cycles;

	while (!__atomic_load_n(&app_stop, __ATOMIC_ACQUIRE)) {
		unsigned int n;

		if (wd_cycles != 0 && rte_rdtsc() >= wd_next) {
			notify("WATCHDOG=1");
			wd_next = rte_rdtsc() + wd_cycles;
		}
		if (__atomic_exchange_n(&app_reload, 0, __ATOMIC_ACQ_REL))
			reload(mgr, &cfg, config_path);
		n = wrtc_session_poll(mgr);
		n += (unsigned int)RTE_MAX(wrtc_rpc_server_poll(rpc, 0), 0);
		if (metrics != NULL && wrtc_metrics_server_poll(metrics) < 0 && !metrics_failed) {
			APP_LOG(ERR, "metrics endpoint: internal error; scrapes may fail");
			metrics_failed = true;
		}
		if (ng != NULL)
			n += (unsigned int)wrtc_ng_server_poll(ng);
		ctl_idle_wait(&ci, n, cfg->control.idle_max_us, mgr, rpc, ng, metrics);
	}
	APP_LOG(NOTICE, "stopping");
	notify("STOPPING=1");
	status = EXIT_SUCCESS;
out:
	/* Calls are removed while the workers still run, so they take the
	 * streams out of their tables before the streams are freed. */
	wrtc_session_mgr_shutdown(mgr);
	__atomic_store_n(&dp.quit, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	wrtc_ng_server_free(ng);
	free(ci.pfds);
	wrtc_session_mgr_free(mgr);
	if (pdump)
		rte_pdump_uninit();
	wrtc_rpc_server_free(rpc);
	wrtc_metrics_server_free(metrics);
	for (uint16_t w = 0; w < dp.nb_workers; w++)
		wrtc_worker_free(dp.workers[w]);
	for (uint16_t i = 0; i < dp.nb_ifaces; i++)
		wrtc_port_close(&dp.port[i]);
	rte_mempool_free(mp);
	wrtc_config_free(cfg);
	rte_eal_cleanup();
	return status;
}
