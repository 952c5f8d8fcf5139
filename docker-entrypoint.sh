#!/bin/sh
# Container start: a secret key (unless SECRET_KEY is given), migrations, a purge of expired
# sessions and old sign-in failures, then the server (CMD: with-jobs.sh runs the job consumer
# beside gunicorn).
set -e
if [ -z "$SECRET_KEY" ] && [ ! -s instance/secret_key ]; then
    (umask 077 && python -c "import secrets; print(secrets.token_hex(32))" > instance/secret_key)
fi
flask --app webapp db upgrade
flask --app webapp users purge
exec "$@"
