"""The service's clock: stored times are naive UTC; the council works in UK local time."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from qa_app.models.base import utcnow

UK = ZoneInfo("Europe/London")

__all__ = ["local_now", "local_today", "to_local", "utcnow"]


def local_now() -> datetime:
    return datetime.now(UK)


def local_today() -> date:
    return local_now().date()


def to_local(value: datetime) -> datetime:
    """A stored naive-UTC timestamp as an aware UK local time."""
    return value.replace(tzinfo=UTC).astimezone(UK)
