"""``qa demo``: load the demo council and show its logins."""

import json
import sys
import time
from datetime import date

import click
from flask.cli import AppGroup

from qa_app import background
from qa_app.clock import local_today, utcnow
from qa_app.extensions import db
from qa_app.models import BackgroundTask
from qa_app.services import demo as demo_service
from qa_app.services import tasks


@click.group("demo", cls=AppGroup)
def demo() -> None:
    """The demo council."""


def _print_progress(percent: int, message: str) -> None:
    click.echo(f"{percent:3d}%  {message}", err=True)


@demo.command("seed")
@click.option("--cases", type=click.IntRange(50, 500_000), default=6000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True, help="Same seed, same council")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Reference date")
@click.option("--reset", is_flag=True, help="Delete ALL data first")
@click.option("--yes", is_flag=True, help="Do not ask before --reset")
@click.option("--if-empty", is_flag=True, help="Do nothing (exit 0) if the database holds staff")
@click.option("--background", "in_background", is_flag=True, help="Run as an RQ job and follow it")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON")
def seed(cases, seed, today, reset, yes, if_empty, in_background, as_json):
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
        _seed_in_background(cases, seed, today, as_json)
        return
    started = time.perf_counter()
    try:
        summary = demo_service.seed_demo(
            cases=cases, seed=seed, today=today, now=utcnow(), progress=_print_progress
        )
    except demo_service.DemoRefused as exc:
        db.session.rollback()
        click.echo(str(exc), err=True)
        sys.exit(2)
    db.session.commit()
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps({**summary.as_dict(), "seconds": round(elapsed, 2)}))
    else:
        click.echo(
            f"Demo council loaded: {summary.teams} teams, {summary.staff:,} staff, "
            f"{summary.open_cases:,} open cases in {elapsed:.1f}s "
            f"({summary.open_cases / elapsed:,.0f} cases/s)."
        )


def _seed_in_background(cases: int, seed: int, today: date, as_json: bool) -> None:
    task = tasks.create_task(
        "demo_seed", {"cases": cases, "seed": seed, "today": today.isoformat()}, by=None
    )
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
