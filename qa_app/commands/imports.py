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
from qa_app.services.imports.closures import ClosuresNotConfirmed


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
@click.option(
    "--confirm-closures",
    "confirm_closures",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="The number of cases the import closes, to confirm an import that closes more than "
    "QA_IMPORT_CLOSURE_CONFIRM_SHARE of the open cases it covers or accepts no row",
)
def import_cases(files, as_of, fmt, dry_run, as_json, confirm_closures):
    """Import open cases at an as-of date from Annex A, CIN census, SSDA903 or CSV files.

    Exit code 0 on success (rows may be rejected: see the summary), 2 on a structural error
    (wrong file, missing sheet or column, over a limit) or an unconfirmed closure of many cases
    (see --confirm-closures) with the message on stderr and nothing changed.
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
            closure_share=float(current_app.config["IMPORT_CLOSURE_CONFIRM_SHARE"]),
            confirm_closures=confirm_closures,
        )
    except StructuralError as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(2)
    except ClosuresNotConfirmed as exc:
        db.session.rollback()
        click.echo(
            f"Refused: {str(exc)[:1].lower()}{str(exc)[1:]}. Nothing was changed; to import, "
            f"run it again with --confirm-closures {exc.check.closing}",
            err=True,
        )
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
    closing = summary.get("closing") or {}
    if closing.get("by_cohort"):
        click.echo(
            "  closing: "
            + ", ".join(f"{c} {n:,}" for c, n in closing["by_cohort"].items())
            + "; by team: "
            + ", ".join(f"{team} {n:,}" for team, n in closing["by_team"])
            + (f" and {closing['more_teams']:,} more teams" if closing["more_teams"] else "")
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
        confirmation = summary.get("confirmation") or {}
        if confirmation.get("needed"):
            click.echo(
                f"  to import, confirm: {confirmation['reason']}; "
                f"pass --confirm-closures {summary['closed']}"
            )
        click.echo("Dry run: nothing was changed.")
