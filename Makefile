# syncd: non-recursive GNU make build.
#
# Sources are found by folder, so adding a module is adding a file:
#   rules/*.c auth/*.c syncd/*.c (but syncd/main.c)  -> $(BUILD)/libsyncd.a
#   syncd/main.c                                     -> $(BUILD)/syncd
#   tests/fakesheets/*.c                             -> $(BUILD)/fakesheets
#   tests/check_*.c (one Check suite each)           -> $(BUILD)/tests/check_*
#   tests/t_*.sh (end-to-end scripts)                   run by `make check`
#   tests/fuzz/fuzz_*.c (libFuzzer, clang)           -> $(BUILD)/fuzz/fuzz_*
#   tests/tools/*.c (test helpers, one program each) -> $(BUILD)/tools/*
# User CFLAGS/LDFLAGS add to the project's flags, never replace them.

BUILD    ?= build
CC       ?= cc
PREFIX   ?= /usr/local
SYSCONFDIR ?= /etc
BINDIR   ?= $(PREFIX)/bin
SBINDIR  ?= $(PREFIX)/sbin
MANDIR   ?= $(PREFIX)/share/man
UNITDIR  ?= $(PREFIX)/lib/systemd/system
DESTDIR  ?=
FUZZ_SECONDS ?= 60
# The version has one source, debian/changelog's first line: `syncd --version`
# prints it and the package is named after it.
VERSION  := $(shell awk -F'[()]' 'NR == 1 { print $$2 }' debian/changelog)
ifeq ($(VERSION),)
$(error debian/changelog: no version on its first line "syncd (VERSION) ...")
endif

PKGS      := libcurl jansson openssl libconfig xlsxwriter
TEST_PKGS := check libmicrohttpd zlib

# pkg-config is only asked once the dependencies exist (see deps).
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wpointer-arith -Wundef -Wcast-qual -Wnull-dereference \
	-Wno-missing-field-initializers
# _FORTIFY_SOURCE: ours (3) unless the packager's CPPFLAGS or CFLAGS set it
# (dpkg-buildflags gives 2); undefined first, since some compilers (Ubuntu's)
# define it already and a second -D would be a redefinition (-Werror).
ifeq ($(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),)
FORTIFY := -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3
else
FORTIFY := -U_FORTIFY_SOURCE
endif
HARDEN := $(FORTIFY) -fstack-protector-strong -fPIE
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -DSYNCD_VERSION='"$(VERSION)"' -O2 -g \
	$(WARN) $(HARDEN) -I.
ALL_CFLAGS  = $(BASE_CFLAGS) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm

LIB_SRC  := $(sort $(wildcard rules/*.c auth/*.c) $(filter-out syncd/main.c,$(wildcard syncd/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
FAKE_SRC := $(sort $(wildcard tests/fakesheets/*.c))
FAKE_OBJ := $(FAKE_SRC:%.c=$(BUILD)/obj/%.o)
CHECK_SRC := $(sort $(wildcard tests/check_*.c))
CHECK_BIN := $(CHECK_SRC:tests/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
SCRIPT_TESTS := $(sort $(wildcard tests/t_*.sh))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
# V=1 shows whole command lines.
ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: all deps check check-all demo-run bench-run check-unit check-e2e sanitize valgrind fuzz crash demo guides bench \
	install uninstall deb clean
.DEFAULT_GOAL := all
# Objects of test programs are kept, not deleted as intermediates.
.SECONDARY:

all: $(BUILD)/syncd $(BUILD)/fakesheets

# Installs the missing Debian packages (apt-get, only what is missing).  Only
# the newcomer's targets (check, demo, bench) and the tool targets (fuzz,
# valgrind, deb) run it; a plain `make` or `make install` never does.
deps:
	@./.ci/deps

# Product objects see no test flags; test programs and the emulator get
# Check's and libmicrohttpd's.
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -MMD -MP -c $< -o $@

# main.c prints the version: rebuilt when the changelog moves on.
$(BUILD)/obj/syncd/main.o: debian/changelog

$(BUILD)/libsyncd.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/syncd: $(BUILD)/obj/syncd/main.o $(BUILD)/libsyncd.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/fakesheets: $(FAKE_OBJ) $(BUILD)/libsyncd.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(BUILD)/libsyncd.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LIBS)

$(BUILD)/tools/%: $(BUILD)/obj/tests/tools/%.o $(BUILD)/libsyncd.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(TEST_LIBS) $(LIBS)

# Every Check suite, then every end-to-end script.  RUNNER prefixes each test
# binary (valgrind uses it); scripts see BUILD and RUNNER in the environment.
# check, demo and bench are what a newcomer runs on a fresh machine: they
# install what is missing first, then build in a second make (which asks
# pkg-config anew, now that the libraries are there).
check: deps
	@$(MAKE) --no-print-directory check-all

check-all: all $(CHECK_BIN) $(TOOL_BIN)
	@BUILD=$(BUILD) RUNNER="$(RUNNER)" ./tests/run-tests.sh $(CHECK_BIN) $(SCRIPT_TESTS)

check-unit: all $(CHECK_BIN) $(TOOL_BIN)
	@BUILD=$(BUILD) RUNNER="$(RUNNER)" ./tests/run-tests.sh $(CHECK_BIN)

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize:
	$(MAKE) check BUILD=build/sanitize CFLAGS="$(CFLAGS) $(SAN_FLAGS) -O1" \
		LDFLAGS="$(LDFLAGS) $(SAN_FLAGS)"

valgrind:
	@./.ci/deps valgrind
	$(MAKE) check BUILD=build/valgrind CFLAGS="$(CFLAGS) -O1" \
		RUNNER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect"

# libFuzzer targets, built with clang against the library sources.
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -DSYNCD_FUZZ -O1 -g -I. $(PKG_CFLAGS) \
	-fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRC)
	@./.ci/deps fuzz
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRC) $(LIBS)
fuzz: $(FUZZ_BIN)
	@BUILD=$(BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) ./tests/fuzz/run.sh $(FUZZ_BIN)

# The SIGKILL crash loop at length (make check runs 10 rounds of it).
CRASH_CYCLES ?= 200
crash: all
	@BUILD=$(BUILD) CRASH_CYCLES=$(CRASH_CYCLES) ./tests/run-tests.sh tests/t_crash.sh

# Regenerate the rule section of the district staff's guide from the catalogue.
guides: $(BUILD)/syncd
	@BUILD=$(BUILD) ./doc/update-rules.sh

demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	@BUILD=$(BUILD) ./tests/demo.sh

bench: deps
	@$(MAKE) --no-print-directory bench-run

bench-run: all $(TOOL_BIN)
	@BUILD=$(BUILD) ./tests/bench.sh

# Installs the daemon only (not the emulator): debian/rules uses it too.
UNITS := syncd.service syncd@.service
install: $(BUILD)/syncd
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/syncd
	install -m 0755 $(BUILD)/syncd $(DESTDIR)$(SBINDIR)/syncd
	install -m 0644 syncd/syncd.8 $(DESTDIR)$(MANDIR)/man8/syncd.8
	install -m 0644 etc/syncd.conf.5 $(DESTDIR)$(MANDIR)/man5/syncd.conf.5
	install -m 0644 syncd/syncd-audit.5 $(DESTDIR)$(MANDIR)/man5/syncd-audit.5
	for u in $(UNITS); do \
		sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/$$u \
			> $(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/syncd/syncd.conf ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/syncd/syncd.conf"; \
	else install -m 0644 etc/syncd.conf $(DESTDIR)$(SYSCONFDIR)/syncd/syncd.conf; fi
	@# The audit log's logrotate entry (rename, then syncd audit rotate), a conffile too.
	@install -d $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/logrotate.d/syncd ]; then \
		echo "keeping existing $(DESTDIR)$(SYSCONFDIR)/logrotate.d/syncd"; \
	else sed 's|/usr/local/sbin/|$(SBINDIR)/|g; s|/etc/syncd/|$(SYSCONFDIR)/syncd/|g' \
		etc/syncd.logrotate > $(DESTDIR)$(SYSCONFDIR)/logrotate.d/syncd && \
		chmod 0644 $(DESTDIR)$(SYSCONFDIR)/logrotate.d/syncd; fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/syncd $(DESTDIR)$(MANDIR)/man8/syncd.8 \
		$(DESTDIR)$(MANDIR)/man5/syncd.conf.5 $(DESTDIR)$(MANDIR)/man5/syncd-audit.5 \
		$(DESTDIR)$(UNITDIR)/syncd.service $(DESTDIR)$(UNITDIR)/syncd@.service
	@echo "left $(DESTDIR)$(SYSCONFDIR)/syncd/syncd.conf and /var/lib/syncd in place"

# The Debian package $(BUILD)/syncd_$(VERSION)_<arch>.deb, built by
# dpkg-buildpackage in a copy of the tree (never in this checkout); installs
# the missing build dependencies first, and runs lintian.
deb:
	@./.ci/deps deb
	@BUILD=$(BUILD) ./.ci/deb

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
