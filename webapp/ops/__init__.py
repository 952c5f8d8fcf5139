"""Command line and operations: `flask --app webapp …` commands (db, seed-demo, gen-data,
users), backups, migrations, the health check and gunicorn's access-log format.

Rule of this package: it may call the rules, but `webapp.pages` and `webapp.api` never
import it (operations are wired in by create_app alone).
"""
