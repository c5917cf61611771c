/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The gateway's log output: every rte_log line to stdout with an ISO 8601
 * UTC time and the level name, and to syslog unless stdout is journald's
 * (docs/deployment.md, "Logs").
 */
#ifndef WRTC_APP_LOG_H
#define WRTC_APP_LOG_H

/**
 * Replace the EAL's log stream; call before rte_eal_init(), which keeps a
 * stream set earlier (its --syslog facility then applies to the syslog copy).
 * @return 0, or -errno if the stream cannot be created (the EAL's stays).
 */
int app_log_init(void);

#endif
