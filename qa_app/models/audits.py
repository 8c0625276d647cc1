"""Audits: the auditor's graded toolkit for one sampled case, its history and replies.

While an audit is a draft its answers live in ``Audit.answers`` (JSON, saved as the auditor
types). On submission the section grades and compliance answers are also written to
``AuditSectionGrade`` and ``AuditComplianceAnswer`` rows, so reports aggregate them in SQL.
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.base import utcnow
from qa_app.models.cases import Case
from qa_app.models.sampling import Assignment
from qa_app.models.toolkits import ToolkitVersion
from qa_app.models.users import User

AUDIT_STATUSES = ("draft", "submitted", "moderated", "closed")
COMPLIANCE_ANSWERS = ("yes", "no", "na")
AGREEMENT = ("agree", "partly", "disagree")


class Audit(db.Model):
    """draft -> submitted -> moderated -> closed. ``version`` guards against lost updates:
    every save names the version it started from, and a stale save is refused."""

    __tablename__ = "audits"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'moderated', 'closed')", name="status"),
        CheckConstraint("overall_grade BETWEEN 1 AND 4", name="overall_grade"),
        CheckConstraint("suggested_grade BETWEEN 1 AND 4", name="suggested_grade"),
        CheckConstraint("moderated_grade BETWEEN 1 AND 4", name="moderated_grade"),
        Index("ix_audits_status_submitted", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), unique=True)
    # Copied from the assignment so reports and scopes need no four-table join.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    toolkit_version_id: Mapped[int] = mapped_column(ForeignKey("toolkit_versions.id"))
    status: Mapped[str] = mapped_column(String(12), default="draft")
    # {"sections": {key: {"grade", "not_applicable", "na_reason", "evidence"}},
    #  "compliance": {key: "yes"|"no"|"na"}, "overall": {...}}
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    overall_grade: Mapped[int | None]  # the auditor's
    overall_rationale: Mapped[str | None] = mapped_column(Text)
    suggested_grade: Mapped[int | None]
    difference_reason: Mapped[str | None] = mapped_column(Text)
    # Set by moderation; the reported grade is the moderated one where it exists.
    moderated_grade: Mapped[int | None]
    safeguarding_flag: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    saved_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship()
    case: Mapped[Case] = relationship()
    auditor: Mapped[User] = relationship()
    toolkit_version: Mapped[ToolkitVersion] = relationship()
    section_grades: Mapped[list["AuditSectionGrade"]] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )
    compliance_answers: Mapped[list["AuditComplianceAnswer"]] = relationship(
        back_populates="audit", cascade="all, delete-orphan"
    )
    events: Mapped[list["AuditEvent"]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", order_by="AuditEvent.id"
    )
    reflections: Mapped[list["Reflection"]] = relationship(
        back_populates="audit", cascade="all, delete-orphan", order_by="Reflection.id"
    )

    @property
    def reported_grade(self) -> int | None:
        return self.moderated_grade if self.moderated_grade is not None else self.overall_grade

    def __repr__(self) -> str:
        return f"<Audit {self.id} {self.status}>"


class AuditSectionGrade(db.Model):
    """A section's grade as submitted (grade None when the section was not applicable)."""

    __tablename__ = "audit_section_grades"
    __table_args__ = (
        UniqueConstraint("audit_id", "section_key"),
        CheckConstraint("grade BETWEEN 1 AND 4", name="grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(60), index=True)
    grade: Mapped[int | None]
    not_applicable: Mapped[bool] = mapped_column(default=False)
    safety_critical: Mapped[bool] = mapped_column(default=False)

    audit: Mapped[Audit] = relationship(back_populates="section_grades")


class AuditComplianceAnswer(db.Model):
    __tablename__ = "audit_compliance_answers"
    __table_args__ = (
        UniqueConstraint("audit_id", "question_key"),
        CheckConstraint("answer IN ('yes', 'no', 'na')", name="answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    question_key: Mapped[str] = mapped_column(String(60), index=True)
    answer: Mapped[str] = mapped_column(String(3))

    audit: Mapped[Audit] = relationship(back_populates="compliance_answers")


class AuditEvent(db.Model):
    """The audit's history: who did what, when (no answer text: that is in the audit)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # created, submitted, reopened, safeguarding_concern, reflection, moderated, disputed, ...
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    audit: Mapped[Audit] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship()


class Reflection(db.Model):
    """The allocated worker's or team manager's right of reply to a submitted audit."""

    __tablename__ = "reflections"
    __table_args__ = (
        UniqueConstraint("audit_id", "author_id"),
        CheckConstraint("agreement IN ('agree', 'partly', 'disagree')", name="agreement"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    author_role: Mapped[str] = mapped_column(String(20))  # worker | team_manager
    agreement: Mapped[str] = mapped_column(String(10))
    comments: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    audit: Mapped[Audit] = relationship(back_populates="reflections")
    author: Mapped[User] = relationship()


class SafeguardingConcern(db.Model):
    """A safeguarding concern raised during an audit: alerts go out at once and a
    high-priority action due in 1 working day is created."""

    __tablename__ = "safeguarding_concerns"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    what: Mapped[str] = mapped_column(Text)
    why: Mapped[str] = mapped_column(Text)

    audit: Mapped[Audit | None] = relationship()
    case: Mapped[Case] = relationship()
    raised_by: Mapped[User] = relationship()
