# Two commands for a fresh machine: `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export FLASK_APP := wsgi
export APP_CONFIG ?= development
PORT ?= 8000
DOMAINS := $(patsubst app/%/translations,%,$(wildcard app/*/translations))

.PHONY: run test setup install translations messages migrate seed lint bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt tests/requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt -r tests/requirements.txt
	touch $@

install: $(VENV)/.installed

translations: install
	@for d in app/*/translations; do $(BIN)/pybabel -q compile -d $$d || exit 1; done

migrate: translations
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed demo

setup: seed

run: setup
	@echo "Serving on http://127.0.0.1:$(PORT) with the job consumer (demo logins in README.md)"
	BIN=$(BIN) PORT=$(PORT) .ci/serve

test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Refresh every catalogue from the source: one per domain package.
messages: install
	@for d in $(DOMAINS); do \
	  extra=""; [ "$$d" = core ] && extra="templates/base.html templates/_macros templates/errors"; \
	  [ -d templates/$$d ] && extra="$$extra templates/$$d"; \
	  $(BIN)/pybabel -q extract -F app/babel.cfg -k _l -k lazy_pgettext:1c,2 -o app/$$d/translations/messages.pot app/$$d $$extra || exit 1; \
	  if [ -f app/$$d/translations/es/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update -N -i app/$$d/translations/messages.pot -d app/$$d/translations -l es; \
	  else \
	    $(BIN)/pybabel -q init -i app/$$d/translations/messages.pot -d app/$$d/translations -l es; \
	  fi; \
	done

lint: install
	$(BIN)/ruff check app tests config.py wsgi.py

bench: setup
	$(BIN)/python -m pytest tests/benchmarks -s -p no:cacheprovider --benchmarks

clean:
	rm -rf $(VENV) instance/*.db instance/*.db-* .pytest_cache
