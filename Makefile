# Makefile for the immutable extension (PGXS)

MODULE_big = immutable
OBJS = \
	src/immutable.o \
	src/args.o \
	src/uuidv7.o \
	src/registry.o \
	src/relation.o \
	src/append_only.o \
	src/versioned.o \
	src/make_mutable.o \
	src/guard.o \
	src/ddl_guard.o \
	src/triggers.o \
	src/versioned_stamp.o \
	src/versioned_heads.o \
	src/direct.o \
	src/system_versioned.o \
	src/system_time.o \
	src/system_versioned_period.o \
	src/system_versioned_trigger.o \
	src/system_versioned_compat.o \
	src/versioned_current_view.o \
	src/versioned_entity.o \
	src/time_travel.o \
	src/plans.o \
	src/ddl.o \
	src/events.o \
	src/hash.o \
	src/sha256.o \
	src/chain.o \
	src/chain_verify.o \
	src/erase.o

EXTENSION = immutable
DATA = immutable--1.0.sql immutable--1.1.sql immutable--1.0--1.1.sql
PGFILEDESC = "immutable - append-only and versioned tables"

REGRESS_OPTS = --load-extension=immutable
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))

ISOLATION_OPTS = --load-extension=immutable
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))

# Perl TAP tests (PostgreSQL::Test::Cluster): they run initdb, so not as root.
TAP_TESTS = 1
PROVE_TESTS = test/t/*.pl

# pgTAP files, run by pg_prove in a database of their own with pgtap and
# immutable installed (installcheck-pgtap; empty PGTAP_TESTS skips them).
PGTAP_TESTS = $(sort $(wildcard test/pgtap/*.sql))
PGTAP_DB = immutable_pgtap

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers
ifeq ($(CI),true)
PG_CFLAGS += -Werror
endif

PG_CONFIG ?= pg_config

# SHA-256 through OpenSSL's libcrypto when the server was built with it
# (src/sha256.c); PostgreSQL's cryptohash API otherwise.
ifneq ($(shell grep -s '^\#define USE_OPENSSL 1' $(shell $(PG_CONFIG) --includedir-server)/pg_config.h),)
SHLIB_LINK += -lcrypto
endif
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track header dependencies.
$(OBJS): $(wildcard src/*.h)

# make installcheck runs every suite: pg_regress, isolation, Perl TAP, and
# pgTAP through this target.
installcheck: installcheck-pgtap

.PHONY: installcheck-pgtap
installcheck-pgtap:
ifneq ($(strip $(PGTAP_TESTS)),)
	@echo "+++ pgtap install-check +++"
	'$(bindir)/psql' -X -q -v ON_ERROR_STOP=1 -d postgres \
		-c 'DROP DATABASE IF EXISTS $(PGTAP_DB)' -c 'CREATE DATABASE $(PGTAP_DB)'
	'$(bindir)/psql' -X -q -v ON_ERROR_STOP=1 -d $(PGTAP_DB) \
		-c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION immutable'
	pg_prove -f --nocolor -d $(PGTAP_DB) $(PGTAP_TESTS)
endif

# make dist: the PGXN release zip immutable-<version>.zip (version from
# META.json), every committed file of HEAD under immutable-<version>/
# (git archive: uncommitted changes are not in it). tools/check_meta.pl
# first: META.json must be valid and agree with immutable.control.
DIST_VERSION = $(shell perl -MJSON::PP -0777 -ne 'print decode_json($$_)->{version}' META.json)
DIST_NAME = $(EXTENSION)-$(DIST_VERSION)

.PHONY: dist
dist:
	perl tools/check_meta.pl
	git archive --format zip --prefix='$(DIST_NAME)/' -o '$(DIST_NAME).zip' HEAD
