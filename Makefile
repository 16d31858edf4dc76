# Bianmin build. `make demo` and `make test` are the two commands a newcomer needs;
# both install missing Debian packages through scripts/deps.sh first.

PKGS     := libevent libevent_pthreads jansson libsodium sqlite3
TESTPKGS := cmocka libcurl

CC       ?= cc
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla
BASE     := -std=c11 -D_GNU_SOURCE -Isrc -Ibuild/gen $(WARN)
RELFLAGS := -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
SANFLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -Werror

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
TEST_LIBS  = $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

UTIL_SRC  := $(wildcard src/util/*.c)
CORE_SRC  := $(wildcard src/core/*.c)
STORE_SRC := $(wildcard src/store/*.c src/store/sqlite/*.c)
HTTP_SRC  := $(wildcard src/http/*.c)
API_SRC   := $(wildcard src/api/*.c)
CLI_SRC   := $(filter-out src/cli/main.c,$(wildcard src/cli/*.c))
GEN_SRC   := build/gen/migrations.c
LIB_SRC   := $(UTIL_SRC) $(CORE_SRC) $(STORE_SRC) $(HTTP_SRC) $(API_SRC) $(CLI_SRC)
MIGRATIONS := $(sort $(wildcard src/store/migrations/sqlite/*.sql))

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

.PHONY: all deps demo test test-asan unit store-test api-test check web clean bench help
.DEFAULT_GOAL := all

help:
	@echo "make demo   - install what is missing, build, create the demo county and serve it"
	@echo "make test   - install what is missing, build with sanitizers and run every test"
	@echo "make        - build build/bianmin"

deps:
	@scripts/deps.sh

all: build/bianmin

build/gen/migrations.c: $(MIGRATIONS) scripts/embed.sh
	@mkdir -p build/gen
	scripts/embed.sh bm_migrations_sqlite $(MIGRATIONS) > $@

# Release objects
build/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE) $(RELFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

# Sanitizer objects
build/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE) $(SANFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

REL_OBJ  := $(patsubst %.c,build/rel/%.o,$(LIB_SRC) $(GEN_SRC))
ASAN_OBJ := $(patsubst %.c,build/asan/%.o,$(LIB_SRC) $(GEN_SRC))

build/bianmin: $(REL_OBJ) build/rel/src/cli/main.o
	$(CC) $(RELFLAGS) -o $@ $^ $(PKG_LIBS)

build/asan/bianmin: $(ASAN_OBJ) build/asan/src/cli/main.o
	$(CC) $(SANFLAGS) -o $@ $^ $(PKG_LIBS)

build/asan/tests/unit/%: build/asan/tests/unit/%.o $(ASAN_OBJ)
	$(CC) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

build/asan/tests/store/test_store: build/asan/tests/store/test_store.o $(ASAN_OBJ)
	$(CC) $(SANFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS)

build/asan/tests/api/test_api: build/asan/tests/api/test_api.o build/asan/tests/api/client.o
	$(CC) $(SANFLAGS) -o $@ $^ $(shell pkg-config --libs jansson) $(TEST_LIBS) -lpthread

check:
	scripts/check-banned.sh
	scripts/check-includes.sh

unit: $(addprefix build/asan/tests/unit/,$(UNIT_TESTS))
	@set -e; for t in $^; do echo "== $$t"; $$t; done

store-test: build/asan/tests/store/test_store
	build/asan/tests/store/test_store

api-test: build/asan/bianmin build/asan/tests/api/test_api
	BIANMIN_BIN=build/asan/bianmin build/asan/tests/api/test_api

# The whole suite, under AddressSanitizer and UndefinedBehaviorSanitizer, plus a
# warning-free release build. CI runs exactly this.
test: deps
	@$(MAKE) --no-print-directory check
	@$(MAKE) --no-print-directory build/bianmin
	@$(MAKE) --no-print-directory test-asan

test-asan:
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory store-test
	@$(MAKE) --no-print-directory api-test
	@echo "all test suites passed"

DEMO_DB   ?= demo/bianmin.db
DEMO_ADDR ?= 127.0.0.1:8080
demo: deps
	@$(MAKE) --no-print-directory build/bianmin
	@mkdir -p $(dir $(DEMO_DB))
	build/bianmin demo --db $(DEMO_DB) --listen $(DEMO_ADDR)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
