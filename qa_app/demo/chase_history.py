"""The demo's chase history: who the daily chase would have reminded of each open action, and
the one summary notification each of them would hold from yesterday's run.

Without it a fresh demo's people would have an empty "Actions the chase reminded you of" list
(the reminders are recorded, not who heard of them) and the worker's first run would count only
that day's news. Summaries are written without emails: a fresh demo needs no email backlog.
"""

from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from sqlalchemy import select

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import Action, ActionReminder, Case, ChaseNotice, Team, User
from qa_app.models.actions import OPEN_STATUSES
from qa_app.services.actions import chase, chase_summary


def seed_chase_notices(*, today: date) -> dict:
    """Write the notices for the open, non-safeguarding actions' reminders already sent and
    yesterday's summaries (flushes). Returns how many of each."""
    yesterday = today - timedelta(days=1)
    people = chase._people(yesterday)
    rows = db.session.execute(
        select(
            Action.id,
            Action.owner_id,
            Action.due_on,
            User.line_manager_id,
            Team.locality_id,
            ActionReminder.rung,
            ActionReminder.fired_on,
        )
        .join(ActionReminder, ActionReminder.action_id == Action.id)
        .join(User, User.id == Action.owner_id)
        .join(Case, Case.id == Action.case_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .where(
            Action.status.in_(OPEN_STATUSES),
            Action.priority != "safeguarding",
            ActionReminder.due_on == Action.due_on,
            ActionReminder.outcome == "sent",
        )
        .order_by(Action.id, ActionReminder.id)
    ).all()
    notices: dict[tuple, dict] = {}
    for row in rows:
        action = SimpleNamespace(
            owner_id=row.owner_id, line_manager_id=row.line_manager_id, locality_id=row.locality_id
        )
        recipients, cover = chase._recipients(action, row.rung, people)
        for user_id in recipients:
            notices[(user_id, row.id, row.rung)] = {
                "user_id": user_id,
                "action_id": row.id,
                "due_on": row.due_on,
                "rung": row.rung,
                "day": row.fired_on,
                "cover": cover,
            }
    insert_rows(ChaseNotice.__table__, list(notices.values()))
    told = {user_id for user_id, _action, _rung in notices}
    written, _held = chase_summary.summarise(
        told,
        yesterday,
        now=datetime.combine(yesterday, time(7, 0)),
        base_url="",
        email=False,
    )
    return {"chase_notices": len(notices), "chase_summaries": written}
