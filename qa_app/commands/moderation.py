"""``qa moderation``: agreement statistics and the moderation pairs of a month.

A stable interface: the JSON keys and CSV columns are the ones the README describes. Exit status 2 means
the request was refused (the message says why).
"""

import io
import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from qa_app.services.moderation import export as moderation_export
from qa_app.services.platform import csv_files


@click.group("moderation", cls=AppGroup)
def moderation() -> None:
    """Moderation: agreement between auditors and moderators."""


def _pct(value) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _num(value) -> str:
    return "n/a" if value is None else f"{value:+.2f}"


@moderation.command("stats")
@click.option("--month", required=True, help="YYYY-MM (the audit cycle's month)")
@click.option("--json", "as_json", is_flag=True)
def stats(month, as_json):
    """Exact and within-one agreement, quadratic kappa with 95% CI, optimism index."""
    try:
        result = moderation_export.stats(
            month, small_n=int(current_app.config.get("AGREEMENT_SMALL_N", 10))
        )
    except moderation_export.ExportError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    low, high = result["kappa_ci"]
    kappa = result["kappa_quadratic"]
    click.echo(f"Moderation agreement for {month}: {result['pairs']} moderated audits")
    click.echo(f"  exact agreement   {_pct(result['exact_agreement'])}")
    click.echo(f"  within one grade  {_pct(result['within_one'])}")
    if kappa is None:
        click.echo("  weighted kappa    n/a")
    else:
        ci = "" if low is None else f" (95% CI {low:.2f} to {high:.2f})"
        click.echo(f"  weighted kappa    {kappa:.2f}{ci}")
    click.echo(
        f"  optimism index    {_num(result['optimism_index'])} (negative: auditors more generous)"
    )
    for row in result["by_auditor"]:
        click.echo(
            f"  {row['email'] or '(no email)'}: {row['pairs']} pairs, exact "
            f"{_pct(row['exact_agreement'])}, optimism {_num(row['optimism_index'])}"
        )


@moderation.command("export")
@click.option("--month", required=True, help="YYYY-MM (the audit cycle's month)")
def export(month):
    """CSV of every grade pair: audit, auditor, moderator, section, both grades (codes 1-4)."""
    try:
        rows = moderation_export.export_rows(month)
    except moderation_export.ExportError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    out = io.StringIO()
    writer = csv_files.writer(out, lineterminator="\n")
    writer.writerow(moderation_export.CSV_COLUMNS)
    writer.writerows(rows)
    click.echo(out.getvalue(), nl=False)
