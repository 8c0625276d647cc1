"""The report's moderation figures: agreement (from moderation.agreement) and escalations.

Agreement pairs are the auditor's overall grade and the moderator's blind grade for audits of
the month's cycle; escalations are the triggers fired in the calendar month, with the tier 3
reviews they opened.
"""

from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select

from qa_app.extensions import db
from qa_app.models import Case, EscalationTrigger, Tier3Review
from qa_app.services.moderation import agreement
from qa_app.services.platform.months import first_day, first_day_after
from qa_app.services.reports.scope import ReportScope

ESCALATION_KINDS = {
    "inadequate_audit": "Inadequate audit: tier 3 review by the head of service",
    "repeat_inadequate": "Case Inadequate in two consecutive audits: DCS review",
    "team_month": "Team with a high share of Inadequate audits: DCS review",
}


def agreement_figures(
    month: str, scope: ReportScope, *, small_n: int = agreement.DEFAULT_SMALL_N
) -> dict:
    """Exact and within-one agreement, quadratic kappa with its 95% CI, optimism index, n;
    flagged small below *small_n* pairs (the council's ``QA_AGREEMENT_SMALL_N``)."""
    pairs = agreement.overall_pairs(
        month,
        month,
        locality_ids=[scope.id] if scope.kind == "locality" else None,
        team_ids=[scope.id] if scope.kind == "team" else None,
    )
    return agreement.figures([(row[3], row[4]) for row in pairs], small_n=small_n)


def escalation_figures(month: str, scope: ReportScope, *, as_of: date) -> dict:
    """Triggers fired in *month* by kind, and their tier 3 reviews: raised, completed, overdue
    (open past their due date on *as_of*)."""
    start = datetime.combine(first_day(month), datetime.min.time())
    end = datetime.combine(first_day_after(month), datetime.min.time())
    team_of_case = select(Case.team_id).where(Case.id == EscalationTrigger.case_id)
    in_scope = or_(
        and_(
            EscalationTrigger.team_id.is_not(None), scope.team_condition(EscalationTrigger.team_id)
        ),
        and_(
            EscalationTrigger.team_id.is_(None),
            scope.team_condition(team_of_case.scalar_subquery()),
        ),
    )
    rows = db.session.execute(
        select(
            EscalationTrigger.kind,
            func.count(EscalationTrigger.id),
            func.count(Tier3Review.id),
            func.count(Tier3Review.completed_at),
            func.sum(
                case(((Tier3Review.status == "open") & (Tier3Review.due_on < as_of), 1), else_=0)
            ),
        )
        .outerjoin(Tier3Review, Tier3Review.trigger_id == EscalationTrigger.id)
        .where(EscalationTrigger.fired_at >= start, EscalationTrigger.fired_at < end, in_scope)
        .group_by(EscalationTrigger.kind)
        .order_by(EscalationTrigger.kind)
    ).all()
    by_kind = [
        {
            "kind": kind,
            "label": ESCALATION_KINDS.get(kind, kind),
            "triggers": triggers,
            "reviews": reviews,
            "completed": completed,
            "overdue": int(overdue or 0),
        }
        for kind, triggers, reviews, completed, overdue in rows
    ]
    return {
        "by_kind": by_kind,
        "triggers": sum(r["triggers"] for r in by_kind),
        "reviews": sum(r["reviews"] for r in by_kind),
        "completed": sum(r["completed"] for r in by_kind),
        "overdue": sum(r["overdue"] for r in by_kind),
    }
