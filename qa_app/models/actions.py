"""Actions raised by audits, moderation, tier 3 reviews and safeguarding concerns.

open -> in_progress -> completed (evidence) -> verified, or reopened (then worked again);
cancelled with a reason. Overdue is derived from ``due_on`` and the status, never stored.
"""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.audits import Audit
from qa_app.models.base import utcnow
from qa_app.models.cases import Case
from qa_app.models.users import User

ACTION_STATUSES = ("open", "in_progress", "completed", "verified", "reopened", "cancelled")
OPEN_STATUSES = ("open", "in_progress", "reopened")  # still for the owner to do
PRIORITIES = ("safeguarding", "high", "normal")
SOURCES = ("audit", "moderation", "tier3", "safeguarding")
EFFECTIVENESS = ("yes", "partly", "no")


class Action(db.Model):
    __tablename__ = "actions"
    __table_args__ = (
        CheckConstraint(
            "status IN ('open', 'in_progress', 'completed', 'verified', 'reopened', 'cancelled')",
            name="status",
        ),
        CheckConstraint("priority IN ('safeguarding', 'high', 'normal')", name="priority"),
        CheckConstraint(
            "source IN ('audit', 'moderation', 'tier3', 'safeguarding')", name="source"
        ),
        CheckConstraint("effectiveness IN ('yes', 'partly', 'no')", name="effectiveness"),
        Index("ix_actions_status_due", "status", "due_on"),
        Index("ix_actions_owner_status", "owner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audits.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    source: Mapped[str] = mapped_column(String(20), default="audit")
    section_key: Mapped[str | None] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_on: Mapped[date]
    priority: Mapped[str] = mapped_column(String(15), default="normal")
    status: Mapped[str] = mapped_column(String(12), default="open")
    evidence: Mapped[str | None] = mapped_column(Text)
    evidence_link: Mapped[str | None] = mapped_column(String(500))
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    effectiveness: Mapped[str | None] = mapped_column(String(6))
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    audit: Mapped[Audit | None] = relationship()
    case: Mapped[Case] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    raised_by: Mapped[User | None] = relationship(foreign_keys=[raised_by_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])
    events: Mapped[list["ActionEvent"]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionEvent.id"
    )

    def is_overdue(self, today: date) -> bool:
        return self.status in OPEN_STATUSES and self.due_on < today

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.status}>"


class ActionEvent(db.Model):
    """Every change to an action: who, when, what (status, owner, due date, ...)."""

    __tablename__ = "action_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))  # raised, started, completed, reassigned, ...
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    action: Mapped[Action] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship()
