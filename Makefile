# Convenience entry points; the build itself is CMake.
#   make demo   set up, build, and run sshsync on the bundled demo home
#   make check  set up, build with sanitizers, run every test
#   make bench  the performance benchmarks beside their references
#   make fuzz   build the libFuzzer harnesses (clang) and run each for
#               FUZZ_SECONDS (default 60)
BUILD ?= build
CHECK_BUILD ?= build-check
JOBS ?= 2
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
# scripts/install-deps installs clang-14 (Debian 12), which has no plain
# `clang` command unless the clang package is there too.
FUZZ_CC ?= $(shell command -v clang-14 || command -v clang || echo clang)

.PHONY: all deps build demo check bench fuzz install clean

all: build

deps:
	./scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	./scripts/demo $(BUILD)

check: deps
	cmake -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSSHSYNC_SANITIZE=ON -DSSHSYNC_WERROR=ON
	cmake --build $(CHECK_BUILD) -j$(JOBS)
	cd $(CHECK_BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	./bench/run $(BUILD)

fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=$(FUZZ_CC) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DSSHSYNC_FUZZ=ON -DSSHSYNC_TESTS=OFF
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	./tests/fuzz/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FUZZ_BUILD)
