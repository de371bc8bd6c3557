# SPDX-License-Identifier: GPL-2.0-only
# flowgate build. `make` builds the BPF objects, their skeletons, the
# `flowgate` binary and the tests; `make test` runs every test tier;
# `make bench` runs `flowgate bench` (measures and prints; not a test).

CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
ARCH     := $(shell uname -m)
BUILD    := build

CFLAGS   ?= -O2 -g
CFLAGS   += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE
CPPFLAGS += -Iinclude -Iuserspace -I$(BUILD)
LDLIBS   := -lxdp -lbpf -lmnl -lyaml -lelf -lz -lpthread

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Wno-unused-function \
	      -Iinclude -I/usr/include/$(ARCH)-linux-gnu

BPF_HDRS   := include/flowgate.h $(wildcard include/bpf/*.h)
# The fast path, and the helper programs of `flowgate bench` (traffic
# generator, bare XDP baselines and counters, new-flow driver).
BPF_SRCS   := xdp/flowgate_xdp.bpf.c tc/flowgate_tc.bpf.c \
	      $(wildcard xdp/bench_*.bpf.c)
BPF_OBJS   := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(notdir $(BPF_SRCS)))
SKELS      := $(patsubst %.bpf.c,$(BUILD)/%.skel.h,$(notdir $(BPF_SRCS)))

LIB_SRCS   := $(filter-out userspace/main.c,$(wildcard userspace/*.c))
LIB_OBJS   := $(patsubst userspace/%.c,$(BUILD)/userspace/%.o,$(LIB_SRCS))
LIB        := $(BUILD)/libflowgate.a
USER_HDRS  := include/flowgate.h $(wildcard userspace/*.h)

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
PROG_SRCS  := $(wildcard tests/prog/test_*.c)
PROG_BINS  := $(patsubst tests/prog/%.c,$(BUILD)/tests/%,$(PROG_SRCS))
PROG_LIB   := $(patsubst tests/prog/%.c,$(BUILD)/tests/prog/%.o,$(filter-out tests/prog/test_%.c,$(wildcard tests/prog/*.c)))

.PHONY: all deps test test-unit test-prog test-e2e bench demo clean install
.DELETE_ON_ERROR:

all: $(BUILD)/flowgate $(UNIT_BINS) $(PROG_BINS)

deps:
	scripts/install-deps.sh

$(BUILD)/%.bpf.o: xdp/%.bpf.c $(BPF_HDRS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/%.bpf.o: tc/%.bpf.c $(BPF_HDRS) | $(BUILD)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

# Only the modules that include a skeleton depend on the BPF build.
SKEL_USERS := $(patsubst userspace/%.c,$(BUILD)/userspace/%.o,$(shell grep -l 'skel\.h' userspace/*.c 2>/dev/null))
$(SKEL_USERS): $(SKELS)

$(BUILD)/userspace/%.o: userspace/%.c $(USER_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/flowgate: $(BUILD)/userspace/main.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(USER_HDRS) $(wildcard tests/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

$(BUILD)/tests/prog/%.o: tests/prog/%.c $(USER_HDRS) $(SKELS) $(wildcard tests/prog/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/prog $(CFLAGS) -c $< -o $@

$(BUILD)/tests/%: tests/prog/%.c $(PROG_LIB) $(LIB) $(USER_HDRS) $(SKELS) $(wildcard tests/prog/*.h)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -Itests/prog $(CFLAGS) -o $@ $< $(PROG_LIB) $(LIB) $(LDLIBS) -lcmocka

$(BUILD):
	@mkdir -p $(BUILD)

# Test tiers: unit (cmocka, no privileges), program (BPF_PROG_TEST_RUN, root),
# end-to-end (namespaces + veth, root). Each prints PASS/FAIL lines and the
# runner ends with "N passed, N failed".
test: all
	tests/run.sh

test-unit: all
	tests/run.sh unit
test-prog: all
	tests/run.sh prog
test-e2e: all
	tests/run.sh e2e

bench: all
	scripts/bench.sh

demo: all
	scripts/demo.sh

install: $(BUILD)/flowgate
	install -D -m 0755 $(BUILD)/flowgate $(DESTDIR)/usr/local/sbin/flowgate

clean:
	rm -rf $(BUILD)

# L7 inspector library (userspace/l7_*.c): nghttp2 decodes the HPACK header
# block of an HTTP/2 flow's first request (gRPC identification); nettle
# provides MD5 (JA3), SHA-256 (JA4, the policy hash).
LDLIBS += -lnghttp2 -lnettle

# Fuzzing with libFuzzer (clang, ASan + UBSan): one binary per
# tests/fuzz/fuzz_*.c, linked with the L7 parsers built for fuzzing.
# `make fuzz` runs each for FUZZ_TIME seconds (corpus in build/fuzz/corpus);
# `make test` runs a few seconds of each (tests/run.sh fuzz).
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_DEPS  := $(filter-out userspace/l7_engine.c,$(wildcard userspace/l7_*.c)) userspace/tcp_stream.c
# fuzz_l7_match goes through the policy loader that validates patterns.
FUZZ_POLICY := userspace/policy.c userspace/policy_yaml.c userspace/diag.c
FUZZ_FLAGS := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
	      -fno-sanitize-recover=undefined
FUZZ_TIME  ?= 120

.PHONY: fuzz test-fuzz
$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_DEPS) $(USER_HDRS) $(wildcard tests/fuzz/*.h tests/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) -D_GNU_SOURCE $(FUZZ_FLAGS) -o $@ $< $(FUZZ_DEPS) -lnghttp2 -lnettle
$(BUILD)/fuzz/fuzz_l7_match: tests/fuzz/fuzz_l7_match.c $(FUZZ_POLICY) $(USER_HDRS) $(wildcard tests/fuzz/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) -D_GNU_SOURCE $(FUZZ_FLAGS) -o $@ $< $(FUZZ_POLICY) -lyaml -lnettle
# fuzz_l7_engine: the engine with everything it calls (policy, matcher,
# event writer).
FUZZ_ENGINE := userspace/l7_engine.c $(FUZZ_DEPS) $(FUZZ_POLICY) userspace/compile.c \
	       userspace/compile_class.c userspace/events.c userspace/format.c \
	       userspace/json.c
$(BUILD)/fuzz/fuzz_l7_engine: tests/fuzz/fuzz_l7_engine.c $(FUZZ_ENGINE) $(USER_HDRS) $(wildcard tests/fuzz/*.h tests/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) -D_GNU_SOURCE $(FUZZ_FLAGS) -o $@ $< $(FUZZ_ENGINE) \
		-lyaml -lnettle -lnghttp2 -lbpf

# fuzz_inspect_pkt: the inspector's frame parser and RST builder.
$(BUILD)/fuzz/fuzz_inspect_pkt: tests/fuzz/fuzz_inspect_pkt.c userspace/inspect_pkt.c $(USER_HDRS) $(wildcard tests/fuzz/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(CPPFLAGS) -D_GNU_SOURCE $(FUZZ_FLAGS) -o $@ $< userspace/inspect_pkt.c

test: $(FUZZ_BINS)
test-fuzz: $(FUZZ_BINS)
	tests/run.sh fuzz
fuzz: $(FUZZ_BINS)
	tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_BINS)
