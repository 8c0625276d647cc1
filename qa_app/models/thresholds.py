"""The board's thresholds for the performance indicators: each change of bands, kept as history,
and the council's comparator figures (docs/thresholds.md).

The shipped defaults live in `qa_app/performance/thresholds.yaml`; a ``ThresholdChange`` row
replaces them for its indicator from its effective month on. Changes are never updated or
deleted: the bands in force for a month are those of the change with the latest effective month
on or before it (the latest recorded, where two share a month).
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qa_app.extensions import db
from qa_app.models.base import utcnow
from qa_app.models.users import User

MONTH_CHECK = "effective_from LIKE '____-__'"


class ThresholdChange(db.Model):
    __tablename__ = "threshold_changes"
    __table_args__ = (
        Index("ix_threshold_changes_key_month", "indicator_key", "effective_from"),
        CheckConstraint(MONTH_CHECK, name="effective_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_key: Mapped[str] = mapped_column(String(80))
    effective_from: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    # {"shape", "steps"} as in the YAML file; None: not rated from that month.
    bands: Mapped[dict | None] = mapped_column(JSON)
    # What was in force for that month before the change (None with previous_change_id None:
    # the shipped defaults, which may themselves be "not rated").
    previous_bands: Mapped[dict | None] = mapped_column(JSON)
    previous_change_id: Mapped[int | None] = mapped_column(ForeignKey("threshold_changes.id"))
    reason: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    changed_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ThresholdChange {self.indicator_key} from {self.effective_from}>"


class ThresholdComparator(db.Model):
    """A named comparator figure, e.g. "Statistical neighbours" 21.0 for 2024 (removed ones kept)."""

    __tablename__ = "threshold_comparators"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_key: Mapped[str] = mapped_column(String(80), index=True)
    label: Mapped[str] = mapped_column(String(120))
    figure: Mapped[float] = mapped_column(Float)
    year: Mapped[int]
    source: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    removed_at: Mapped[datetime | None]

    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    def __repr__(self) -> str:
        return f"<ThresholdComparator {self.indicator_key} {self.label}>"
