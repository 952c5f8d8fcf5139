# Registrar: `make run` to try it, `make test` to check it.
VENV    := .venv
PY      := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app webapp
PYTHON  ?= python3

.PHONY: run install install-test browser test clean

run: install
	@mkdir -p instance
	@test -s instance/secret_key || $(PY) -c "import secrets; print(secrets.token_hex(32))" > instance/secret_key
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	FLASK_DEBUG=1 $(FLASK) users demo
	FLASK_DEBUG=1 $(FLASK) run --host 127.0.0.1 --port 5000

# Shared by run and test: a virtualenv with the app installed (re-run when pyproject changes).
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

install-test: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Playwright drives Debian's Chromium; it never downloads a browser when that is present.
browser:
	@if [ -x /usr/bin/chromium ]; then echo "browser: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else $(VENV)/bin/playwright install chromium; fi

test: install-test browser
	$(VENV)/bin/pytest --cov=webapp --cov-report=term-missing:skip-covered --cov-fail-under=90 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .coverage htmlcov
