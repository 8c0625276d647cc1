"""``qa import``: load case data from the council's extracts (stable: scheduled jobs use it)."""

import json
import sys
from pathlib import Path

import click
from flask import current_app

from qa_app.clock import utcnow
from qa_app.extensions import db
from qa_app.importers import FORMATS, Limits, SourceFile, StructuralError
from qa_app.models.vocab import COHORTS
from qa_app.services.imports import apply as imports


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--as-of",
    "as_of",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The as-of date D of the snapshot, YYYY-MM-DD",
)
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), default=None, help="Detected if not given"
)
@click.option("--dry-run", is_flag=True, help="Read and compare, change nothing")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object")
def import_cases(files, as_of, fmt, dry_run, as_json):
    """Import open cases at an as-of date from Annex A, CIN census, SSDA903 or CSV files.

    Exit code 0 on success (rows may be rejected: see the summary), 2 on a structural error
    (wrong file, missing sheet or column, over a limit) with the message on stderr and nothing
    changed.
    """
    sources = []
    for name in files:
        path = Path(name)
        try:
            sources.append(SourceFile(path.name, path.read_bytes()))
        except OSError as exc:
            click.echo(f"{name}: cannot be read ({exc.strerror})", err=True)
            sys.exit(2)
    try:
        outcome = imports.run_import(
            sources,
            as_of.date(),
            fmt=fmt,
            dry_run=dry_run,
            by=None,
            now=utcnow(),
            limits=Limits.from_config(current_app.config),
        )
    except StructuralError as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(2)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    summary = outcome.summary
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    _print_summary(summary)


def _print_summary(summary: dict) -> None:
    click.echo(
        f"{summary['format']} as of {summary['as_of']}: {summary['children']:,} children in the "
        f"file(s); {summary['open_cases']:,} children with an open case"
    )
    click.echo("  " + ", ".join(f"{c} {summary['by_cohort'][c]:,}" for c in COHORTS))
    changes = summary["changes"]
    click.echo(
        f"  {changes['opened']:,} opened, {changes['updated']:,} updated, "
        f"{changes['cohort_changed']:,} changed cohort, {summary['closed']:,} closed, "
        f"{changes['unchanged']:,} unchanged"
    )
    click.echo(
        f"  {summary['unallocated']:,} unallocated; {summary['teams_created']:,} teams and "
        f"{summary['staff_created']:,} staff created as pending"
    )
    kinds = summary.get("events", {}).get("kinds", {})
    if kinds:
        click.echo(
            "  events kept: "
            + ", ".join(
                f"{k['label']} {k['rows']:,} (+{k['added']:,} -{k['removed']:,})"
                for k in kinds.values()
            )
        )
    click.echo(
        f"  {summary.get('rejected_rows', len(summary['rejected'])):,} rows rejected"
        f" ({len(summary['rejected']):,} problems, each listed)"
    )
    for row in summary["rejected"][:20]:
        where = " ".join(str(x) for x in (row["file"], row["sheet"], f"row {row['row']}") if x)
        click.echo(f"    {where} {row['column']}={row['value']!r}: {row['reason']}")
    if len(summary["rejected"]) > 20:
        click.echo("    ... (use --json for every problem)")
    for warning in summary["warnings"]:
        click.echo(f"  warning: {warning}")
    if summary["dry_run"]:
        click.echo("Dry run: nothing was changed.")
