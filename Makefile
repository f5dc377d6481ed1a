# Convenience entry points; the build itself is CMake.
#   make demo     set up, build, and run sshsync on the bundled demo home
#   make check    set up, build with sanitizers, run every test
#   make bench    the performance benchmarks beside their references
#   make fuzz     build the libFuzzer harnesses (clang) and run each for
#                 FUZZ_SECONDS (default 60)
#   make install  install the Release build (stripped; installs no packages)
#   make package  the Debian package, $(BUILD)/sshsync_VERSION_ARCH.deb
# Only check, demo, bench and fuzz install build and test dependencies (deps).
BUILD ?= build
CHECK_BUILD ?= build-check
JOBS ?= 2
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
# scripts/install-deps installs clang-14 (Debian 12), which has no plain
# `clang` command unless the clang package is there too.
FUZZ_CC ?= $(shell command -v clang-14 || command -v clang || echo clang)
# The check build's options and ctest's extra arguments (the clone test
# builds without sanitizers and leaves itself out).
CHECK_FLAGS ?= -DSSHSYNC_SANITIZE=ON -DSSHSYNC_WERROR=ON
CTEST_ARGS ?=

.PHONY: all deps build demo check bench fuzz install package clean

all: build

deps:
	./scripts/install-deps

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)

demo: deps
	@mkdir -p $(BUILD)
	@echo "building in $(BUILD)/ (log: $(BUILD)/build.log)"
	@$(MAKE) --no-print-directory build >$(BUILD)/build.log 2>&1 || { cat $(BUILD)/build.log; exit 1; }
	./scripts/demo $(BUILD)

check: deps
	cmake -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug $(CHECK_FLAGS)
	cmake --build $(CHECK_BUILD) -j$(JOBS)
	cd $(CHECK_BUILD) && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

bench: deps build
	./bench/run $(BUILD)

fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=$(FUZZ_CC) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DSSHSYNC_FUZZ=ON -DSSHSYNC_TESTS=OFF
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	./tests/fuzz/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

install: build
	cmake --install $(BUILD) --strip

package: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FUZZ_BUILD)
