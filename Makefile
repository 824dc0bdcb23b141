# The two commands: `make run` (portal with demo data) and `make test` (every test).
# Both install what they need: a virtualenv with the pinned requirements, and Debian's
# redis-server (and for the tests chromium, nginx, and docker-compose to validate compose.yaml)
# when they are missing.

VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
LINT_PATHS := app workers config tests bench tools wsgi.py

.PHONY: run test lint format system-deps browser-deps compose-deps proxy-deps clean

run: $(RUNTIME_STAMP) system-deps
	$(PY) -m tools.devstack run

# Two pytest-xdist workers, each with a redis-server of its own (tests/conftest.py); tests go to
# whichever worker is free (worksteal), so the long browser tests do not pile up on one.
# `TEST_WORKERS=0 make test` runs them in one process.
TEST_WORKERS ?= 2

test: $(DEV_STAMP) system-deps browser-deps compose-deps proxy-deps lint
	$(PY) -m tools.devstack test -c config/pytest.ini --rootdir . -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(PY) -m ruff check --config config/ruff.toml $(LINT_PATHS)
	$(VENV)/bin/lint-imports --config config/importlinter.ini

format: $(DEV_STAMP)
	$(PY) -m ruff format --config config/ruff.toml $(LINT_PATHS)

$(VENV)/bin/python:
	python3 -m venv $(VENV) || { echo "python3 -m venv failed: install Python 3.11+ with venv (Debian: apt-get install python3-venv)"; exit 1; }

$(RUNTIME_STAMP): requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt config/requirements-dev.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --disable-pip-version-check -q -r config/requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

system-deps:
	@command -v redis-server >/dev/null || ./config/apt-install redis-server

# The several-process tests put Debian's nginx in front of two web processes (tests only).
proxy-deps:
	@test -x /usr/sbin/nginx || ./config/apt-install nginx

browser-deps:
	@missing=""; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf || missing="$$missing fonts-noto-color-emoji"; \
	test -z "$$missing" || ./config/apt-install $$missing

# `docker-compose config` validates compose.yaml in the tests (Debian's, without the Docker engine).
compose-deps:
	@command -v docker-compose >/dev/null || ./config/apt-install --no-install-recommends docker-compose

clean:
	rm -rf $(VENV) tests/artifacts .pytest_cache .ruff_cache .import_linter_cache .grimp_cache
