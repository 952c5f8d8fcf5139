# Registrar: `make run` to try it, `make test` to check it.
VENV    := .venv
PY      := $(VENV)/bin/python
FLASK   := $(VENV)/bin/flask --app webapp
PYTHON  ?= python3

.PHONY: run serve install install-test install-bench browser wrk test bench bench-oneroster profile clean

run: install instance/secret_key
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	FLASK_DEBUG=1 $(FLASK) users demo
	FLASK_DEBUG=1 HUEY_CONSUMER=$(VENV)/bin/huey_consumer ./with-jobs.sh \
		$(FLASK) run --host 127.0.0.1 --port 5000

# Production: gunicorn (gunicorn.conf.py) on DATABASE_URL (default the SQLite file in instance/),
# after migrating and purging expired sessions and old sign-in failures.
# SECRET_KEY from the environment, else the one `make run` keeps in instance/secret_key.
# Both run the job consumer (OneRoster imports) beside the server: with-jobs.sh.
serve: install instance/secret_key
	$(FLASK) db upgrade
	$(FLASK) users purge
	HUEY_CONSUMER=$(VENV)/bin/huey_consumer ./with-jobs.sh \
		$(VENV)/bin/gunicorn -c gunicorn.conf.py 'webapp:create_app()'

instance/secret_key:
	@mkdir -p instance
	@test -s $@ || (umask 077 && $(PY) -c "import secrets; print(secrets.token_hex(32))" > $@)

# Shared by run and test: a virtualenv with the app installed (re-run when pyproject changes).
install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

install-test: $(VENV)/.installed-test

# .installed-test, .installed-bench: the app plus that pyproject extra.
$(VENV)/.installed-%: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[$*]'
	touch $@

# Playwright drives Debian's Chromium; it never downloads a browser when that is present.
browser:
	@if [ -x /usr/bin/chromium ]; then echo "browser: /usr/bin/chromium"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else $(VENV)/bin/playwright install chromium; fi

test: install-test browser
	$(VENV)/bin/pytest --cov=webapp --cov-report=term-missing:skip-covered --cov-fail-under=90 $(PYTEST_ARGS)

# Benchmarks (not part of `make test`): gunicorn + wrk against Registrar and a bare Flask app.
install-bench: $(VENV)/.installed-bench

wrk:
	@if [ -x /usr/bin/wrk ]; then echo "wrk: /usr/bin/wrk"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	else echo "install wrk (Debian package 'wrk')" >&2; exit 1; fi

# BENCH_ARGS for a quick run, e.g. "--duration 3 --datasets small --mix-seconds 10";
# PostgreSQL from BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/registrar_bench).
bench: install-bench wrk
	$(PY) -m bench.run $(BENCH_ARGS)
	$(PY) -m bench.oneroster $(ONEROSTER_BENCH_ARGS)

# OneRoster import alone; quick: make bench-oneroster ONEROSTER_BENCH_ARGS="--scale 0.01"
bench-oneroster: install-bench
	$(PY) -m bench.oneroster $(ONEROSTER_BENCH_ARGS)

# Flame graphs (py-spy) of each bench scenario under load, into bench/results/.
profile: install-bench wrk
	$(PY) -m bench.profile $(PROFILE_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .coverage htmlcov
