"""Who may read an audit: its auditor always; once submitted, the case's worker, their team
manager, the head of service of the case's locality and the council-wide roles."""

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Audit, Moderation, User
from qa_app.permissions import is_council_wide
from qa_app.services.actions.raising import team_manager_of


def moderating_blind(user: User, audit: Audit) -> bool:
    """Whether *user* moderates *audit* and has not yet recorded their blind grades: until
    then the audit itself is closed to them, or moderation would not be blind."""
    return (
        db.session.scalar(
            select(Moderation.id).where(
                Moderation.audit_id == audit.id,
                Moderation.moderator_id == user.id,
                Moderation.blind_at.is_(None),
            )
        )
        is not None
    )


def blind_audit_ids(user: User) -> set[int]:
    """The audits *user* moderates and has not yet graded blind: lists that show grades (the
    grade-trend drill-down, the API's audit rows) hide those audits' grades from them."""
    return set(
        db.session.scalars(
            select(Moderation.audit_id).where(
                Moderation.moderator_id == user.id, Moderation.blind_at.is_(None)
            )
        )
    )


def can_read(user: User, audit: Audit) -> bool:
    if audit.auditor_id == user.id:
        return True
    if audit.status == "draft" or moderating_blind(user, audit):
        return False
    case = audit.case
    if is_council_wide(user) or case.worker_id == user.id:
        return True
    if "team_manager" in user.roles:
        manager = team_manager_of(case)
        if (user.team_id is not None and user.team_id == case.team_id) or (
            manager is not None and manager.id == user.id
        ):
            return True
    locality = case.team.locality_id if case.team else None
    return (
        "head_of_service" in user.roles
        and locality is not None
        and user.effective_locality_id == locality
    )


def readable_audit(user: User, audit_id: int) -> Audit | None:
    """The audit if *user* may read it, else None (the view answers 404 either way)."""
    audit = db.session.scalar(select(Audit).where(Audit.id == audit_id))
    if audit is None or not can_read(user, audit):
        return None
    return audit


def can_read_concern(user: User, audit: Audit) -> bool:
    """Safeguarding concerns are for the auditor, the case's team manager, the head of service
    of its locality and the council-wide roles, even while the audit is a draft."""
    if audit.auditor_id == user.id or is_council_wide(user):
        return True
    case = audit.case
    manager = team_manager_of(case)
    if manager is not None and manager.id == user.id:
        return True
    if "team_manager" in user.roles and user.team_id is not None and user.team_id == case.team_id:
        return True
    locality = case.team.locality_id if case.team else None
    return (
        "head_of_service" in user.roles
        and locality is not None
        and user.effective_locality_id == locality
    )


def readable_audits_of_case(user: User, case_id: int) -> list[Audit]:
    """The case's audits that *user* may read, newest first (for the case page)."""
    audits = db.session.scalars(
        select(Audit).where(Audit.case_id == case_id).order_by(Audit.created_at.desc())
    )
    return [audit for audit in audits if can_read(user, audit)]
