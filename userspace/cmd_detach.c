// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_detach.c - `flowgate detach --iface IF | --all`: remove flowgate
 * programs a dead instance left behind (kill -9, crash), and with --all the
 * inspector's internal veths too. A live instance owns its attachments:
 * stopping it is the way to remove them, so detach refuses while one
 * answers on the socket, and leaves the veths of an inspector that still
 * holds its namespace's lock.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "attach.h"
#include "cli.h"
#include "ctl.h"
#include "inspect.h"
#include "log.h"
#include "netlink.h"

int fg_cmd_detach(int argc, char **argv)
{
	struct fg_cmd_opts o;
	struct fg_link link;
	char errbuf[256];
	int n, v;

	if (fg_cli_parse_cmd(argc, argv, FG_OPT_DETACH | FG_OPT_SOCKET, &o,
			     errbuf, sizeof(errbuf)))
		return fg_cli_usage_error("detach", "%s", errbuf);
	if (o.help) {
		fg_cli_print_help(fg_cli_help("detach"), stdout);
		return FG_EXIT_OK;
	}
	if (o.verbose)
		fg_log_set_verbose(true);

	n = fg_ctl_probe(o.socket);
	if (n > 0) {
		fg_err("detach: a flowgate instance answers on %s: stop it "
		       "(SIGTERM) and it detaches what it attached", o.socket);
		return FG_EXIT_FAIL;
	}
	if (n < 0)
		fg_dbg("detach: cannot tell whether an instance answers on %s: %s",
		       o.socket, strerror(-n));

	if (o.iface) {
		n = fg_nl_link_get(o.iface, &link);
		if (n == -ENODEV) {
			fg_err("detach: interface %s does not exist", o.iface);
			return FG_EXIT_FAIL;
		}
		if (n) {
			fg_err("detach: %s: %s", o.iface, strerror(-n));
			return FG_EXIT_FAIL;
		}
	}
	n = fg_detach_leftovers(o.iface, stdout);
	if (n < 0) {
		fg_err("detach: %s: %s", o.iface ? o.iface : "all interfaces",
		       strerror(-n));
		return FG_EXIT_FAIL;
	}
	/* The veths belong to the namespace, not to one interface. A live
	 * inspector's are kept (and said so): not a failure. */
	v = o.iface ? 0 : fg_insp_remove_leftovers(stdout);
	if (v < 0 && v != -EBUSY) {
		fg_err("detach: the inspector's veths: %s", strerror(-v));
		return FG_EXIT_FAIL;
	}
	if (n == 0 && v <= 0)
		printf("nothing to remove%s%s\n", o.iface ? " on " : "",
		       o.iface ? o.iface : "");
	if (n > 0)
		printf("removed %d flowgate attachment%s\n", n, n == 1 ? "" : "s");
	if (v > 0)
		printf("removed %d inspector veth pair%s\n", v, v == 1 ? "" : "s");
	return FG_EXIT_OK;
}
