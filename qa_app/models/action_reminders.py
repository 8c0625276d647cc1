"""The chase ladder's memory: one row per action, due date and rung, written before anyone is told.

The unique key (action_id, due_on, rung) is what makes a rung fire once however often or
concurrently the chase job runs: a run inserts the row first and notifies only when its insert
won. Changing the due date starts a fresh ladder because the key includes the due date.
"""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from qa_app.extensions import db
from qa_app.models.base import utcnow

RUNGS = (
    "due_soon",
    "due_today",
    "overdue_owner",
    "overdue_manager",
    "head_of_service",
    "dcs_psw",
)
# sent: people were told; superseded: a later owner rung was reached in the same run, so the
# owner is told only the latest news; nobody: the rung had no one to tell (e.g. no line manager).
REMINDER_OUTCOMES = ("sent", "superseded", "nobody")


class ActionReminder(db.Model):
    __tablename__ = "action_reminders"
    __table_args__ = (
        UniqueConstraint("action_id", "due_on", "rung", name="uq_action_reminders_rung"),
        CheckConstraint(
            "rung IN ('due_soon', 'due_today', 'overdue_owner', 'overdue_manager', "
            "'head_of_service', 'dcs_psw')",
            name="rung",
        ),
        CheckConstraint("outcome IN ('sent', 'superseded', 'nobody')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    due_on: Mapped[date]
    rung: Mapped[str] = mapped_column(String(20))
    fired_on: Mapped[date]  # the chase run's "today"
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(10), default="sent")
    recipients: Mapped[int] = mapped_column(default=0)


class ChaseNotice(db.Model):
    """Who a routine rung told about which action, and on which day. The daily summary
    notification (qa_app.services.actions.chase_summary) counts these rows and the chased
    actions list shows exactly them, so per-action notifications are not needed; the unique
    key makes a rung tell a person once however often or concurrently the chase runs."""

    __tablename__ = "chase_notices"
    __table_args__ = (
        UniqueConstraint("user_id", "action_id", "due_on", "rung", name="uq_chase_notices_rung"),
        Index("ix_chase_notices_day", "day"),  # who was told today (per user: the unique key)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    due_on: Mapped[date]  # the due date the rung was for (a new due date restarts the ladder)
    rung: Mapped[str] = mapped_column(String(20))
    day: Mapped[date]  # the chase run's "today"
    cover: Mapped[bool] = mapped_column(default=False)  # told as cover for an absent owner
