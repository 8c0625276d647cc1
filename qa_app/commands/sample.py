"""``qa sample``: draw, allocate, adjust, publish and export a month's audit sample.

A stable interface: scheduled jobs and checks rely on the JSON shapes and the CSV columns.
Exit status 2 means the request was refused (the message says why); nothing was changed.
"""

import json
import random
import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.models.cases import child_reference
from qa_app.services.people import accounts
from qa_app.services.sampling import adjust, allocation, cycles, replace
from qa_app.services.sampling import draw as sampling


@click.group("sample", cls=AppGroup)
def sample() -> None:
    """The monthly audit sample."""


def _refuse(exc: Exception | str) -> None:
    db.session.rollback()
    click.echo(f"Error: {exc}", err=True)
    sys.exit(2)


@sample.command("draw")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--rate", default=None, help="Sampling rate, e.g. 0.1 (the default) or 10%")
@click.option("--seed", type=int, default=None, help="Seed (default: a fresh random one)")
@click.option("--reference-date", default=None, help="YYYY-MM-DD (default: the 1st)")
@click.option("--redraw", is_flag=True, help="Draw an unpublished month again")
@click.option("--json", "as_json", is_flag=True)
def draw(month, rate, seed, reference_date, redraw, as_json):
    """Draw the month's sample (or show the one already drawn)."""
    try:
        rate_bp = sampling.parse_rate(rate) if rate is not None else None
        try:
            reference = date.fromisoformat(reference_date) if reference_date else None
        except ValueError:
            raise sampling.SamplingError(
                f"Reference date {reference_date!r} is not in the form YYYY-MM-DD"
            ) from None
        result = sampling.draw_sample(
            month,
            by=None,
            now=utcnow(),
            rng=random.SystemRandom(),
            seed=seed,
            rate_bp=rate_bp,
            reference_date=reference,
            redraw=redraw,
        )
    except sampling.SamplingError as exc:
        _refuse(exc)
    summary = sampling.draw_summary(result)
    db.session.commit()
    if as_json:
        click.echo(json.dumps(summary))
        return
    verb = "was already drawn" if result.already_drawn else "drawn"
    click.echo(
        f"{summary['month']} {verb}: {summary['sample']:,} cases from {summary['eligible']:,} "
        f"eligible ({summary['frame']:,} open on {summary['reference_date']}; "
        f"{summary['excluded']['audited_last_12_months']:,} audited in the last 12 months, "
        f"{summary['excluded']['already_in_cycle']:,} already in the cycle), seed {summary['seed']}."
    )


@sample.command("allocate")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--json", "as_json", is_flag=True)
def allocate(month, as_json):
    """Propose an auditor for every sampled case (replacing earlier proposals)."""
    try:
        cycle = sampling.get_cycle(month)
        allocation.allocate_cycle(cycle, now=utcnow())
    except sampling.SamplingError as exc:
        _refuse(exc)
    db.session.commit()
    summary = cycles.allocation_summary(sampling.get_cycle(month))
    if as_json:
        click.echo(json.dumps(summary))
        return
    click.echo(
        f"{summary['month']}: {summary['allocated']:,} allocated "
        f"(tier 2: {summary['by_tier']['2']:,}, tier 3: {summary['by_tier']['3']:,}); "
        f"{len(summary['unallocated']):,} could not be allocated."
    )
    for row in summary["unallocated"][:20]:
        click.echo(f"  {child_reference(row['child_id'])}: {row['reason']}")


@sample.command("reassign")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--child", "child_id", required=True, help="Council child id of a sampled case")
@click.option("--to", "email", required=True, help="Email of the auditor to give it to")
def reassign(month, child_id, email):
    """Give a sampled case to another auditor (once published, both auditors are told)."""
    try:
        item = adjust.sample_item(sampling.get_cycle(month), child_id)
        auditor = accounts.find_user_by_email(email)
        if auditor is None:
            raise sampling.SamplingError(f"No user with the email {email}")
        adjust.reassign(item, auditor, now=utcnow(), base_url=current_app.config["BASE_URL"])
    except sampling.SamplingError as exc:
        _refuse(exc)
    db.session.commit()
    click.echo(
        f"{month}: {child_reference(child_id.strip())}'s case is now audited by {auditor.email}."
    )


@sample.command("swap")
@click.option("--month", required=True, help="YYYY-MM")
@click.option("--child", "first", required=True, help="Council child id of a sampled case")
@click.option("--with", "second", required=True, help="Council child id of another one")
def swap(month, first, second):
    """Exchange the auditors of two sampled cases (once published, both auditors are told)."""
    try:
        cycle = sampling.get_cycle(month)
        one, other = adjust.sample_item(cycle, first), adjust.sample_item(cycle, second)
        adjust.swap(one, other, now=utcnow(), base_url=current_app.config["BASE_URL"])
    except sampling.SamplingError as exc:
        _refuse(exc)
    db.session.commit()
    click.echo(f"{month}: children {first.strip()} and {second.strip()} have swapped auditors.")


@sample.command("publish")
@click.option("--month", required=True, help="YYYY-MM")
@click.option(
    "--confirm-closed",
    type=click.IntRange(min=0),
    default=None,
    help="Publish although the sample holds this many cases closed since the draw (the exact number)",
)
def publish(month, confirm_closed):
    """Publish the allocation: every auditor is told, by email and in the service. A sample
    holding cases closed since the draw is refused (exit 2) without --confirm-closed N."""
    try:
        cycle = sampling.get_cycle(month)
        told = cycles.publish_cycle(
            cycle,
            by=None,
            now=utcnow(),
            today=local_today(),
            base_url=current_app.config["BASE_URL"],
            confirm_closed=confirm_closed,
        )
    except cycles.ClosedCasesInSample as exc:
        cases = "1 case" if exc.count == 1 else f"{exc.count} cases"
        _refuse(
            f"The {month} sample holds {cases} closed since the draw: replace them "
            f"(qa sample replace-closed --month {month}) or publish with them "
            f"(--confirm-closed {exc.count})"
        )
    except sampling.SamplingError as exc:
        _refuse(exc)
    db.session.commit()
    click.echo(f"{month} published: {told:,} auditors told.")


@sample.command("replace-closed")
@click.option("--month", required=True, help="YYYY-MM")
def replace_closed(month):
    """Replace each sampled case closed since the draw by an open case of the same team and
    cohort, chosen by the stored seed (unpublished samples only)."""
    try:
        result = replace.replace_closed(
            sampling.get_cycle(month), by=None, now=utcnow(), today=local_today()
        )
    except sampling.SamplingError as exc:
        _refuse(exc)
    db.session.commit()
    click.echo(f"{month}: {replace.outcome_message(result)}")


@sample.command("export")
@click.option("--month", required=True, help="YYYY-MM")
def export(month):
    """Print the sample as CSV: one row per sampled case."""
    try:
        cycle = sampling.get_cycle(month)
    except sampling.SamplingError as exc:
        _refuse(exc)
    click.echo(cycles.export_csv(cycle), nl=False)
