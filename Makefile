# A thin wrapper over the CMake presets; every target installs missing packages first.
.PHONY: deps build release run test test-asan test-tsan fuzz bench bench-smoke protocol-doc format clean

PRESET ?= dev
ARGS ?= --listen 0.0.0.0:7070

deps:
	@scripts/install-deps

build: deps
	cmake --preset $(PRESET) >/dev/null
	cmake --build --preset $(PRESET)

# Builds the optimised tracker and client.
release: deps
	cmake --preset release >/dev/null
	cmake --build --preset release --target tracker client

# Builds the optimised tracker and starts it on port 7070.
run: release
	build/release/apps/tracker $(ARGS)

# Builds and runs every test, with a throwaway PostgreSQL server for the tests that need one.
test: deps
	cmake --preset dev >/dev/null
	cmake --build --preset dev
	scripts/with-postgres ctest --preset dev

test-asan: deps
	cmake --preset asan-ubsan >/dev/null
	cmake --build --preset asan-ubsan
	scripts/with-postgres ctest --preset asan-ubsan

test-tsan: deps
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan
	scripts/with-postgres ctest --preset tsan

# The libFuzzer targets (tests/fuzz), each run FUZZ_SECONDS over its seed corpus; fails on a crash.
FUZZ_SECONDS ?= 20
fuzz: deps
	scripts/fuzz $(FUZZ_SECONDS)

# The benchmarks beside InspIRCd, Redis and openssl (docs/benchmarks.md); a few minutes.
bench: deps
	bench/run

# The same at tiny sizes, in seconds: CI runs it so the benchmarks keep working.
bench-smoke: deps
	bench/run --smoke

protocol-doc:
	cmake --build --preset dev --target protocol-doc

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build
