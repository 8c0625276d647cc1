"""``qa report``: build the monthly report and export the month's data for analysts.

Stable interfaces: the JSON of ``build --json`` and the CSV columns of ``export``. Exit status 2
means the request was refused (the message says why; nothing changed); 1 that the build failed
(the failure is recorded on the version and shown in the app).
"""

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.models import ReportVersion
from qa_app.services.moderation.rules import ModerationRules
from qa_app.services.platform import months
from qa_app.services.reports import export as report_export
from qa_app.services.reports import versions as report_versions
from qa_app.services.reports.scope import ScopeError, parse_scope


@click.group("report", cls=AppGroup)
def report() -> None:
    """The monthly audit report."""


def _month(month: str) -> str:
    try:
        return months.check(month)
    except months.MonthError as exc:
        click.echo(f"Error: --month: {exc}", err=True)
        sys.exit(2)


@report.command("build")
@click.option("--month", required=True, help="YYYY-MM")
@click.option(
    "--scope",
    "scope_text",
    default="council",
    show_default=True,
    help="council, locality:NAME or team:NAME",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also write the HTML, PDF and XLSX files here",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON")
def build(month, scope_text, out, as_json):
    """Build a new draft version of the report (synchronously) and print its headline figures."""
    month = _month(month)
    try:
        scope = parse_scope(scope_text)
    except ScopeError as exc:
        click.echo(f"Error: --scope: {exc}", err=True)
        sys.exit(2)
    version = report_versions.request_build(month, scope, by=None, now=utcnow(), trigger="cli")
    db.session.commit()
    version_id = version.id
    try:
        report_versions.build(
            version, now=utcnow(), small_n=ModerationRules.from_config(current_app.config).small_n
        )
        db.session.commit()
    except Exception as exc:  # recorded on the version for the UI, then reported here
        db.session.rollback()
        report_versions.mark_failed(db.session.get(ReportVersion, version_id), exc)
        db.session.commit()
        click.echo(f"Error: the build failed: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
    files = dict.fromkeys(("html", "pdf", "xlsx"))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        stem = f"audit-report-{month}-{scope.key.replace(':', '-')}-v{version.version}"
        for kind in files:
            path = out / f"{stem}.{kind}"
            path.write_bytes(version.file(kind).content)
            files[kind] = str(path)
    head = version.data["headline"]
    actions = version.data["actions"]
    summary = {
        "month": month,
        "scope": scope.key,
        "version": version.version,
        "files": files,
        "audits_expected": head["audits_expected"],
        "audits_completed": head["audits_completed"],
        "grades": head["grades"],
        "good_or_better_pct": head["good_or_better_pct"],
        "inadequate_pct": head["inadequate_pct"],
        "actions": {k: actions[k] for k in ("raised", "completed", "overdue")},
    }
    if as_json:
        click.echo(json.dumps(summary))
        return
    click.echo(
        f"Report {month} ({scope.key}) version {version.version}: "
        f"{head['audits_completed']} of {head['audits_expected']} audits completed; "
        f"good or better {head['good_or_better_pct']}%, inadequate {head['inadequate_pct']}%."
    )
    for kind, path in files.items():
        if path:
            click.echo(f"  {kind}: {path}")


@report.command("export")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
def export(month, out):
    """Write audits.csv, actions.csv and moderation.csv for the month (pseudonymised)."""
    month = _month(month)
    counts = report_export.export_month(month, out, today=local_today())
    db.session.rollback()
    for name, count in counts.items():
        click.echo(f"{out / name}: {count} rows")
