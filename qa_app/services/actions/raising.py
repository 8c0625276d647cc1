"""The action tracker: raising actions. (The lifecycle and the chase ladder build on this.)

Every feature that finds something to do (an audit section, a safeguarding concern, moderation,
a tier 3 review) raises it here, so each action has one named owner, a due date in England and
Wales working days, a priority and a history from the start.
"""

from datetime import date, datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Action, ActionEvent, Case, User, UserRole
from qa_app.models.actions import PRIORITIES, SOURCES
from qa_app.services.platform.calendar import add_working_days
from qa_app.services.platform.notifications import Message, notify

DEFAULT_DUE_WORKING_DAYS = 20
SAFEGUARDING_DUE_WORKING_DAYS = 1


class ActionError(ValueError):
    """An action that cannot be raised or changed as asked; the message says why."""


def team_manager_of(case: Case) -> User | None:
    """The case's team manager: the worker's line manager if a team manager, else the team's."""
    worker = case.worker
    if worker is not None and worker.line_manager and "team_manager" in worker.line_manager.roles:
        return worker.line_manager
    if case.team_id is None:
        return None
    return db.session.scalar(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.team_id == case.team_id,
            UserRole.role == "team_manager",
            User.active.is_(True),
            User.pending.is_(False),
        )
        .order_by(User.id)
        .limit(1)
    )


def default_owner(case: Case, *, management: bool = False) -> User | None:
    """The allocated worker; the team manager for management actions or unallocated cases."""
    if not management and case.worker is not None and case.worker.is_active:
        return case.worker
    return team_manager_of(case)


def raise_action(
    case: Case,
    *,
    description: str,
    by: User | None,
    now: datetime,
    base_url: str,
    source: str = "audit",
    audit_id: int | None = None,
    section_key: str | None = None,
    owner: User | None = None,
    management: bool = False,
    priority: str = "normal",
    due_on: date | None = None,
    due_in_working_days: int | None = None,
) -> Action:
    """Create an action and tell its owner (flushes; the caller commits).

    The due date is *due_on*, or *due_in_working_days* working days from today (default 20,
    1 for safeguarding). The owner defaults to the case's worker (team manager for
    management actions).
    """
    description = (description or "").strip()
    if not description:
        raise ActionError("Describe the action")
    if source not in SOURCES:
        raise ActionError(f"Unknown action source {source!r}")
    if priority not in PRIORITIES:
        raise ActionError(f"Unknown priority {priority!r}")
    owner = owner or default_owner(case, management=management)
    if owner is None:
        raise ActionError(
            "The case has no allocated worker or team manager: choose who owns the action"
        )
    if due_on is None:
        days = due_in_working_days
        if days is None:
            days = (
                SAFEGUARDING_DUE_WORKING_DAYS
                if priority == "safeguarding"
                else DEFAULT_DUE_WORKING_DAYS
            )
        due_on = add_working_days(now.date(), days)
    action = Action(
        case_id=case.id,
        audit_id=audit_id,
        source=source,
        section_key=section_key,
        description=description,
        owner_id=owner.id,
        raised_by_id=by.id if by else None,
        raised_at=now,
        due_on=due_on,
        priority=priority,
        status="open",
    )
    db.session.add(action)
    db.session.flush()
    db.session.add(
        ActionEvent(
            action_id=action.id,
            at=now,
            by_id=by.id if by else None,
            kind="raised",
            detail={"owner_id": owner.id, "due_on": due_on.isoformat(), "priority": priority},
        )
    )
    notify(
        owner,
        Message(
            kind="action_raised",
            subject=f"New action for {case.reference}, due {due_on:%-d %B %Y}",
            body=f"An action ({priority} priority) has been raised for {case.reference}.",
            link=f"/actions/{action.id}",
        ),
        dedupe_key=f"action-raised-{action.id}",
        now=now,
        base_url=base_url,
    )
    return action
