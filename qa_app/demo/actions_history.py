"""Demo actions: what a year of audits would have left in the tracker.

For every submitted audit already in the database, raise 0-3 actions on the day it was submitted
(20 working days to do; high priority 10, safeguarding 1), then age them to *today*: recent ones
open or in progress (some due within days, some due today), older ones mostly completed and
verified with a recorded effectiveness, a few cancelled, and some left overdue at every rung of
the chase ladder, with the reminders the daily chase job would already have sent up to
yesterday (and, in ``chase_history``, who heard of them and each person's one summary). Rows go in with bulk inserts (COPY on PostgreSQL), fast at 100,000 cases.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta
from functools import cache
from random import Random

from sqlalchemy import func, select, text

from qa_app.bulk import insert_rows
from qa_app.demo.chase_history import seed_chase_notices
from qa_app.extensions import db
from qa_app.models import Action, ActionEvent, ActionReminder, Audit, Case, User, UserRole
from qa_app.models.actions import OPEN_STATUSES
from qa_app.services.actions.chase import RUNG_OFFSETS, reached_rungs
from qa_app.services.platform.calendar import add_working_days, working_days_after

DESCRIPTIONS = (
    "Bring the chronology up to date and record the key events of the last six months",
    "Record management oversight of the most recent decision on the child's file",
    "Record supervision discussion of the case on the child's file",
    "Complete the overdue statutory visit and record seeing the child alone",
    "Update the child's plan so that actions are specific, owned and timed",
    "Record the child's wishes and feelings in the assessment",
    "Hold a multi-agency review of the plan and record its outcome",
    "Complete and upload the genogram",
    "Review the risk assessment in light of the latest referral",
    "Ensure the family have a copy of the plan in a format they understand",
)
NOTES = (
    "Chronology updated and checked in supervision",
    "Oversight recorded on file",
    "Visit completed; child seen alone",
    "Plan reviewed with the family and partners",
    "Assessment updated",
)
DUE_DAYS = {"normal": 20, "high": 10, "safeguarding": 1}


@cache
def _plus(day: date, days: int) -> date:
    return add_working_days(day, days)


@cache
def _late(due: date, today: date) -> int:
    return working_days_after(due, today)


def _owners() -> tuple[dict[int, int], dict[int, int], set[int]]:
    """(team id -> team manager, user id -> line manager, active user ids)."""
    managers: dict[int, int] = {}
    for user_id, team_id in db.session.execute(
        select(User.id, User.team_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "team_manager", User.team_id.is_not(None), User.active.is_(True))
        .order_by(User.id)
    ):
        managers.setdefault(team_id, user_id)
    line = {}
    active = set()
    for user_id, manager_id, is_active, pending in db.session.execute(
        select(User.id, User.line_manager_id, User.active, User.pending)
    ):
        if manager_id:
            line[user_id] = manager_id
        if is_active and not pending:
            active.add(user_id)
    return managers, line, active


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _fix_sequences() -> None:
    if db.session.connection().dialect.name != "postgresql":
        return
    for table in ("actions", "action_events", "action_reminders"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
            )
        )


def seed_action_history(*, today: date, rng: Random) -> dict:
    """Raise and age actions for the submitted audits in the database (flushes; the caller
    commits). Returns counts by state; does nothing when there are no submitted audits."""
    audits = db.session.execute(
        select(
            Audit.id,
            Audit.case_id,
            Audit.auditor_id,
            Audit.submitted_at,
            Case.worker_id,
            Case.team_id,
        )
        .join(Case, Case.id == Audit.case_id)
        .where(
            Audit.status.in_(("submitted", "moderated", "closed")), Audit.submitted_at.is_not(None)
        )
        .order_by(Audit.id)
    ).all()
    counts: Counter = Counter()
    if not audits:
        return {"actions": 0}
    managers, line, active = _owners()
    yesterday = today - timedelta(days=1)
    action_id, event_id, reminder_id = (
        _next_id(Action),
        _next_id(ActionEvent),
        _next_id(ActionReminder),
    )
    actions: list[dict] = []
    events: list[dict] = []
    # The audit history (demo/history.py) raised actions of its own: without the reminders
    # already sent for them, the first chase after the seed would send a year's backlog at once.
    reminders: list[dict] = []
    for earlier_id, due in db.session.execute(
        select(Action.id, Action.due_on).where(Action.status.in_(OPEN_STATUSES)).order_by(Action.id)
    ):
        for rung_row in _sent_reminders(earlier_id, due, yesterday):
            reminders.append({"id": reminder_id, **rung_row})
            reminder_id += 1
    for audit in audits:
        raised = audit.submitted_at
        if raised.date() > today:
            continue
        for _ in range(rng.choices((0, 1, 2, 3), weights=(30, 40, 20, 10))[0]):
            owner = audit.worker_id if audit.worker_id in active else managers.get(audit.team_id)
            if owner is None:
                continue
            priority = rng.choices(("normal", "high", "safeguarding"), weights=(92, 6, 2))[0]
            due = _plus(raised.date(), DUE_DAYS[priority])
            row = {
                "id": action_id,
                "audit_id": audit.id,
                "case_id": audit.case_id,
                "source": "safeguarding" if priority == "safeguarding" else "audit",
                "section_key": None,
                "description": rng.choice(DESCRIPTIONS),
                "owner_id": owner,
                "raised_by_id": audit.auditor_id,
                "raised_at": raised,
                "due_on": due,
                "priority": priority,
                "status": "open",
                "evidence": None,
                "evidence_link": None,
                "completed_at": None,
                "completed_by_id": None,
                "verified_at": None,
                "verified_by_id": None,
                "effectiveness": None,
                "cancelled_reason": None,
                "version": 1,
            }
            history = [
                (
                    "raised",
                    audit.auditor_id,
                    raised,
                    {"owner_id": owner, "due_on": due.isoformat(), "priority": priority},
                )
            ]
            verifier = line.get(owner) or managers.get(audit.team_id) or audit.auditor_id
            _age(row, history, rng, today, verifier)
            actions.append(row)
            for kind, by, at, detail in history:
                events.append(
                    {
                        "id": event_id,
                        "action_id": action_id,
                        "at": at,
                        "by_id": by,
                        "kind": kind,
                        "detail": detail,
                    }
                )
                event_id += 1
                row["version"] += kind != "raised"
            if row["status"] in OPEN_STATUSES:
                for rung_row in _sent_reminders(action_id, due, yesterday):
                    reminders.append({"id": reminder_id, **rung_row})
                    reminder_id += 1
            counts[_state(row, today)] += 1
            action_id += 1
    for table, rows in ((Action, actions), (ActionEvent, events), (ActionReminder, reminders)):
        for start in range(0, len(rows), 20_000):
            insert_rows(table.__table__, rows[start : start + 20_000])
    _fix_sequences()
    db.session.flush()
    told = seed_chase_notices(today=today)
    return {
        "actions": len(actions),
        "reminders": len(reminders),
        **told,
        **dict(sorted(counts.items())),
    }


def _age(row: dict, history: list, rng: Random, today: date, verifier: int) -> None:
    """Move the action on to where it would be *today*."""
    raised: datetime = row["raised_at"]
    due: date = row["due_on"]
    owner = row["owner_id"]
    late = _late(due, today)
    if due >= today:
        still_open = rng.random() < 0.93
    else:
        still_open = rng.random() < (0.6 if late <= 25 else 0.06)
    if still_open:
        if rng.random() < 0.4:
            row["status"] = "in_progress"
            history.append(("started", owner, raised + timedelta(days=rng.randint(1, 5)), {}))
        return
    if rng.random() < 0.04:
        row["status"] = "cancelled"
        row["cancelled_reason"] = "The case closed before the action was due"
        at = min(raised + timedelta(days=rng.randint(2, 20)), _at(today))
        history.append(("cancelled", verifier, at, {"reason": row["cancelled_reason"]}))
        return
    done = raised + timedelta(days=rng.randint(5, 40), hours=rng.randint(0, 8))
    done = min(done, _at(today) - timedelta(hours=1))
    row.update(
        status="completed", completed_at=done, completed_by_id=owner, evidence=rng.choice(NOTES)
    )
    history.append(("completed", owner, done, {"evidence_link": None}))
    verified = done + timedelta(days=rng.randint(1, 15))
    if verified < _at(today) and rng.random() < 0.8:
        effect = rng.choices(("yes", "partly", "no"), weights=(62, 28, 10))[0]
        row.update(
            status="verified", verified_at=verified, verified_by_id=verifier, effectiveness=effect
        )
        history.append(("verified", verifier, verified, {"effectiveness": effect, "note": None}))


def _at(day: date) -> datetime:
    return datetime.combine(day, time(7, 0))


def _sent_reminders(action_id: int, due: date, yesterday: date) -> list[dict]:
    """The rungs the daily chase job would have fired, each on its own day, up to yesterday."""
    return [
        {
            "action_id": action_id,
            "due_on": due,
            "rung": rung,
            "fired_on": _plus(due, RUNG_OFFSETS[rung]),
            "fired_at": _at(_plus(due, RUNG_OFFSETS[rung])),
            "outcome": "sent",
            "recipients": 2 if rung == "dcs_psw" else 1,
        }
        for rung in reached_rungs(due, yesterday)
    ]


def _state(row: dict, today: date) -> str:
    status = row["status"]
    if status not in OPEN_STATUSES:
        return status
    due = row["due_on"]
    if due > today:
        return "due_soon" if _plus(due, -5) <= today else "not_yet_due"
    if due == today:
        return "due_today"
    late = _late(due, today)
    if late >= 20:
        return "overdue_20_plus"
    if late >= 10:
        return "overdue_10_to_19"
    return "overdue_1_to_9"
