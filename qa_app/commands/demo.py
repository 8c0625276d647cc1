"""``qa demo``: load the demo council and show its logins."""

import json
import sys
import time
from datetime import date

import click
from flask.cli import AppGroup

from qa_app import background
from qa_app import demo as demo_service
from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.models import BackgroundTask
from qa_app.services.platform import months, tasks


@click.group("demo", cls=AppGroup)
def demo() -> None:
    """The demo council."""


def _print_progress(percent: int, message: str) -> None:
    click.echo(f"{percent:3d}%  {message}", err=True)


@demo.command("seed")
@click.option("--cases", type=click.IntRange(50, 500_000), default=6000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True, help="Same seed, same council")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Reference date")
@click.option(
    "--history-months",
    type=click.IntRange(0, demo_service.HISTORY_MONTHS),
    default=demo_service.HISTORY_MONTHS,
    show_default=True,
    help="Past months of audits, moderation and actions (0: council and caseload only)",
)
@click.option(
    "--events/--no-events",
    default=None,
    help="12 months of referrals, assessments, plans and care for the performance figures "
    f"(default: with history, up to {demo_service.EVENTS_MAX_CASES:,} cases)",
)
@click.option("--reset", is_flag=True, help="Delete ALL data first")
@click.option("--yes", is_flag=True, help="Do not ask before --reset")
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) if the database holds staff")
@click.option("--background", "in_background", is_flag=True, help="Run as an RQ job and follow it")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON")
def seed(cases, seed, today, history_months, events, reset, yes, if_empty, in_background, as_json):
    """Build a realistic fake council (deterministic for a seed)."""
    today = today.date() if today else local_today()
    if if_empty and not demo_service.database_is_empty():
        click.echo("The database already holds a council; demo not loaded.", err=True)
        return
    if reset:
        if not yes:
            click.confirm("Delete ALL data in this database?", abort=True)
        demo_service.wipe_all_data()
        db.session.commit()
    if in_background:
        _seed_in_background(cases, seed, today, history_months, events, as_json)
        return
    started = time.perf_counter()
    try:
        summary = demo_service.seed_demo(
            cases=cases,
            seed=seed,
            today=today,
            now=utcnow(),
            progress=_print_progress,
            history_months=history_months,
            events=events,
        )
    except demo_service.DemoRefused as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(2)
    db.session.commit()
    elapsed = time.perf_counter() - started
    report_month = _build_last_months_report(today)
    if as_json:
        click.echo(
            json.dumps(
                {**summary.as_dict(), "seconds": round(elapsed, 2), "report_month": report_month}
            )
        )
    else:
        click.echo(
            f"Demo council loaded: {summary.teams} teams, {summary.staff:,} staff, "
            f"{summary.open_cases:,} open cases in {elapsed:.1f}s "
            f"({summary.open_cases / elapsed:,.0f} cases/s)."
        )
        if summary.events:
            click.echo(
                f"12 months of events: {summary.events['referrals']:,} referrals, "
                f"{summary.events['assessments']:,} assessments, {summary.events['cp_plans']:,} "
                f"CP plans, {summary.events['cla_periods']:,} periods of care "
                f"(qa kpi show --month {months.previous(today)})."
            )
        if report_month:
            click.echo(f"Draft audit report for {report_month} built: see Reports.")


def _build_last_months_report(today: date) -> str | None:
    """Last month's draft report, as the monthly job would have built it; a failure here
    leaves the council loaded (the job or the Reports page builds it later)."""
    if not demo_service.database_has_history():
        return None
    _print_progress(100, "Building last month's audit report (as the monthly job would have)")
    try:
        version = demo_service.build_last_months_report(today=today, now=utcnow())
        db.session.commit()
    except Exception as exc:  # the demo council is committed already; say so and go on
        db.session.rollback()
        click.echo(f"Last month's report was not built ({type(exc).__name__}: {exc}).", err=True)
        return None
    return version.month if version else None


def _seed_in_background(
    cases: int, seed: int, today: date, history_months: int, events: bool | None, as_json: bool
) -> None:
    params = {
        "cases": cases,
        "seed": seed,
        "today": today.isoformat(),
        "history_months": history_months,
        "events": events,
    }
    task = tasks.create_task("demo_seed", params, by=None)
    db.session.commit()
    try:
        job_id = background.enqueue_task(task)
    except background.BackgroundUnavailable as exc:
        click.echo(
            f"Redis is unavailable ({exc}); task {task.id} will start when it is back.", err=True
        )
        sys.exit(1)
    tasks.mark_enqueued(task, job_id, now=utcnow())
    db.session.commit()
    click.echo(f"Task {task.id} queued as {job_id}; waiting for a worker (qa worker)…", err=True)
    last = None
    while True:
        db.session.expire_all()
        current = db.session.get(BackgroundTask, task.id)
        live = background.get_progress(task.id)
        if live and live != last:
            _print_progress(live["percent"], live["message"])
            last = live
        if current.finished:
            break
        time.sleep(0.5)
    if current.status == "failed":
        click.echo(f"Task {task.id} failed: {current.error}", err=True)
        sys.exit(1)
    click.echo(
        json.dumps(current.result) if as_json else f"Task {task.id} complete: {current.result}"
    )


@demo.command("logins")
def logins():
    """Print the demo logins (one per role) and the shared password."""
    for role, email, who in demo_service.DEMO_LOGINS:
        click.echo(f"{role:<22} {email:<40} {who}")
    click.echo(f"Password for every demo login: {demo_service.DEMO_PASSWORD}")
