"""Tier 3 reviews: the head of service's or the DCS's short form on a serious finding.

Agree the grade? Immediate actions (each raised as an action through ``raise_action``, source
"tier3"), who oversees them, and when the case is to be re-audited.
"""

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from qa_app.extensions import db
from qa_app.models import AuditEvent, Case, EscalationTrigger, Tier3Review, User, UserRole
from qa_app.models.actions import Action
from qa_app.models.vocab import GRADES
from qa_app.services.actions.raising import ActionError, raise_action
from qa_app.textnorm import clean_text

OVERSEER_ROLES = ("team_manager", "senior_manager", "head_of_service", "dcs", "psw")
TRIGGER_LABELS = {
    "inadequate_audit": "Audit graded Inadequate",
    "repeat_inadequate": "Case Inadequate in two consecutive audits",
    "team_month": "Team with a high share of Inadequate audits",
}


class Tier3Error(ValueError):
    """A tier 3 review that cannot be recorded as given; the message says why."""


def overseers() -> list[User]:
    """People who may be named to oversee a tier 3 review's actions."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role.in_(OVERSEER_ROLES), User.active.is_(True), User.pending.is_(False)
            )
            .distinct()
            .order_by(User.name)
        )
    )


def review_page(review: Tier3Review) -> dict:
    """What the review form shows: the review, what triggered it, and who may oversee it."""
    return {
        "review": review,
        "trigger": review.trigger,
        "labels": TRIGGER_LABELS,
        "grades": GRADES,
        "overseers": overseers(),
    }


def queue_for(user: User) -> list[Tier3Review]:
    """The user's tier 3 reviews (open first, soonest due); the DCS also sees every open one."""
    # The list names each review's child: load trigger, case and child with the reviews.
    query = select(Tier3Review).options(
        selectinload(Tier3Review.trigger)
        .selectinload(EscalationTrigger.case)
        .selectinload(Case.child)
    )
    if "dcs" in user.roles:
        query = query.where(or_(Tier3Review.reviewer_id == user.id, Tier3Review.status == "open"))
    else:
        query = query.where(Tier3Review.reviewer_id == user.id)
    return list(
        db.session.scalars(
            query.order_by(Tier3Review.status != "open", Tier3Review.due_on, Tier3Review.id).limit(
                500
            )
        )
    )


def may_view(user: User, review: Tier3Review) -> bool:
    return review.reviewer_id == user.id or "dcs" in user.roles


def complete_review(
    review: Tier3Review,
    *,
    agrees_grade: str | None,
    grade_comment: str,
    actions: list[str],
    overseen_by_id: int | None,
    reaudit_by: date | None,
    by: User,
    now: datetime,
    base_url: str,
) -> list[Action]:
    """Record the review and raise its immediate actions (all checked before anything changes)."""
    if review.reviewer_id != by.id:
        raise Tier3Error("Only the reviewer named on this tier 3 review can complete it")
    if review.status != "open":
        raise Tier3Error(f"This tier 3 review is {review.status}")
    if agrees_grade not in ("yes", "no"):
        raise Tier3Error("Say whether you agree with the grade")
    grade_comment = clean_text(grade_comment or "")
    if agrees_grade == "no" and not grade_comment:
        raise Tier3Error("Say why you do not agree with the grade")
    actions = [clean_text(a) for a in actions if clean_text(a)]
    trigger = review.trigger
    if actions and trigger.case is None:
        raise Tier3Error(
            "A team review's actions are raised on each case: record them in the note instead"
        )
    overseer = db.session.get(User, overseen_by_id) if overseen_by_id else None
    if overseer is None or overseer.id not in {u.id for u in overseers()}:
        raise Tier3Error("Choose who oversees the actions")
    if reaudit_by is None:
        raise Tier3Error("Give the date by which the case is to be re-audited")
    if reaudit_by <= now.date():
        raise Tier3Error("The re-audit date must be in the future")
    raised = []
    for text in actions:
        try:
            raised.append(
                raise_action(
                    trigger.case,
                    description=text,
                    by=by,
                    now=now,
                    base_url=base_url,
                    source="tier3",
                    audit_id=trigger.audit_id,
                    priority="high",
                )
            )
        except ActionError as exc:
            raise Tier3Error(f"Action “{text[:40]}”: {exc}") from exc
    review.agrees_grade = agrees_grade == "yes"
    review.grade_comment = grade_comment or None
    review.immediate_actions = "\n".join(actions) or None
    review.overseen_by_id = overseer.id
    review.reaudit_by = reaudit_by
    review.status = "completed"
    review.completed_at = now
    review.completed_by_id = by.id
    if trigger.audit_id is not None:
        db.session.add(
            AuditEvent(
                audit_id=trigger.audit_id,
                at=now,
                by_id=by.id,
                kind="tier3_completed",
                detail={"tier3_review_id": review.id, "actions": [a.id for a in raised]},
            )
        )
    db.session.flush()
    return raised
