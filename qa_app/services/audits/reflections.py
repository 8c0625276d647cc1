"""The right of reply: the allocated worker and their team manager read a submitted audit and
record a reflection (agree / partly / disagree, with comments) within 10 working days."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Audit, AuditEvent, Reflection, User
from qa_app.models.audits import AGREEMENT
from qa_app.services.actions.raising import team_manager_of
from qa_app.services.platform.calendar import add_working_days
from qa_app.services.platform.notifications import Message, notify

REFLECTION_WORKING_DAYS = 10
MAX_COMMENTS = 10_000
AGREEMENT_LABELS = {
    "agree": "I agree with the audit",
    "partly": "I partly agree with the audit",
    "disagree": "I disagree with the audit",
}
assert set(AGREEMENT_LABELS) == set(AGREEMENT)


class ReflectionError(ValueError):
    """A reflection that cannot be recorded; the message says why."""


@dataclass(frozen=True)
class Reflector:
    user: User
    role: str  # worker | team_manager


def reflectors(audit: Audit) -> list[Reflector]:
    """Who is asked to reflect: the case's worker and its team manager (each once)."""
    out = []
    case = audit.case
    if case.worker is not None and case.worker.is_active:
        out.append(Reflector(case.worker, "worker"))
    manager = team_manager_of(case)
    if manager is not None and all(r.user.id != manager.id for r in out):
        out.append(Reflector(manager, "team_manager"))
    return out


def reflection_role(audit: Audit, user: User) -> str | None:
    return next((r.role for r in reflectors(audit) if r.user.id == user.id), None)


def reflection_due(audit: Audit) -> date | None:
    """The last day a reflection is accepted (None before submission)."""
    if audit.submitted_at is None:
        return None
    return add_working_days(audit.submitted_at.date(), REFLECTION_WORKING_DAYS)


def invite_reflections(audit: Audit, *, now: datetime, base_url: str) -> None:
    """Tell the worker and team manager that they can read the audit and reflect on it."""
    due = reflection_due(audit)
    submitted = sum(1 for e in audit.events if e.kind == "submitted")
    for person in reflectors(audit):
        notify(
            person.user,
            Message(
                kind="audit_submitted",
                subject=f"Audit of {audit.case.reference} completed: add your reflection by "
                f"{due:%-d %B %Y}",
                body=f"The audit of {audit.case.reference} has been submitted. Read it and record "
                f"whether you agree, within {REFLECTION_WORKING_DAYS} working days (by "
                f"{due:%-d %B %Y}).",
                link=f"/audits/{audit.id}",
            ),
            dedupe_key=f"audit-{audit.id}-submitted-{submitted}-{person.user.id}",
            now=now,
            base_url=base_url,
        )


def record_reflection(
    audit: Audit, *, agreement: str, comments: str, by: User, now: datetime
) -> Reflection:
    """Record (or, within the window, change) *by*'s reflection on the audit."""
    role = reflection_role(audit, by)
    if role is None:
        raise ReflectionError("Only the case's social worker and team manager can reflect")
    if audit.status == "draft" or audit.submitted_at is None:
        raise ReflectionError("The audit has not been submitted yet")
    due = reflection_due(audit)
    if now.date() > due:
        raise ReflectionError(
            f"The time for reflections closed on {due:%-d %B %Y} ({REFLECTION_WORKING_DAYS} "
            f"working days after the audit was submitted): talk to the auditor instead"
        )
    if agreement not in AGREEMENT:
        raise ReflectionError("Select whether you agree, partly agree or disagree")
    comments = (comments or "").replace("\r\n", "\n").strip()
    if not comments:
        raise ReflectionError("Enter your comments on the audit")
    if len(comments) > MAX_COMMENTS:
        raise ReflectionError(
            f"Your comments are {len(comments):,} characters long: the most is {MAX_COMMENTS:,}"
        )
    reflection = db.session.scalar(
        select(Reflection).where(Reflection.audit_id == audit.id, Reflection.author_id == by.id)
    )
    if reflection is None:
        reflection = Reflection(audit_id=audit.id, author_id=by.id, author_role=role)
        db.session.add(reflection)
    reflection.agreement = agreement
    reflection.comments = comments
    reflection.created_at = now
    db.session.add(
        AuditEvent(audit_id=audit.id, at=now, by_id=by.id, kind="reflection", detail={"role": role})
    )
    db.session.flush()
    return reflection
