# Convenience entry points; the build itself is CMake.
#   make demo   set up, build, and run sshsync on the bundled demo home
#   make check  set up, build with sanitizers, run every test
#   make bench  the performance benchmarks beside their references
BUILD ?= build
CHECK_BUILD ?= build-check
JOBS ?= 2

.PHONY: all deps build demo check bench install clean

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

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(CHECK_BUILD)
