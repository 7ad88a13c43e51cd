# The front door: `make help` lists the targets. Everything installs itself on first use.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: help install test lint format typecheck cfn-lint eslint node-test pytest bench clean browser screenshots \
	unit handlers bench-smoke local reliability browser-tests deployment

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(PY_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(PY_STAMP) $(NODE_STAMP) ## Create the virtualenv and install Python and npm dependencies

# The dashboard's browser suite drives Debian's chromium (Playwright is pointed at it; it never
# downloads a browser). Installed with apt-get when missing; in CI (CI set) a browser that cannot
# be installed fails the run, elsewhere the suite is skipped and says why.
CHROMIUM ?= /usr/bin/chromium
browser: ## Install Debian's chromium for the browser suite when it is missing (apt-get, as root)
	@test -x $(CHROMIUM) && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium (apt-get) for the dashboard's browser suite"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	fi; \
	test -x $(CHROMIUM) && exit 0; \
	if [ -n "$$CI" ]; then \
		echo "make browser: $(CHROMIUM) is missing and apt-get could not install it (run as root: apt-get install -y chromium); the browser suite cannot run in CI" >&2; \
		exit 1; \
	fi; \
	echo "make browser: $(CHROMIUM) is missing (as root: apt-get install -y chromium); the browser suite will be skipped" >&2

# The test tiers: every test module is in exactly one (tests/test_tiers.py checks it). The
# CPU-bound tiers of independent tests run on every core (pytest-xdist), and so does the
# reliability tier: one process waits on DynamoDB Local's answers half the time, so two modules at
# once, each worker with its own engine, use the second core. The local and browser tiers share
# one local server per process.
XDIST := -n auto --dist loadfile
PYTEST := $(BIN)/pytest -p no:cacheprovider
UNIT_TESTS := tests/unit tests/test_layers.py tests/test_tiers.py tests/test_standalone.py
HANDLER_TESTS := tests/handlers
BENCH_TESTS := tests/test_bench_smoke.py
LOCAL_TESTS := tests/local
RELIABILITY_TESTS := tests/reliability tests/test_dynamodb_local.py
BROWSER_TESTS := tests/browser
DEPLOYMENT_TESTS := tests/deployment
# Each tier says how long it took (the figures docs/benchmarks.md budgets).
timed = start=$$(date +%s); $(1); status=$$?; echo "tier $(2): $$(( $$(date +%s) - start )) s"; exit $$status

# `make test` runs the checks and tiers in two lanes side by side (make -j2), each tier's output
# printed whole when it ends, with its time; a failing one fails `make test` (the other lane's
# running tier is let finish). One lane: the tiers that keep both cores busy (pytest-xdist); the
# other: the checks and the tiers of one process (each its own local server and DynamoDB Local on
# free ports, its CLI state under a temporary LOYALTY_DEV_DATA), which wait on their servers and
# browser much of the time. The deployment tier comes after the handlers, whose recording it reads.
CHECKS := lint typecheck cfn-lint eslint node-test
CORES_LANE := unit handlers deployment reliability
SERIAL_LANE := $(CHECKS) bench-smoke local browser-tests

test: install browser ## Everything CI runs: lint, types, template lint, ESLint, node --test, every test tier (in two lanes)
	@start=$$(date +%s); $(MAKE) --no-print-directory -j2 --output-sync=target IN_LANES=1 $(CORES_LANE) $(SERIAL_LANE); \
	status=$$?; echo "make test: $$(( $$(date +%s) - start )) s$$([ $$status = 0 ] || echo ', FAILED')"; exit $$status

# Within `make test` only, each lane's targets run one after another, in the order listed
# (`chain`: each target waits for the one before it, an order-only prerequisite).
chain = $(if $(word 2,$(1)),$(eval $(word 2,$(1)): | $(word 1,$(1)))$(call chain,$(wordlist 2,$(words $(1)),$(1))))
ifdef IN_LANES
$(call chain,$(CORES_LANE))
$(call chain,$(SERIAL_LANE))
endif

unit: $(PY_STAMP) ## Tier: the pure rules and the layering (no database), on every core
	@$(call timed,$(PYTEST) $(XDIST) -q $(UNIT_TESTS),unit)

# The handler tier records its functions' AWS calls (secrets from moto's SSM) into build/aws-calls/;
# the deployment tier checks IAM against that recording instead of running the suite again while
# no file has changed since (tests/deployment/recorded_run.py).
handlers: $(PY_STAMP) ## Tier: the handlers through API Gateway events on moto, on every core (AWS calls recorded)
	@$(call timed,$(BIN)/python -m tests.deployment.recorded_run -p no:cacheprovider $(XDIST) -q $(HANDLER_TESTS),handlers)

bench-smoke: $(PY_STAMP) ## Tier: the benchmark still runs (its call counting, CPU figure and cold-start children, briefly)
	@$(call timed,$(PYTEST) -q $(BENCH_TESTS),bench-smoke)

local: install ## Tier: the local server, the CLI, events/, openapi.yaml, schemathesis (DynamoDB Local)
	@$(call timed,$(PYTEST) -q $(LOCAL_TESTS),local)

reliability: install ## Tier: concurrency, faults, hostile input, idempotency on DynamoDB Local
	@$(call timed,$(PYTEST) $(XDIST) -q $(RELIABILITY_TESTS),reliability)

browser-tests: install browser ## Tier: the dashboard in headless Chromium (Playwright) on the local server
	@$(call timed,$(PYTEST) -q $(BROWSER_TESTS),browser)

deployment: $(PY_STAMP) ## Tier: template, IAM (on the handler tier's recorded AWS calls, else a run of its own), hosting (FAST=1: no IAM)
	@$(call timed,$(PYTEST) -q $(DEPLOYMENT_TESTS) $(if $(FAST),-m "not deployment_calls"),deployment)

eslint: $(NODE_STAMP) ## ESLint (flat config, eslint.config.js) on the dashboard and its tests
	npx --no-install eslint dashboard tests/js eslint.config.js

node-test: $(NODE_STAMP) ## node --test: the dashboard's pure functions (tests/js)
	node --test tests/js/

lint: $(PY_STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(PY_STAMP) ## Format and auto-fix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(PY_STAMP) ## mypy (strict) on shared/, functions/, tools/ and the tests' harness and benchmarks
	$(BIN)/mypy

cfn-lint: $(PY_STAMP) ## cfn-lint on template.yaml
	$(BIN)/cfn-lint template.yaml

pytest: install browser ## Every test suite in one pytest process (FAST=1 skips the recorded runs); `make test` runs them as tiers
	$(BIN)/pytest $(if $(FAST),-m "not deployment_calls")

screenshots: install browser ## Rewrite docs/images/dashboard-*.png and panel-*.png from the browser suite's pages
	LOYALTY_SCREENSHOTS=docs $(BIN)/pytest tests/browser -q

bench: install ## Run the benchmarks and print the figures
	$(BIN)/python -m tests.benchmarks

clean: ## Remove the virtualenv, node_modules and caches
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis .aws-sam build/aws-calls

# -- running locally, integrating, deploying ---------------------------------------------------

.PHONY: dev dev-reset invoke send token admin-token events schemas reconcile build validate deploy

PORT ?= 3000
# The SAM CLI lives in a virtualenv of its own: it pins exact boto3, click and cfn-lint versions.
SAM_VENV := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed
SAM_CLI_VERSION := 1.170.0
SAM := SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam
# `sam build` needs the functions' runtime (python3.13) on PATH. pyenv hides the versions it has
# but has not selected, so where pyenv has a 3.13, select it beside the current one.
PYENV_313 := $(shell command -v pyenv >/dev/null 2>&1 && pyenv versions --bare 2>/dev/null | grep -E '^3\.13(\.[0-9]+)?$$' | tail -n 1)
SAM_BUILD_ENV := $(if $(PYENV_313),PYENV_VERSION="$$(pyenv version-name):$(PYENV_313)")

$(SAM_STAMP):
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check aws-sam-cli==$(SAM_CLI_VERSION)
	@touch $@

dev: install ## Serve template.yaml's API on http://127.0.0.1:3000 (PORT=…) on DynamoDB Local; Ctrl-C stops it
	$(BIN)/loyalty dev --port $(PORT)

dev-reset: $(PY_STAMP) ## Wipe the local database's data (.dev-data/dynamodb)
	$(BIN)/loyalty dev-reset

invoke: install ## Run one function on one event: make invoke FUNCTION=BalanceFunction EVENT=events/balance.json
	$(BIN)/loyalty invoke $(FUNCTION) $(EVENT)

send: $(PY_STAMP) ## Sign and POST a webhook: make send KIND=order-created [FILE=event.json] [URL=http://…]
	$(BIN)/loyalty send $(KIND) $(FILE) $(if $(URL),--url $(URL))

token: $(PY_STAMP) ## Mint a customer token: make token STORE=acme CUSTOMER=c-42
	$(BIN)/loyalty token $(STORE) $(CUSTOMER)

admin-token: $(PY_STAMP) ## Mint a local merchant token for the back office: make admin-token STORE=acme (OPERATOR=1: every store)
	$(BIN)/loyalty admin-token $(STORE) $(if $(OPERATOR),--operator)

events: $(PY_STAMP) ## Rewrite events/: one API Gateway event per route, freshly signed
	$(BIN)/loyalty events

schemas: $(PY_STAMP) ## Rewrite openapi.yaml's components/schemas from the pydantic models
	$(BIN)/loyalty schemas

reconcile: install ## Check a store's invariants on make dev's database: make reconcile STORE=acme
	$(if $(STORE),,$(error STORE is required: make reconcile STORE=acme))
	$(BIN)/loyalty reconcile $(foreach store,$(STORE),--store $(store))

build: $(SAM_STAMP) ## sam build (python3.13, arm64) into .aws-sam/
	$(SAM_BUILD_ENV) $(SAM) build

validate: build $(PY_STAMP) ## sam validate --lint, cfn-lint, and the built layer's binaries (python3.13, arm64)
	$(SAM) validate --lint
	$(BIN)/cfn-lint template.yaml
	$(BIN)/python -m loyalty_dev.built_layer .aws-sam/build

STACK ?= loyalty-points
deploy: build $(NODE_STAMP) $(PY_STAMP) ## sam deploy with samconfig.toml (GUIDED=1: sam deploy --guided), then publish the dashboard and the panel (STACK=…)
	$(SAM) deploy $(if $(GUIDED),--guided)
	$(BIN)/python -m loyalty_dev.dashboard_deploy --stack $(STACK) $(if $(REGION),--region $(REGION))
