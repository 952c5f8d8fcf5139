"""`flask --app webapp oneroster import PATH [--dry-run] [--strict] [--allow-removals]
[--json]` and `oneroster export OUT.zip [--version 1.1|1.2]` (API.md, "OneRoster CSV
exchange"). Exit status: 0 applied (or a dry run that would apply), 1 refused, 2 a bad
command line (click)."""
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from ..oneroster import NotABundle, export_bundle, import_bundle
from ..oneroster.importer import TYPES

oneroster_cli = AppGroup("oneroster", help="Import and export OneRoster CSV bundles.")


def _problem_line(problem):
    where = ":".join(str(part) for part in (problem["file"], problem["line"]) if part)
    column = f" [{problem['column']}]" if problem["column"] else ""
    return f"  {where or 'bundle'}{column}: {problem['message']}"


def human_report(body):
    """The report as lines a person reads."""
    if body["applied"]:
        head = "Applied."
    elif body["dry_run"]:
        head = "Dry run: nothing was written. This is what the import would do."
    else:
        head = "Not applied: nothing was written."
    lines = [f"{head} (OneRoster {body['version']})",
             f"{'':<12}{'created':>9}{'updated':>9}{'removed':>9}"]
    lines += [f"{kind:<12}{body['created'][kind]:>9}{body['updated'][kind]:>9}"
              f"{body['removed'][kind]:>9}" for kind in TYPES]
    lines.append("skipped: {users_not_students} users who are not students, "
                 "{enrollments_not_students} enrollments that are not a student's"
                 .format(**body["skipped"]))
    for title, problems in (("errors", body["errors"]), ("warnings", body["warnings"])):
        if problems:
            lines.append(f"{len(problems)} {title}:")
            lines += [_problem_line(p) for p in problems]
    return "\n".join(lines)


@oneroster_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--strict", is_flag=True, help="Apply nothing if any row has an error.")
@click.option("--allow-removals", is_flag=True,
              help="Go ahead when a bulk import removes more than 10% of the enrollments "
                   "that came from OneRoster.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the report as one JSON object on the last line.")
def import_command(path, dry_run, strict, allow_removals, as_json):
    """Import the bundle at PATH (a .zip or a folder of CSV files)."""
    try:
        report = import_bundle(path, dry_run=dry_run, strict=strict,
                               allow_removals=allow_removals)
    except NotABundle as exc:
        if as_json:
            click.echo(json.dumps({"applied": False, "dry_run": dry_run, "error": str(exc)}))
        else:
            click.echo(f"Error: {exc}", err=True)
        raise SystemExit(1) from exc
    body = report.to_dict()
    click.echo(json.dumps(body) if as_json else human_report(body))
    raise SystemExit(report.exit_code)


@oneroster_cli.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", "version", type=click.Choice(["1.1", "1.2"]), default="1.2",
              show_default=True)
def export_command(out, version):
    """Write every term, student, course and enrollment to OUT (a zip)."""
    counts = export_bundle(out, version)
    click.echo(f"wrote {out} (OneRoster {version}): " + ", ".join(
        f"{count} {name}" for name, count in counts.items()))
