# Bianmin build. `make demo` and `make test` are the two commands a newcomer needs;
# both install missing Debian packages through scripts/deps.sh first.

PKGS     := libevent libevent_pthreads jansson libsodium sqlite3 libpq xlsxwriter libzip expat libqrencode libcurl
TESTPKGS := cmocka libcurl

BUILD    ?= build
# Quiet by default; `make V=1` shows every command.
Q        := $(if $(V),,@)
CC       ?= cc
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
BASE     := -std=c11 -D_GNU_SOURCE -Isrc -I$(BUILD)/gen $(WARN)
RELFLAGS := -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
SANFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -Werror

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
TEST_LIBS  = $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

UTIL_SRC  := $(wildcard src/util/*.c)
CORE_SRC  := $(wildcard src/core/*.c)
STORE_SRC := $(wildcard src/store/*.c src/store/sqlite/*.c src/store/pg/*.c)
HTTP_SRC  := $(wildcard src/http/*.c)
API_SRC   := $(wildcard src/api/*.c)
IO_SRC    := $(wildcard src/io/*.c)
CLI_SRC   := $(filter-out src/cli/main.c,$(wildcard src/cli/*.c))
GEN_SRC   := $(BUILD)/gen/migrations.c $(BUILD)/gen/migrations_pg.c $(BUILD)/gen/demo_data.c \
             $(BUILD)/gen/calendar_data.c
LIB_SRC   := $(UTIL_SRC) $(CORE_SRC) $(STORE_SRC) $(HTTP_SRC) $(IO_SRC) $(API_SRC) $(CLI_SRC)
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
CALENDARS  := $(sort $(wildcard data/calendar/*.txt))

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps demo test test-asan unit store-test api-test pg-test robust-test e2e check web clean bench help
.DEFAULT_GOAL := all

help:
	@echo "make demo   - install what is missing, build, create the demo county and serve it"
	@echo "make test   - install what is missing, build with sanitizers and run every test"
	@echo "make        - build $(BUILD)/bianmin"
	@echo "make web    - build the web UI into web/dist (npm ci + vite build, when something changed)"
	@echo "make e2e    - browser tests of the web UI (chromium, playwright-core)"
	@echo "make fuzz   - run every libFuzzer target for FUZZ_TIME seconds (default 600; README: Fuzzing)"
	@echo "make bench  - run the benchmarks (several minutes; see docs/performance.md)"

deps:
	@scripts/deps.sh

all: $(BUILD)/bianmin

$(BUILD)/gen/migrations.c: $(MIGRATIONS) scripts/embed.sh
	@mkdir -p $(BUILD)/gen
	$(Q)scripts/embed.sh bm_migrations_sqlite $(MIGRATIONS) > $@

# The demo county's catalog ships inside the binary, so `bianmin demo` works from anywhere.
$(BUILD)/gen/demo_data.c: data/demo/catalog.json scripts/embed.sh
	@mkdir -p $(BUILD)/gen
	$(Q)scripts/embed.sh bm_demo_data data/demo/catalog.json > $@

# The official holiday calendars ship inside the binary and are loaded into new stores.
$(BUILD)/gen/calendar_data.c: $(CALENDARS) scripts/embed.sh
	@mkdir -p $(BUILD)/gen
	$(Q)scripts/embed.sh bm_calendar_data $(CALENDARS) > $@

$(BUILD)/gen/migrations_pg.c: $(MIGRATIONS) scripts/embed.sh
	@mkdir -p $(BUILD)/gen
	$(Q)scripts/embed.sh --pg bm_migrations_pg $(MIGRATIONS) > $@

# Release objects
$(BUILD)/rel/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC      $<")
	$(Q)$(CC) $(BASE) $(RELFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

# Sanitizer objects
$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC asan $<")
	$(Q)$(CC) $(BASE) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

REL_OBJ  := $(patsubst %.c,$(BUILD)/rel/%.o,$(LIB_SRC) $(GEN_SRC))
ASAN_OBJ := $(patsubst %.c,$(BUILD)/asan/%.o,$(LIB_SRC) $(GEN_SRC))

$(BUILD)/bianmin: $(REL_OBJ) $(BUILD)/rel/src/cli/main.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(RELFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/asan/bianmin: $(ASAN_OBJ) $(BUILD)/asan/src/cli/main.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/asan/tests/unit/%: $(BUILD)/asan/tests/unit/%.o $(ASAN_OBJ)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/asan/tests/store/test_store: $(BUILD)/asan/tests/store/test_store.o $(ASAN_OBJ)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

$(BUILD)/asan/tests/api/test_api: $(BUILD)/asan/tests/api/test_api.o $(BUILD)/asan/tests/api/client.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(shell pkg-config --libs jansson) $(TEST_LIBS) -lpthread

$(BUILD)/asan/tests/api/test_multi: $(BUILD)/asan/tests/api/test_multi.o $(BUILD)/asan/tests/api/client.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(shell pkg-config --libs jansson) $(TEST_LIBS) -lpthread

$(BUILD)/asan/tests/api/test_cases: $(BUILD)/asan/tests/api/test_cases.o $(BUILD)/asan/tests/api/client.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(shell pkg-config --libs jansson) $(TEST_LIBS) -lpthread

# disclosure
$(BUILD)/asan/tests/api/test_disclosure: $(BUILD)/asan/tests/api/test_disclosure.o $(BUILD)/asan/tests/api/client.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(shell pkg-config --libs jansson) $(TEST_LIBS) -lpthread

# demands
$(BUILD)/asan/tests/api/test_demands: $(BUILD)/asan/tests/api/test_demands.o $(BUILD)/asan/tests/api/client.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(shell pkg-config --libs jansson) $(TEST_LIBS) -lpthread

# ratings (好差评) and rectification of bad ratings
$(BUILD)/asan/tests/api/test_ratings: $(BUILD)/asan/tests/api/test_ratings.o $(BUILD)/asan/tests/api/client.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(shell pkg-config --libs jansson) $(TEST_LIBS) -lpthread

# participation (公众参与)
$(BUILD)/asan/tests/api/test_participation: $(BUILD)/asan/tests/api/test_participation.o $(BUILD)/asan/tests/api/client.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(shell pkg-config --libs jansson) $(TEST_LIBS) -lpthread

# evaluation (绩效考核)
$(BUILD)/asan/tests/api/test_evaluation: $(BUILD)/asan/tests/api/test_evaluation.o $(BUILD)/asan/tests/api/client.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(shell pkg-config --libs jansson) $(TEST_LIBS) -lpthread

# access matrix and hostile input (issue 8): links the route table to check it covers
# every route
$(BUILD)/asan/tests/api/test_access_matrix: $(BUILD)/asan/tests/api/test_access_matrix.o \
                                            $(BUILD)/asan/tests/api/client.o $(ASAN_OBJ)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

# Robustness (issue 8): SIGKILL at a random moment and restart (test_crash), and abuse:
# 1,000 keep-alive connections, slow clients, oversize requests, password guessing
# (test_abuse). The test programs are built with the sanitizers like the others, but the
# server they start is the release build: under ASan a thousand connections and the crash
# rounds' full-speed writes take several times longer, and the API suites already run every
# route under ASan. About 2-3 minutes in all on a 2-core machine.
ROBUST_TESTS := test_crash test_abuse
.PRECIOUS: $(BUILD)/asan/tests/robust/%.o

$(BUILD)/asan/tests/robust/%: $(BUILD)/asan/tests/robust/%.o $(BUILD)/asan/tests/api/client.o
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(CC) $(SANFLAGS) -o $@ $^ $(shell pkg-config --libs jansson) $(TEST_LIBS) -lpthread

robust-test: $(BUILD)/bianmin $(addprefix $(BUILD)/asan/tests/robust/,$(ROBUST_TESTS))
	@set -e; for t in $(ROBUST_TESTS); do echo "== $$t"; \
	    BIANMIN_BIN=$(BUILD)/bianmin $(BUILD)/asan/tests/robust/$$t; done

check:
	scripts/check-banned.sh
	scripts/check-includes.sh

unit: $(addprefix $(BUILD)/asan/tests/unit/,$(UNIT_TESTS))
	@set -e; for t in $^; do echo "== $$t"; $$t; done

store-test: $(BUILD)/asan/tests/store/test_store
	$(BUILD)/asan/tests/store/test_store

api-test: $(BUILD)/asan/bianmin $(BUILD)/asan/tests/api/test_api $(BUILD)/asan/tests/api/test_cases \
          $(BUILD)/asan/tests/api/test_disclosure $(BUILD)/asan/tests/api/test_demands \
          $(BUILD)/asan/tests/api/test_ratings $(BUILD)/asan/tests/api/test_participation \
          $(BUILD)/asan/tests/api/test_evaluation $(BUILD)/asan/tests/api/test_access_matrix
	BIANMIN_BIN=$(BUILD)/asan/bianmin $(BUILD)/asan/tests/api/test_api
	BIANMIN_BIN=$(BUILD)/asan/bianmin $(BUILD)/asan/tests/api/test_cases
	BIANMIN_BIN=$(BUILD)/asan/bianmin $(BUILD)/asan/tests/api/test_disclosure
	BIANMIN_BIN=$(BUILD)/asan/bianmin $(BUILD)/asan/tests/api/test_demands
	BIANMIN_BIN=$(BUILD)/asan/bianmin $(BUILD)/asan/tests/api/test_ratings
	BIANMIN_BIN=$(BUILD)/asan/bianmin $(BUILD)/asan/tests/api/test_participation
	BIANMIN_BIN=$(BUILD)/asan/bianmin $(BUILD)/asan/tests/api/test_evaluation
	BIANMIN_BIN=$(BUILD)/asan/bianmin $(BUILD)/asan/tests/api/test_access_matrix

# ---- Fuzzing (libFuzzer; README.md, "Fuzzing") ----
# Every library source is built again by clang with coverage for libFuzzer plus ASan and UBSan
# into $(BUILD)/fuzz/, and linked with each tests/fuzz/fuzz_*.c target. `make fuzz-smoke`
# (part of `make test`) runs every target briefly over its seed corpus; `make fuzz` runs each
# for FUZZ_TIME seconds, keeping what it learns in $(BUILD)/fuzz/corpus/<target>/.
# BM_FUZZ_BUILD makes password hashing cheap (core/secret.c) so log-in routes fuzz at speed.
FUZZ_CC      ?= clang
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_OBJ     := $(patsubst %.c,$(BUILD)/fuzz/%.o,$(LIB_SRC) $(GEN_SRC) tests/fuzz/common.c)
FUZZ_TIME    ?= 600
FUZZ_SMOKE_TIME ?= 15
FUZZ_OPTS    ?=

.PHONY: fuzz fuzz-smoke fuzz-build

$(BUILD)/fuzz/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(V),,echo "  CC fuzz $<")
	$(Q)$(FUZZ_CC) $(BASE) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -DBM_FUZZ_BUILD $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS)): $(BUILD)/fuzz/%: $(BUILD)/fuzz/tests/fuzz/%.o $(FUZZ_OBJ)
	@$(if $(V),,echo "  LINK    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

fuzz-build: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))

# Seeds are read from tests/fuzz/corpus/<target>/ and never written; what a run finds goes to
# a scratch corpus. A crash, leak or timeout fails the target and leaves its input in
# $(BUILD)/fuzz/artifacts/.
fuzz-smoke: fuzz-build
	@mkdir -p $(BUILD)/fuzz/artifacts
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz smoke $$t ($(FUZZ_SMOKE_TIME) s)"; \
	  rm -rf $(BUILD)/fuzz/smoke/$$t; mkdir -p $(BUILD)/fuzz/smoke/$$t; \
	  $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SMOKE_TIME) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -close_fd_mask=1 \
	    $$( [ -f tests/fuzz/$$t.dict ] && echo -dict=tests/fuzz/$$t.dict ) \
	    -artifact_prefix=$(BUILD)/fuzz/artifacts/$$t- $(FUZZ_OPTS) \
	    $(BUILD)/fuzz/smoke/$$t tests/fuzz/corpus/$$t 2>$(BUILD)/fuzz/smoke/$$t.log \
	  || { tail -n 60 $(BUILD)/fuzz/smoke/$$t.log; exit 1; }; \
	  grep -h "stat::number_of_executed_units\|cov:" $(BUILD)/fuzz/smoke/$$t.log | tail -n 2; \
	done

fuzz: fuzz-build
	@mkdir -p $(BUILD)/fuzz/artifacts
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$t ($(FUZZ_TIME) s)"; mkdir -p $(BUILD)/fuzz/corpus/$$t; \
	  $(BUILD)/fuzz/$$t -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -close_fd_mask=1 \
	    $$( [ -f tests/fuzz/$$t.dict ] && echo -dict=tests/fuzz/$$t.dict ) \
	    -artifact_prefix=$(BUILD)/fuzz/artifacts/$$t- $(FUZZ_OPTS) \
	    $(BUILD)/fuzz/corpus/$$t tests/fuzz/corpus/$$t; \
	done

# The same store and API suites on PostgreSQL, plus two processes on one database; the
# script starts a throwaway server and stops it.
pg-test: $(BUILD)/asan/bianmin $(BUILD)/asan/tests/store/test_store $(BUILD)/asan/tests/api/test_api \
         $(BUILD)/asan/tests/api/test_cases $(BUILD)/asan/tests/api/test_multi \
         $(BUILD)/asan/tests/api/test_disclosure \
         $(BUILD)/asan/tests/api/test_demands \
         $(BUILD)/asan/tests/api/test_ratings \
         $(BUILD)/asan/tests/api/test_participation \
         $(BUILD)/asan/tests/api/test_evaluation \
         $(BUILD)/asan/tests/api/test_access_matrix
	scripts/test-pg.sh $(BUILD)

# The whole suite, under AddressSanitizer and UndefinedBehaviorSanitizer, plus a
# warning-free release build. CI runs exactly this.
test: deps
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory $(BUILD)/bianmin
	@$(MAKE) --no-print-directory test-asan

test-asan:
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory store-test
	@$(MAKE) --no-print-directory api-test
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory pg-test
	@$(MAKE) --no-print-directory robust-test
	@$(MAKE) --no-print-directory e2e
	@echo "all test suites passed"

# The web UI (Vue 3 + Element Plus, built by Vite into web/dist). npm ci runs when the
# lock file changed; the build when a source did.
WEB_SRC := web/index.html web/vite.config.js $(shell find web/src web/public -type f 2>/dev/null)

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npx vite build --logLevel warn
	@touch $@

web: web/dist/index.html

# Browser tests: a fresh demo store, a real `bianmin serve` (release build) serving web/dist,
# Debian's chromium driven by playwright-core (web/e2e/).
e2e: $(BUILD)/bianmin web/dist/index.html
	cd web && BIANMIN_BIN=$(abspath $(BUILD)/bianmin) node --test --test-concurrency=1 e2e/

DEMO_DB   ?= demo/bianmin.db
DEMO_ADDR ?= 127.0.0.1:8080
DEMO_WEB  ?= web/dist
demo: deps
	@$(MAKE) --no-print-directory $(BUILD)/bianmin web
	@mkdir -p $(dir $(DEMO_DB))
	$(BUILD)/bianmin demo --db $(DEMO_DB) --listen $(DEMO_ADDR) --web $(DEMO_WEB)

# Benchmarks (never part of `make test`): the backends compared, and catalog search on 10,000
# items. Figures go to docs/performance.md by hand, with the machine and the command.
bench: deps
	@$(MAKE) --no-print-directory $(BUILD)/bianmin
	bench/run.sh
	bench/search.sh
	bench/cases.sh

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
