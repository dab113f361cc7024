# Two commands do everything on a fresh machine (see README.md):
#   make run    set up, train if the training data changed, start the assistant
#   make test   set up, train if needed, run every check and test
# and one for a clinic group or a vendor (docs/deploy.md):
#   make run-cluster   the same assistant as PostgreSQL, Redis, Rasa replicas and nginx
SHELL := /bin/bash
PYTHON ?= python3.10
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
RASA_DATA := data/nlu data/rules data/stories

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: run run-cluster test setup venv spacy safety web train validate check unit cluster-test stories evaluate browser bench bench-smoke lock clean

run: setup
	$(BIN)/python -m bot.run

# Needs Debian's postgresql, redis-server, nginx and openssl (README, "Two commands").
run-cluster: setup
	$(BIN)/python -m bot.cluster

test: setup train validate check unit cluster-test stories evaluate browser bench-smoke
	@echo "All checks passed."

setup: venv spacy safety web

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	touch $@

spacy: venv
	$(BIN)/python -m bot.nlp.build

# The risk classifier and the risk-word spelling table (bot/safety/build.py).
safety: spacy
	$(BIN)/python -m bot.safety.build

web: build/web/.built
build/web/.built: web/package-lock.json web/package.json $(wildcard web/src/*) $(wildcard web/build.mjs)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build
	touch $@

train: venv spacy safety
	$(BIN)/python -m bot.train

validate: venv
	$(BIN)/rasa data validate --fail-on-warnings --config config.yml --domain domain.yml --data $(RASA_DATA)

check: venv
	$(BIN)/python -m bot content check

unit: train
	$(BIN)/python -m pytest -q tests --ignore=tests/browser --ignore=tests/cluster

# A real cluster on loopback, broken one part at a time (tests/cluster/).
cluster-test: train
	$(BIN)/python -m pytest -q tests/cluster

stories: train
	$(BIN)/python -m bot.rasa_test

# Visitor questions, then the blind safety cases and conversations (written by
# people who never saw the patterns or the training data), all with their gates.
evaluate: train
	$(BIN)/python -m bot.evaluate tests/cases/visitor_questions.yml --gate --json reports/evaluation.json
	$(BIN)/python -m bot.evaluate tests/cases/blind/safety_messages.yml --gate --json reports/evaluation-blind-safety.json
	$(BIN)/python -m bot.evaluate tests/cases/blind/conversations.yml --gate --json reports/evaluation-blind-conversations.json

browser: train web
	$(BIN)/python -m pytest -q tests/browser

bench: train web
	$(BIN)/python -m bench

bench-smoke: train
	$(BIN)/python -m bench --smoke

lock: venv
	$(BIN)/uv pip compile --quiet --python-version 3.10 requirements.in -o requirements.lock

clean:
	rm -rf build models var reports .rasa results
