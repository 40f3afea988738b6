# alicloud.pai — developer and CI entry points.
# All logic lives in tests/utils/ci.py (standard library only); see `make help`.
# Everything is installed by these targets: .venv (Python 3.12, current tools), .venv-oldest (Python 3.11,
# the oldest supported ansible-core) and the get-pip stand-in ansible-test needs on this offline machine.

# Any Python 3.9+ runs the driver; it finds the 3.12 and 3.11 interpreters for the venvs itself.
PYTHON ?= $(shell for p in python3.12 python3 python; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 9))' >/dev/null 2>&1 && { echo $$p; break; }; done)
CI_PY := $(PYTHON) tests/utils/ci.py
PORT ?= 8765

.DEFAULT_GOAL := help
.PHONY: help test setup sanity units integration conformance lint ansible-lint docs-lint changelog-lint build oldest \
	docs docs-check ee module-docs awx acceptance emulator demo clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-15s %s\n", $$1, $$2}'

test: ## Everything CI runs, fail-fast, with a summary at the end
	@$(CI_PY) test

setup: ## Create .venv/.venv-oldest, python links and get-pip stand-ins (idempotent)
	@$(CI_PY) setup

sanity: ## ansible-test sanity on Python 3.9-3.13 (no ignore entries allowed)
	@$(CI_PY) sanity

units: ## ansible-test units on Python 3.9-3.13
	@$(CI_PY) units

integration: ## ansible-test integration (Python 3.12) against the emulator (TARGETS="a b" for some)
	@$(CI_PY) integration

conformance: ## Official-SDK conformance tests against the emulator (pytest)
	@$(CI_PY) conformance

lint: ## ansible-lint (production), antsibull-docs lint, antsibull-changelog lint
	@$(CI_PY) lint

ansible-lint: ## ansible-lint --profile production --offline
	@$(CI_PY) ansible-lint

docs-lint: ## antsibull-docs lint-collection-docs --plugin-docs
	@$(CI_PY) docs-lint

changelog-lint: ## antsibull-changelog lint
	@$(CI_PY) changelog-lint

build: ## ansible-galaxy collection build + install, ansible-builder introspect, galaxy-importer
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

oldest: ## units + integration with the oldest supported ansible-core (2.15, Python 3.11)
	@$(CI_PY) oldest

emulator: ## Run the PAI emulator in the foreground on 127.0.0.1:8765 (PORT=... to change)
	@$(CI_PY) emulator --port $(PORT)

demo: ## Run examples/*.yml against a fresh emulator: check+diff, apply, re-apply (changed=0)
	@$(CI_PY) demo

clean: ## Remove .venv, .venv-oldest, build/ and test output
	@$(CI_PY) clean
