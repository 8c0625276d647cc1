"""The month's moderation figures and pairs in the stable shapes of ``qa moderation``.

The JSON keys and CSV columns are an interface (scripts and the monthly report rely on them):
change them only together with their description in the README ("Moderation, agreement and
escalation").
"""

from sqlalchemy import select
from sqlalchemy.orm import aliased

from qa_app.extensions import db
from qa_app.models import (
    Assignment,
    Audit,
    AuditCycle,
    AuditSectionGrade,
    Moderation,
    ModerationSectionGrade,
    SampleItem,
    User,
)
from qa_app.services.moderation.agreement import DEFAULT_SMALL_N, agreement
from qa_app.services.platform import months

CSV_COLUMNS = (
    "audit_id",
    "auditor_email",
    "moderator_email",
    "section",
    "auditor_grade",
    "moderator_grade",
)


class ExportError(ValueError):
    """A request the export cannot answer; the message says why."""


def stats(month: str, *, small_n: int = DEFAULT_SMALL_N) -> dict:
    """``qa moderation stats --json``: top-level figures are for the overall grade."""
    result = agreement(months.check(month, ExportError), month, small_n=small_n)
    overall = result["overall"]
    return {
        "month": month,
        "pairs": overall["pairs"],
        "exact_agreement": overall["exact_agreement"],
        "within_one": overall["within_one"],
        "kappa_quadratic": overall["kappa_quadratic"],
        "kappa_ci": overall["kappa_ci"],
        "optimism_index": overall["optimism_index"],
        "by_auditor": [
            {
                "email": row["email"],
                "pairs": row["pairs"],
                "exact_agreement": row["exact_agreement"],
                "optimism_index": row["optimism_index"],
            }
            for row in result["by_auditor"]
        ],
        "by_section": [
            {
                "section": row["section"],
                "pairs": row["pairs"],
                "exact_agreement": row["exact_agreement"],
                "optimism_index": row["optimism_index"],
            }
            for row in result["by_section"]
        ],
    }


def export_rows(month: str) -> list[tuple]:
    """Every blind-graded moderation of *month*'s cycle: the overall row, then one row per
    section (grades as codes 1-4; blank where a side marked the section not applicable).
    The moderator's grade is the blind one, as in the statistics."""
    months.check(month, ExportError)
    auditor, moderator = aliased(User), aliased(User)
    base = (
        select(Audit.id, auditor.email, moderator.email)
        .select_from(Moderation)
        .join(Audit, Audit.id == Moderation.audit_id)
        .join(Assignment, Assignment.id == Audit.assignment_id)
        .join(SampleItem, SampleItem.id == Assignment.sample_item_id)
        .join(AuditCycle, AuditCycle.id == SampleItem.cycle_id)
        .join(auditor, auditor.id == Audit.auditor_id)
        .outerjoin(moderator, moderator.id == Moderation.moderator_id)
        .where(AuditCycle.month == month, Moderation.blind_at.is_not(None))
    )
    overall = db.session.execute(
        base.add_columns(Audit.overall_grade, Moderation.blind_overall_grade)
    ).all()
    sections = db.session.execute(
        base.add_columns(
            ModerationSectionGrade.section_key,
            AuditSectionGrade.grade,
            ModerationSectionGrade.blind_grade,
        )
        .join(ModerationSectionGrade, ModerationSectionGrade.moderation_id == Moderation.id)
        .outerjoin(
            AuditSectionGrade,
            (AuditSectionGrade.audit_id == Audit.id)
            & (AuditSectionGrade.section_key == ModerationSectionGrade.section_key),
        )
        .order_by(Audit.id, ModerationSectionGrade.id)
    ).all()
    by_audit: dict[int, list[tuple]] = {}
    for audit_id, a_email, m_email, a_grade, m_grade in overall:
        by_audit[audit_id] = [(audit_id, a_email, m_email, "overall", a_grade, m_grade)]
    for audit_id, a_email, m_email, key, a_grade, m_grade in sections:
        by_audit[audit_id].append((audit_id, a_email, m_email, key, a_grade, m_grade))
    return [row for audit_id in sorted(by_audit) for row in by_audit[audit_id]]
