/*
 * overtime: the history tab, the snapshot tabs and the monthly e-mail (see
 * overtime.h).  Pure helpers build grids and requests; only the mail
 * functions touch files (the state directory) and the network.
 *
 * Choices worth knowing:
 *   - A history row's date is written as text (ISO, then the Thai date), so
 *     reading it back gives the same string and "is today's row there?" is a
 *     plain comparison.  The numbers are numbers, for the chart.
 *   - The history grid keeps the rows it read as they are (a person may have
 *     added a remark); syncd only appends.
 *   - The snapshot's hash is over the values as compact JSON (strings,
 *     numbers as jansson prints them, null for empty): anyone holding the
 *     tab's values can recompute it.
 */
#include "syncd/overtime.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "syncd/mail.h"
#include "syncd/once.h"
#include "syncd/fsutil.h"
#include "syncd/report.h"
#include "syncd/today.h"
#include "syncd/xlsx.h"

#define PATH_MAX_LEN	4096
#define MAIL_BODY_MAX	(1024 * 1024)	/* bytes of a prepared body */

static const char *const thai_abbr[12] = {
	"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
	"ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
};

const char *
overtime_thai_date(int32_t day, char *buf, size_t size)
{
	int y, m, d;

	rules_civil_from_days(day, &y, &m, &d);
	snprintf(buf, size, "%d %s %d", d, thai_abbr[(m - 1) % 12], y + 543);
	return buf;
}

const char *
overtime_snapshot_title(int32_t day, char *buf, size_t size)
{
	char d[64];

	snprintf(buf, size, "%s%s", RULES_SNAPSHOT_PREFIX, overtime_thai_date(day, d, sizeof(d)));
	return buf;
}

int
overtime_snapshot_day(const struct config *cfg, int32_t day)
{
	int y, m, d;
	size_t i;

	rules_civil_from_days(day, &y, &m, &d);
	for (i = 0; i < cfg->nsnapshot_days; i++)
		if (cfg->snapshot_days[i] == d)
			return 1;
	return 0;
}

/* ---- grids ---- */

static int
grid_new(struct writer_grid *g, size_t nrows, size_t ncols, struct err *e)
{
	memset(g, 0, sizeof(*g));
	if ((g->cells = calloc(nrows * ncols + 1, sizeof(*g->cells))) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	g->nrows = nrows;
	g->ncols = ncols;
	return 0;
}

static int
put_text(struct writer_grid *g, size_t r, size_t c, const char *s, size_t len)
{
	struct writer_cell *w = &g->cells[r * g->ncols + c];

	if ((w->text = strndup(s, len)) == NULL)
		return -1;
	w->type = WRITER_TEXT;
	return 0;
}

static void
put_number(struct writer_grid *g, size_t r, size_t c, double v)
{
	struct writer_cell *w = &g->cells[r * g->ncols + c];

	w->type = WRITER_NUMBER;
	w->number = v;
}

int
overtime_grid_sha256(const struct writer_grid *g, char sha[65])
{
	json_t *rows = json_array(), *row, *v;
	unsigned char md[32];
	unsigned int mdlen = 0;
	char *text;
	size_t r, c, last, nrows = g->nrows;
	int bad = rows == NULL;

	/* As values.get gives them back: trailing empty rows and cells left
	 * out, an empty cell inside a row "". */
	while (nrows > 0) {
		for (c = 0; c < g->ncols && g->cells[(nrows - 1) * g->ncols + c].type ==
		    WRITER_EMPTY; c++)
			;
		if (c < g->ncols)
			break;
		nrows--;
	}
	for (r = 0; r < nrows && !bad; r++) {
		if ((row = json_array()) == NULL || json_array_append_new(rows, row) != 0) {
			bad = 1;
			break;
		}
		for (last = g->ncols; last > 0 &&
		    g->cells[r * g->ncols + last - 1].type == WRITER_EMPTY; last--)
			;
		for (c = 0; c < last && !bad; c++) {
			const struct writer_cell *w = &g->cells[r * g->ncols + c];

			if (w->type == WRITER_TEXT)
				v = json_string(w->text);
			else if (w->type == WRITER_NUMBER)
				v = w->number == floor(w->number) && fabs(w->number) < 1e15 ?
				    json_integer((json_int_t)w->number) : json_real(w->number);
			else
				v = json_string("");
			bad = json_array_append_new(row, v) != 0;
		}
	}
	text = bad ? NULL : json_dumps(rows, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(rows);
	if (text == NULL)
		return -1;
	EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
	free(text);
	for (r = 0; r < 32; r++)
		snprintf(sha + 2 * r, 3, "%02x", md[r]);
	return 0;
}

int
overtime_snapshot_grid(const struct rules_report *r, const struct rules_config *cfg,
    const char *taken, struct writer_grid *g, char sha[65], struct err *e)
{
	struct writer_footer foot = { "", "" };
	struct writer_grid sum;
	size_t rows = 1 + r->nsummary, i, k;
	int bad = 0;

	memset(g, 0, sizeof(*g));
	if (writer_summary(r, cfg, &foot, &sum, e) == -1)
		return -1;
	if (grid_new(g, rows + 2, sum.ncols, e) == -1) {
		writer_grid_fini(&sum);
		return -1;
	}
	for (i = 0; i < rows && i < sum.nrows; i++)
		for (k = 0; k < sum.ncols; k++) {
			const struct writer_cell *w = &sum.cells[i * sum.ncols + k];

			if (w->type == WRITER_TEXT)
				bad |= put_text(g, i, k, w->text, strlen(w->text));
			else if (w->type == WRITER_NUMBER)
				put_number(g, i, k, w->number);
		}
	bad |= put_text(g, rows + 1, 0, "ข้อมูล ณ", strlen("ข้อมูล ณ"));
	if (sum.ncols > 1)
		bad |= put_text(g, rows + 1, 1, taken, strlen(taken));
	writer_grid_fini(&sum);
	if (bad || overtime_grid_sha256(g, sha) == -1) {
		writer_grid_fini(g);
		err_set(e, ERR_NOMEM, "out of memory rendering the snapshot");
		return -1;
	}
	return 0;
}

static const char *const history_heads[OVERTIME_HISTORY_COLS] = {
	"วันที่", "วันที่ (ไทย)", "ครัวเรือนเป้าหมาย", "พัฒนาได้", "ได้รับการพัฒนา",
	"ร้อยละ", "ต้องแก้ไข", "ข้อสังเกต",
};

/* The developable count of a summary row: the developable status's count. */
static long
developable(const struct rules_report *r, const struct rules_config *cfg,
    const struct rules_summary *s)
{
	size_t k, j;

	for (k = 0; k < r->nstatus; k++)
		for (j = 0; j < cfg->nfields; j++)
			if (cfg->fields[j].role == RULES_ROLE_STATUS && cfg->fields[j].developable &&
			    r->status_names[k] != NULL &&
			    strcmp(cfg->fields[j].name, r->status_names[k]) == 0)
				return s->status[k];
	return 0;
}

int
overtime_history_grid(const struct rules_report *r, const struct rules_config *cfg,
    int32_t day, const struct workbook_tab *old, struct writer_grid *g, int *added, struct err *e)
{
	const struct rules_summary *tot = r->nsummary > 0 ? &r->summary[r->nsummary - 1] : NULL;
	size_t ncols = OVERTIME_CHART_COL + 1, nold = 0, i, k, row;
	char iso[16], thai[64];
	int bad = 0;

	*added = 0;
	today_format(day, iso, sizeof(iso));
	if (old != NULL)
		nold = old->nrows;
	/* Trailing empty rows of the tab are dropped. */
	while (nold > 0 && old->rows[nold - 1].ncells == 0)
		nold--;
	*added = 1;
	for (i = 1; i < nold; i++) {
		const struct workbook_row *rw = &old->rows[i];

		if (rw->ncells > 0 && rw->cells[0].type == WORKBOOK_STRING &&
		    rw->cells[0].len == strlen(iso) &&
		    memcmp(rw->cells[0].text, iso, rw->cells[0].len) == 0)
			*added = 0;
	}
	if (grid_new(g, (nold > 0 ? nold : 1) + (size_t)*added, ncols, e) == -1)
		return -1;
	for (k = 0; k < OVERTIME_HISTORY_COLS; k++)
		bad |= put_text(g, 0, k, history_heads[k], strlen(history_heads[k]));
	for (i = 1; i < nold; i++)
		for (k = 0; k < old->rows[i].ncells && k < ncols; k++) {
			const struct workbook_cell *c = &old->rows[i].cells[k];
			char num[64];

			if (c->type == WORKBOOK_STRING || c->type == WORKBOOK_BOOL)
				bad |= put_text(g, i, k, c->text, c->len);
			else if (c->type == WORKBOOK_NUMBER) {
				snprintf(num, sizeof(num), "%.*s", (int)(c->len < 63 ? c->len : 63),
				    c->text);
				put_number(g, i, k, strtod(num, NULL));
			}
		}
	if (*added) {
		row = nold > 0 ? nold : 1;
		bad |= put_text(g, row, 0, iso, strlen(iso));
		overtime_thai_date(day, thai, sizeof(thai));
		bad |= put_text(g, row, 1, thai, strlen(thai));
		if (tot != NULL) {
			put_number(g, row, 2, (double)tot->households);
			put_number(g, row, 3, (double)developable(r, cfg, tot));
			put_number(g, row, 4, (double)tot->developed);
			put_number(g, row, 5, tot->percent);
		}
		put_number(g, row, 6, (double)report_count(r, RULES_ERROR));
		put_number(g, row, 7, (double)report_count(r, RULES_WARNING));
	}
	if (bad) {
		writer_grid_fini(g);
		err_set(e, ERR_NOMEM, "out of memory rendering the history tab");
		return -1;
	}
	return 0;
}

json_t *
overtime_history_chart(int64_t sheet_id, const char *title)
{
	char text[2048];
	json_t *rq, *spec;

	/* Unbounded rows (no endRowIndex): the chart grows with the history. */
	snprintf(text, sizeof(text),
	    "{\"addChart\": {\"chart\": {"
	    "\"spec\": {\"basicChart\": {\"chartType\": \"LINE\", "
	    "\"legendPosition\": \"NO_LEGEND\", \"headerCount\": 1, "
	    "\"axis\": [{\"position\": \"BOTTOM_AXIS\", \"title\": \"วันที่\"}, "
	    "{\"position\": \"LEFT_AXIS\", \"title\": \"ร้อยละ\"}], "
	    "\"domains\": [{\"domain\": {\"sourceRange\": {\"sources\": [{\"sheetId\": %lld, "
	    "\"startRowIndex\": 0, \"startColumnIndex\": 0, \"endColumnIndex\": 1}]}}}], "
	    "\"series\": [{\"series\": {\"sourceRange\": {\"sources\": [{\"sheetId\": %lld, "
	    "\"startRowIndex\": 0, \"startColumnIndex\": 5, \"endColumnIndex\": 6}]}}, "
	    "\"targetAxis\": \"LEFT_AXIS\"}]}}, "
	    "\"position\": {\"overlayPosition\": {\"anchorCell\": {\"sheetId\": %lld, "
	    "\"rowIndex\": 0, \"columnIndex\": %d}}}}}}",
	    (long long)sheet_id, (long long)sheet_id, (long long)sheet_id, OVERTIME_CHART_COL);
	if ((rq = json_loads(text, 0, NULL)) == NULL)
		return NULL;
	spec = json_object_get(json_object_get(json_object_get(rq, "addChart"), "chart"), "spec");
	if (json_object_set_new(spec, "title", json_string(title)) != 0) {
		json_decref(rq);
		return NULL;
	}
	return rq;
}

/* ---- the monthly e-mail ---- */

int
overtime_mail_month(const struct config *cfg, int32_t day, char month[16])
{
	int y, m, d, last, want;

	rules_civil_from_days(day, &y, &m, &d);
	snprintf(month, 16, "%04d-%02d", y, m);
	last = rules_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
	    rules_days_from_civil(y, m, 1);
	want = (int)cfg->mail.day < last ? (int)cfg->mail.day : last;
	return cfg->mail.enabled && d >= want;
}

/* mail_path(cfg, month, ext, buf, size): state_dir/mail-YYYY-MM.EXT. */
static const char *
mail_path(const struct config *cfg, const char *month, const char *ext, char *buf,
    size_t size)
{
	snprintf(buf, size, "%s/mail-%s.%s", cfg->state_dir, month, ext);
	return buf;
}

static const char *
ledger_path(const struct config *cfg, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", cfg->state_dir, OVERTIME_LEDGER);
	return buf;
}

int
overtime_mail_prepare(const struct config *cfg, const struct workbook *wb,
    const struct rules_report *r, int32_t day, const char *taken, struct err *e)
{
	char month[16], key[32], path[PATH_MAX_LEN], xlsx[PATH_MAX_LEN], txt[PATH_MAX_LEN];
	char thai[64];
	struct once_entry ent;
	struct xlsx_input in;
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (!overtime_mail_month(cfg, day, month))
		return 0;
	snprintf(key, sizeof(key), "mail %s", month);
	if (once_get(ledger_path(cfg, path, sizeof(path)), key, &ent, e) == -1)
		return -1;
	if (ent.status == ONCE_DONE || ent.status == ONCE_FAILED)
		return 0;
	mail_path(cfg, month, "xlsx", xlsx, sizeof(xlsx));
	mail_path(cfg, month, "txt", txt, sizeof(txt));
	/* Prepared once: a re-send carries what the first try carried. */
	if (access(xlsx, R_OK) == 0 && access(txt, R_OK) == 0)
		return 0;
	memset(&in, 0, sizeof(in));
	in.wb = wb;
	in.report = r;
	in.cfg = &cfg->rules;
	in.taken = taken;
	if (xlsx_export(xlsx, &in, e) == -1)
		return -1;
	if ((f = open_memstream(&body, &len)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	fprintf(f, "เรียน กรมการพัฒนาชุมชน\n\n"
	    "สรุปผลการดำเนินงานครัวเรือนยากจนเป้าหมาย ข้อมูล ณ %s (%s)\n\n",
	    overtime_thai_date(day, thai, sizeof(thai)), taken);
	rc = report_write_summary_text(f, r, &cfg->rules, e);
	fprintf(f, "\nข้อมูลที่ต้องแก้ไข %zu รายการ ข้อสังเกต %zu รายการ\n"
	    "ไฟล์แนบ: ข้อมูลครัวเรือนรายอำเภอ สรุป และรายการตรวจสอบ (.xlsx)\n\n"
	    "ส่งโดย syncd (อัตโนมัติ)\n",
	    report_count(r, RULES_ERROR), report_count(r, RULES_WARNING));
	if (fclose(f) != 0 || rc == -1 || body == NULL) {
		free(body);
		unlink(xlsx);
		err_set(e, ERR_NOMEM, "out of memory writing the mail body");
		return -1;
	}
	rc = fsutil_write_atomic_buf(txt, 0600, body, len, e);
	free(body);
	if (rc == -1)
		unlink(xlsx);
	return rc;
}

/* finish(cfg, month): the prepared files are no longer needed. */
static void
finish(const struct config *cfg, const char *month)
{
	char p[PATH_MAX_LEN];

	unlink(mail_path(cfg, month, "xlsx", p, sizeof(p)));
	unlink(mail_path(cfg, month, "txt", p, sizeof(p)));
}

static int
audit_failed(struct audit *a, const char *month, int tries, int retry, const char *why,
    struct err *e)
{
	int rc = audit_append_pack(a, e, "mail.failed", "{s:s, s:i, s:b, s:s}", "month", month,
	    "tries", tries, "retry", retry, "error", why);

	return rc != 0 ? rc : audit_sync(a, e);
}

int
overtime_mail_run(const struct config *cfg, struct audit *a, int32_t day, time_t now,
    struct err *e)
{
	char month[16], key[32], ledger[PATH_MAX_LEN], xlsx[PATH_MAX_LEN], txt[PATH_MAX_LEN];
	char id[512], subject[256], name[64], thai[64];
	const char *domain;
	struct once_entry ent;
	struct mail_server srv;
	struct mail_message msg;
	enum mail_outcome out;
	struct err me;
	char *body = NULL;
	size_t len;
	int rc, retry;

	if (!overtime_mail_month(cfg, day, month))
		return 0;
	snprintf(key, sizeof(key), "mail %s", month);
	ledger_path(cfg, ledger, sizeof(ledger));
	if (once_get(ledger, key, &ent, e) == -1)
		return -1;
	if (ent.status == ONCE_DONE || ent.status == ONCE_FAILED)
		return 0;
	if (ent.tries >= OVERTIME_MAIL_TRIES) {
		/* A try was cut off (a crash mid-send) and none is left. */
		ent.status = ONCE_FAILED;
		if (once_set(ledger, key, &ent, e) == -1)
			return -1;
		finish(cfg, month);
		return audit_failed(a, month, ent.tries, 0, "the last try was cut off "
		    "(syncd stopped mid-send); it may or may not have arrived", e);
	}
	if (access(mail_path(cfg, month, "xlsx", xlsx, sizeof(xlsx)), R_OK) != 0 ||
	    fsutil_read_file(mail_path(cfg, month, "txt", txt, sizeof(txt)), MAIL_BODY_MAX,
	    &body, &len, e) == -1) {
		/* Not prepared yet: a cycle that reads the sheet prepares it. */
		err_init(e);
		return 0;
	}
	/* Persist before the first try: after a crash from here on, the
	 * ledger says a try was started. */
	ent.status = ONCE_TRYING;
	ent.tries++;
	if (once_set(ledger, key, &ent, e) == -1) {
		free(body);
		return -1;
	}
	domain = strrchr(cfg->mail.from, '@');
	snprintf(id, sizeof(id), "<syncd.%s.%s@%s>", month, cfg->spreadsheet_id,
	    domain != NULL ? domain + 1 : "syncd.invalid");
	snprintf(subject, sizeof(subject), "รายงานครัวเรือนยากจนเป้าหมาย ข้อมูล ณ %s",
	    overtime_thai_date(day, thai, sizeof(thai)));
	snprintf(name, sizeof(name), "syncd-%s.xlsx", month);
	memset(&srv, 0, sizeof(srv));
	srv.mail = &cfg->mail;
	srv.ca_file = cfg->ca_file;
	srv.connect_timeout = cfg->connect_timeout;
	srv.timeout = cfg->request_timeout;
	memset(&msg, 0, sizeof(msg));
	msg.subject = subject;
	msg.body = body;
	msg.attach_path = xlsx;
	msg.attach_name = name;
	msg.message_id = id;
	msg.date = now;
	err_init(&me);
	rc = mail_send(&srv, &msg, &out, &me);
	free(body);
	if (rc == 0) {
		ent.status = ONCE_DONE;
		if (once_set(ledger, key, &ent, e) == -1)
			return -1;
		finish(cfg, month);
		rc = audit_append_pack(a, e, "mail.sent", "{s:s, s:i, s:i, s:s}", "month", month,
		    "to", (int)cfg->mail.nto, "tries", ent.tries, "message_id", id);
		return rc != 0 ? rc : audit_sync(a, e);
	}
	retry = out != MAIL_REFUSED && ent.tries < OVERTIME_MAIL_TRIES;
	ent.status = retry ? ONCE_RETRY : ONCE_FAILED;
	if (once_set(ledger, key, &ent, e) == -1)
		return -1;
	if (!retry)
		finish(cfg, month);
	return audit_failed(a, month, ent.tries, retry, me.msg, e);
}
