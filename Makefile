# Two commands do all the set-up: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := wsgi

.PHONY: run test test-fast fuzz lint migrate demo worker messages clean bench help

help:
	@echo "make run   - set up, migrate, load demo data on first start, start web + worker"
	@echo "make test  - set up, lint, and run the whole test suite"
	@echo "make bench - run the benchmarks under bench/ (writes bench/results/)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo-data

run: migrate
	@mkdir -p instance
	@if [ ! -f instance/.demo-loaded ]; then $(BIN)/flask demo-data > instance/demo-logins.txt && touch instance/.demo-loaded; fi
	@echo ""
	@echo "HopeNow Logistics is starting at http://$(HOST):$(PORT)/"
	@cat instance/demo-logins.txt
	@echo "(Ctrl-C stops the web app and the worker.)"
	@echo ""
	@$(BIN)/python worker.py & WORKER=$$!; \
	  trap 'kill $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null; \
	        [ -n "$$REDIS_URL" ] || $(BIN)/python -m logistics.queue stop-embedded "$${INSTANCE_PATH:-instance}" >/dev/null' EXIT INT TERM; \
	  BASE_URL=$${BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/flask run --host $(HOST) --port $(PORT)

worker: migrate
	$(BIN)/python worker.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	@if [ -x /usr/bin/chromium ]; then echo "Browser tests: running in /usr/bin/chromium."; \
	  else echo "Browser tests: SKIPPED - /usr/bin/chromium is not installed (apt-get install chromium)."; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: lint
	$(BIN)/python -m pytest -m "not browser and not concurrency and not fuzz" -x -q $(PYTEST_ARGS)

fuzz: $(STAMP)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} $(BIN)/python -m pytest -m fuzz -q $(PYTEST_ARGS)

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o instance/messages.pot --no-location --omit-header .

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) instance/logistics.sqlite* instance/redis.db* instance/.demo-loaded
