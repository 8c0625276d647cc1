"""Monthly audit cycles: the sample drawn from open cases and each sampled case's auditor."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.base import utcnow
from qa_app.models.cases import Case
from qa_app.models.org import Team
from qa_app.models.users import User

CYCLE_STATUSES = ("drawn", "allocated", "published", "closed")
SELECTIONS = ("random", "thematic", "tier3")
# proposed: allocation not yet published; assigned: the auditor has it; in_progress: a draft
# exists (set by the audit toolkit); completed: the audit was submitted (completed_on set).
ASSIGNMENT_STATUSES = ("proposed", "assigned", "in_progress", "completed")
EXTENSION_STATUSES = ("pending", "approved", "refused", "withdrawn")


class AuditCycle(db.Model):
    """One month's audit cycle: drawn -> allocated -> published -> closed."""

    __tablename__ = "audit_cycles"
    __table_args__ = (
        CheckConstraint("rate_bp > 0 AND rate_bp <= 10000", name="rate"),
        CheckConstraint("status IN ('drawn', 'allocated', 'published', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # YYYY-MM
    reference_date: Mapped[date]
    # The sampling rate in basis points (1000 = 10%): exact, so ceil(rate x eligible) is too.
    rate_bp: Mapped[int] = mapped_column(default=1000)
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), default="drawn")
    frame_count: Mapped[int] = mapped_column(default=0)
    eligible_count: Mapped[int] = mapped_column(default=0)
    excluded_audited: Mapped[int] = mapped_column(default=0)
    excluded_in_cycle: Mapped[int] = mapped_column(default=0)
    # [{"team_id", "cohort", "frame", "eligible", "sample"}], in the order strata were apportioned.
    strata: Mapped[list] = mapped_column(JSON, default=list)
    draws: Mapped[int] = mapped_column(default=1)  # 1 + number of redraws
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    allocated_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]

    drawn_by: Mapped[User | None] = relationship(foreign_keys=[drawn_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    items: Mapped[list["SampleItem"]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="SampleItem.id"
    )

    @property
    def rate_percent(self) -> str:
        return f"{self.rate_bp / 100:g}%"

    def __repr__(self) -> str:
        return f"<AuditCycle {self.month} {self.status}>"


class CycleFrame(db.Model):
    """The frame a cycle was drawn from, stored compactly (see services.sampling.frame.encode_frame).

    One row per cycle: zlib-compressed arrays of case id, team id, cohort and exclusion, with a
    SHA-256 digest of the canonical frame, so a draw can be re-checked years later.
    """

    __tablename__ = "cycle_frames"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("audit_cycles.id", ondelete="CASCADE"), primary_key=True
    )
    encoding: Mapped[str] = mapped_column(String(20), default="v1-zlib-numpy")
    case_count: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SampleItem(db.Model):
    """A case in a cycle's sample, with its stratum as it was when drawn."""

    __tablename__ = "sample_items"
    __table_args__ = (
        UniqueConstraint("cycle_id", "case_id"),
        CheckConstraint("selection IN ('random', 'thematic', 'tier3')", name="selection"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("audit_cycles.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    cohort: Mapped[str] = mapped_column(String(20))
    selection: Mapped[str] = mapped_column(String(10), default="random")
    note: Mapped[str | None] = mapped_column(String(300))  # why a case was added by hand
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Why allocation left the case without an auditor (None once it has one).
    unallocated_reason: Mapped[str | None] = mapped_column(String(300))

    cycle: Mapped[AuditCycle] = relationship(back_populates="items")
    case: Mapped[Case] = relationship()
    team: Mapped[Team | None] = relationship()
    assignment: Mapped["Assignment | None"] = relationship(
        back_populates="item", cascade="all, delete-orphan", uselist=False
    )


class Assignment(db.Model):
    """A sampled case given to an auditor, at tier 2 (full audit) or tier 3 (DCS, head of service)."""

    __tablename__ = "assignments"
    __table_args__ = (
        CheckConstraint("tier IN (2, 3)", name="tier"),
        CheckConstraint(
            "status IN ('proposed', 'assigned', 'in_progress', 'completed')", name="status"
        ),
        Index("ix_assignments_status_completed", "status", "completed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sample_item_id: Mapped[int] = mapped_column(
        ForeignKey("sample_items.id", ondelete="CASCADE"), unique=True
    )
    auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    tier: Mapped[int] = mapped_column(default=2)
    due_on: Mapped[date]
    extended_to: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    manual: Mapped[bool] = mapped_column(default=False)  # set or changed by qa_admin
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_on: Mapped[date | None]

    item: Mapped[SampleItem] = relationship(back_populates="assignment")
    auditor: Mapped[User] = relationship()
    extension_requests: Mapped[list["ExtensionRequest"]] = relationship(
        back_populates="assignment", order_by="ExtensionRequest.id", cascade="all, delete-orphan"
    )

    @property
    def effective_due(self) -> date:
        return self.extended_to or self.due_on


class ExtensionRequest(db.Model):
    """An auditor's request for more time: line manager up to 5 working days, else the PSW."""

    __tablename__ = "extension_requests"
    __table_args__ = (
        CheckConstraint("working_days > 0", name="days"),
        CheckConstraint("status IN ('pending', 'approved', 'refused', 'withdrawn')", name="status"),
        # At most one pending request per assignment, whoever submits it and however often.
        Index(
            "uq_extension_requests_pending",
            "assignment_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    working_days: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    decider_role: Mapped[str] = mapped_column(String(20))  # line_manager | psw
    decider_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(String(500))
    new_due_on: Mapped[date | None]

    assignment: Mapped[Assignment] = relationship(back_populates="extension_requests")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    decider: Mapped[User | None] = relationship(foreign_keys=[decider_id])


class SampleReplacement(db.Model):
    """A sampled case closed since the draw, replaced by another open case of its stratum
    (services.sampling.replace): kept so the draw can still be checked from frame and seed."""

    __tablename__ = "sample_replacements"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("audit_cycles.id", ondelete="CASCADE"), index=True
    )
    closed_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    replacement_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    cohort: Mapped[str] = mapped_column(String(20))
    closed_on: Mapped[date | None]
    # Cases of the stratum ranked ahead of the replacement but closed at the time, so the choice
    # can be re-checked from the stored frame even if an import reopens one of them later.
    passed_over: Mapped[list] = mapped_column(JSON, default=list)
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    closed_case: Mapped[Case] = relationship(foreign_keys=[closed_case_id])
    replacement_case: Mapped[Case] = relationship(foreign_keys=[replacement_case_id])
    team: Mapped[Team | None] = relationship()
    replaced_by: Mapped[User | None] = relationship(foreign_keys=[replaced_by_id])
