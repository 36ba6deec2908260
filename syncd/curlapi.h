/*
 * curlapi: libcurl, loaded into the process only when a request needs it.
 *
 * libcurl as Debian builds it pulls in some thirty shared libraries (OpenSSL
 * and GnuTLS, Kerberos, LDAP, SSH, RTMP, IDN, PSL...).  Merely having them
 * mapped and relocated costs about 7 MB of resident memory, more than
 * everything else the resting daemon holds.  So syncd is not linked with
 * libcurl: the daemon runs each cycle in a child process (syncd/worker) and
 * only that child loads libcurl, with dlopen, the first time it sends a
 * request.  The process that rests between cycles never maps it.
 *
 * Loading resolves every function syncd calls, up front, and checks the
 * version (7.85 or later: CURLOPT_PROTOCOLS_STR, curl_easy_header), so a
 * wrong or missing libcurl is one clear error at the first request, never a
 * crash later.  The library is never unloaded (libcurl and the TLS libraries
 * keep threads and handlers that must outlive any handle).
 */
#ifndef SYNCD_CURLAPI_H
#define SYNCD_CURLAPI_H

#include <curl/curl.h>

#include "rules/err.h"

/* The soname the headers describe: Debian's libcurl4 (OpenSSL flavour). */
#define CURLAPI_SONAME	"libcurl.so.4"
#define CURLAPI_MIN_VERSION	0x075500	/* 7.85.0 */

/* The libcurl functions syncd calls, as the headers declare them. */
struct curlapi {
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	CURLHcode (*easy_header)(CURL *, const char *, size_t, unsigned int, int,
	    struct curl_header **);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLU *(*url)(void);
	void (*url_cleanup)(CURLU *);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
	void (*free)(void *);
};

/*
 * curlapi_get(e): the functions of libcurl, loaded and initialised
 * (curl_global_init) on the first call, in the calling process.  Returns a
 * pointer valid for the life of the process, or NULL with e set (ERR_HTTP:
 * the library cannot be loaded, lacks a function, is older than 7.85, or
 * failed to initialise; the message says which).  A failed load is tried
 * again on the next call.  Not thread-safe: syncd is single-threaded.
 */
const struct curlapi *curlapi_get(struct err *e);

#endif
