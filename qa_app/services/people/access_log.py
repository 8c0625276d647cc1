"""The access log: every view of a child's record is written down (who, what, when, why).

One record opened: ``log_case_access`` (one row naming the case). A list or an export showing
many children: ``log_cases_shown`` (one row with how many cases). Never the content.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from qa_app.extensions import db
from qa_app.models import AccessLog, Case, Child, User
from qa_app.services.platform.paging import Page, paginate


def log_case_access(
    user: User,
    case: Case,
    *,
    action: str,
    now: datetime,
    endpoint: str | None = None,
    purpose: str | None = None,
) -> None:
    """Record that *user* opened *case* (flushes with the caller's transaction)."""
    db.session.add(
        AccessLog(
            user_id=user.id,
            case_id=case.id,
            child_id=case.child_id,
            action=action,
            purpose=purpose,
            endpoint=endpoint,
            at=now,
        )
    )


def log_cases_shown(
    user: User,
    case_ids: Iterable[int | None],
    *,
    action: str,
    now: datetime,
    endpoint: str | None = None,
    purpose: str | None = None,
) -> int:
    """Record that a list or an export showed *user* the cases *case_ids*: one row with how many
    cases, not a row per case (a page of 50 or an export of 5,000 is one entry). A list of one
    case names it, so a search of the log by child id finds it; nothing shown, nothing written.
    Returns the number of cases. Never pass content: *purpose* says why, not what was shown."""
    ids = {case_id for case_id in case_ids if case_id is not None}
    if len(ids) == 1:
        case = db.session.get(Case, next(iter(ids)))
        if case is not None:
            log_case_access(user, case, action=action, now=now, endpoint=endpoint, purpose=purpose)
            return 1
    return log_records_shown(
        user, len(ids), action=action, now=now, endpoint=endpoint, purpose=purpose
    )


def log_records_shown(
    user: User,
    count: int,
    *,
    action: str,
    now: datetime,
    endpoint: str | None = None,
    purpose: str | None = None,
) -> int:
    """One row saying a response showed *user* *count* children's records (rows of a file, cases
    of a list) without naming them; nothing when *count* is 0. Returns *count*."""
    if count:
        db.session.add(
            AccessLog(
                user_id=user.id,
                action=action,
                purpose=purpose,
                endpoint=endpoint,
                record_count=count,
                at=now,
            )
        )
    return count


@dataclass
class AccessFilters:
    child_id: str = ""
    email: str = ""
    page: int = 1


def search_access_log(filters: AccessFilters) -> Page:
    conditions = []
    if filters.child_id:
        conditions.append(
            AccessLog.child_id.in_(select(Child.id).where(Child.la_child_id == filters.child_id))
        )
    if filters.email:
        conditions.append(AccessLog.user_id.in_(select(User.id).where(User.email == filters.email)))
    query = (
        select(AccessLog)
        .where(*conditions)
        .options(joinedload(AccessLog.user), joinedload(AccessLog.child))
        .order_by(AccessLog.at.desc(), AccessLog.id.desc())
    )
    return paginate(query, page=filters.page)
