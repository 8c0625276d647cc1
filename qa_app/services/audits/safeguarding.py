"""Safeguarding concerns raised during an audit: alerts go out at once, and the team manager
gets a safeguarding-priority action due in 1 working day. The auditor then carries on."""

from datetime import datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Audit, AuditEvent, SafeguardingConcern, User, UserRole
from qa_app.services.actions.raising import (
    SAFEGUARDING_DUE_WORKING_DAYS,
    raise_action,
    team_manager_of,
)
from qa_app.services.platform.notifications import PRIVACY_LINE, Message, notify, queue_email

MAX_TEXT = 5_000


class ConcernError(ValueError):
    """A concern that cannot be raised as entered; ``problems`` maps field -> message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(problems.values()))


def _people_with_role(role: str) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role, User.active.is_(True), User.pending.is_(False))
            .order_by(User.id)
        )
    )


def heads_of_service(audit: Audit) -> list[User]:
    """The heads of service of the case's locality (active people only)."""
    team = audit.case.team
    if team is None or team.locality_id is None:
        return []
    people = _people_with_role("head_of_service")
    return [p for p in people if p.effective_locality_id == team.locality_id]


def raise_concern(
    audit: Audit, *, what: str, why: str, by: User, now: datetime, base_url: str
) -> SafeguardingConcern:
    """Record the concern, flag the audit, alert the team manager and head of service (email
    at once, whatever their digest setting) and raise the 1-working-day action."""
    what, why = (what or "").strip(), (why or "").strip()
    problems = {}
    if not what:
        problems["what"] = "Enter what the safeguarding concern is"
    if not why:
        problems["why"] = "Enter why you are concerned"
    for name, text in (("what", what), ("why", why)):
        if len(text) > MAX_TEXT:
            problems[name] = f"Shorten this to {MAX_TEXT:,} characters (it is {len(text):,})"
    if problems:
        raise ConcernError(problems)
    case = audit.case
    manager = team_manager_of(case)
    alerted = [p for p in [manager, *heads_of_service(audit)] if p is not None]
    if not alerted:
        # No manager on record for the case's team or locality: the PSW leads on practice.
        alerted = _people_with_role("psw")
    if not alerted:
        raise ConcernError(
            {
                "what": "Nobody can be alerted: the case has no team manager or head of service "
                "and there is no principal social worker. Phone the front door now, and tell "
                "the QA team so the organisation records are fixed"
            }
        )
    concern = SafeguardingConcern(
        audit_id=audit.id, case_id=case.id, raised_by_id=by.id, raised_at=now, what=what, why=why
    )
    db.session.add(concern)
    audit.safeguarding_flag = True
    db.session.flush()
    for person in {p.id: p for p in alerted}.values():
        _alert(person, concern, now=now, base_url=base_url)
    owner = manager or alerted[0]
    action = raise_action(
        case,
        description=(
            f"Respond to the safeguarding concern raised in the audit of {case.reference}: "
            f"review the case today and record what protective action was taken."
        ),
        by=by,
        now=now,
        base_url=base_url,
        source="safeguarding",
        audit_id=audit.id,
        owner=owner,
        management=True,
        priority="safeguarding",
        due_in_working_days=SAFEGUARDING_DUE_WORKING_DAYS,
    )
    db.session.add(
        AuditEvent(
            audit_id=audit.id,
            at=now,
            by_id=by.id,
            kind="safeguarding_concern",
            detail={"concern_id": concern.id, "action_id": action.id, "alerted": len(alerted)},
        )
    )
    db.session.flush()
    return concern


def _alert(person: User, concern: SafeguardingConcern, *, now: datetime, base_url: str) -> None:
    message = Message(
        kind="safeguarding_concern",
        subject=f"Safeguarding concern raised: {concern.case.reference}",
        body=(
            f"An auditor has raised a safeguarding concern about {concern.case.reference}. "
            f"Read it and act today."
        ),
        link=f"/audits/{concern.audit_id}/concerns/{concern.id}",
    )
    key = f"safeguarding-{concern.id}-{person.id}"
    # Never left for a daily digest: the email is queued now, whatever the person chose.
    note = notify(person, message, dedupe_key=key, now=now, base_url=base_url, email=False)
    email = queue_email(
        dedupe_key=f"n:{key}",
        to=person,
        subject=message.subject,
        body=(
            f"Dear {person.name},\n\n{message.body}\n\nOpen it in Casefile QA: "
            f"{base_url.rstrip('/')}{message.link}\n\n{PRIVACY_LINE}"
        ),
        now=now,
    )
    if email is not None:
        note.email_id = email.id


def get_concern(audit_id: int, concern_id: int) -> SafeguardingConcern | None:
    return db.session.scalar(
        select(SafeguardingConcern).where(
            SafeguardingConcern.id == concern_id, SafeguardingConcern.audit_id == audit_id
        )
    )
