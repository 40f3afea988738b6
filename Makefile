# alicloud.pai — developer and CI entry points; see `make help` and docs/docsite/rst/guide_contributing.rst.
# `make setup` creates .venv (Python 3.12: ansible-core, nox, antsibull-nox, the test tools) and build/python (links to
# the real interpreters). Most targets run nox sessions (noxfile.py, antsibull-nox.toml), each in its own venv under
# .nox/; tests/utils/ci.py runs them and the steps nox does not, and prints the summary with counts.

# Any Python 3.9+ runs the driver; it finds the 3.12 and 3.11 interpreters for the venvs itself.
PYTHON ?= $(shell for p in python3.12 python3 python; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 9))' >/dev/null 2>&1 && { echo $$p; break; }; done)
CI_PY := $(PYTHON) tests/utils/ci.py
PORT ?= 8765

.DEFAULT_GOAL := help
.PHONY: help test setup sanity units integration conformance lint ansible-lint docs-lint changelog-lint build oldest \
	docs docs-check ee module-docs awx acceptance emulator emulator-start emulator-stop env collection demo newcomer \
	clean nox-list

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-15s %s\n", $$1, $$2}'

test: ## Everything CI runs, fail-fast, with a summary at the end
	@$(CI_PY) test

setup: ## Create .venv and the interpreter links in build/python (idempotent)
	@$(CI_PY) setup

sanity: ## nox -e ansible-test-sanity: ansible-test sanity --venv on Python 3.9-3.13 (no ignore entries allowed)
	@$(CI_PY) sanity

units: ## nox -e ansible-test-units: ansible-test units --venv on Python 3.9-3.13
	@$(CI_PY) units

integration: ## nox -e ansible-test-integration: against a fresh emulator (TARGETS="a b" for some targets)
	@$(CI_PY) integration

conformance: ## Official-SDK conformance tests against the emulator (pytest)
	@$(CI_PY) conformance

lint: ## nox -e lint extra-checks ansible-lint docs-check changelog-lint
	@$(CI_PY) lint

ansible-lint: ## nox -e ansible-lint (production profile, offline)
	@$(CI_PY) ansible-lint

docs-lint: ## nox -e docs-check: antsibull-docs lint-collection-docs with plugin docs and references
	@$(CI_PY) docs-lint

changelog-lint: ## nox -e changelog-lint
	@$(CI_PY) changelog-lint

build: ## nox -e build-import-check: ansible-galaxy collection build + galaxy-importer
	@$(CI_PY) build

docs: ## Regenerate the module reference pages in docs/modules (antsibull-docs), then docs-lint
	@$(CI_PY) docs

docs-check: ## Fail if docs/modules differs from what `make docs` generates now (CI runs this)
	@$(CI_PY) docs-check

ee: ## ansible-builder create of the execution environment in docs/ee (no container engine needed)
	@$(CI_PY) ee

module-docs: ## ansible-doc renders every module; every module's EXAMPLES run against the emulator
	@$(CI_PY) module-docs

awx: ## examples/*.yml as AWX jobs (ansible-runner): check+diff, run, run again; no secret in the artifacts
	@$(CI_PY) awx

acceptance: ## Acceptance lifecycle + behaviour probe: a real account when PAI_WORKSPACE_ID is set, else the emulator
	@$(CI_PY) acceptance

oldest: ## nox -e ansible-test-units-2.15 ansible-test-integration-2.15 (the oldest supported ansible-core)
	@$(CI_PY) oldest

emulator: ## Run the PAI emulator in the foreground on 127.0.0.1:8765 (PORT=...); Ctrl-C stops it
	@echo "Starting the PAI emulator in the foreground on 127.0.0.1:$(PORT): this terminal stays busy until Ctrl-C stops it."
	@echo "(In the background instead: make emulator-start, stopped by make emulator-stop.)"
	@echo "Key pair: emulator-access-key-id / emulator-access-key-secret, workspace 10001"
	@echo 'Another terminal: eval "$$(make -s env)" points ansible-playbook at it.'
	@$(PYTHON) tests/emulator/pai_emulator.py --host 127.0.0.1 --port $(PORT)

emulator-start: ## Start the PAI emulator in the background on 127.0.0.1:8765 (PORT=...); make emulator-stop stops it
	@PORT=$(PORT) $(PYTHON) tests/utils/try_it.py emulator-start

emulator-stop: ## Stop the background emulator of this checkout
	@$(PYTHON) tests/utils/try_it.py emulator-stop

env: ## Print the exports for a shell: eval "$(make -s env)" (ansible-playbook, this checkout as alicloud.pai, the emulator)
	@PORT=$(PORT) $(PYTHON) tests/utils/try_it.py env

collection: ## Print the export that makes this checkout alicloud.pai: eval "$(make -s collection)"
	@$(PYTHON) tests/utils/try_it.py collection

demo: ## Run examples/*.yml against a fresh emulator: check+diff, apply, re-apply (changed=0); KEEP=1 leaves it running
	@PORT=$(PORT) $(PYTHON) tests/utils/try_it.py demo

newcomer: ## The README's and guides' try-it commands, as written, on a fresh clone (tests/utils/newcomer.py)
	@$(CI_PY) newcomer

clean: ## Remove .venv, .nox, build/ and test output
	@$(CI_PY) clean

nox-list: ## List the nox sessions (after make setup: .venv/bin/nox -e NAME runs one)
	@.venv/bin/nox -l

.PHONY: bench
bench: ## Benchmark against the emulator: task cost, listing vs the SDK, requests (docs/bench; SIZE=small: fast, build/bench)
	@BENCH_SIZE=$(or $(SIZE),full) $(CI_PY) bench
