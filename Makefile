# Two commands: `make run` (set up, load the demo, serve on 127.0.0.1:8000) and
# `make test` (set up, lint, check migrations, run the suite on SQLite and PostgreSQL).
# Both work on a fresh Debian machine as root; nothing else needs installing by hand.

# The interpreter the app servers run (deploy/README.md): Debian's python3, built with
# profile-guided optimisation; another python3 earlier on PATH (a pyenv build, say) runs the
# same code several per cent slower. Only where Debian's is absent, whatever python3 is found.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3) python3)
VENV := .venv
PY := $(VENV)/bin/python
# Debian packages: python3-venv for .venv, CJK fonts and pango for PDFs, gettext for translations,
# Chromium and poppler for the browser tests and for looking at PDFs; npm for axe-core, which
# the browser tests inject into pages (package.json, package-lock.json).
DEB_PACKAGES := python3-venv fonts-noto-cjk fonts-lxgw-wenkai libpango-1.0-0 libpangoft2-1.0-0 gettext
DEB_TEST_PACKAGES := chromium poppler-utils
PG_URL ?= postgres://postgres@127.0.0.1:5432/banli

.PHONY: run test setup setup-dev system-packages system-test-packages lint test-sqlite test-postgres backup-drill load messages

run: setup
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: setup-dev lint
	$(MAKE) test-sqlite
	@if [ -n "$$DATABASE_URL" ] || $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		$(MAKE) test-postgres; \
	else \
		echo "PostgreSQL: no server on 127.0.0.1:5432 and no DATABASE_URL; skipped."; \
	fi

test-sqlite:
	env -u DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS)

test-postgres:
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) scripts/ensure_database.py
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) -m pytest $(PYTEST_ARGS)

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	env -u DATABASE_URL $(PY) manage.py makemigrations --check --dry-run
	env -u DATABASE_URL $(PY) manage.py check
	env -u DATABASE_URL $(PY) -m mypy
	git ls-files -z '*.py' | xargs -0 $(VENV)/bin/django-upgrade --target-version 5.2 --check
	git ls-files -z '*.html' | xargs -0 $(VENV)/bin/djhtml --check
	$(PY) -m bandit -q -r . -x ./.venv,./tests,./test-output --severity-level medium

# After adding or changing a user-facing string: refresh the English catalogue, then give every
# empty msgstr its English (`msgattrib --untranslated $(PO)` lists them; tests/i18n checks).
# No source locations and sorted entries, so catalogue changes from different branches merge.
PO := locale/en/LC_MESSAGES/django.po
messages: setup-dev
	env -u DATABASE_URL $(PY) manage.py makemessages -l en --no-location --no-wrap --no-obsolete --ignore=.venv --ignore=tests --ignore=bench --ignore=test-output
	msgcat --sort-output --no-location --no-wrap -o $(PO) $(PO)
	sed -i '/^"POT-Creation-Date:/d' $(PO)

# Back up a demo database and its files, restore them into fresh ones, compare (bench/backup_drill.py).
backup-drill: setup-dev
	env -u DATABASE_URL $(PY) bench/backup_drill.py
	@if [ -n "$$DATABASE_URL" ] || $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) bench/backup_drill.py; \
	fi

# Load test against gunicorn on 127.0.0.1 (bench/load.py): the bare ceiling, browsing, and 50 members
# submitting signed feedback while 5 supervisors print, 60 s each; LOAD_ARGS="--phase feedback --seconds 30" to change.
load: setup-dev
	env -u DATABASE_URL $(PY) bench/load.py $(LOAD_ARGS)
	@if [ -n "$$DATABASE_URL" ] || $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) bench/load.py $(LOAD_ARGS); \
	fi

setup: system-packages $(VENV)/.installed
	$(PY) manage.py compilemessages -v0 --ignore=.venv
	$(PY) manage.py migrate -v0
	$(PY) manage.py collectstatic --noinput -v0

setup-dev: system-packages system-test-packages $(VENV)/.installed-dev node_modules/.installed
	$(PY) manage.py compilemessages -v0 --ignore=.venv

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || scripts/apt-ensure.sh nodejs npm
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt $(VENV)/bin/python
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/bin/python
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

system-packages:
	@scripts/apt-ensure.sh $(DEB_PACKAGES)

system-test-packages:
	@scripts/apt-ensure.sh $(DEB_TEST_PACKAGES)
