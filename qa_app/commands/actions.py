"""``qa actions``: run the chase ladder by hand; export actions as CSV."""

import io
import json
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.services.actions import chase
from qa_app.services.actions import exports as action_exports
from qa_app.services.platform import csv_files


@click.group("actions", cls=AppGroup)
def actions() -> None:
    """The action tracker."""


def _day(value: str | None) -> date:
    if value is None:
        return local_today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not a date: use YYYY-MM-DD", param_hint="--today"
        ) from exc


@actions.command("chase")
@click.option("--today", "today", default=None, help="Run as if on this day (YYYY-MM-DD)")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON")
def chase_command(today, as_json):
    """Send every chase reminder due (each rung once per action and due date)."""
    day = _day(today)
    result = chase.run_chase(
        day, now=utcnow(), base_url=current_app.config["BASE_URL"], on_batch=db.session.commit
    )
    db.session.commit()
    if as_json:
        click.echo(json.dumps(result.as_dict()))
        return
    click.echo(f"Chase for {day:%-d %B %Y}:")
    for rung, count in result.sent.items():
        click.echo(f"  {rung.replace('_', ' ')}: {count}")
    click.echo(f"  held for daily digests: {result.digests}")
    click.echo(f"  already sent before: {result.skipped_already_sent}")


@actions.command("export")
@click.option(
    "--status",
    type=click.Choice(action_exports.EXPORT_STATUSES),
    default="open",
    show_default=True,
    help="open: still to do; overdue: open and past due; all: every action",
)
@click.option("--today", "today", default=None, help="Count overdue days up to (YYYY-MM-DD)")
def export_command(status, today):
    """Print actions as CSV (working_days_overdue counts working days after the due date up
    to and including today)."""
    rows = action_exports.export_rows(status=status, today=_day(today))
    buffer = io.StringIO()
    writer = csv_files.DictWriter(
        buffer,
        fieldnames=action_exports.EXPORT_COLUMNS,
        extrasaction="ignore",  # the rows' case_id is for the access log, not the file
        lineterminator="\n",
    )
    writer.writeheader()
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % 5000 == 0:  # stream in chunks: 100,000 rows need not sit in memory
            click.echo(buffer.getvalue(), nl=False)
            buffer.seek(0)
            buffer.truncate()
    click.echo(buffer.getvalue(), nl=False)
