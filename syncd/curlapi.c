/*
 * curlapi: libcurl loaded with dlopen on first use (see curlapi.h for why and
 * for the contract).  The only file that names libcurl's shared object.
 */
#include "syncd/curlapi.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

static struct curlapi api;
static int loaded;

/* Where each function goes in struct curlapi, and its name in the library. */
static const struct {
	const char *name;
	size_t off;
} symbols[] = {
	{ "curl_easy_init", offsetof(struct curlapi, easy_init) },
	{ "curl_easy_cleanup", offsetof(struct curlapi, easy_cleanup) },
	{ "curl_easy_reset", offsetof(struct curlapi, easy_reset) },
	{ "curl_easy_setopt", offsetof(struct curlapi, easy_setopt) },
	{ "curl_easy_perform", offsetof(struct curlapi, easy_perform) },
	{ "curl_easy_getinfo", offsetof(struct curlapi, easy_getinfo) },
	{ "curl_easy_strerror", offsetof(struct curlapi, easy_strerror) },
	{ "curl_easy_header", offsetof(struct curlapi, easy_header) },
	{ "curl_slist_append", offsetof(struct curlapi, slist_append) },
	{ "curl_slist_free_all", offsetof(struct curlapi, slist_free_all) },
	{ "curl_url", offsetof(struct curlapi, url) },
	{ "curl_url_cleanup", offsetof(struct curlapi, url_cleanup) },
	{ "curl_url_set", offsetof(struct curlapi, url_set) },
	{ "curl_url_get", offsetof(struct curlapi, url_get) },
	{ "curl_free", offsetof(struct curlapi, free) },
};

const struct curlapi *
curlapi_get(struct err *e)
{
	curl_version_info_data *(*version_info)(CURLversion);
	CURLcode (*global_init)(long);
	curl_version_info_data *v;
	struct curlapi a;
	const char *why;
	void *lib, *f;
	size_t i;

	if (loaded)
		return &api;
	dlerror();
	if ((lib = dlopen(CURLAPI_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = dlerror();
		err_set(e, ERR_HTTP, "cannot load libcurl (%s): %s; install Debian's "
		    "libcurl4 package", CURLAPI_SONAME, why != NULL ? why : "unknown error");
		return NULL;
	}
	memset(&a, 0, sizeof(a));
	for (i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		if ((f = dlsym(lib, symbols[i].name)) == NULL)
			goto missing;
		/* POSIX guarantees a function's address survives the trip through void *. */
		memcpy((char *)&a + symbols[i].off, &f, sizeof(f));
	}
	f = dlsym(lib, "curl_version_info");
	memcpy(&version_info, &f, sizeof(f));
	f = dlsym(lib, "curl_global_init");
	memcpy(&global_init, &f, sizeof(f));
	if (version_info == NULL || global_init == NULL)
		goto missing;
	v = version_info(CURLVERSION_NOW);
	if (v == NULL || v->version_num < CURLAPI_MIN_VERSION) {
		err_set(e, ERR_HTTP, "libcurl %s is too old: syncd needs 7.85 or later",
		    v != NULL && v->version != NULL ? v->version : "(unknown)");
		goto fail;
	}
	if (!(v->features & CURL_VERSION_SSL)) {
		err_set(e, ERR_HTTP, "libcurl %s was built without TLS: syncd speaks https only",
		    v->version);
		goto fail;
	}
	if (global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		err_set(e, ERR_HTTP, "libcurl failed to initialise");
		goto fail;
	}
	api = a;
	loaded = 1;
	return &api;
missing:
	err_set(e, ERR_HTTP, "%s lacks a function syncd needs (libcurl 7.85 or later)",
	    CURLAPI_SONAME);
fail:
	dlclose(lib);
	return NULL;
}
