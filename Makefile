# MIPareto: `make demo` runs the example end to end, `make test` runs the test suite.
# Both install the system libraries MIPareto links (GLPK, OpenBLAS) with apt when missing.

SWIFT ?= swift
PYTHON ?= python3
APT_PACKAGES := libglpk-dev libopenblas-dev
RELEASE := -c release
BIN := .build/release/mipareto
BUNDLE := examples/data/digits-pair-mini

.PHONY: deps build test demo benchmarks fuzz clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing$$missing"; \
		SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build $(RELEASE)

# Numeric tests on real bundles are slow unoptimised: run them in release with @testable imports kept.
# Then the Python side (examples/: the evaluator module, the reference and PyTorch evaluators, the
# Ray pool); tests that need torch or ray skip themselves when those are not installed.
test: deps
	$(SWIFT) test $(RELEASE) -Xswiftc -enable-testing
	$(PYTHON) -m pytest -q examples/tests

demo: build
	@sh examples/demo.sh $(BIN) $(BUNDLE) demo-out

benchmarks: deps
	cd Benchmarks && $(SWIFT) run $(RELEASE) compare-peers all

# libFuzzer targets of every parser (Benchmarks/Fuzz, its own package): builds them with the fuzzer
# and address sanitizers, runs each for FUZZ_SECONDS, prints executions, corpus size and crashes /
# hangs / leaks per target; fails when any target found one.
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) bash Benchmarks/Fuzz/run.sh

clean:
	rm -rf .build Benchmarks/.build Benchmarks/Fuzz/.build
