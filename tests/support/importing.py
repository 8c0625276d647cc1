"""Helpers for importer tests: the sample files and a one-call import."""

from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.importers import SourceFile
from qa_app.models import Case, Child, Import, Team, User
from qa_app.services.imports.apply import run_import

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
NOW = datetime(2026, 11, 23, 9, 0)


def sample(name: str) -> SourceFile:
    return SourceFile(name, (FIXTURES / name).read_bytes())


def source(name: str, data: bytes | str) -> SourceFile:
    return SourceFile(name, data.encode() if isinstance(data, str) else data)


def do_import(files, as_of: date, **kwargs) -> dict:
    """Import and commit, as the CLI does; returns the summary. The closure rule is waived
    (share 1) unless a test asks for it: tests/services/imports/test_closures.py tests it."""
    kwargs.setdefault("closure_share", 1.0)
    outcome = run_import(list(files), as_of, by=None, now=NOW, **kwargs)
    if kwargs.get("dry_run"):
        db.session.rollback()
    else:
        db.session.commit()
    return outcome.summary


def database_state() -> tuple:
    """Everything an import can change, to assert that a failed one changed nothing."""
    cases = db.session.execute(
        select(
            Case.id, Case.child_id, Case.cohort, Case.team_id, Case.worker_id, Case.closed_on
        ).order_by(Case.id)
    ).all()
    return (
        tuple(cases),
        db.session.scalar(select(func.count(Child.id))),
        db.session.scalar(select(func.count(Team.id))),
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Import.id))),
    )


def open_cases() -> dict[str, tuple]:
    """la_child_id -> (cohort, team name, worker name, opened_on, unallocated) of open cases."""
    rows = db.session.execute(
        select(
            Child.la_child_id, Case.cohort, Team.name, User.name, Case.opened_on, Case.unallocated
        )
        .join(Case, Case.child_id == Child.id)
        .outerjoin(Team, Case.team_id == Team.id)
        .outerjoin(User, Case.worker_id == User.id)
        .where(Case.closed_on.is_(None))
    ).all()
    return {r[0]: tuple(r[1:]) for r in rows}
