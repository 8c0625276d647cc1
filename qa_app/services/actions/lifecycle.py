"""Working an action through its life: start, complete, verify, reopen, cancel, reassign, re-date.

Every change is checked here (who may do it, from which state, with which input), bumps the
action's ``version`` only if nobody else changed it first (optimistic locking: the caller passes
the version the person saw), and is written to the action's history as an ``ActionEvent``.
Functions flush, never commit. Overdue is never stored: see ``display_status``.
"""

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlparse

from sqlalchemy import select, update

from qa_app.extensions import db
from qa_app.models import Action, ActionEvent, EmailMessage, Notification, User
from qa_app.models.actions import EFFECTIVENESS, OPEN_STATUSES
from qa_app.services.actions.raising import ActionError, team_manager_of
from qa_app.services.platform.calendar import is_working_day
from qa_app.services.platform.notifications import Message, notify

EVIDENCE_MAX = 5000
REASON_MAX = 2000
LINK_MAX = 500
OVERSIGHT_ROLES = frozenset({"psw", "qa_admin", "dcs"})

STATUS_LABELS = {
    "open": "Open",
    "in_progress": "In progress",
    "completed": "Completed",
    "verified": "Verified",
    "reopened": "Reopened",
    "cancelled": "Cancelled",
    "overdue": "Overdue",
}


class ActionInputError(ActionError):
    """Bad input for one field; ``field`` names it so a form can show the message beside it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


class ActionPermissionError(ActionError):
    """The person may not make this change to this action."""


class StaleActionError(ActionError):
    """Someone else changed the action since the person loaded it."""


@dataclass(frozen=True)
class Roles:
    """How *user* stands towards one action (computed once per check)."""

    owner: bool
    manager: bool  # the case's team manager or the owner's line manager
    auditor: bool  # auditor of the audit that raised it
    oversight: bool  # PSW, DCS, QA admin
    head_of_service: bool  # head of service of the case's locality


def relation(user: User, action: Action) -> Roles:
    case = action.case
    tm = team_manager_of(case)
    manager = (tm is not None and tm.id == user.id) or (
        action.owner is not None and action.owner.line_manager_id == user.id
    )
    if "team_manager" in user.roles and case.team_id is not None and user.team_id == case.team_id:
        manager = True
    locality_id = case.team.locality_id if case.team is not None else None
    return Roles(
        owner=action.owner_id == user.id,
        manager=manager,
        auditor=action.audit is not None and action.audit.auditor_id == user.id,
        oversight=not OVERSIGHT_ROLES.isdisjoint(user.roles),
        head_of_service="head_of_service" in user.roles
        and locality_id is not None
        and user.effective_locality_id == locality_id,
    )


def allowed(user: User, action: Action) -> set[str]:
    """The changes *user* may make to *action* now (for showing the right buttons)."""
    r = relation(user, action)
    status = action.status
    can: set[str] = set()
    works = r.owner or r.manager
    if status in ("open", "reopened") and works:
        can.add("start")
    if status in OPEN_STATUSES and works:
        can.add("complete")
    if status == "completed" and (r.manager or r.auditor) and action.completed_by_id != user.id:
        can.add("verify")
    if status in ("completed", "verified") and (r.manager or r.auditor or r.oversight):
        can.add("reopen")
    if status in OPEN_STATUSES and (r.manager or r.oversight or r.head_of_service):
        can.update({"cancel", "reassign", "change_due"})
    return can


def display_status(action: Action, today: date) -> str:
    """The status to show: ``overdue`` for open work past its due date, else the stored one."""
    return "overdue" if action.is_overdue(today) else action.status


def _require(user: User, action: Action, change: str, what: str) -> None:
    if change not in allowed(user, action):
        label = STATUS_LABELS[action.status].lower()
        raise ActionPermissionError(f"You cannot {what} this action (it is {label})")


def _text(value: str | None, field: str, label: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ActionInputError(field, f"Enter {label}")
    if len(text) > limit:
        raise ActionInputError(
            field, f"{label[0].upper()}{label[1:]} must be {limit} characters or fewer"
        )
    return text


def _bump(action: Action, expected_version: int) -> None:
    """Claim the change: one UPDATE that succeeds only if the version is still the one seen."""
    if action.version != expected_version:
        raise StaleActionError(
            "Someone else changed this action while you were looking at it: check it and try again"
        )
    done = db.session.execute(
        update(Action)
        .where(Action.id == action.id, Action.version == expected_version)
        .values(version=expected_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise StaleActionError(
            "Someone else changed this action while you were looking at it: check it and try again"
        )
    db.session.expire(action, ["version"])


def _event(action: Action, by: User, now: datetime, kind: str, **detail) -> None:
    db.session.add(ActionEvent(action_id=action.id, at=now, by_id=by.id, kind=kind, detail=detail))


def start(action: Action, *, by: User, now: datetime, expected_version: int) -> Action:
    """The owner (or their manager) has started work."""
    _require(by, action, "start", "start")
    _bump(action, expected_version)
    old = action.status
    action.status = "in_progress"
    _event(action, by, now, "started", **{"from": old})
    db.session.flush()
    return action


def _check_link(link: str | None) -> str | None:
    link = (link or "").strip()
    if not link:
        return None
    if len(link) > LINK_MAX:
        raise ActionInputError("evidence_link", f"The link must be {LINK_MAX} characters or fewer")
    parsed = urlparse(link)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ActionInputError(
            "evidence_link",
            "The link to the case record must be a full web address starting https://",
        )
    return link


def complete(
    action: Action,
    *,
    by: User,
    now: datetime,
    evidence: str,
    expected_version: int,
    evidence_link: str | None = None,
) -> Action:
    """Mark done, with the evidence of what was done (required) and optionally a link to the
    case record where it shows."""
    _require(by, action, "complete", "complete")
    evidence = _text(evidence, "evidence", "the evidence of what was done", EVIDENCE_MAX)
    link = _check_link(evidence_link)
    _bump(action, expected_version)
    old = action.status
    action.status = "completed"
    action.evidence = evidence
    action.evidence_link = link
    action.completed_at = now
    action.completed_by_id = by.id
    _event(action, by, now, "completed", **{"from": old, "evidence_link": link})
    db.session.flush()
    return action


def verify(
    action: Action,
    *,
    by: User,
    now: datetime,
    effectiveness: str,
    expected_version: int,
    note: str | None = None,
) -> Action:
    """The team manager or the auditor confirms the work and records whether it made a
    difference (yes / partly / no)."""
    _require(by, action, "verify", "verify")
    if effectiveness not in EFFECTIVENESS:
        raise ActionInputError(
            "effectiveness", "Choose whether the action made a difference: yes, partly or no"
        )
    note = (note or "").strip() or None
    if note is not None and len(note) > REASON_MAX:
        raise ActionInputError("note", f"The note must be {REASON_MAX} characters or fewer")
    _bump(action, expected_version)
    action.status = "verified"
    action.verified_at = now
    action.verified_by_id = by.id
    action.effectiveness = effectiveness
    _event(action, by, now, "verified", effectiveness=effectiveness, note=note)
    db.session.flush()
    return action


def reopen(
    action: Action,
    *,
    by: User,
    now: datetime,
    reason: str,
    expected_version: int,
    base_url: str,
) -> Action:
    """Send completed work back to the owner, saying why."""
    _require(by, action, "reopen", "reopen")
    reason = _text(reason, "reason", "why the action is reopened", REASON_MAX)
    _bump(action, expected_version)
    old = action.status
    action.status = "reopened"
    action.verified_at = None
    action.verified_by_id = None
    action.effectiveness = None
    _event(action, by, now, "reopened", **{"from": old, "reason": reason})
    db.session.flush()
    notify(
        action.owner,
        Message(
            kind="action_reopened",
            subject=f"Action {action.id} for {action.case.reference} has been reopened",
            body=f"Action {action.id} for {action.case.reference} has been reopened.",
            link=f"/actions/{action.id}",
        ),
        dedupe_key=f"action-reopened-{action.id}-{action.version}",
        now=now,
        base_url=base_url,
    )
    return action


def cancel(
    action: Action, *, by: User, now: datetime, reason: str, expected_version: int
) -> Action:
    """Stop an action that is no longer needed, saying why; its reminders stop too."""
    _require(by, action, "cancel", "cancel")
    reason = _text(reason, "reason", "why the action is cancelled", REASON_MAX)
    _bump(action, expected_version)
    old = action.status
    action.status = "cancelled"
    action.cancelled_reason = reason
    _event(action, by, now, "cancelled", **{"from": old, "reason": reason})
    cancel_pending_reminders(action, action.owner_id)
    db.session.flush()
    return action


def cancel_pending_reminders(action: Action, user_id: int) -> int:
    """Withdraw chase reminders for *action* not yet emailed to *user_id*: unsent single emails
    and notifications waiting for the daily digest. Returns how many were withdrawn."""
    prefix = f"chase:{action.id}:"
    emails = db.session.execute(
        update(EmailMessage)
        .where(
            EmailMessage.user_id == user_id,
            EmailMessage.status == "queued",
            EmailMessage.dedupe_key.startswith(f"n:{prefix}"),
        )
        .values(status="not_sent", last_error="withdrawn: action reassigned or cancelled")
        .execution_options(synchronize_session=False)
    ).rowcount
    waiting = db.session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.email_id.is_(None),
            Notification.wants_email.is_(True),
            Notification.dedupe_key.startswith(prefix),
        )
        .values(wants_email=False)
        .execution_options(synchronize_session=False)
    ).rowcount
    return emails + waiting


def reassign(
    action: Action,
    *,
    by: User,
    now: datetime,
    owner_id: int | None,
    expected_version: int,
    base_url: str,
    reason: str | None = None,
) -> Action:
    """Give the action to someone else: they are told, the old owner's pending reminders are
    withdrawn."""
    _require(by, action, "reassign", "reassign")
    new_owner = db.session.get(User, owner_id) if owner_id else None
    if new_owner is None:
        raise ActionInputError("owner", "Choose the person who will own the action")
    if not new_owner.is_active:
        raise ActionInputError("owner", f"{new_owner.name} cannot sign in, so cannot own actions")
    if new_owner.id == action.owner_id:
        raise ActionInputError("owner", f"{new_owner.name} already owns this action")
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        raise ActionInputError("reason", f"The reason must be {REASON_MAX} characters or fewer")
    _bump(action, expected_version)
    old_owner_id = action.owner_id
    withdrawn = cancel_pending_reminders(action, old_owner_id)
    action.owner_id = new_owner.id
    action.owner = new_owner
    _event(
        action,
        by,
        now,
        "reassigned",
        **{"from_owner_id": old_owner_id, "to_owner_id": new_owner.id, "reason": reason},
        withdrawn_reminders=withdrawn,
    )
    db.session.flush()
    notify(
        new_owner,
        Message(
            kind="action_reassigned",
            subject=f"Action {action.id} for {action.case.reference} is now yours, due "
            f"{action.due_on:%-d %B %Y}",
            body=f"You now own action {action.id} for {action.case.reference}.",
            link=f"/actions/{action.id}",
        ),
        dedupe_key=f"action-reassigned-{action.id}-{action.version}",
        now=now,
        base_url=base_url,
    )
    return action


def change_due_date(
    action: Action,
    *,
    by: User,
    now: datetime,
    due_on: date | None,
    reason: str,
    expected_version: int,
    today: date,
) -> Action:
    """Move the due date (a working day, not in the past); the chase ladder starts again."""
    _require(by, action, "change_due", "change the due date of")
    if due_on is None:
        raise ActionInputError("due_on", "Enter the new due date")
    if due_on < today:
        raise ActionInputError("due_on", "The new due date must be today or later")
    if not is_working_day(due_on):
        raise ActionInputError(
            "due_on", f"{due_on:%-d %B %Y} is not a working day: choose a working day"
        )
    if due_on == action.due_on:
        raise ActionInputError("due_on", "The new due date is the same as the current one")
    reason = _text(reason, "reason", "why the due date changes", REASON_MAX)
    _bump(action, expected_version)
    old = action.due_on
    action.due_on = due_on
    _event(
        action,
        by,
        now,
        "due_date_changed",
        **{"from": old.isoformat(), "to": due_on.isoformat(), "reason": reason},
    )
    db.session.flush()
    return action


def get_action(action_id: int) -> Action | None:
    return db.session.scalar(select(Action).where(Action.id == action_id))
