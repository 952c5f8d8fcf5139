"""Command line: `flask --app webapp db upgrade|downgrade|status`, `seed-demo`."""
import click
from flask import current_app
from flask.cli import AppGroup

from . import migrate
from .demo import seed_demo

db_cli = AppGroup("db", help="Apply, roll back and list schema migrations.")


def _migrations_dir():
    return current_app.config["MIGRATIONS_DIR"]


@db_cli.command("upgrade")
def upgrade_command():
    """Apply every pending migration."""
    applied = migrate.upgrade(_migrations_dir())
    click.echo("\n".join(f"applied {name}" for name in applied) or "database is up to date")


@db_cli.command("downgrade")
@click.option("--to", "to", type=int, default=None,
              help="Roll back every migration numbered above N, leaving N applied (0 = all).")
def downgrade_command(to):
    """Roll back the last migration (or every one after --to N)."""
    reverted = migrate.downgrade(_migrations_dir(), to)
    click.echo("\n".join(f"reverted {name}" for name in reverted) or "nothing to roll back")


@db_cli.command("status")
def status_command():
    """List migrations and when each was applied."""
    for name, applied_at in migrate.status(_migrations_dir()):
        click.echo(f"{'applied ' + str(applied_at) if applied_at else 'pending':<36} {name}")


@click.command("seed-demo")
def seed_demo_command():
    """Load demo students, courses and enrollments (safe to run again)."""
    counts = seed_demo()
    click.echo("added {students} students, {courses} courses, {enrollments} enrollments"
               .format(**counts))


def register(app):
    app.cli.add_command(db_cli)
    app.cli.add_command(seed_demo_command)
