# Developer entry points. `make demo` and `make test` are the two the README promises;
# both set up what they need on a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION := 0.13.9
PY312 ?= $(shell .ci/find-python.sh 3.12)
PY39 ?= $(shell .ci/find-python.sh 3.9)
UV ?= $(firstword $(shell uv --version >/dev/null 2>&1 && command -v uv) $(CURDIR)/.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PY312)
RUN := $(UV) run --locked --no-sync

export UV
.PHONY: help setup test lint unit test-py39 wheel pg bench py39-lock demo lineage local-up local-down deploy \
        deploy-mwaa package ui backfill af211-lock chaos security cost

help:  ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

setup:  ## install everything (idempotent): system libs, uv, .venv, the Python 3.9 runner env
	@bash .ci/setup.sh "$(UV_VERSION)" "$(PY312)" "$(PY39)"

demo: setup pg  ## the reviews and TICKIT pipelines end to end on the local stack, all three orchestrations (leaves the stack up)
	$(RUN) python -m infra.local.demo

test: setup pg lint unit test-py39  ## lint + the whole test suite

lint:  ## ruff over the repo, the runner's Python 3.9 compatibility check, generated files up to date
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) python -m etlkit_core graph --check sql
	$(RUN) ruff check --no-cache --target-version py39 --select UP,F,E --ignore UP --isolated --line-length 100 glue_job

# The runner's tests: test-py39 runs them on Glue's Python where this machine has 3.9, and
# unit then runs only the files whose oracles need 3.12 (pglast, node); else unit runs all.
RUNNER_TESTS := tests/runner tests/adapter tests/corpus tests/sample_data tests/analysis
RUNNER_ORACLE_TESTS := tests/runner/test_splitter_pglast.py tests/runner/test_params.py tests/runner/test_param_types.py
PY39_ENV_PYTHON := .venv-py39/bin/python
DURATIONS := --durations=15

unit:  ## pytest (real PostgreSQL, moto and the local AWS, the real Airflow); faults are `make chaos`
	@if [ -x $(PY39_ENV_PYTHON) ]; then \
	  echo "the runner's tests run in test-py39 (Glue's Python 3.9); here only $(RUNNER_ORACLE_TESTS)"; \
	  $(RUN) pytest $(DURATIONS) --ignore=tests/chaos -m "not chaos" $(addprefix --ignore=,$(RUNNER_TESTS)) tests $(RUNNER_ORACLE_TESTS); \
	else $(RUN) pytest $(DURATIONS) --ignore=tests/chaos -m "not chaos"; fi

chaos: setup pg  ## faults and long runs on the local stack: kill -9, PostgreSQL restart, Glue concurrency, races, missing inputs, timeouts, UNLOAD isolation, Airflow backfills
	$(RUN) pytest $(DURATIONS) -p no:cacheprovider tests/chaos
	$(RUN) pytest $(DURATIONS) -p no:cacheprovider -m chaos tests/airflow

security: setup  ## checkov over the CloudFormation templates, gated by infra/security/suppressions.yaml (also in make test)
	$(RUN) python -m infra.security.checkov_gate

test-py39:  ## the runner's tests under Python 3.9 + PyGreSQL 5.0.6 (Glue's runtime)
	@if [ -x $(PY39_ENV_PYTHON) ]; then \
	  $(PY39_ENV_PYTHON) -m pytest -q $(DURATIONS) -p no:cacheprovider $(RUNNER_TESTS); \
	else echo "SKIPPED test-py39: no Python 3.9 interpreter on this machine (install python3.9 to run the runner tests on Glue's runtime)"; fi

pg:  ## make sure PostgreSQL answers on 127.0.0.1:5432 (starts an installed cluster if it is down)
	@bash .ci/ensure-postgres.sh

bench: setup pg  ## benchmarks (ratios against a same-run baseline); figures to bench/results.json
	$(RUN) python bench/run.py

lineage: setup  ## a pipeline's lineage picture from its OpenLineage events: make lineage PIPELINE=tickit_etl [EVENTS=s3://bucket/lineage/]
	@test -n "$(PIPELINE)" || { echo "usage: make lineage PIPELINE=<name> [EVENTS=s3://bucket/lineage/ | file:///dir]"; exit 2; }
	$(RUN) python -m infra.lineage_picture $(PIPELINE) $(if $(EVENTS),--events $(EVENTS))

py39-lock:  ## re-lock the Python 3.9 (Glue runtime) test environment
	$(UV) pip compile --no-config --python-version 3.9 --python $(PY39) glue_job/py39-test.in \
	  -o glue_job/py39-test.lock.txt --quiet --custom-compile-command "make py39-lock"

local-up: setup pg  ## local AWS + PostgreSQL-as-Redshift, stack deployed, data seeded; writes .local/env
	$(RUN) python -m infra.local.stack up $(if $(ROWS),--rows $(ROWS))

local-down:  ## stop what local-up started; says what it leaves (the database, its role); PURGE=1 removes those too
	$(RUN) python -m infra.local.stack down $(if $(PURGE),--purge)

deploy:  ## deploy to AWS: make deploy REGION=eu-west-1 [PROFILE=p] [PARAMS="AlertEmail=a@b.c ..."]
	@test -n "$(REGION)" || { echo "usage: make deploy REGION=<region> [PROFILE=<profile>] [PARAMS=\"Key=Value ...\"]"; exit 2; }
	$(RUN) python -m infra.deploy --region $(REGION) $(if $(PROFILE),--profile $(PROFILE)) $(foreach p,$(PARAMS),--parameter $(p))

package: setup  ## the Amazon MWAA bundle in dist/mwaa/ (requirements.txt, plugins.zip, dags)
	$(RUN) python -m infra.mwaa.package

deploy-mwaa: setup  ## bundle + MWAA environment, after make deploy: make deploy-mwaa REGION=eu-west-1 [PROFILE=p] [PARAMS="EnvironmentClass=mw1.medium ..."]
	@test -n "$(REGION)" || { echo "usage: make deploy-mwaa REGION=<region> [PROFILE=<profile>] [PARAMS=\"Key=Value ...\"]"; exit 2; }
	$(RUN) python -m infra.mwaa.deploy --region $(REGION) $(if $(PROFILE),--profile $(PROFILE)) $(foreach p,$(PARAMS),--parameter $(p))

ui: setup  ## Airflow's UI on http://127.0.0.1:8080 against the local stack (make local-up first)
	$(RUN) python -m infra.mwaa.local_airflow ui

backfill: setup  ## make backfill DAG=reviews_etl_glue FROM=2015-06-01 TO=2015-06-03 [REPROCESS=completed|failed|none]
	@if [ -z "$(DAG)" ] || [ -z "$(FROM)" ] || [ -z "$(TO)" ]; then echo "usage: make backfill DAG=<dag> FROM=YYYY-MM-DD TO=YYYY-MM-DD [REPROCESS=...]" >&2; exit 2; fi
	$(RUN) python -m infra.mwaa.local_airflow backfill --dag-id "$(DAG)" --from-date "$(FROM)" --to-date "$(TO)" --reprocess-behavior "$(or $(REPROCESS),completed)"

cost:  ## what a pipeline's runs cost on AWS per run date: make cost PIPELINE=reviews_etl FROM=2015-06-01 TO=2015-06-30 [REGION=r] [PROFILE=p] (after . .local/env: the local stack)
	@if [ -z "$(PIPELINE)" ] || [ -z "$(FROM)" ] || [ -z "$(TO)" ]; then echo "usage: make cost PIPELINE=<name> FROM=YYYY-MM-DD TO=YYYY-MM-DD [REGION=<region>] [PROFILE=<profile>]" >&2; exit 2; fi
	$(RUN) python -m infra.cost --pipeline "$(PIPELINE)" --from "$(FROM)" --to "$(TO)" $(if $(REGION),--region $(REGION)) $(if $(PROFILE),--profile $(PROFILE))

af211-lock:  ## re-lock the Airflow 2.11.2 test environment
	$(UV) pip compile --no-config --python-version 3.12 --python $(PY312) -c infra/mwaa/constraints-2.11.2-py3.12.txt \
	  infra/mwaa/airflow-2.11.2-test.in -o infra/mwaa/airflow-2.11.2-test.lock.txt --quiet --custom-compile-command "make af211-lock"

wheel:  ## build the runner wheel for --extra-py-files into dist/
	$(UV) build --wheel --package sqlrunner --out-dir dist
