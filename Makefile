# The front door. `make demo` and `make test` are all the set-up there is.
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=
# Embed an official async-profiler 3+ release instead of our agent:
#   make ASYNC_PROFILER_ARCHIVE=path/to/async-profiler-X-linux-x64.tar.gz
ifdef ASYNC_PROFILER_ARCHIVE
CMAKE_FLAGS += -DPJ_ASYNC_PROFILER_ARCHIVE=$(abspath $(ASYNC_PROFILER_ARCHIVE))
endif

.PHONY: all build deps test demo bench fuzz clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: $(BUILD)/CMakeCache.txt
ifdef ASYNC_PROFILER_ARCHIVE
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
endif
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD_ASAN)/CMakeCache.txt:
	cmake -S . -B $(BUILD_ASAN) -G Ninja -DPJ_SANITIZE=ON $(CMAKE_FLAGS)

$(BUILD_FUZZ)/CMakeCache.txt:
	CC=clang cmake -S . -B $(BUILD_FUZZ) -G Ninja -DPJ_FUZZ=ON $(CMAKE_FLAGS)

test: deps
	@$(MAKE) --no-print-directory build $(BUILD_ASAN)/CMakeCache.txt $(BUILD_FUZZ)/CMakeCache.txt
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cmake --build $(BUILD_FUZZ) -j $(JOBS)
	@scripts/run-tests $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)

demo: deps build
	@scripts/demo $(BUILD)/pyrojava

# Run every benchmark in build/bench (see docs/benchmarks.md).
bench: build
	@bench/run $(BUILD)

# Run every fuzzer for FUZZ_SECONDS on its corpus (make fuzz FUZZ_SECONDS=600).
fuzz: deps $(BUILD_FUZZ)/CMakeCache.txt
	cmake --build $(BUILD_FUZZ) -j $(JOBS)
	cmake -S . -B $(BUILD_FUZZ) -DPJ_FUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	ctest --test-dir $(BUILD_FUZZ) --output-on-failure

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
