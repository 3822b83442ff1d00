# VirtualStack. `make` builds into build/, `make asan` the same with ASan+UBSan into
# build/asan/, `make test` runs every test against both.

BUILD ?= build
CC ?= cc
SAN ?=

PKGS := libpq json-c libjwt libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libxml2, so far only for the integration tests' SOAP client of vcsim.
XML_CFLAGS := $(shell pkg-config --cflags libxml-2.0 2>/dev/null)
XML_LIBS := $(shell pkg-config --libs libxml-2.0 2>/dev/null)

# The schema version the code expects: the highest migration number. It lives in a
# generated header, rewritten only when it changes, so that a new migration rebuilds the
# objects that compare against it (a -D flag would leave them stale).
SCHEMA_VERSION := $(shell ls sql | sed -n 's/^\([0-9][0-9][0-9]\)_.*\.sql$$/\1/p' | sort | tail -n 1 | sed 's/^0*//')
SCHEMA_HEADER := $(BUILD)/gen/schema_version.h
HASH := \#
$(shell mkdir -p $(BUILD)/gen && v='$(HASH)define VS_SCHEMA_VERSION $(SCHEMA_VERSION)' && \
	{ [ "$$(cat $(SCHEMA_HEADER) 2>/dev/null)" = "$$v" ] || echo "$$v" >$(SCHEMA_HEADER); })

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wvla -Wnull-dereference
CFLAGS ?= -O2 -g
CFLAGS += -std=c17 -D_GNU_SOURCE $(WARN) -MMD -MP -Ilib -Ifcgi -I$(BUILD)/gen $(PKG_CFLAGS) \
	-fstack-protector-strong -D_FORTIFY_SOURCE=2 -pthread
LDLIBS := -lfcgi $(PKG_LIBS) -largon2 -lz -lssl -lcrypto -pthread

ifeq ($(SAN),1)
CFLAGS := $(filter-out -O2 -D_FORTIFY_SOURCE=2,$(CFLAGS)) -O1 -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRC := $(shell find lib -name '*.c' -not -path 'lib/cli/*' | sort)
FCGI_SRC := $(filter-out fcgi/main.c,$(shell find fcgi -name '*.c' -not -path 'fcgi/openapi/*' | sort))
ADMIN_SRC := lib/cli/vs_admin.c
WORKER_SRC := lib/cli/vs_worker.c
UNIT_SRC := $(shell find tests/unit -name '*.c' | sort)
INTEG_SRC := $(shell find tests/integration -name '*.c' | sort)

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
FCGI_OBJ := $(FCGI_SRC:%.c=$(BUILD)/obj/%.o)
ADMIN_OBJ := $(ADMIN_SRC:%.c=$(BUILD)/obj/%.o)
WORKER_OBJ := $(WORKER_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/obj/%.o)
INTEG_OBJ := $(INTEG_SRC:%.c=$(BUILD)/obj/%.o)

GO ?= go
VCSIM := build/vcsim/vcsim
VCSIM_SRC := $(wildcard tests/vcsim/*.go)
VCSIM_DEBS := golang-github-vmware-govmomi-dev golang-github-google-uuid-dev
VCSIM_GOPATH := /usr/share/gocode
VCSIM_GOENV := GO111MODULE=off GOPATH=$(VCSIM_GOPATH) GOFLAGS= GOPROXY=off GOSUMDB=off \
	GOTOOLCHAIN=local GOENV=off GOCACHE=$(CURDIR)/build/vcsim/gocache

PROGRAMS := $(BUILD)/vs-fcgi $(BUILD)/vs-admin $(BUILD)/vs-worker $(BUILD)/bench/noop-fcgi
TESTS := $(BUILD)/tests/unit_tests $(BUILD)/tests/integration_tests

.PHONY: all asan vcsim fuzzers fuzz test test-unit test-integration run stop bench format clean
all: $(PROGRAMS) $(TESTS) $(OPENAPI_DOC)

# Made afresh: `ar rcs` into an old archive would keep the objects of removed files.
$(BUILD)/libvs.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/vs-fcgi: $(BUILD)/obj/fcgi/main.o $(FCGI_OBJ) $(BUILD)/libvs.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/vs-admin: $(ADMIN_OBJ) $(BUILD)/libvs.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/vs-worker: $(WORKER_OBJ) $(BUILD)/libvs.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The benchmark's do-nothing worker (scripts/bench).
$(BUILD)/bench/noop-fcgi: tests/bench/noop_fcgi.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lfcgi

# Unit tests link the handlers' library code too (router, request parsing), never a socket.
$(BUILD)/tests/unit_tests: $(UNIT_OBJ) $(FCGI_OBJ) $(BUILD)/libvs.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcunit

# Integration tests talk HTTPS to a real stack; they link the route table only to prove
# that their authorization matrix names every route.
$(BUILD)/tests/integration_tests: $(INTEG_OBJ) $(FCGI_OBJ) $(BUILD)/libvs.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(XML_LIBS) -lcunit

$(INTEG_OBJ): CFLAGS += -DVS_HAVE_ROUTE_TABLE -Itests/integration $(XML_CFLAGS)
$(UNIT_OBJ): CFLAGS += -Itests/unit

# The OpenAPI document: fcgi/openapi/base.json and each module's fcgi/<module>/openapi.json,
# merged by a small tool of ours. fcgi/system/h_openapi.c embeds the result with .incbin,
# which -MMD does not see.
OPENAPI_PARTS := $(sort $(wildcard fcgi/*/openapi.json))
OPENAPI_DOC := $(BUILD)/gen/openapi.json

$(BUILD)/tools/openapi-merge: fcgi/openapi/merge.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(PKG_LIBS)

$(OPENAPI_DOC): $(BUILD)/tools/openapi-merge fcgi/openapi/base.json $(OPENAPI_PARTS)
	$(BUILD)/tools/openapi-merge fcgi/openapi/base.json $(OPENAPI_PARTS) >$@.tmp
	mv $@.tmp $@

$(BUILD)/obj/fcgi/system/h_openapi.o: $(OPENAPI_DOC)
$(BUILD)/obj/fcgi/system/h_openapi.o: CFLAGS += -DVS_OPENAPI_PATH='"$(OPENAPI_DOC)"'

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

asan:
	$(MAKE) BUILD=build/asan SAN=1 all

# VMware's vCenter simulator for the tests (DESIGN.md §5b): our main (tests/vcsim) around
# the simulator package of Debian's golang-github-vmware-govmomi-dev, built with Debian's
# Go offline: GOPATH mode over /usr/share/gocode (where Debian's Go packages put their
# sources), no module proxy, no checksum database, no toolchain download. One binary for
# the plain and the sanitizer builds. Go's build cache lives under build/vcsim, and make
# runs Go only when our sources or Debian's govmomi/uuid packages change.
vcsim: $(VCSIM)

$(VCSIM): $(VCSIM_SRC) $(wildcard $(addprefix /var/lib/dpkg/info/,$(addsuffix .list,$(VCSIM_DEBS))))
	@command -v $(GO) >/dev/null || { echo "make: $(GO) not found: run scripts/install-deps" >&2; exit 1; }
	@[ -d $(VCSIM_GOPATH)/src/github.com/vmware/govmomi/simulator ] || \
		{ echo "make: govmomi not in $(VCSIM_GOPATH): run scripts/install-deps" >&2; exit 1; }
	@mkdir -p $(@D)
	cd tests/vcsim && env $(VCSIM_GOENV) $(GO) build -o $(abspath $@).tmp .
	mv $@.tmp $@

# libFuzzer harnesses (tests/fuzz/fuzz_*.c) over lib/core, built with clang: the fuzzer's
# own sanitizers, so not from the gcc-built libvs.a.
FUZZ_CC ?= clang
FUZZ_CFLAGS := -g -O1 -std=c17 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Ilib \
	-I/usr/include/json-c
FUZZ_LIBS := -ljson-c -ljwt -lssl -lcrypto -largon2 -lz -pthread
FUZZ_LIB_SRC := $(sort $(wildcard lib/core/*.c))
FUZZERS := $(patsubst tests/fuzz/fuzz_%.c,build/fuzz/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))

# What a harness needs beyond lib/core: FUZZ_SRC_<name> (sources, also prerequisites),
# FUZZ_FLAGS_<name> (compiler and linker flags).
FUZZ_SRC_api_key := lib/api_keys/domain.c
# The worker's request path over the unit tests' fakes: every module's code but the
# adapters (the fakes stand in), the tools and the runtime that wires real adapters.
FUZZ_SRC_router := $(FCGI_SRC) \
	$(filter-out lib/core/% lib/cli/% lib/runtime/% lib/adapters/%,$(LIB_SRC)) \
	$(filter-out %/test_fakes.c,$(wildcard tests/unit/fakes/*.c)) \
	tests/unit/api_keys/key_world.c
FUZZ_FLAGS_router := -Ifcgi -Itests/unit -I$(BUILD)/gen $(PKG_CFLAGS) \
	-DVS_OPENAPI_PATH='"$(OPENAPI_DOC)"' -lfcgi -lcunit $(PKG_LIBS) \
	-Wl,--wrap=argon2id_hash_encoded,--wrap=argon2id_verify
build/fuzz/fuzz_router: $(OPENAPI_DOC) $(wildcard fcgi/*.h fcgi/*/*.h lib/*/*.h tests/unit/*/*.h)

.SECONDEXPANSION:
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_SRC) $(wildcard lib/core/*.h) $$(FUZZ_SRC_$$*)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRC) $(FUZZ_SRC_$*) $(FUZZ_FLAGS_$*) \
		$(FUZZ_LIBS)

fuzzers: $(FUZZERS)

# Each harness for FUZZ_SECONDS (default 60), from its committed corpus.
fuzz: fuzzers
	scripts/fuzz $(or $(FUZZ_SECONDS),60)

# The README's test command: unit and integration tests, plain and sanitized, and a short
# run of every fuzzer over its committed inputs.
test: all asan fuzzers vcsim
	scripts/run-tests

run:
	scripts/install-deps --if-missing
	$(MAKE) all $(if $(filter 1,$(VS_DEV_VCENTER)),vcsim)
	scripts/stack up

stop:
	scripts/stack down

bench: all
	scripts/bench

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(FCGI_OBJ:.o=.d) $(ADMIN_OBJ:.o=.d) $(WORKER_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(INTEG_OBJ:.o=.d) $(BUILD)/obj/fcgi/main.d
