"""``qa toolkits``: check, load and list the audit toolkits."""

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from qa_app.clock import utcnow
from qa_app.extensions import db
from qa_app.models.vocab import COHORTS
from qa_app.services.toolkits import store as toolkit_service
from qa_app.services.toolkits.format import ToolkitInvalid, parse_toolkit


@click.group(cls=AppGroup)
def toolkits() -> None:
    """Audit toolkits: versioned YAML files loaded into the database."""


def _print_problems(source: str, problems) -> None:
    for problem in problems:
        click.echo(problem.describe(source), err=True)


@toolkits.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def check(files):
    """Validate toolkit FILES without loading them; exit 2 if any is invalid."""
    invalid = 0
    for file in files:
        path = Path(file)
        try:
            definition = parse_toolkit(path.read_bytes(), path.name)
        except ToolkitInvalid as exc:
            invalid += 1
            _print_problems(path.name, exc.problems)
            click.echo(f"{path.name}: invalid ({len(exc.problems)} problem(s))", err=True)
            continue
        click.echo(
            f"{path.name}: valid: {definition.key} version {definition.version} "
            f"({definition.name}); {len(definition.sections)} sections, "
            f"{len(definition.safety_critical_sections)} safety-critical; "
            f"{len(definition.compliance)} compliance questions; "
            f"cohorts {', '.join(definition.cohorts)}"
        )
    if invalid:
        sys.exit(2)


@toolkits.command("load")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def load(files):
    """Load toolkit FILES (default: the shipped toolkits). All or nothing; exit 2 if refused.

    Content already loaded is left unchanged; changed content with a higher version becomes
    the new active version.
    """
    paths = [Path(f) for f in files] or toolkit_service.shipped_toolkit_files()
    try:
        results = toolkit_service.load_toolkit_files(paths, by=None, now=utcnow(), via="cli")
    except toolkit_service.ToolkitsRefused as exc:
        db.session.rollback()
        for failure in exc.failures:
            _print_problems(failure.source, failure.problems)
        click.echo("Nothing was loaded.", err=True)
        sys.exit(2)
    db.session.commit()
    for result in results:
        click.echo(result.describe())
        for change in result.changes if result.replaced else []:
            click.echo(f"  - {change}")


@toolkits.command("list")
def list_():
    """List toolkits, their versions and which version is active."""
    rows = toolkit_service.list_toolkits()
    if not rows:
        click.echo("No toolkits loaded: run `qa toolkits load`.")
        return
    for toolkit in rows:
        click.echo(f"{toolkit.key}: {toolkit.name}")
        for version in reversed(toolkit.versions):
            marker = "active" if version.active else "      "
            click.echo(
                f"  {marker} version {version.version}  loaded {version.loaded_at:%Y-%m-%d %H:%M} "
                f"UTC via {version.loaded_via} from {version.source_name}  "
                f"cohorts: {', '.join(COHORTS[c] for c in version.cohorts)}"
            )
    covered = {c for t in rows if t.active_version for c in t.active_version.cohorts}
    missing = [COHORTS[c] for c in COHORTS if c not in covered]
    if missing:
        click.echo(f"Warning: no active toolkit for {', '.join(missing)}", err=True)
