# Juwei — build, run and test.  `make run` and `make test` are the two
# commands a new user needs (see README.md).
CC      ?= cc
PKGS    := sqlite3 libpq libmicrohttpd jansson libsodium icu-uc icu-i18n \
           xlsxwriter libzip libxml-2.0 freexl
BUILD   ?= build
OPT     ?= -O2
SANITIZE ?=
CFLAGS  ?= $(OPT) -g
WARN    := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wshadow \
           -Wno-unused-parameter
JW_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -Isrc -include src/lib/banned.h \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
JW_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lpthread -lm
ifneq ($(SANITIZE),)
JW_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
JW_LIBS   += -fsanitize=$(SANITIZE)
endif

SRC     := $(wildcard src/lib/*.c src/model/*.c src/io/*.c src/store/*.c src/svc/*.c \
                      src/http/*.c src/api/*.c src/web/*.c src/cli/*.c)
LIBSRC  := $(filter-out src/cli/main.c,$(SRC))
OBJ     := $(SRC:%.c=$(BUILD)/%.o)
LIBOBJ  := $(LIBSRC:%.c=$(BUILD)/%.o)
DEP     := $(OBJ:.o=.d)

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

DB      ?= var/demo.db
LISTEN  ?= 127.0.0.1:8080
PERSONS ?= 3000
PYTHON  := /usr/bin/python3

.PHONY: all deps run test unit blackbox bench clean
all: $(BUILD)/juwei

deps:
	@scripts/deps.sh

$(BUILD)/juwei: $(OBJ)
	$(CC) -o $@ $(OBJ) $(JW_LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(JW_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# The built-in surname table (model/pinyin.c), generated from its data file.
src/model/surnames.inc: data/surnames.tsv scripts/gen-surnames.sh
	scripts/gen-surnames.sh data/surnames.tsv > $@.tmp && mv $@.tmp $@
$(BUILD)/src/model/pinyin.o: src/model/surnames.inc

$(BUILD)/libjuwei.a: $(LIBOBJ)
	rm -f $@ && ar rcs $@ $(LIBOBJ)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libjuwei.a
	@mkdir -p $(dir $@)
	$(CC) $(JW_CFLAGS) $(CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< \
	    $(BUILD)/libjuwei.a $(JW_LIBS) $(shell pkg-config --libs cmocka)

run:
	@scripts/deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/run-demo.sh $(BUILD)/juwei $(DB) $(LISTEN) $(PERSONS)

unit: $(UNIT_BIN)
	@scripts/run-unit.sh $(UNIT_BIN)

blackbox: $(BUILD)/juwei
	JUWEI_BIN=$(abspath $(BUILD)/juwei) $(PYTHON) -m pytest -q tests/blackbox

test:
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@$(MAKE) --no-print-directory BUILD=build-asan SANITIZE=address,undefined OPT=-O1 build-asan/juwei
	@echo "== every bench program and fuzz target builds (so that none can rot)"
	@$(MAKE) --no-print-directory -C bench programs
	@$(MAKE) --no-print-directory -C fuzz all
	@ASAN_BIN=build-asan/juwei scripts/run-tests.sh $(BUILD) $(UNIT_BIN)

bench:
	@scripts/deps.sh bench
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -C bench

clean:
	rm -rf $(BUILD) build-asan

-include $(DEP)
