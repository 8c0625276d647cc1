"""Escalation of serious findings to tier 3 reviews (docs/framework.md#escalation-and-tier-3).

- An audit graded Inadequate overall: a tier 3 review for the head of service of the case's
  locality, due in 5 working days, the DCS informed. Moderation later confirms the review
  (still Inadequate) or withdraws it (moderated to a better grade).
- The same case Inadequate in two consecutive audits: a tier 3 review for the DCS.
- A team with at least 25% of its audits in a month Inadequate (and at least 4 audits): a
  tier 3 review for the DCS (checked by a periodic job, and on each submission).

Each trigger has a unique key and is recorded once, in a savepoint: however many times (or in
however many processes at once) a check runs, the trigger fires, and people are told, once.
"""

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from qa_app.extensions import db
from qa_app.models import (
    Audit,
    AuditCycle,
    AuditEvent,
    Case,
    EscalationTrigger,
    SampleItem,
    Tier3Review,
    User,
    UserRole,
)
from qa_app.models.sampling import Assignment
from qa_app.services.moderation.rules import ModerationRules
from qa_app.services.moderation.selection import locality_head
from qa_app.services.platform import months
from qa_app.services.platform.calendar import add_working_days
from qa_app.services.platform.notifications import Message, notify

SUBMITTED = ("submitted", "moderated", "closed")


def reported_grade_sql():
    return func.coalesce(Audit.moderated_grade, Audit.overall_grade)


def directors() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "dcs", User.active.is_(True), User.pending.is_(False))
            .order_by(User.id)
        )
    )


def _fire(key: str, kind: str, *, now: datetime, **fields) -> EscalationTrigger | None:
    """Record the trigger *key* unless it has fired already; None when it had."""
    if db.session.scalar(select(EscalationTrigger.id).where(EscalationTrigger.key == key)):
        return None
    trigger = EscalationTrigger(key=key, kind=kind, fired_at=now, **fields)
    try:
        with db.session.begin_nested():
            db.session.add(trigger)
    except IntegrityError:
        # Another process fired it between our look and our insert (PostgreSQL waits for
        # that transaction, then refuses the duplicate key): it has fired, once.
        return None
    return trigger


def _review(
    trigger: EscalationTrigger,
    reviewer: User | None,
    role: str,
    *,
    now: datetime,
    rules: ModerationRules,
    base_url: str,
    subject: str,
) -> Tier3Review:
    review = Tier3Review(
        trigger_id=trigger.id,
        reviewer_id=reviewer.id if reviewer else None,
        reviewer_role=role,
        status="open",
        created_at=now,
        due_on=add_working_days(now.date(), rules.tier3_due_working_days),
    )
    db.session.add(review)
    db.session.flush()
    if trigger.audit_id is not None:
        db.session.add(
            AuditEvent(
                audit_id=trigger.audit_id,
                at=now,
                kind="escalated",
                detail={"trigger": trigger.kind, "tier3_review_id": review.id},
            )
        )
    message = Message(
        kind="tier3_review",
        subject=f"{subject}: tier 3 review due {review.due_on:%d %B %Y}",
        body=f"{subject}. A tier 3 review has been opened for you.",
        link=f"/tier3/{review.id}",
    )
    if reviewer is not None:
        notify(reviewer, message, dedupe_key=f"tier3-{review.id}", now=now, base_url=base_url)
    for director in directors():
        if director.id == (reviewer.id if reviewer else None):
            continue
        notify(
            director,
            Message(
                kind="tier3_informed",
                subject=f"For information: {subject}",
                body=f"{subject}. A tier 3 review has been opened.",
                link=f"/tier3/{review.id}",
            ),
            dedupe_key=f"tier3-{review.id}-dcs-{director.id}",
            now=now,
            base_url=base_url,
        )
    return review


def previous_audit(audit: Audit) -> Audit | None:
    """The case's audit submitted just before *audit*."""
    return db.session.scalar(
        select(Audit)
        .where(
            Audit.case_id == audit.case_id,
            Audit.id != audit.id,
            Audit.status.in_(SUBMITTED),
            Audit.submitted_at <= audit.submitted_at,
        )
        .order_by(Audit.submitted_at.desc(), Audit.id.desc())
        .limit(1)
    )


def check_audit(
    audit: Audit, *, now: datetime, rules: ModerationRules, base_url: str
) -> list[Tier3Review]:
    """Step of ``after_submission`` (and of moderation): fire what *audit* triggers."""
    reviews = []
    if audit.reported_grade != 4:
        return reviews
    case = audit.case
    trigger = _fire(
        f"inadequate_audit:{audit.id}",
        "inadequate_audit",
        now=now,
        audit_id=audit.id,
        case_id=audit.case_id,
        team_id=case.team_id,
    )
    if trigger is not None:
        reviews.append(
            _review(
                trigger,
                locality_head(case),
                "head_of_service",
                now=now,
                rules=rules,
                base_url=base_url,
                subject=f"Audit {audit.id} of {case.reference} is graded Inadequate",
            )
        )
    before = previous_audit(audit) if audit.submitted_at else None
    if before is not None and before.reported_grade == 4:
        trigger = _fire(
            f"repeat_inadequate:{audit.id}",
            "repeat_inadequate",
            now=now,
            audit_id=audit.id,
            case_id=audit.case_id,
            team_id=case.team_id,
            detail={"previous_audit_id": before.id},
        )
        if trigger is not None:
            dcs = directors()
            reviews.append(
                _review(
                    trigger,
                    dcs[0] if dcs else None,
                    "dcs",
                    now=now,
                    rules=rules,
                    base_url=base_url,
                    subject=f"{case.reference} is Inadequate in two consecutive audits",
                )
            )
    if audit.submitted_at is not None and case.team_id is not None:
        reviews += check_team_month(
            audit.assignment.item.cycle.month,
            now=now,
            rules=rules,
            base_url=base_url,
            team_ids=[case.team_id],
        )
    return reviews


def team_month_figures(month: str, team_ids: list[int] | None = None) -> list[tuple[int, int, int]]:
    """(team id, audits, Inadequate) for the submitted audits of *month*'s cycle."""
    inadequate = func.sum((reported_grade_sql() == 4).cast(db.Integer))
    query = (
        select(Case.team_id, func.count(Audit.id), inadequate)
        .select_from(Audit)
        .join(Case, Case.id == Audit.case_id)
        .join(Assignment, Assignment.id == Audit.assignment_id)
        .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
        .join(AuditCycle, AuditCycle.id == SampleItem.cycle_id)
        .where(AuditCycle.month == month, Audit.status.in_(SUBMITTED), Case.team_id.is_not(None))
        .group_by(Case.team_id)
    )
    if team_ids is not None:
        query = query.where(Case.team_id.in_(team_ids))
    return [(team, total, bad or 0) for team, total, bad in db.session.execute(query)]


def check_team_month(
    month: str,
    *,
    now: datetime,
    rules: ModerationRules,
    base_url: str,
    team_ids: list[int] | None = None,
) -> list[Tier3Review]:
    """Fire the team-month trigger for each team over the threshold in *month* (idempotent)."""
    reviews = []
    for team_id, total, bad in team_month_figures(month, team_ids):
        if total < rules.team_min_audits or bad < rules.team_inadequate_share * total:
            continue
        trigger = _fire(
            f"team_month:{team_id}:{month}",
            "team_month",
            now=now,
            team_id=team_id,
            month=month,
            detail={"audits": total, "inadequate": bad},
        )
        if trigger is None:
            continue
        dcs = directors()
        reviews.append(
            _review(
                trigger,
                dcs[0] if dcs else None,
                "dcs",
                now=now,
                rules=rules,
                base_url=base_url,
                subject=f"{bad} of {total} audits of a team in {month} are Inadequate",
            )
        )
    return reviews


def check_recent_team_months(
    today: date, *, now: datetime, rules: ModerationRules, base_url: str
) -> list[Tier3Review]:
    """The daily team-month check: this month's cycle and last month's, whose audits are still
    being submitted and moderated early in this one. Each trigger fires once however often."""
    reviews = []
    for month in (months.previous(today), months.of(today)):
        reviews += check_team_month(month, now=now, rules=rules, base_url=base_url)
    return reviews


def after_moderation(
    audit: Audit, *, now: datetime, rules: ModerationRules, base_url: str
) -> list[Tier3Review]:
    """Confirm or withdraw the audit's Inadequate review; fire what the new grade triggers."""
    review = db.session.scalar(
        select(Tier3Review)
        .join(EscalationTrigger, EscalationTrigger.id == Tier3Review.trigger_id)
        .where(EscalationTrigger.key == f"inadequate_audit:{audit.id}")
    )
    if review is not None and review.confirmed is None:
        review.confirmed = audit.reported_grade == 4
        if not review.confirmed and review.status == "open":
            review.status = "withdrawn"
            review.withdrawn_reason = "Moderation changed the overall grade from Inadequate"
            if review.reviewer is not None:
                notify(
                    review.reviewer,
                    Message(
                        kind="tier3_withdrawn",
                        subject=f"Tier 3 review {review.id} withdrawn after moderation",
                        body="Moderation changed the audit's overall grade from Inadequate.",
                        link=f"/tier3/{review.id}",
                    ),
                    dedupe_key=f"tier3-withdrawn-{review.id}",
                    now=now,
                    base_url=base_url,
                )
        db.session.add(
            AuditEvent(
                audit_id=audit.id,
                at=now,
                kind="tier3_confirmed" if review.confirmed else "tier3_withdrawn",
                detail={"tier3_review_id": review.id},
            )
        )
        db.session.flush()
    return check_audit(audit, now=now, rules=rules, base_url=base_url)
