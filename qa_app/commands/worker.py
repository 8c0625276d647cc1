"""``qa worker`` and ``qa schedule``: background processing."""

import pkgutil

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext


@click.command("worker")
@click.option("--queue", "queues", multiple=True, help="Queue to serve (repeatable); default all")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty")
@click.option("--no-scheduler", is_flag=True, help="Do not run the periodic-job scheduler")
@with_appcontext
def worker(queues, burst, no_scheduler):
    """Run an RQ worker (with RQ's scheduler and the periodic jobs of workers/schedule.py)."""
    # By dotted name: qa_app never imports the workers package.
    run_worker = pkgutil.resolve_name("workers.runner:run_worker")
    run_worker(
        current_app._get_current_object(),
        list(queues) or list(current_app.config["RQ_QUEUES"]),
        burst=burst,
        periodic=not no_scheduler,
    )


@click.group(cls=AppGroup)
def schedule() -> None:
    """The periodic jobs."""


@schedule.command("list")
def list_():
    """Show each periodic job, its rule and whether it is due now."""
    due_now = pkgutil.resolve_name("workers.schedule:describe")
    for line in due_now():
        click.echo(line)


@schedule.command("run-due")
def run_due():
    """Enqueue the periodic jobs that are due (for deployments that use cron, not `qa worker`)."""
    enqueue_due = pkgutil.resolve_name("workers.schedule:enqueue_due")
    for name, key in enqueue_due():
        click.echo(f"enqueued {name} for {key}")
