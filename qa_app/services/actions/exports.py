"""The action exports (the dashboard's CSV and XLSX, ``qa actions export``): one row per action
with its owner, team, locality, dates and working days overdue, oldest due first. A case is named
by its child's council id (``child_id``), the reference the case page shows, never the service's
internal case number."""

import io
from datetime import date
from functools import cache

import xlsxwriter
from sqlalchemy import select
from sqlalchemy.orm import aliased

from qa_app.extensions import db
from qa_app.models import Action, Case, Child, Locality, Team, User
from qa_app.models.actions import OPEN_STATUSES
from qa_app.services.actions.queries import (
    DashboardFilters,
    FilterError,
    action_scope,
    outstanding,
)
from qa_app.services.platform import csv_files
from qa_app.services.platform.calendar import working_days_after

EXPORT_COLUMNS = (
    "action_id",
    "audit_id",
    "child_id",
    "owner_email",
    "owner_team",
    "locality",
    "priority",
    "status",
    "raised_on",
    "due_on",
    "completed_on",
    "verified_on",
    "working_days_overdue",
)
EXPORT_STATUSES = ("open", "overdue", "all")


@cache
def _overdue_days(due_on: date, today: date) -> int:
    return working_days_after(due_on, today)


def export_rows(
    *, status: str, today: date, user: User | None = None, filters: DashboardFilters | None = None
):
    """Rows (dicts keyed by EXPORT_COLUMNS, plus the ``case_id`` the access log records and
    the files leave out) for the CSV/XLSX exports, oldest due first.

    *status*: open (still to do), overdue (open and past due) or all. With *user*, only their
    scope; with *filters*, the dashboard's filtered outstanding set."""
    if status not in EXPORT_STATUSES:
        raise FilterError("status", f"--status must be one of: {', '.join(EXPORT_STATUSES)}")
    owner = aliased(User)
    owner_team = aliased(Team)
    query = (
        select(
            Action.id,
            Action.audit_id,
            Action.case_id,
            Child.la_child_id,
            owner.email,
            owner_team.name,
            Locality.name,
            Action.priority,
            Action.status,
            Action.raised_at,
            Action.due_on,
            Action.completed_at,
            Action.verified_at,
        )
        .join(owner, owner.id == Action.owner_id)
        .outerjoin(owner_team, owner_team.id == owner.team_id)
        .join(Case, Case.id == Action.case_id)
        .join(Child, Child.id == Case.child_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(Locality, Locality.id == Team.locality_id)
        .order_by(Action.due_on, Action.id)
    )
    if status in ("open", "overdue"):
        query = query.where(Action.status.in_(OPEN_STATUSES))
    if status == "overdue":
        query = query.where(Action.due_on < today)
    if user is not None:
        query = query.where(action_scope(user))
    if filters is not None and user is not None:
        query = query.where(Action.id.in_(outstanding(user, filters, today)))
    for row in db.session.execute(query).yield_per(5000):
        (
            aid,
            audit_id,
            case_id,
            child_id,
            email,
            team,
            locality,
            priority,
            st,
            raised,
            due,
            done,
            ver,
        ) = row
        overdue = _overdue_days(due, today) if st in OPEN_STATUSES else 0
        yield {
            "action_id": aid,
            "audit_id": audit_id if audit_id is not None else "",
            "child_id": child_id,
            "case_id": case_id,  # for the access log only: never written to a file
            "owner_email": email or "",
            "owner_team": team or "",
            "locality": locality or "",
            "priority": priority,
            "status": st,
            "raised_on": raised.date().isoformat(),
            "due_on": due.isoformat(),
            "completed_on": done.date().isoformat() if done else "",
            "verified_on": ver.date().isoformat() if ver else "",
            "working_days_overdue": overdue,
        }


def export_csv(rows) -> str:
    """``export_rows`` as CSV text."""
    out = io.StringIO()
    writer = csv_files.DictWriter(
        out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def export_xlsx(rows) -> bytes:
    """``export_rows`` as one XLSX sheet."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "constant_memory": True, **csv_files.XLSX_TEXT_CELLS}
    )
    sheet = book.add_worksheet("Actions")
    bold = book.add_format({"bold": True})
    for col, name in enumerate(EXPORT_COLUMNS):
        sheet.write_string(0, col, name, bold)
    for r, row in enumerate(rows, start=1):
        for col, name in enumerate(EXPORT_COLUMNS):
            value = row[name]
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            else:
                # Written as text so nothing a user typed is taken for a formula.
                sheet.write_string(r, col, str(value))
    book.close()
    return out.getvalue()
