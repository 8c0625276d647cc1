"""Shared model helpers.

Timestamps are stored as naive UTC ``DateTime`` on both SQLite and PostgreSQL, so that values
compare the same way on either database; the UI converts them to UK time for display.
"""

from datetime import UTC, datetime

from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """The current time as naive UTC, the form every timestamp column holds."""
    return datetime.now(UTC).replace(tzinfo=None)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
