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
	@echo "             (DEMO_LANGUAGE=da, or a Danish LANG: the demo in Danish)"
	@echo "make test  - set up, lint, and run the whole test suite"
	@echo "make bench - the HTTP benchmark under gunicorn on PostgreSQL (BENCH_DATABASE_URL; writes bench/results/)"

# Installer output goes to a log: the terminal shows it only when something fails.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing into $(VENV) (the first time takes a few minutes; details in $(VENV)/install.log) ..."
	@{ $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[test]'; } \
	  > $(VENV)/install.log 2>&1 || { tail -n 40 $(VENV)/install.log; echo "Installing failed: see $(VENV)/install.log"; exit 1; }
	@touch $(STAMP)

migrate: $(STAMP)
	@mkdir -p instance
	@$(BIN)/flask db upgrade > instance/migrate.log 2>&1 || { cat instance/migrate.log; exit 1; }

demo: migrate
	$(BIN)/flask demo-data

# The web app stays in the terminal (its requests are logged there); the worker logs to
# instance/worker.log. The address and the logins come last, once the app answers.
run: migrate
	@# The demo's language comes from DEMO_LANGUAGE (or a Danish LANG): `make run DEMO_LANGUAGE=da`;
	@# asked for again later, the (idempotent) demo step makes the demo people Danish then.
	@if [ ! -f instance/.demo-loaded ]; then $(BIN)/flask demo-data > instance/demo-logins.txt && touch instance/.demo-loaded; \
	  elif [ -n "$$DEMO_LANGUAGE" ]; then $(BIN)/flask demo-data > /dev/null; fi
	@$(BIN)/python worker.py >> instance/worker.log 2>&1 & WORKER=$$!; \
	  BASE_URL=$${BASE_URL:-http://$(HOST):$(PORT)} $(BIN)/flask run --host $(HOST) --port $(PORT) & WEB=$$!; \
	  trap 'kill $$WEB $$WORKER 2>/dev/null; wait $$WEB $$WORKER 2>/dev/null; \
	        [ -n "$$REDIS_URL" ] || $(BIN)/python -m logistics.queue stop-embedded "$${INSTANCE_PATH:-instance}" >/dev/null; \
	        trap - EXIT; exit 0' EXIT INT TERM; \
	  ASK=$$( [ "$(HOST)" = "0.0.0.0" ] && echo 127.0.0.1 || echo $(HOST) ); \
	  for i in $$(seq 1 120); do \
	    $(BIN)/python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)" \
	      "http://$$ASK:$(PORT)/login" 2>/dev/null && break; \
	    kill -0 $$WEB 2>/dev/null || exit 1; sleep 0.5; \
	  done; \
	  echo ""; echo "HopeNow Logistics is running at http://$$ASK:$(PORT)/$$( [ "$(HOST)" = "0.0.0.0" ] && echo ' (and on every address of this machine)')"; \
	  cat instance/demo-logins.txt; \
	  echo "(Ctrl-C stops the web app and the worker; the worker writes to instance/worker.log.)"; echo ""; \
	  wait $$WEB

worker: migrate
	$(BIN)/python worker.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	@if [ -n "$(findstring not browser,$(PYTEST_ARGS))" ]; then echo "Browser tests: left out (PYTEST_ARGS)."; \
	  elif [ -x /usr/bin/chromium ]; then echo "Browser tests: running in /usr/bin/chromium."; \
	  else echo "Browser tests: SKIPPED - /usr/bin/chromium is not installed (apt-get install chromium)."; fi
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: lint
	$(BIN)/python -m pytest -m "not browser and not concurrency and not fuzz" -x -q $(PYTEST_ARGS)

fuzz: $(STAMP)
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} $(BIN)/python -m pytest -m fuzz -q $(PYTEST_ARGS)

messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o instance/messages.pot --no-location --omit-header .

# The HTTP benchmark (bench/http_bench.py) on a scratch PostgreSQL database named by
# BENCH_DATABASE_URL; BENCH_QUICK=1 for a short run. `make bench BENCH=shifts` etc. runs the others.
BENCH ?= http
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) instance/logistics.sqlite* instance/redis.db* instance/.demo-loaded
