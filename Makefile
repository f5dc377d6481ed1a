# Convenience entry points; the build itself is CMake.
#   make demo     set up, build, and run sshsync on the bundled demo home
#   make check    set up, build with sanitizers, run every test
#   make bench    the performance benchmarks beside their references
#   make fuzz     build the libFuzzer harnesses (clang) and run each for
#                 FUZZ_SECONDS (default 60)
#   make tsan     the unit tests under ThreadSanitizer: large files are read,
#                 parsed and audited on two threads, and the unit tests cut
#                 each kind of file in two
#   make install  install the Release build (stripped; installs no packages)
#   make package  the Debian package, $(BUILD)/sshsync_VERSION_ARCH.deb
#   make windows  sshsync.exe for x86_64 Windows, cross-built with MinGW-w64
#                 ($(WINDOWS_BUILD)/sshsync.exe; scripts/build-windows-deps
#                 fills $(WINDOWS_DEPS) first, once); make windows-check runs
#                 its unit tests under Wine
# Only check, demo, bench and fuzz install build and test dependencies (deps).
BUILD ?= build
CHECK_BUILD ?= build-check
JOBS ?= 2
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
FUZZ_SECONDS ?= 60
WINDOWS_BUILD ?= build-windows
WINDOWS_DEPS ?= $(CURDIR)/build-windows-deps
# scripts/install-deps installs clang-14 (Debian 12), which has no plain
# `clang` command unless the clang package is there too.
FUZZ_CC ?= $(shell command -v clang-14 || command -v clang || echo clang)
# The check build's options and ctest's extra arguments (the clone test
# builds without sanitizers and leaves itself out).
CHECK_FLAGS ?= -DSSHSYNC_SANITIZE=ON -DSSHSYNC_WERROR=ON
CTEST_ARGS ?=

.PHONY: all deps build demo check bench fuzz tsan install package windows windows-check clean

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

tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSSHSYNC_TSAN=ON -DSSHSYNC_WERROR=ON
	cmake --build $(TSAN_BUILD) -j$(JOBS)
	cd $(TSAN_BUILD) && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
		ctest --output-on-failure -j$(JOBS) -R '^unit/'

install: build
	cmake --install $(BUILD) --strip

package: build
	cd $(BUILD) && cpack -G DEB

$(WINDOWS_DEPS)/READY:
	./scripts/build-windows-deps --prefix $(WINDOWS_DEPS)

windows: $(WINDOWS_DEPS)/READY
	cmake -S . -B $(WINDOWS_BUILD) -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/cmake/toolchain-mingw64.cmake \
		-DSSHSYNC_WINDOWS_DEPS=$(WINDOWS_DEPS) -DCMAKE_BUILD_TYPE=Release -DSSHSYNC_WERROR=ON
	cmake --build $(WINDOWS_BUILD) -j$(JOBS)

windows-check: windows
	cd $(WINDOWS_BUILD) && ctest --output-on-failure -j$(JOBS) -R '^unit/'

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(FUZZ_BUILD) $(WINDOWS_BUILD)
