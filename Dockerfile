# Registrar served by gunicorn. SQLite data and the generated secret key live in the
# volume /app/instance; set DATABASE_URL=postgresql://... to use Postgres instead.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BIND=0.0.0.0:8000

RUN useradd --create-home --uid 10001 registrar
WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir webapp && touch webapp/__init__.py \
    && pip install . && pip uninstall --yes registrar && rm -rf webapp build

COPY webapp ./webapp
COPY migrations ./migrations
COPY templates ./templates
COPY static ./static
COPY gunicorn.conf.py docker-entrypoint.sh with-jobs.sh ./
# Editable: the app finds templates/, static/ and migrations/ next to its package.
RUN pip install --no-deps -e . \
    && mkdir -p instance && chown registrar:registrar instance

USER registrar
VOLUME ["/app/instance"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
ENTRYPOINT ["./docker-entrypoint.sh"]
# The job consumer (OneRoster imports) runs beside gunicorn and stops with it.
CMD ["./with-jobs.sh", "gunicorn", "-c", "gunicorn.conf.py", "webapp:create_app()"]
