/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrtcgw: EAL start-up, configuration, port bring-up, worker launch, and the
 * control lcore loop (sessions, slow path, JSON-RPC). Stops cleanly on
 * SIGINT/SIGTERM.
 *
 * Usage: wrtcgw [EAL options] -- [--config FILE] [--check-config]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "wrtc_build_config.h"
#include "wrtc_config.h"
#include "wrtc_net.h"
#include "wrtc_port.h"
#include "wrtc_rpc.h"
#include "wrtc_session.h"
#include "wrtc_worker.h"

RTE_LOG_REGISTER_DEFAULT(wrtc_app_logtype, INFO);
#define APP_LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, wrtc_app_logtype, "wrtcgw: " fmt "\n", ##__VA_ARGS__)

static struct wrtc_dataplane dp;
static uint32_t app_stop;

static void
on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&app_stop, 1, __ATOMIC_RELEASE);
}

static void
usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [EAL options] -- [--config FILE] [--check-config]\n"
		"  --config FILE    JSON configuration (default: %s/config/default.json)\n"
		"  --check-config   load and check the configuration, then exit\n"
		"  --version        print the version\n",
		prog, WRTC_SOURCE_DIR);
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
	};
	struct wrtc_rpc_server *srv = wrtc_rpc_server_create(&prm);

	if (srv == NULL)
		snprintf(err, size, "control: cannot listen on %s%s%s: %s",
			 cc->rpc_tcp_enabled ? cc->rpc_tcp : "",
			 cc->rpc_tcp_enabled && cc->rpc_unix[0] ? " / " : "", cc->rpc_unix,
			 strerror(errno));
	return srv;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'k'},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *config_path = WRTC_SOURCE_DIR "/config/default.json";
	struct wrtc_session_mgr *mgr = NULL;
	struct wrtc_rpc_server *rpc = NULL;
	struct wrtc_config *cfg = NULL;
	struct rte_mempool *mp = NULL;
	bool check_only = false;
	char err[WRTC_CONFIG_ERR_SIZE];
	unsigned int lcore, nb_workers;
	int rc, opt, status = EXIT_FAILURE;

	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		fprintf(stderr, "wrtcgw: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argc -= rc;
	argv += rc;
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'k':
			check_only = true;
			break;
		case 'v':
			printf("wrtcgw %s\n", WRTC_VERSION);
			rte_eal_cleanup();
			return EXIT_SUCCESS;
		default:
			usage(argv[0]);
			rte_eal_cleanup();
			return opt == 'h' ? EXIT_SUCCESS : EXIT_FAILURE;
		}
	}

	cfg = wrtc_config_load_file(config_path, err, sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "wrtcgw: %s: %s\n", config_path, err);
		goto out;
	}
	if (check_only) {
		printf("%s: configuration OK\n", config_path);
		status = EXIT_SUCCESS;
		goto out;
	}
	if (cfg->n_interfaces > WRTC_FLOW_MAX_IFACES) {
		fprintf(stderr, "wrtcgw: %s: interfaces: at most %d supported\n", config_path,
			WRTC_FLOW_MAX_IFACES);
		goto out;
	}

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
				i, cfg->interfaces[i].port, strerror(-rc), rte_eth_dev_count_avail());
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
		fprintf(stderr, "wrtcgw: session manager: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	rpc = rpc_start(cfg, err, sizeof(err));
	if (rpc == NULL) {
		fprintf(stderr, "wrtcgw: %s\n", err);
		goto out;
	}
	wrtc_session_rpc_register(mgr, rpc);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	{
		uint16_t w = 0;

		RTE_LCORE_FOREACH_WORKER(lcore) {
			if (w >= dp.nb_workers)
				break;
			rte_eal_remote_launch(wrtc_worker_main, dp.workers[w], lcore);
			w++;
		}
	}
	APP_LOG(NOTICE, "running: %u worker(s), %u interface(s), control on lcore %u, rpc %s%s%s",
		dp.nb_workers, dp.nb_ifaces, rte_lcore_id(), cfg->control.rpc_tcp,
		cfg->control.rpc_unix[0] ? " and " : "", cfg->control.rpc_unix);
	printf("wrtcgw ready\n");
	fflush(stdout);

	while (!__atomic_load_n(&app_stop, __ATOMIC_ACQUIRE)) {
		unsigned int n = wrtc_session_poll(mgr);

		n += (unsigned int)RTE_MAX(wrtc_rpc_server_poll(rpc, 0), 0);
		if (n == 0)
			rte_delay_us_sleep(100);
	}
	APP_LOG(NOTICE, "stopping");
	status = EXIT_SUCCESS;
out:
	/* Calls are removed while the workers still run, so they take the
	 * streams out of their tables before the streams are freed. */
	wrtc_session_mgr_shutdown(mgr);
	__atomic_store_n(&dp.quit, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	wrtc_session_mgr_free(mgr);
	wrtc_rpc_server_free(rpc);
	for (uint16_t w = 0; w < dp.nb_workers; w++)
		wrtc_worker_free(dp.workers[w]);
	for (uint16_t i = 0; i < dp.nb_ifaces; i++)
		wrtc_port_close(&dp.port[i]);
	rte_mempool_free(mp);
	wrtc_config_free(cfg);
	rte_eal_cleanup();
	return status;
}
