"""The access log: every view of a child's record is written down (who, what, when, why)."""

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
