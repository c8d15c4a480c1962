# Both entry points create and use .venv, so a fresh machine needs only python3.
# Installs come from requirements.lock (exact versions, hashes checked): a new release of
# any dependency cannot change what `make test` runs. `make lock` regenerates the lock.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LOCK := requirements.lock
LOCK_VENV := .venv-lock
# `make lock LOCK_FLAGS=--upgrade` moves every pin to the newest release pyproject allows.
LOCK_FLAGS ?=

.PHONY: install browser run test lint fmt bench clean lock

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Resolves pyproject.toml's dependencies (with the dev and postgres extras and the build
# backend) into exact pins with hashes, keeping existing pins unless LOCK_FLAGS=--upgrade.
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install -q pip-tools
	$(LOCK_VENV)/bin/pip-compile -q --generate-hashes --allow-unsafe --all-build-deps \
		--strip-extras --no-emit-index-url --no-emit-find-links --extra dev --extra postgres \
		$(LOCK_FLAGS) -o $(LOCK) pyproject.toml

install: $(STAMP)

run: install
	$(BIN)/dwelltime demo-data --if-empty
	$(BIN)/dwelltime serve

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

# The browser tests drive Debian's chromium (never a browser download); without it, and
# outside CI, they skip and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } || \
	  echo "chromium could not be installed: the browser tests will skip"

# The second leg runs the export-service suite again, scaled out (two servers, two Celery
# workers, PostgreSQL, S3): tests/api/distributed_api.py.
test: lint browser
	$(BIN)/pytest
	$(BIN)/pytest --topology=distributed tests/api

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(LOCK_VENV) .dwelltime .pytest_cache .mypy_cache .ruff_cache test-artifacts
