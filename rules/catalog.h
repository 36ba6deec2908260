/*
 * catalog: the one table of syncd's rules for people: per rule id its Thai
 * name, what it means and how a district fixes it, and when its severity
 * changes.  The discrepancy tab, the notes syncd puts on district cells and
 * `syncd rules` all read it, so they cannot drift apart.  The ids are the
 * stable ids of DOMAIN.md that the engine (rules/rules.c) emits.  Pure data:
 * no I/O, no globals beyond the constant table.
 */
#ifndef RULES_CATALOG_H
#define RULES_CATALOG_H

#include <stddef.h>

#include "rules/rules.h"

/* When a rule's severity turns from warning to error. */
enum catalog_deadline {
	CATALOG_ALWAYS = 0,		/* never: the severity below always holds */
	CATALOG_CLASSIFICATION,		/* after the classification deadline */
	CATALOG_ACTIVITY,		/* after the activity deadline */
};

/* One rule.  All strings static, UTF-8, one line each. */
struct catalog_rule {
	const char *id;			/* "status.multiple" */
	const char *name;		/* Thai name, shown beside the id */
	const char *meaning;		/* Thai: what it means */
	const char *fix;		/* Thai: what a district does about it */
	enum rules_severity severity;	/* before the deadline (or always) */
	enum catalog_deadline until;	/* CATALOG_ALWAYS or when it becomes an error */
};

/* catalog_count(): the number of rules in the catalogue. */
size_t catalog_count(void);

/* catalog_at(i): rule i (0 <= i < catalog_count()), in DOMAIN.md's order. */
const struct catalog_rule *catalog_at(size_t i);

/* catalog_find(id): the rule with this id, or NULL. */
const struct catalog_rule *catalog_find(const char *id);

/*
 * catalog_severity_word(s): the Thai word people read for a severity:
 * "ต้องแก้ไข" (error) or "ข้อสังเกต" (warning); the summary tab's two
 * count columns carry the same words.
 */
const char *catalog_severity_word(enum rules_severity s);

#endif
