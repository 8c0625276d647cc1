"""The access log from a view: which children's records a response showed, never what they said.

Call these after the page is rendered: they commit, and committing first would expire every row
the template is about to read (a list of 50 cases would reload each one).
"""

from collections.abc import Iterable

from flask import request
from flask_login import current_user

from qa_app.clock import utcnow
from qa_app.extensions import db
from qa_app.models import Case, User
from qa_app.services.people import access_log


def case_opened(case: Case, action: str, *, purpose: str | None = None, user=None) -> None:
    """One child's record was shown (a page, a PDF, an API answer about one case)."""
    access_log.log_case_access(
        user or current_user,
        case,
        action=action,
        now=utcnow(),
        endpoint=request.endpoint,
        purpose=purpose,
    )
    db.session.commit()


def cases_shown(
    case_ids: Iterable[int | None],
    action: str,
    *,
    purpose: str | None = None,
    user: User | None = None,
) -> None:
    """A list or an export showed these cases: one row with how many (see log_cases_shown)."""
    access_log.log_cases_shown(
        user or current_user,
        case_ids,
        action=action,
        now=utcnow(),
        endpoint=request.endpoint,
        purpose=purpose,
    )
    db.session.commit()


def records_shown(count: int, action: str, *, purpose: str | None = None) -> None:
    """A response showed *count* children's rows that are not cases here (an import's rejects)."""
    access_log.log_records_shown(
        current_user, count, action=action, now=utcnow(), endpoint=request.endpoint, purpose=purpose
    )
    db.session.commit()
