/*
 * cmdline: the one parser of the command lines of syncd, `syncd check`,
 * `export`, `report` and `rules`.  It knows the options they share
 * (-c/--config FILE, --workbook FILE.json, --today YYYY-MM-DD,
 * --now YYYY-MM-DDTHH:MM, -h/--help), refuses what no command takes (an
 * unknown option, a missing value, an argument, --today with --now) with
 * the command's name in one line and its synopsis, and hands each command's
 * own options (--format, --xlsx, --print, --once, -t) to the command.
 * It never loads the configuration and never exits.
 */
#ifndef SYNCD_CMDLINE_H
#define SYNCD_CMDLINE_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "syncd/today.h"

/* The shared options a command takes, besides -c/--config (all take it). */
#define CMDLINE_WORKBOOK	0x1	/* --workbook FILE.json */
#define CMDLINE_TODAY		0x2	/* --today YYYY-MM-DD */
#define CMDLINE_NOW		0x4	/* --now YYYY-MM-DDTHH:MM */
#define CMDLINE_HELP		0x8	/* -h, --help: the synopsis on stdout, exit 0 */

#define CMDLINE_OPT		256	/* a long-only option's value: CMDLINE_OPT + n */
#define CMDLINE_MAX_OWN		8	/* a command's own options */

/* One of a command's own options. */
struct cmdline_option {
	const char *name;	/* long name, without "--" */
	int has_arg;		/* 0: none; 1: a value is required */
	int val;		/* its letter (-t), or CMDLINE_OPT + n when long only */
};

/* What a command takes and how it speaks. */
struct cmdline_spec {
	const char *prog;	/* "syncd check": the start of every message */
	int shared;		/* CMDLINE_* of the shared options it takes */
	const struct cmdline_option *own;	/* its own options, ending in { NULL };
						 * NULL for none */
	/*
	 * own_option(ctx, val, arg): one of own was given (arg its value or
	 * NULL).  Returns 0, or an exit status after writing the message.
	 */
	int (*own_option)(void *ctx, int val, const char *arg);
	void *ctx;		/* borrowed: passed to own_option */
	int (*usage)(FILE *f);	/* the synopsis on f; returns EX_USAGE */
};

/* What the shared options said. */
struct cmdline {
	const char *config;	/* -c FILE (borrowed from argv), or NULL */
	const char *workbook;	/* --workbook FILE (borrowed from argv), or NULL */
	struct today_clock clock;	/* --today, --now (zeroed: the real clock) */
	time_t now;		/* --now's instant, else the real clock at parsing */
	int32_t today;		/* --today's date, else now's date in Bangkok */
};

/*
 * cmdline_parse(cl, spec, argc, argv, status): parse argv[1..argc) (argv[0]
 * is the command's name) into cl and through spec->own_option.  Returns 0
 * when the command goes on, or -1 when it ends with *status: 0 after
 * --help, 64 after a usage error (its message and the synopsis on stderr),
 * or what own_option returned.  Resets getopt's state first.
 */
int cmdline_parse(struct cmdline *cl, const struct cmdline_spec *spec, int argc,
    char **argv, int *status);

#endif
