"""Command line: `flask --app webapp db upgrade|downgrade|status|backup|restore`,
`seed-demo`, `gen-data`, `terms copy-courses`, `outbox send`."""
import click
from flask import current_app
from flask.cli import AppGroup

from ..rules import outbox, terms
from ..rules.records import InvalidRecord, RecordNotFound
from . import backup, gendata, mailer, migrate
from .demo import seed_demo
from .oneroster_cli import oneroster_cli

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


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Copy the SQLite database to a new file PATH, safely while the server runs."""
    try:
        target = backup.backup(path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backed up to {target} (integrity check ok)")


@db_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.confirmation_option(prompt="Replace every row in the database with the backup?")
def restore_command(path):
    """Replace the database's content with the backup at PATH (stop the server first)."""
    try:
        backup.restore(path)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored from {path}")


@click.command("seed-demo")
def seed_demo_command():
    """Load demo terms, students, courses and enrollments (safe to run again)."""
    counts = seed_demo()
    click.echo("added {terms} terms, {students} students, {courses} courses, "
               "{enrollments} enrollments".format(**counts))


@click.command("gen-data")
@click.option("--students", type=click.IntRange(min=0), required=True)
@click.option("--courses", type=click.IntRange(min=0), required=True)
@click.option("--enrollments", type=click.IntRange(min=0), required=True)
@click.option("--seed", type=int, default=1, show_default=True,
              help="Same seed on the same starting database = same rows.")
@click.option("--terms", type=click.IntRange(min=0, max=40), default=0, show_default=True,
              help="Terms back to back; the courses take them in turn (0: no terms).")
def gen_data_command(students, courses, enrollments, seed, terms):
    """Generate a large realistic data set (for load tests) in one transaction: terms,
    students, courses with weekly meeting times, enrollments."""
    try:
        report = gendata.generate(students, courses, enrollments, seed=seed, terms=terms)
    except gendata.GenerationError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"inserted {report.students} students, {report.courses} courses, "
               f"{report.enrollments} enrollments, {report.terms} terms, {report.meetings} "
               f"meeting times in {report.seconds:.1f} s ({report.rows_per_second:,.0f} rows/s)")


terms_cli = AppGroup("terms", help="Work with terms.")


@terms_cli.command("copy-courses")
@click.argument("source")
@click.argument("target")
def copy_courses_command(source, target):
    """Copy every course of term SOURCE into term TARGET (term codes): code, title,
    capacity, meetings and prerequisites, no students. Courses TARGET already has are
    left alone and listed."""
    try:
        rollover = terms.copy_courses(terms.term_by_code(source).id,
                                      terms.term_by_code(target).id)
    except RecordNotFound as exc:
        raise click.ClickException(f"there is no term {exc.record_id!r}") from exc
    except InvalidRecord as exc:
        raise click.ClickException(" ".join(exc.errors.values())) from exc
    click.echo(f"copied {len(rollover.copied)} courses from {rollover.source.code} to "
               f"{rollover.target.code}" + (f": {' '.join(rollover.copied)}"
                                            if rollover.copied else ""))
    if rollover.skipped:
        click.echo(f"left alone (already in {rollover.target.code}): "
                   f"{' '.join(rollover.skipped)}")


outbox_cli = AppGroup("outbox", help="Mail waiting to be sent (promotions from waitlists).")


@outbox_cli.command("send")
def outbox_send_command():
    """Send every message that is due (run it from cron: failures wait longer each time)."""
    if not current_app.config.get("SMTP_URL"):
        raise click.ClickException(f"SMTP_URL is not set: {outbox.unsent().count()} "
                                   f"messages wait on the "
                                   f"'Messages not sent' page (/outbox)")
    report = mailer.send_all_due(current_app.config["SMTP_URL"],
                                 current_app.config["MAIL_FROM"])
    click.echo(f"sent {report.sent}, failed {report.failed}; "
               f"{outbox.unsent().count()} not sent yet")
    if report.failed:
        raise SystemExit(1)


def register(app):
    app.cli.add_command(db_cli)
    app.cli.add_command(oneroster_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(terms_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(gen_data_command)
