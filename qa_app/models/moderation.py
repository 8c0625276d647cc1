"""Moderation (blind double grading), disputes, escalation triggers and tier 3 reviews.

A moderation is done blind: the moderator's own grades (``blind_*``) are recorded before the
auditor's grades are shown, and never change afterwards; they are the moderator's code in the
agreement statistics. The moderated grades (``final_*``), each change from the auditor's grade
with a reason, are what the service reports.
"""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.audits import Audit
from qa_app.models.base import utcnow
from qa_app.models.cases import Case
from qa_app.models.org import Team
from qa_app.models.users import User

# Why an audit was chosen for moderation.
SELECTION_REASONS = ("inadequate", "outstanding", "random", "admin")
# assigned: waiting for the blind grades; compared: blind grades in, auditor's grades shown;
# completed: moderated grades recorded; unassigned: no eligible moderator (qa_admin assigns).
MODERATION_STATUSES = ("unassigned", "assigned", "compared", "completed")
DISPUTE_STATUSES = ("pending", "upheld", "rejected")
TRIGGER_KINDS = ("inadequate_audit", "repeat_inadequate", "team_month")
TIER3_STATUSES = ("open", "completed", "withdrawn")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Moderation(db.Model):
    __tablename__ = "moderations"
    __table_args__ = (
        CheckConstraint(_in("status", MODERATION_STATUSES), name="status"),
        CheckConstraint(_in("reason", SELECTION_REASONS), name="reason"),
        CheckConstraint("blind_overall_grade BETWEEN 1 AND 4", name="blind_overall_grade"),
        CheckConstraint("final_overall_grade BETWEEN 1 AND 4", name="final_overall_grade"),
        Index("ix_moderations_moderator_status", "moderator_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), unique=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default="assigned")
    selected_at: Mapped[datetime] = mapped_column(default=utcnow)
    selected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date]
    unassigned_reason: Mapped[str | None] = mapped_column(String(300))
    blind_overall_grade: Mapped[int | None]
    blind_rationale: Mapped[str | None] = mapped_column(Text)
    blind_at: Mapped[datetime | None]
    final_overall_grade: Mapped[int | None]
    # Why the moderated overall grade differs from the auditor's (None when it does not).
    final_overall_reason: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(index=True)

    audit: Mapped[Audit] = relationship()
    moderator: Mapped[User | None] = relationship(foreign_keys=[moderator_id])
    selected_by: Mapped[User | None] = relationship(foreign_keys=[selected_by_id])
    sections: Mapped[list["ModerationSectionGrade"]] = relationship(
        back_populates="moderation",
        cascade="all, delete-orphan",
        order_by="ModerationSectionGrade.id",
    )
    dispute: Mapped["Dispute | None"] = relationship(back_populates="moderation", uselist=False)

    @property
    def blind_done(self) -> bool:
        return self.blind_at is not None


class ModerationSectionGrade(db.Model):
    """A section's grade from the moderator: blind first, then moderated (with a reason)."""

    __tablename__ = "moderation_section_grades"
    __table_args__ = (
        UniqueConstraint("moderation_id", "section_key"),
        CheckConstraint("blind_grade BETWEEN 1 AND 4", name="blind_grade"),
        CheckConstraint("final_grade BETWEEN 1 AND 4", name="final_grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    moderation_id: Mapped[int] = mapped_column(ForeignKey("moderations.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(60), index=True)
    blind_grade: Mapped[int | None]  # None: not applicable
    final_grade: Mapped[int | None]
    change_reason: Mapped[str | None] = mapped_column(Text)

    moderation: Mapped[Moderation] = relationship(back_populates="sections")


class Dispute(db.Model):
    """The auditor's dispute of a moderated grade; the head of service of the case's
    locality decides (upheld: the grade they set is reported; rejected: the moderated one)."""

    __tablename__ = "moderation_disputes"
    __table_args__ = (
        CheckConstraint(_in("status", DISPUTE_STATUSES), name="status"),
        CheckConstraint("decided_grade BETWEEN 1 AND 4", name="decided_grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    moderation_id: Mapped[int] = mapped_column(
        ForeignKey("moderations.id", ondelete="CASCADE"), unique=True
    )
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    decider_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_grade: Mapped[int | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    moderation: Mapped[Moderation] = relationship(back_populates="dispute")
    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id])
    decider: Mapped[User | None] = relationship(foreign_keys=[decider_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class EscalationTrigger(db.Model):
    """A serious finding that fired once. ``key`` is unique, so a check that runs twice (or
    in two processes at once) cannot fire the same trigger twice."""

    __tablename__ = "escalation_triggers"
    __table_args__ = (CheckConstraint(_in("kind", TRIGGER_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # inadequate_audit:<audit id> | repeat_inadequate:<audit id> | team_month:<team id>:<YYYY-MM>
    key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    month: Mapped[str | None] = mapped_column(String(7))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    audit: Mapped[Audit | None] = relationship()
    case: Mapped[Case | None] = relationship()
    team: Mapped[Team | None] = relationship()


class Tier3Review(db.Model):
    """A senior manager's review of a serious finding: agree the grade? immediate actions,
    who oversees, when to re-audit."""

    __tablename__ = "tier3_reviews"
    __table_args__ = (
        CheckConstraint(_in("status", TIER3_STATUSES), name="status"),
        CheckConstraint("reviewer_role IN ('head_of_service', 'dcs')", name="reviewer_role"),
        Index("ix_tier3_reviews_reviewer_status", "reviewer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger_id: Mapped[int] = mapped_column(ForeignKey("escalation_triggers.id"), unique=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_on: Mapped[date]
    # Set once moderation has looked at the audit: True confirmed, False withdrawn.
    confirmed: Mapped[bool | None]
    withdrawn_reason: Mapped[str | None] = mapped_column(String(300))
    agrees_grade: Mapped[bool | None]
    grade_comment: Mapped[str | None] = mapped_column(Text)
    immediate_actions: Mapped[str | None] = mapped_column(Text)
    overseen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reaudit_by: Mapped[date | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    trigger: Mapped[EscalationTrigger] = relationship()
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    overseen_by: Mapped[User | None] = relationship(foreign_keys=[overseen_by_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
