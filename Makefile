# Herald — the two commands a new machine needs: `make run` and `make test`.
SWIFT ?= swift
HERALD_DEBUG := .build/debug/herald
# The Python tests run in the project venv that `scripts/install-deps.sh --test` creates and
# fills; its bin/ goes on PATH too, for the tools it installs (schemathesis, kubernetes-validate).
VENV := $(CURDIR)/.venv
PYTHON ?= $(VENV)/bin/python
VENV_PATH = PATH="$(VENV)/bin:$$PATH"

.PHONY: run test build test-swift test-interop test-setup test-fresh bench bench-gate soak fuzz fuzz-parsers fuzz-api example-rp deps venv clean

## run: install what is missing, build, serve the demo realms on 127.0.0.1:8080 (data in ./data)
run: deps build
	$(HERALD_DEBUG) serve --realms realms --data data --listen 127.0.0.1:8080

## test: install what is missing, build, run the Swift tests, the Python interop tests and the set-up/deploy checks
test: deps
	scripts/install-deps.sh --test
	$(SWIFT) build --build-tests
	$(MAKE) test-swift test-interop test-setup

build:
	$(SWIFT) build --product herald

## test-swift: the Swift tests; the PostgreSQL store tests use the private cluster of scripts/postgres.sh
test-swift:
	HERALD_TEST_POSTGRES_URL="$$(scripts/postgres.sh start)" $(SWIFT) test --skip-build

test-interop: venv
	HERALD_BIN=$(CURDIR)/$(HERALD_DEBUG) $(VENV_PATH) $(PYTHON) -m pytest Tests/interop -q

## test-setup: scripts/install-deps.sh in a clean clone (Tests/setup/test_install_deps.sh) and the deploy/ checks
test-setup: venv
	Tests/setup/test_install_deps.sh
	HERALD_BIN=$(CURDIR)/$(HERALD_DEBUG) $(VENV_PATH) $(PYTHON) -m pytest Tests/setup -q

## test-fresh: install-deps --test on a new Debian 12 minbase chroot, then interop and deploy tests there (root, debootstrap, network; ~2 min; not part of test)
test-fresh: build
	HERALD_BIN=$(CURDIR)/$(HERALD_DEBUG) Tests/setup/fresh_debian.sh

## bench: release build, herald against the Glewlwyd peer from ../shared/bench/peer
bench: venv
	$(VENV_PATH) scripts/bench.sh

## bench-gate: release build, the MCP gate and /api/verify at 10 000 and 1 000 000 agents (about 8 min, not in make bench; GATE_SCALE=1 make bench includes it)
bench-gate: venv
	$(SWIFT) build -c release --product herald
	$(SWIFT) build -c release --product herald-bench-seed
	HERALD_BIN=$(CURDIR)/.build/release/herald $(VENV_PATH) scripts/bench-gate.sh

## soak: release build; kill -9 five times under token + admin load, then 10 min of mixed load (bench/results/soak-*)
soak: deps
	scripts/install-deps.sh --test
	$(SWIFT) build -c release --product herald
	HERALD_BIN=$(CURDIR)/.build/release/herald $(VENV_PATH) $(PYTHON) scripts/soak.py

## fuzz: bounded fuzzing; fuzz-parsers = libFuzzer over the hand-written parsers, FUZZ_SECONDS (75) per target
fuzz: fuzz-parsers fuzz-api

fuzz-parsers: deps
	scripts/fuzz.sh

## fuzz-api: schemathesis over docs/openapi.yaml against a throwaway herald, FUZZ_API_EXAMPLES (1000) per operation, seed FUZZ_API_SEED (random); bench/results/fuzz-api-*
FUZZ_API_EXAMPLES ?= 1000
FUZZ_API_SEED ?= $(shell echo $$(( $$(od -An -N4 -tu4 /dev/urandom) % 2147483648 )))
fuzz-api: deps
	scripts/install-deps.sh --test
	$(SWIFT) build --product herald
	HERALD_BIN=$(CURDIR)/$(HERALD_DEBUG) HERALD_SCHEMATHESIS_EXAMPLES=$(FUZZ_API_EXAMPLES) \
	  HERALD_SCHEMATHESIS_SEED=$(FUZZ_API_SEED) HERALD_SCHEMATHESIS_TIMEOUT=7200 \
	  HERALD_SCHEMATHESIS_RESULTS=$(CURDIR)/bench/results \
	  $(VENV_PATH) $(PYTHON) -m pytest Tests/interop/test_schemathesis.py -q -s

## example-rp: build and serve the example relying party (Examples/RelyingParty) on EXAMPLE_RP_LISTEN, trusting EXAMPLE_RP_ISSUER (the acme realm of `make run`)
EXAMPLE_RP_ISSUER ?= http://127.0.0.1:8080/realms/acme
EXAMPLE_RP_LISTEN ?= 127.0.0.1:8090
example-rp: deps
	$(SWIFT) build --product herald-example-rp
	.build/debug/herald-example-rp --issuer $(EXAMPLE_RP_ISSUER) --listen $(EXAMPLE_RP_LISTEN)

deps:
	scripts/install-deps.sh

## venv: the test packages too (slapd, ldap-utils, python3-venv) and .venv/ (instant when up to date)
venv:
	scripts/install-deps.sh --test

clean:
	rm -rf .build
