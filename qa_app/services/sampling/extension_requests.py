"""Extension requests: an auditor asks for more time on an audit.

Up to 5 working days in all (counting extensions already granted) are decided by the auditor's
line manager; anything longer, or when the auditor has no line manager, by the principal social
worker. Approval moves the due date on by the requested working days.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qa_app.extensions import db
from qa_app.models import (
    Assignment,
    AuditCycle,
    Case,
    ExtensionRequest,
    SampleItem,
    User,
    UserRole,
)
from qa_app.services.platform import calendar
from qa_app.services.platform.notifications import Message, notify

LINE_MANAGER_LIMIT = 5
MAX_DAYS = 20


class ExtensionError(ValueError):
    """A request or decision the rules do not allow; the message says why."""


def granted_days(assignment: Assignment) -> int:
    return sum(r.working_days for r in assignment.extension_requests if r.status == "approved")


def _psw() -> User | None:
    return db.session.scalar(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "psw", User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


def request_extension(
    assignment: Assignment,
    *,
    by: User,
    working_days: int,
    reason: str,
    now: datetime,
    base_url: str,
) -> ExtensionRequest:
    """Ask for *working_days* more; the decider (line manager or PSW) is told."""
    if assignment.auditor_id != by.id:
        raise ExtensionError("Only the auditor can ask for an extension to their audit")
    if assignment.status not in ("assigned", "in_progress"):
        raise ExtensionError(
            "Only an audit that is allocated and not yet completed can be extended"
        )
    if not 1 <= working_days <= MAX_DAYS:
        raise ExtensionError(f"Ask for between 1 and {MAX_DAYS} working days")
    reason = (reason or "").strip()
    if not reason:
        raise ExtensionError("Say why you need more time")
    if any(r.status == "pending" for r in assignment.extension_requests):
        raise ExtensionError("You already have a request waiting for a decision on this audit")
    manager = by.line_manager if by.line_manager and by.line_manager.active else None
    if granted_days(assignment) + working_days <= LINE_MANAGER_LIMIT and manager is not None:
        role, decider = "line_manager", manager
    else:
        role, decider = "psw", _psw()
    request = ExtensionRequest(
        assignment=assignment,
        working_days=working_days,
        reason=reason[:2000],
        decider_role=role,
        decider_id=decider.id if decider else None,
        requested_by_id=by.id,
        requested_at=now,
    )
    db.session.add(request)
    db.session.flush()
    if decider is not None:
        notify(
            decider,
            Message(
                kind="extension_requested",
                subject=f"An auditor asks for {working_days} more working day"
                f"{'s' if working_days != 1 else ''} on the audit of "
                f"{assignment.item.case.reference}",
                body=f"The audit of {assignment.item.case.reference} is due "
                f"{assignment.effective_due:%-d %B %Y}. Please decide the request.",
                in_service=f"Asked by {by.name}.",
                link="/assignments/extensions",
            ),
            dedupe_key=f"extension-requested:{request.id}",
            now=now,
            base_url=base_url,
        )
    return request


def can_decide(user: User, request: ExtensionRequest) -> bool:
    if request.decider_role == "psw":
        return "psw" in user.roles
    return request.assignment.auditor.line_manager_id == user.id


def decide_extension(
    request: ExtensionRequest,
    *,
    by: User,
    approve: bool,
    note: str | None,
    now: datetime,
    base_url: str,
) -> ExtensionRequest:
    """Approve (moving the due date on) or refuse a pending request; the auditor is told."""
    if request.status != "pending":
        raise ExtensionError("This request has already been decided")
    if not can_decide(user=by, request=request):
        who = (
            "the principal social worker" if request.decider_role == "psw" else "their line manager"
        )
        raise ExtensionError(f"Only {who} can decide this request")
    assignment = request.assignment
    request.status = "approved" if approve else "refused"
    request.decided_by_id = by.id
    request.decided_at = now
    request.decision_note = (note or "").strip()[:500] or None
    if approve:
        request.new_due_on = calendar.add_working_days(
            assignment.effective_due, request.working_days
        )
        assignment.extended_to = request.new_due_on
    db.session.flush()
    outcome = (
        f"approved: the audit is now due {assignment.effective_due:%-d %B %Y}"
        if approve
        else "refused"
    )
    notify(
        assignment.auditor,
        Message(
            kind="extension_decided",
            subject=f"Your extension request for {assignment.item.case.reference} was "
            f"{'approved' if approve else 'refused'}",
            body=f"Your request was {outcome}.",
            in_service=f"Decided by {by.name}."
            + (f" Note: {request.decision_note}" if request.decision_note else ""),
            link="/assignments/",
        ),
        dedupe_key=f"extension-decided:{request.id}",
        now=now,
        base_url=base_url,
    )
    return request


def waiting_for(user: User) -> list[ExtensionRequest]:
    """Pending requests *user* may decide: from people they line-manage, and, for the PSW,
    the long ones."""
    query = (
        select(ExtensionRequest)
        .join(Assignment, Assignment.id == ExtensionRequest.assignment_id)
        .join(User, User.id == Assignment.auditor_id)
        .where(ExtensionRequest.status == "pending")
        .options(
            joinedload(ExtensionRequest.assignment).joinedload(Assignment.auditor),
            joinedload(ExtensionRequest.assignment)
            .joinedload(Assignment.item)
            .joinedload(SampleItem.case)
            .joinedload(Case.child),
        )
        .order_by(ExtensionRequest.requested_at)
    )
    mine = (ExtensionRequest.decider_role == "line_manager") & (User.line_manager_id == user.id)
    if "psw" in user.roles:
        mine = mine | (ExtensionRequest.decider_role == "psw")
    return list(db.session.scalars(query.where(mine)).unique())


def my_assignments(user: User) -> list[Assignment]:
    """The audits allocated to *user* (published ones), newest month first."""
    return list(
        db.session.scalars(
            select(Assignment)
            .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
            .join(AuditCycle, AuditCycle.id == SampleItem.cycle_id)
            .where(Assignment.auditor_id == user.id, Assignment.status != "proposed")
            .options(
                joinedload(Assignment.item).joinedload(SampleItem.case).joinedload(Case.child),
                joinedload(Assignment.item).joinedload(SampleItem.cycle),
            )
            .order_by(AuditCycle.month.desc(), Assignment.id)
        ).unique()
    )
