"""Who reads which report version, and what readers are told while a report is being prepared.

Drafts belong to the people who build and publish reports (``reports.build``: the PSW and the QA
lead). Everyone else with ``reports.view`` reads published versions only: those whose scope lies
within theirs and, for heads of service, the published council report too, which is the paper
their improvement board discusses and which holds their locality's figures beside the others.

While a month's report has a draft but no published version, readers are told it is being
prepared and when it will be published. The draft is built on the first working day after the
month; the PSW then has ``PUBLISH_WITHIN_WORKING_DAYS`` working days to check it and write the
key messages. Ten is the moderation window (moderations are due in 10 working days), so the
month's moderated grades are in by the time it is published.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import ReportVersion, User
from qa_app.permissions import can
from qa_app.services.platform import months
from qa_app.services.platform.calendar import add_working_days, first_working_day
from qa_app.services.reports.scope import scope_for_user, within_key

PUBLISH_WITHIN_WORKING_DAYS = 10
# Besides their own locality's reports, heads of service read the published council report.
COUNCIL_REPORT_READERS = frozenset({"head_of_service"})


@dataclass(frozen=True)
class BeingPrepared:
    """A report readers will get: its draft exists, no version is published yet."""

    month: str
    month_label: str
    scope: str
    publish_by: date
    late: bool  # the publication date has passed


def publication_due(month: str) -> date:
    """The day *month*'s report should be published by: the draft is built on the first
    working day of the next month, then PUBLISH_WITHIN_WORKING_DAYS working days."""
    year, mon = months.parse(months.shift(month, 1))
    return add_working_days(first_working_day(year, mon), PUBLISH_WITHIN_WORKING_DAYS)


def _readable_scope(user: User, key: str) -> bool:
    """Whether *user* reads a version of scope *key* once it is published."""
    if key == "council" and not COUNCIL_REPORT_READERS.isdisjoint(user.roles):
        return True
    return within_key(scope_for_user(user), key)


def may_read(user: User, version: ReportVersion) -> bool:
    """Whether *user* may open *version*: drafts for report builders, published for readers."""
    if can(user, "reports.build"):
        return within_key(scope_for_user(user), version.scope)
    return version.status == "published" and _readable_scope(user, version.scope)


def versions_for_reader(user: User) -> list[ReportVersion]:
    """The versions *user* may open, newest month first."""
    query = select(ReportVersion).order_by(
        ReportVersion.month.desc(), ReportVersion.scope, ReportVersion.version.desc()
    )
    if not can(user, "reports.build"):
        query = query.where(ReportVersion.status == "published")
    return [v for v in db.session.scalars(query) if may_read(user, v)]


def being_prepared(user: User, *, today: date) -> list[BeingPrepared]:
    """Reports *user* will read once published that have a draft and no published version
    yet (empty for report builders, who see the drafts themselves)."""
    if can(user, "reports.build"):
        return []
    rows = db.session.execute(
        select(ReportVersion.month, ReportVersion.scope, ReportVersion.status)
        .where(ReportVersion.status.in_(("building", "draft", "published")))
        .order_by(ReportVersion.month.desc(), ReportVersion.scope)
    ).all()
    published = {(month, scope) for month, scope, status in rows if status == "published"}
    seen: set[tuple[str, str]] = set()
    notices = []
    for month, scope, _status in rows:
        key = (month, scope)
        if key in published or key in seen or not _readable_scope(user, scope):
            continue
        seen.add(key)
        due = publication_due(month)
        notices.append(BeingPrepared(month, months.label(month), scope, due, late=today > due))
    return notices
