"""The action page's seven changes through one door: the page names the change and hands over
what its form holds; the change runs through ``lifecycle`` (which decides who may and what is
valid) and the answer says what happened, for the page to show."""

from collections.abc import Mapping
from datetime import date, datetime

from qa_app.models import Action, User
from qa_app.services.actions import lifecycle as life
from qa_app.textnorm import is_digits

CHANGES = ("start", "complete", "verify", "reopen", "cancel", "reassign", "due-date")


def _due_date(value: str | None) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise life.ActionInputError(
            "due_on", f"Enter the new due date as YYYY-MM-DD, like 2027-01-15 (not {value!r})"
        ) from None


def _owner_id(value: str | None) -> int | None:
    return int(value) if value and is_digits(value) else None


def apply_change(
    change: str,
    action: Action,
    data: Mapping,
    *,
    by: User,
    now: datetime,
    today: date,
    expected_version: int,
    base_url: str,
) -> str:
    """Make *change* (one of CHANGES) with the form's *data*; returns the message to show.

    Raises what ``lifecycle`` raises: ActionInputError naming the field, ActionPermissionError,
    StaleActionError."""
    common = {"by": by, "now": now, "expected_version": expected_version}
    if change == "start":
        life.start(action, **common)
        return "Work on the action has started."
    if change == "complete":
        life.complete(
            action, evidence=data["evidence"], evidence_link=data["evidence_link"], **common
        )
        return (
            "The action is marked as completed. It will be verified by the team manager or auditor."
        )
    if change == "verify":
        life.verify(action, effectiveness=data["effectiveness"], note=data["note"], **common)
        return "The action is verified."
    if change == "reopen":
        life.reopen(action, reason=data["reason"], base_url=base_url, **common)
        return "The action is reopened and its owner told."
    if change == "cancel":
        life.cancel(action, reason=data["reason"], **common)
        return "The action is cancelled."
    if change == "reassign":
        owner_id, reason = _owner_id(data["owner"]), data["reason"]
        life.reassign(action, owner_id=owner_id, reason=reason, base_url=base_url, **common)
        return "The action is reassigned and its new owner told."
    if change != "due-date":
        raise ValueError(f"unknown change {change!r}")
    due_on, reason = _due_date(data["due_on"]), data["reason"]
    life.change_due_date(action, due_on=due_on, reason=reason, today=today, **common)
    return "The due date is changed; reminders will follow the new date."
