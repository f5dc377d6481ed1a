# Convenience entry points; the build itself is CMake.
#   make demo     set up, build, and run sshsync on the bundled demo home
#   make check    set up, build with sanitizers, run every test
#   make bench    the performance benchmarks beside their references
#   make install  install the Release build (stripped; installs no packages)
#   make package  the Debian package, $(BUILD)/sshsync_VERSION_ARCH.deb
# Only check, demo and bench install build and test dependencies (deps).
BUILD ?= build
CHECK_BUILD ?= build-check
JOBS ?= 2
# The check build's options and ctest's extra arguments (the clone test
# builds without sanitizers and leaves itself out).
CHECK_FLAGS ?= -DSSHSYNC_SANITIZE=ON -DSSHSYNC_WERROR=ON
CTEST_ARGS ?=

.PHONY: all deps build demo check bench install package clean

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

install: build
	cmake --install $(BUILD) --strip

package: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(CHECK_BUILD)
