# Makefile for the immutable extension (PGXS)

MODULE_big = immutable
OBJS = \
	src/immutable.o \
	src/args.o \
	src/uuidv7.o \
	src/registry.o \
	src/manage.o \
	src/guard.o \
	src/ddl_guard.o \
	src/triggers.o \
	src/versioning.o \
	src/heads.o \
	src/direct.o \
	src/history.o \
	src/period.o \
	src/system_time.o \
	src/current_view.o \
	src/entity.o \
	src/query.o \
	src/ddl.o \
	src/events.o \
	src/hash.o \
	src/chain.o \
	src/verify.o \
	src/erase.o

EXTENSION = immutable
DATA = immutable--1.0.sql
PGFILEDESC = "immutable - append-only and versioned tables"

REGRESS_OPTS = --load-extension=immutable
REGRESS = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))

ISOLATION_OPTS = --load-extension=immutable
ISOLATION = $(patsubst specs/%.spec,%,$(sort $(wildcard specs/*.spec)))

PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	-Wno-missing-field-initializers
ifeq ($(CI),true)
PG_CFLAGS += -Werror
endif

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS does not track header dependencies.
$(OBJS): $(wildcard src/*.h)
