# 《职教通讯》 CMS — see README.md for what each target does.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SEEDS  ?= ../shared/seeds
HOST   ?= 127.0.0.1
PORT   ?= 8000
# make run is for a person at a desk: development mode, SQLite unless DATABASE_URL is set.
RUN_ENV := DEBUG=$${DEBUG:-1}

.PHONY: FORCE setup run test test-sqlite test-postgres lint format superuser backup restore migrate seed clean image image-test

# The virtualenv is rebuilt only when pyproject.toml changes, so a second `make run` starts in seconds.
$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

setup: $(BIN)/.installed
	@scripts/system-deps.sh fonts

# axe-core for the browser tests' accessibility checks, pinned by package-lock.json: installed again
# when the lock file changes or node_modules/axe-core has gone.
node_modules/.installed: package-lock.json $(if $(wildcard node_modules/axe-core/axe.min.js),,FORCE)
	@scripts/system-deps.sh npm
	npm ci --no-audit --no-fund
	@touch $@

FORCE:

migrate: setup
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput -v 0

seed: migrate
	@if [ -d "$(SEEDS)" ]; then $(RUN_ENV) $(BIN)/python manage.py import_seeds "$(SEEDS)" --publish; \
	else echo "No seed folder at $(SEEDS): starting with an empty site."; fi

run: seed
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

superuser: migrate
	$(RUN_ENV) $(BIN)/python manage.py createsuperuser

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite twice: on SQLite, then on a real PostgreSQL 15 that the script starts and stops.
test: setup node_modules/.installed
	@scripts/system-deps.sh fonts postgres chromium
	$(MAKE) --no-print-directory lint
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	@scripts/image-test.sh --if-podman

# Both runs with a throwaway S3 server (moto) for the object-storage tests.
test-sqlite: setup
	env -u DATABASE_URL scripts/with-s3.sh $(BIN)/pytest

# The tests that touch the database (tests/conftest.py): parsers, layouts and the browser say nothing
# new on a second database.
test-postgres: setup
	ZHIJIAO_TESTS=database scripts/with-postgres.sh scripts/with-s3.sh $(BIN)/pytest

# The production image, built with podman (README, 部署 · Deployment); BASE_IMAGE=, PIP_INDEX_URL=,
# APT_MIRROR=, CA_BUNDLE= pass through from the command line or the environment.
image:
	scripts/image.sh

# Build the image and smoke-test it as production runs it (root; a throwaway PostgreSQL on loopback).
image-test:
	scripts/image-test.sh

backup: setup
	$(RUN_ENV) $(BIN)/python manage.py backup

restore: setup
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/zhijiao-….tar.gz"; exit 2; }
	$(RUN_ENV) $(BIN)/python manage.py restore "$(FILE)"

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache node_modules
