"""``qa kpi``: the practice performance indicators from the command line.

Stable interfaces: the JSON of ``show --json`` and the CSV columns of ``export``. Exit status 2
means a bad month or scope (the message says why).
"""

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from qa_app.extensions import db
from qa_app.services.performance import board, figures
from qa_app.services.performance.bands import BAND_NAMES
from qa_app.services.performance.indicators import INDICATORS, Settings
from qa_app.services.platform import csv_files, months
from qa_app.services.reports.scope import ScopeError, parse_scope

KPI_COLUMNS = ("key", "name", "unit", "timing", "numerator", "denominator", "value", "as_of",
               "reason", "band", "england")  # fmt: skip
CHILD_COLUMNS = ("key", "child_id", "team", "worker", "first_date", "second_date", "counted",
                 "measure")  # fmt: skip
UNITS = {"percent": "%", "working_days": " working days", "weeks": " weeks", "count": "",
         "ratio": " per worker"}  # fmt: skip


@click.group("kpi", cls=AppGroup)
def kpi() -> None:
    """Timeliness and outcome indicators computed from the imported extracts."""


def _arguments(month: str, scope_text: str):
    try:
        months.check(month, ScopeError)
        scope = parse_scope(scope_text)
    except ScopeError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    return scope, Settings.from_config(current_app.config)


@kpi.command("show")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--scope", "scope_text", default="council", show_default=True,
              help="council, locality:NAME or team:NAME")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object")
def show(month, scope_text, as_json):
    """Every indicator for a month: numerator, denominator, value and the date it is as of."""
    scope, settings = _arguments(month, scope_text)
    data = board.kpi_show(month, scope, settings=settings)
    db.session.commit()  # the working-day calendar, if it had to be filled
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
        return
    click.echo(f"{month}, {scope.label}")
    for row in data["kpis"]:
        if row["numerator"] is None:
            shown = f"- ({row['reason']})"
        elif row["value"] is None:
            shown = f"- ({row['numerator']}/{row['denominator']}; {row['reason']})"
        else:
            value = round(row["value"], 1)
            shown = (f"{value:g}{UNITS[row['unit']]} ({row['numerator']:,}/"
                     f"{row['denominator']:,}, as of {row['as_of']})")  # fmt: skip
        if row["band"]:
            shown += f", {BAND_NAMES[row['band']]}"
        click.echo(f"  {row['name']}: {shown}")


@kpi.command("export")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--scope", "scope_text", default="council", show_default=True,
              help="council, locality:NAME or team:NAME")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
def export(month, scope_text, out):
    """Write kpis.csv (the figures) and children.csv (the records behind each) to OUT."""
    scope, settings = _arguments(month, scope_text)
    out.mkdir(parents=True, exist_ok=True)
    data = board.kpi_show(month, scope, settings=settings)
    with (out / "kpis.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv_files.DictWriter(handle, KPI_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in data["kpis"]:
            england = row["england"]
            writer.writerow({**row, "england": england["figure"] if england else None})
    count = 0
    with (out / "children.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv_files.DictWriter(handle, CHILD_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for indicator in INDICATORS:
            for row in figures.children(indicator.key, month, scope, settings=settings):
                writer.writerow({"key": indicator.key, **row})
                count += 1
    db.session.commit()
    click.echo(f"{out / 'kpis.csv'}: {len(data['kpis'])} rows")
    click.echo(f"{out / 'children.csv'}: {count} rows")
