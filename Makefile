# The two commands: `make demo` and `make test`. Both set everything up on a fresh machine
# with Python 3.11+: the virtualenv, the Python packages, and the Debian packages WeasyPrint
# and the browser tests need (installed with apt-get only when missing).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_STAMP := var/.system-packages
# WeasyPrint's libraries and fonts, pdftotext/pdftoppm for reading PDFs back, and chromium
# for the browser tests. libharfbuzz-subset0 makes font subsetting 3.5x faster.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	poppler-utils chromium
PYTEST_ARGS ?=

.PHONY: demo test lint format bench setup system-packages migrate clean

setup: $(STAMP) $(SYSTEM_STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))."; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

$(SYSTEM_STAMP):
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null \
			|| { echo "Could not install:$$missing (apt-get failed)."; exit 1; }; \
	fi
	@mkdir -p var && touch $(SYSTEM_STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable

# The background worker (thank-you emails and receipts) runs beside the web server and stops
# with it.
demo: migrate
	$(BIN)/python manage.py seed_demo --supporters 500 --seed 1
	@echo ""
	@echo "Donor CRM is running at http://127.0.0.1:8000/admin/  (Ctrl-C to stop)"
	@echo "The donation page is http://127.0.0.1:8000/donate/ (local test checkout: no card is charged)."
	@echo "Emails to donors are written to var/mail/."
	@$(BIN)/python manage.py worker --no-reload -v0 & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/python manage.py runserver 127.0.0.1:8000

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/python bench/import_supporters.py

clean:
	rm -rf $(VENV) var db.sqlite3
