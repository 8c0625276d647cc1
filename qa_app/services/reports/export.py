"""Open data for the council's analysts (Power BI, Excel): one month's audits, actions and
moderation as flat rows, pseudonymised (the council's child id, never a name; no worker names).
A case is named by ``child_id``, the reference its page shows; the service's internal case number
rides along in each row for the access log only and is never written out.

The same rows feed ``qa report export`` (CSV files) and the read-only JSON API.
"""

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import (
    Action,
    Assignment,
    Audit,
    AuditCycle,
    AuditSectionGrade,
    Case,
    Child,
    Locality,
    SampleItem,
    Team,
    ToolkitVersion,
    User,
)
from qa_app.models.actions import OPEN_STATUSES
from qa_app.services.audits import access as audit_access
from qa_app.services.moderation import export as moderation_export
from qa_app.services.moderation.agreement import DEFAULT_SMALL_N
from qa_app.services.platform import csv_files, months
from qa_app.services.reports.figures import month_items
from qa_app.services.reports.scope import COUNCIL, ReportScope
from qa_app.services.reports.tables import report_data, report_tables

AUDIT_COLUMNS = [
    "audit_id",
    "month",
    "child_id",
    "cohort",
    "team",
    "locality",
    "auditor_email",
    "tier",
    "selection",
    "status",
    "submitted_on",
    "overall_grade_auditor",
    "overall_grade_moderated",
    "overall_grade_reported",
]
GRADE_COLUMNS = {"overall_grade_auditor", "overall_grade_moderated", "overall_grade_reported"}
ACTION_COLUMNS = [
    "action_id",
    "audit_id",
    "child_id",
    "team",
    "locality",
    "source",
    "section_key",
    "priority",
    "status",
    "raised_on",
    "due_on",
    "completed_on",
    "verified_on",
    "effectiveness",
    "overdue",
]
MODERATION_COLUMNS = list(moderation_export.CSV_COLUMNS)


def section_keys() -> list[str]:
    """Every section key of every toolkit version, in toolkit order, each once."""
    keys: list[str] = []
    for version in db.session.scalars(select(ToolkitVersion).order_by(ToolkitVersion.id)):
        for section in version.definition.sections:
            if section.key not in keys:
                keys.append(section.key)
    return keys


def audit_rows(month: str, scope: ReportScope = COUNCIL) -> tuple[list[str], list[dict]]:
    """(columns, rows): one row per audit of *month*, then one column per toolkit section."""
    query = (
        month_items(month, scope)
        .join(Audit, Audit.assignment_id == Assignment.id)
        .join(Case, Case.id == Audit.case_id)
        .join(Child, Child.id == Case.child_id)
        .join(User, User.id == Audit.auditor_id)
        .outerjoin(Team, Team.id == SampleItem.team_id)
        .outerjoin(Locality, Locality.id == Team.locality_id)
        .add_columns(
            Audit.id.label("audit_id"),
            AuditCycle.month,
            Audit.case_id,
            Child.la_child_id.label("child_id"),
            SampleItem.cohort,
            Team.name.label("team"),
            Locality.name.label("locality"),
            User.email.label("auditor_email"),
            Assignment.tier,
            SampleItem.selection,
            Audit.status,
            Audit.submitted_at,
            Audit.overall_grade,
            Audit.moderated_grade,
        )
        .order_by(Audit.id)
    )
    keys = section_keys()
    grades: dict[int, dict[str, int | None]] = {}
    section_query = (
        month_items(month, scope)
        .join(Audit, Audit.assignment_id == Assignment.id)
        .join(AuditSectionGrade, AuditSectionGrade.audit_id == Audit.id)
        .add_columns(
            AuditSectionGrade.audit_id, AuditSectionGrade.section_key, AuditSectionGrade.grade
        )
    )
    for audit_id, key, grade in db.session.execute(section_query):
        grades.setdefault(audit_id, {})[key] = grade
    rows = []
    for r in db.session.execute(query):
        reported = r.moderated_grade if r.moderated_grade is not None else r.overall_grade
        row = {
            "audit_id": r.audit_id,
            "month": r.month,
            "case_id": r.case_id,
            "child_id": r.child_id,
            "cohort": r.cohort,
            "team": r.team,
            "locality": r.locality,
            "auditor_email": r.auditor_email,
            "tier": r.tier,
            "selection": r.selection,
            "status": r.status,
            "submitted_on": r.submitted_at.date().isoformat() if r.submitted_at else None,
            "overall_grade_auditor": r.overall_grade,
            "overall_grade_moderated": r.moderated_grade,
            "overall_grade_reported": reported,
        }
        sections = grades.get(r.audit_id, {})
        row.update({key: sections.get(key) for key in keys})
        rows.append(row)
    return AUDIT_COLUMNS + keys, rows


def action_rows(month: str, scope: ReportScope = COUNCIL, *, today: date) -> list[dict]:
    """Actions raised in *month* (by the case's current team), with overdue at *today*."""
    start, end = months.first_day(month), months.first_day_after(month)
    query = (
        select(Action, Child.la_child_id, Team.name, Locality.name)
        .join(Case, Case.id == Action.case_id)
        .join(Child, Child.id == Case.child_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .outerjoin(Locality, Locality.id == Team.locality_id)
        .where(
            Action.raised_at >= start,
            Action.raised_at < end,
            scope.team_condition(Case.team_id),
        )
        .order_by(Action.id)
    )
    out = []
    for action, child_id, team, locality in db.session.execute(query):
        out.append(
            {
                "action_id": action.id,
                "audit_id": action.audit_id,
                "case_id": action.case_id,
                "child_id": child_id,
                "team": team,
                "locality": locality,
                "source": action.source,
                "section_key": action.section_key,
                "priority": action.priority,
                "status": action.status,
                "raised_on": action.raised_at.date().isoformat(),
                "due_on": action.due_on.isoformat(),
                "completed_on": _day(action.completed_at),
                "verified_on": _day(action.verified_at),
                "effectiveness": action.effectiveness,
                "overdue": action.status in OPEN_STATUSES and action.due_on < today,
            }
        )
    return out


def hide_grades(rows: list[dict], audit_ids: set[int]) -> list[dict]:
    """*rows* of ``audit_rows`` with every grade blanked for *audit_ids* (audits the reader
    still has to moderate blind); the rows stay, so counts still add up."""
    if not audit_ids:
        return rows
    fixed = (set(AUDIT_COLUMNS) - GRADE_COLUMNS) | {"case_id"}
    return [
        {k: (v if k in fixed else None) for k, v in row.items()}
        if row["audit_id"] in audit_ids
        else row
        for row in rows
    ]


def moderation_rows(month: str) -> list[dict]:
    """The month's blind-graded moderations, as ``qa moderation export`` writes them: the
    overall row, then a row per section (the moderator's grade is the blind one)."""
    return [
        dict(zip(MODERATION_COLUMNS, row, strict=True))
        for row in moderation_export.export_rows(month)
    ]


def _public(columns: list[str], rows: list[dict]) -> dict:
    return {
        "columns": columns,
        "rows": [{c: row.get(c) for c in columns} for row in rows],
        "case_ids": [row["case_id"] for row in rows],
    }


def _day(value) -> str | None:
    return value.date().isoformat() if value else None


def write_csv(path: Path, columns: list[str], rows: Iterable[dict]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv_files.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def export_month(month: str, folder: Path, *, today: date) -> dict[str, int]:
    """Write audits.csv, actions.csv and moderation.csv for *month* into *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    columns, audits = audit_rows(month)
    return {
        "audits.csv": write_csv(folder / "audits.csv", columns, audits),
        "actions.csv": write_csv(
            folder / "actions.csv", ACTION_COLUMNS, action_rows(month, today=today)
        ),
        "moderation.csv": write_csv(
            folder / "moderation.csv", MODERATION_COLUMNS, moderation_rows(month)
        ),
    }


def api_table(
    month: str,
    scope: ReportScope,
    table: str,
    *,
    as_of: date,
    reader: User,
    small_n: int = DEFAULT_SMALL_N,
) -> dict | None:
    """One table of the month for the JSON API: ``audits`` and ``actions`` as their export rows
    (grades *reader* must not see yet blanked) with ``case_ids``, the cases shown, for the
    access log (the view removes it before answering), or a table of the report by key; None
    when there is no table *table*."""
    head = {"month": month, "scope": scope.key, "table": table}
    if table == "audits":
        columns, rows = audit_rows(month, scope)
        rows = hide_grades(rows, audit_access.blind_audit_ids(reader))
        return head | _public(columns, rows)
    if table == "actions":
        return head | _public(ACTION_COLUMNS, action_rows(month, scope, today=as_of))
    found = next(
        (
            t
            for t in report_tables(report_data(month, scope, as_of=as_of, small_n=small_n))
            if t.key == table
        ),
        None,
    )
    if found is None:
        return None
    keys = [c.key for c in found.columns]
    return head | {
        "title": found.title,
        "columns": [{"key": c.key, "label": c.label, "type": c.kind} for c in found.columns],
        "rows": [dict(zip(keys, values, strict=True)) for values in found.rows],
    }
