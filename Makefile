# 《职教通讯》 CMS — see README.md for what each target does.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
SEEDS  ?= ../shared/seeds
HOST   ?= 127.0.0.1
PORT   ?= 8000
# make run is for a person at a desk: development mode, SQLite unless DATABASE_URL is set.
RUN_ENV := DEBUG=$${DEBUG:-1}

.PHONY: FORCE setup run test test-both test-sqlite test-postgres lint format superuser backup restore migrate seed clean image image-test

# The virtualenv is rebuilt only when pyproject.toml changes, so a second `make run` starts in seconds.
$(BIN)/.installed: pyproject.toml
	PYTHON=$(PYTHON) scripts/install-python-deps.sh $(VENV)
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
	@$(RUN_ENV) $(BIN)/python manage.py rebuild_search_index --if-empty
	@$(RUN_ENV) $(BIN)/python manage.py rebuild_related --if-empty

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
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The whole suite on SQLite and, at the same time, the tests that touch the database on a real
# PostgreSQL 15 that the script starts and stops, and the production image built and smoke-tested.
test: setup node_modules/.installed
	@scripts/system-deps.sh fonts postgres chromium
	$(MAKE) --no-print-directory lint
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	@$(MAKE) --no-print-directory test-both WITH_IMAGE_TEST=1

# Both runs with a throwaway S3 server (moto) for the object-storage tests. The PostgreSQL run: the
# tests that touch the database (tests/conftest.py), as parsers, layouts and the browser say nothing
# new on a second database; with a pytest cache of its own, as it may run beside the SQLite run.
TEST_SQLITE   := env -u DATABASE_URL scripts/with-s3.sh $(BIN)/pytest
TEST_POSTGRES := ZHIJIAO_TESTS=database scripts/with-postgres.sh scripts/with-s3.sh $(BIN)/pytest \
                 -o cache_dir=.pytest_cache/postgres

test-sqlite: setup
	$(TEST_SQLITE)

test-postgres: setup
	$(TEST_POSTGRES)

# The runs side by side (after setup, once), each into a log of its own that is shown whole when
# that run has ended, so that no run's lines are mixed with another's: SQLite's in two halves
# (the browser tests, which wait on Chromium, and the rest), so that the two cores stay busy
# until the end rather than one finishing minutes before the other. Fails when any fails, after
# showing them all.
test-both: setup
	@logs=$$(mktemp -d -t zhijiao-tests.XXXXXX); \
	echo "SQLite (in two halves) and PostgreSQL runs started side by side (logs in $$logs)"; \
	i=0; image=0; \
	if [ -n "$(WITH_IMAGE_TEST)" ]; then \
	  scripts/image-test.sh --if-podman >"$$logs/image.log" 2>&1 & image=$$!; \
	fi; \
	$(TEST_SQLITE) --ignore=tests/browser -o cache_dir=.pytest_cache/sqlite \
	  >"$$logs/sqlite.log" 2>&1 & sqlite=$$!; \
	$(TEST_SQLITE) tests/browser -o cache_dir=.pytest_cache/browser \
	  >"$$logs/browser.log" 2>&1 & browser=$$!; \
	$(TEST_POSTGRES) >"$$logs/postgres.log" 2>&1 & postgres=$$!; \
	wait $$sqlite; s=$$?; \
	echo "======== SQLite: the suite but the browser tests (exit $$s) ========"; cat "$$logs/sqlite.log"; \
	wait $$browser; b=$$?; \
	echo "======== SQLite: the browser tests (exit $$b) ========"; cat "$$logs/browser.log"; \
	wait $$postgres; p=$$?; \
	echo "======== PostgreSQL: the tests that touch the database (exit $$p) ========"; \
	cat "$$logs/postgres.log"; \
	if [ $$image != 0 ]; then \
	  wait $$image; i=$$?; \
	  echo "======== the production image (exit $$i) ========"; cat "$$logs/image.log"; \
	fi; \
	rm -rf "$$logs"; \
	if [ $$s != 0 ] || [ $$b != 0 ] || [ $$p != 0 ] || [ $$i != 0 ]; then \
	  echo "make test: SQLite run exit $$s, browser run exit $$b, PostgreSQL run exit $$p, image test exit $$i" >&2; \
	  exit 1; \
	fi

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
