/*
 * check_mail: syncd/mail.c against a real SMTP server on loopback
 * (tests/smtpsink.py, Debian's python3-aiosmtpd) with the tests' PKI
 * (tests/pki.sh): STARTTLS with a login and implicit TLS deliver the
 * message (headers, UTF-8 subject and body, the attachment); a server
 * without TLS, an unknown CA, a refused DATA and a password file others can read are each refused with what is known about
 * delivery, and no message ever holds the password.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "syncd/fsutil.h"
#include "syncd/mail.h"

#define PASSWORD "s3cret-pw"

static char dir[64];		/* scratch: PKI, password files, mail */

struct sink {
	pid_t pid;
	int in;			/* its standard input: closing it stops it */
	int port;
	char maildir[128];
};

static void
run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char buf[256];

	ck_assert_ptr_nonnull(p);
	while (fgets(buf, sizeof(buf), p) != NULL)
		;
	ck_assert_int_eq(pclose(p), 0);
}

static void
setup(void)
{
	char cmd[256];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/check_mail.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "tests/pki.sh %s/pki", dir);
	run(cmd);
	snprintf(cmd, sizeof(cmd), "%s/pw", dir);
	f = fopen(cmd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(PASSWORD "\n", f);
	fclose(f);
	chmod(cmd, 0600);
	snprintf(cmd, sizeof(cmd), "%s/pw-open", dir);
	f = fopen(cmd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(PASSWORD "\n", f);
	fclose(f);
	chmod(cmd, 0644);
	snprintf(cmd, sizeof(cmd), "%s/att.xlsx", dir);
	f = fopen(cmd, "w");
	ck_assert_ptr_nonnull(f);
	fputs("PK not really a zip", f);
	fclose(f);
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
}

/* sink_start(s, tag, extra...): tests/smtpsink.py with its own mail dir. */
static void
sink_start(struct sink *s, const char *tag, const char *a1, const char *a2,
    const char *a3)
{
	int in[2], out[2];
	char cert[128], key[128], line[128];
	ssize_t n;
	size_t len = 0;

	snprintf(s->maildir, sizeof(s->maildir), "%s/%s", dir, tag);
	ck_assert_int_eq(mkdir(s->maildir, 0700), 0);
	snprintf(cert, sizeof(cert), "%s/pki/server.pem", dir);
	snprintf(key, sizeof(key), "%s/pki/server.key", dir);
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		const char *argv[16];
		int k = 0;

		char errpath[160];
		int fd;

		snprintf(errpath, sizeof(errpath), "%s.stderr", s->maildir);
		if ((fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0)
			dup2(fd, 2);
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		argv[k++] = "/usr/bin/python3";
		argv[k++] = "tests/smtpsink.py";
		argv[k++] = s->maildir;
		argv[k++] = "--cert";
		argv[k++] = cert;
		argv[k++] = "--key";
		argv[k++] = key;
		argv[k++] = "--user";
		argv[k++] = "bot";
		argv[k++] = "--password";
		argv[k++] = PASSWORD;
		if (a1 != NULL)
			argv[k++] = a1;
		if (a2 != NULL)
			argv[k++] = a2;
		if (a3 != NULL)
			argv[k++] = a3;
		argv[k] = NULL;
		execv(argv[0], (char *const *)(void *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->in = in[1];
	while (len + 1 < sizeof(line) && (n = read(out[0], line + len, 1)) == 1 &&
	    line[len] != '\n')
		len++;
	line[len] = '\0';
	close(out[0]);
	ck_assert_msg(sscanf(line, "listening on %d", &s->port) == 1,
	    "smtpsink did not start: [%s]", line);
}

static void
sink_stop(struct sink *s)
{
	int st;

	close(s->in);
	waitpid(s->pid, &st, 0);
}

/* count(s): messages the sink took. */
static int
count(const struct sink *s)
{
	char path[256];
	int n = 0;

	for (;;) {
		snprintf(path, sizeof(path), "%s/%d.eml", s->maildir, n + 1);
		if (access(path, F_OK) != 0)
			return n;
		n++;
	}
}

struct fixture {
	struct config_mail m;
	struct mail_server srv;
	struct mail_message msg;
	char url[64], pw[128], att[128];
};

static void
fixture(struct fixture *f, const char *scheme, int port)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->url, sizeof(f->url), "%s://127.0.0.1:%d", scheme, port);
	snprintf(f->pw, sizeof(f->pw), "%s/pw", dir);
	snprintf(f->att, sizeof(f->att), "%s/att.xlsx", dir);
	f->m.enabled = 1;
	f->m.url = f->url;
	f->m.from = "syncd@example.org";
	f->m.to[0] = "dept@example.go.th";
	f->m.to[1] = "province@example.go.th";
	f->m.nto = 2;
	f->m.user = "bot";
	f->m.password_file = f->pw;
	f->m.day = 20;
	f->srv.mail = &f->m;
	f->srv.connect_timeout = 10;
	f->srv.timeout = 60;
	f->msg.subject = "รายงานความก้าวหน้า ก.พ. 2567";
	f->msg.body = "เรียน กรมการพัฒนาชุมชน\nสรุปตามแนบ\n";
	f->msg.attach_path = f->att;
	f->msg.attach_name = "ฉะเชิงเทรา 2024-02.xlsx";
	f->msg.message_id = "<syncd.2024-02.demo@syncd>";
	f->msg.date = 1708387200;
}

static void
ca(struct fixture *f, char *buf, size_t n)
{
	snprintf(buf, n, "%s/pki/ca.pem", dir);
	f->srv.ca_file = buf;
}

START_TEST(test_starttls_delivers)
{
	struct sink s;
	struct fixture f;
	struct err e;
	enum mail_outcome o;
	char cafile[128], path[256], *text = NULL, b64[256];
	size_t len;

	sink_start(&s, "starttls", NULL, NULL, NULL);
	fixture(&f, "smtp", s.port);
	ca(&f, cafile, sizeof(cafile));
	err_init(&e);
	ck_assert_msg(mail_send(&f.srv, &f.msg, &o, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(o, MAIL_SENT);
	sink_stop(&s);
	ck_assert_int_eq(count(&s), 1);
	snprintf(path, sizeof(path), "%s/1.eml", s.maildir);
	ck_assert_int_eq(fsutil_read_file(path, 1 << 20, &text, &len, &e), 0);
	ck_assert_ptr_nonnull(strstr(text, "From: <syncd@example.org>"));
	ck_assert_ptr_nonnull(strstr(text,
	    "To: <dept@example.go.th>, <province@example.go.th>"));
	ck_assert_ptr_nonnull(strstr(text, "Subject: =?UTF-8?B?"));
	ck_assert_ptr_nonnull(strstr(text, "Message-ID: <syncd.2024-02.demo@syncd>"));
	ck_assert_ptr_nonnull(strstr(text, "Date: Tue, 20 Feb 2024 00:00:00 +0000"));
	ck_assert_ptr_nonnull(strstr(text, "attachment; filename="));
	/* The body's first 57 bytes: one base64 line of 76 characters. */
	EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)f.msg.body, 57);
	ck_assert_ptr_nonnull(strstr(text, b64));
	ck_assert_ptr_null(strstr(text, PASSWORD));
	free(text);
	snprintf(path, sizeof(path), "%s/1.env", s.maildir);
	ck_assert_int_eq(fsutil_read_file(path, 4096, &text, &len, &e), 0);
	ck_assert_str_eq(text, "syncd@example.org\ndept@example.go.th\nprovince@example.go.th\n");
	free(text);
}
END_TEST

START_TEST(test_implicit_tls_delivers)
{
	struct sink s;
	struct fixture f;
	struct err e;
	enum mail_outcome o;
	char cafile[128];

	sink_start(&s, "smtps", "--implicit", NULL, NULL);
	fixture(&f, "smtps", s.port);
	ca(&f, cafile, sizeof(cafile));
	err_init(&e);
	ck_assert_msg(mail_send(&f.srv, &f.msg, &o, &e) == 0, "%s", e.msg);
	sink_stop(&s);
	ck_assert_int_eq(count(&s), 1);
}
END_TEST

START_TEST(test_refusals)
{
	struct sink plain, rej, tmp;
	struct fixture f;
	struct err e;
	enum mail_outcome o;
	char cafile[128], open_pw[128];

	/* No TLS offered: STARTTLS is required, nothing is sent. */
	sink_start(&plain, "plain", "--plain", NULL, NULL);
	fixture(&f, "smtp", plain.port);
	ca(&f, cafile, sizeof(cafile));
	err_init(&e);
	ck_assert_int_eq(mail_send(&f.srv, &f.msg, &o, &e), -1);
	ck_assert_int_eq(o, MAIL_NOT_SENT);
	ck_assert_int_eq(count(&plain), 0);
	/* The system's CAs do not know the test CA. */
	sink_stop(&plain);

	sink_start(&rej, "rej", "--reject", "554", NULL);
	fixture(&f, "smtp", rej.port);
	err_init(&e);
	ck_assert_int_eq(mail_send(&f.srv, &f.msg, &o, &e), -1);
	ck_assert_int_eq(o, MAIL_NOT_SENT);	/* no CA: the TLS check fails */
	ck_assert_int_eq(e.code, ERR_HTTP);
	ca(&f, cafile, sizeof(cafile));
	err_init(&e);
	ck_assert_int_eq(mail_send(&f.srv, &f.msg, &o, &e), -1);
	ck_assert_int_eq(o, MAIL_REFUSED);
	ck_assert_ptr_nonnull(strstr(e.msg, "554"));
	/* A password file others can read is refused before connecting. */
	snprintf(open_pw, sizeof(open_pw), "%s/pw-open", dir);
	f.m.password_file = open_pw;
	err_init(&e);
	ck_assert_int_eq(mail_send(&f.srv, &f.msg, &o, &e), -1);
	ck_assert_int_eq(e.code, ERR_CONFIG);
	ck_assert_int_eq(o, MAIL_NOT_SENT);
	ck_assert_ptr_nonnull(strstr(e.msg, "0644"));
	ck_assert_ptr_null(strstr(e.msg, PASSWORD));
	err_init(&e);
	ck_assert_int_eq(mail_check_password_file(open_pw, &e), -1);
	sink_stop(&rej);
	ck_assert_int_eq(count(&rej), 0);

	sink_start(&tmp, "tmp", "--reject", "451", NULL);
	fixture(&f, "smtp", tmp.port);
	ca(&f, cafile, sizeof(cafile));
	err_init(&e);
	ck_assert_int_eq(mail_send(&f.srv, &f.msg, &o, &e), -1);
	ck_assert_int_eq(o, MAIL_NOT_SENT);
	sink_stop(&tmp);
}
END_TEST

START_TEST(test_encode_header)
{
	char buf[64];

	ck_assert_int_eq(mail_encode_header("Report", buf, sizeof(buf)), 6);
	ck_assert_str_eq(buf, "Report");
	ck_assert_int_gt(mail_encode_header("ก.พ.", buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "=?UTF-8?B?4LiBLuC4ni4=?=");
	ck_assert_int_eq(mail_encode_header("ก.พ.", buf, 8), -1);
	/* A line break is never passed through into a header. */
	ck_assert_int_gt(mail_encode_header("a\r\nBcc: x", buf, sizeof(buf)), 0);
	ck_assert_ptr_null(strchr(buf, '\n'));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	signal(SIGPIPE, SIG_IGN);
	tcase_add_unchecked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_encode_header);
	tcase_add_test(tc, test_starttls_delivers);
	tcase_add_test(tc, test_implicit_tls_delivers);
	tcase_add_test(tc, test_refusals);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
