"""The report workflow: build a version (draft), edit its key messages, publish it.

Building computes every figure once and freezes it in ``ReportVersion.data``; the files are
rendered from that data, so republishing never recomputes. A published version is immutable
(models.reports); rebuilding creates a new version and the old one stays downloadable. The
scheduled build of the previous month's council report is idempotent: it builds at most one
scheduled version per month and retries a failed one in place.
"""

import hashlib
import time
from datetime import date, datetime

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import ReportFile, ReportVersion, User
from qa_app.services.moderation.agreement import DEFAULT_SMALL_N
from qa_app.services.platform import months
from qa_app.services.reports import files as report_files
from qa_app.services.reports.scope import (
    COUNCIL,
    ReportScope,
    ScopeError,
    parse_scope,
    within_key,
)
from qa_app.services.reports.tables import default_key_messages, report_data

MAX_KEY_MESSAGES = 5000


class ReportRefused(ValueError):
    """The report action is not allowed (with a message saying why)."""


def visible_to(user_scope: ReportScope | None) -> list[ReportVersion]:
    """Every version whose scope lies within *user_scope*, newest month first."""
    if user_scope is None:
        return []
    rows = db.session.scalars(
        select(ReportVersion).order_by(
            ReportVersion.month.desc(), ReportVersion.scope, ReportVersion.version.desc()
        )
    )
    return [v for v in rows if within_key(user_scope, v.scope)]


def versions_for(month: str, scope: str) -> list[ReportVersion]:
    return list(
        db.session.scalars(
            select(ReportVersion)
            .where(ReportVersion.month == month, ReportVersion.scope == scope)
            .order_by(ReportVersion.version.desc())
        )
    )


def request_build(
    month: str, scope: ReportScope, *, by: User | None, now: datetime, trigger: str = "web"
) -> ReportVersion:
    """A new version (status building) for *month* and *scope*; the caller commits and builds."""
    months.check(month, ScopeError)
    number = db.session.scalar(
        select(func.max(ReportVersion.version)).where(
            ReportVersion.month == month, ReportVersion.scope == scope.key
        )
    )
    version = ReportVersion(
        month=month,
        scope=scope.key,
        version=(number or 0) + 1,
        status="building",
        trigger=trigger,
        as_of=now.date(),
        created_by=by,
        created_at=now,
    )
    db.session.add(version)
    db.session.flush()
    return version


def build(
    version: ReportVersion, *, now: datetime, small_n: int = DEFAULT_SMALL_N
) -> ReportVersion:
    """Compute the figures and render the files of a version that is building or failed;
    agreement from fewer than *small_n* pairs is flagged."""
    if version.status not in ("building", "failed"):
        raise ReportRefused(f"version {version.version} is {version.status}: it is not rebuilt")
    started = time.perf_counter()
    scope = COUNCIL if version.scope == "council" else parse_scope(version.scope)
    data = report_data(version.month, scope, as_of=version.as_of, small_n=small_n)
    earlier = next(
        (v for v in versions_for(version.month, version.scope) if v.messages_edited_at), None
    )
    version.key_messages = earlier.key_messages if earlier else default_key_messages(data)
    version.data = data
    _store_files(version, status="draft")
    version.status = "draft"
    version.error = None
    version.built_at = now
    version.build_seconds = round(time.perf_counter() - started, 2)
    db.session.flush()
    return version


def mark_failed(version: ReportVersion, error: BaseException) -> None:
    """Record a failed build for the UI: the exception's message only, no data."""
    version.status = "failed"
    version.error = f"{type(error).__name__}: {error}"[:2000]
    db.session.flush()


def edit_key_messages(version: ReportVersion, text: str, *, by: User, now: datetime) -> None:
    """The PSW's key messages for a draft (the files are re-rendered when it is published)."""
    if version.status != "draft":
        raise ReportRefused(
            f"Only a draft's key messages can be edited (this one is {version.status})"
        )
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ReportRefused("Key messages: enter at least one key message")
    if len(text) > MAX_KEY_MESSAGES:
        raise ReportRefused(f"Key messages: at most {MAX_KEY_MESSAGES:,} characters")
    version.key_messages = text
    version.messages_edited_at = now
    version.messages_edited_by_id = by.id
    db.session.flush()


def publish(version: ReportVersion, *, by: User, now: datetime) -> None:
    """Publish a draft: its files are rendered once more with the key messages, then frozen."""
    if version.status != "draft":
        raise ReportRefused(f"Only a draft can be published (this one is {version.status})")
    version.published_at = now
    version.published_by_id = by.id
    _store_files(version, status="published")
    db.session.flush()
    version.status = "published"
    db.session.flush()


def _store_files(version: ReportVersion, *, status: str) -> None:
    files = report_files.build_files(
        version.data,
        key_messages=version.key_messages,
        version_number=version.version,
        status=status,
        published_at=version.published_at.strftime("%d %B %Y") if version.published_at else None,
    )
    for kind, content in (("html", files.html), ("pdf", files.pdf), ("xlsx", files.xlsx)):
        row = version.file(kind)
        if row is None:
            row = ReportFile(version=version, kind=kind)
            db.session.add(row)
        row.content = content
        row.size = len(content)
        row.sha256 = hashlib.sha256(content).hexdigest()
    db.session.flush()


def scheduled_draft(month: str, *, now: datetime) -> ReportVersion | None:
    """The scheduled council draft for *month*: built once; a failed one is retried in place.

    Returns the version to build now, or None when one already exists.
    """
    existing = db.session.scalar(
        select(ReportVersion)
        .where(
            ReportVersion.month == month,
            ReportVersion.scope == COUNCIL.key,
            ReportVersion.trigger == "schedule",
        )
        .order_by(ReportVersion.version.desc())
    )
    if existing is not None and existing.status in ("draft", "published"):
        return None
    version = existing or request_build(month, COUNCIL, by=None, now=now, trigger="schedule")
    version.status = "building"
    return version


def last_months_draft(today: date, *, now: datetime) -> ReportVersion | None:
    """The scheduled council draft of the month before *today*'s (the report is built on the
    first working day of the next month): ``scheduled_draft`` for that month."""
    return scheduled_draft(months.previous(today), now=now)
