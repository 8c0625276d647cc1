"""The chase ladder: nobody has to remember to chase an action.

Rungs, counted in England and Wales working days from the action's due date:

- ``due_soon`` 5 working days before → owner;   ``due_today`` on the day → owner;
- first working day after → owner (``overdue_owner``) and line manager (``overdue_manager``);
- 10 working days overdue → head of service of the case's locality (``head_of_service``);
- 20 working days overdue → the DCS and the PSW (``dcs_psw``).

Each rung fires once per action and due date. ``run_chase`` works in batches; for each batch it
first INSERTs one ``ActionReminder`` row per rung due (ON CONFLICT DO NOTHING on the unique key
(action_id, due_on, rung)), then tells people (``notifications.notify_many``) only for the rows
*its own* insert created, then the caller commits, and the batch's emails are queued for sending
as every email is, once committed. A concurrent run blocks on the same keys and then finds them
taken; a run killed mid-batch loses the whole batch (rows and notifications together) and the
next run redoes it. A run that was missed catches up: every rung reached is fired. The owner is told
only the latest news (a catch-up "due soon" for an action already overdue is recorded as
``superseded``, not sent); managers' rungs go to different people, so each is sent. Routine
reminders are not a notification each: each is a ``ChaseNotice`` row (written with its batch),
and after the last batch each person told today gets their one summary notification of the day
written or updated (``chase_summary``); a safeguarding action's reminders are sent one by one. Owners on
leave today (an ``Absence`` of kind absence) have their reminders sent to their line manager.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from qa_app.extensions import db
from qa_app.models import Absence, Action, ActionReminder, Case, Child, Team, User
from qa_app.models.action_reminders import RUNGS
from qa_app.models.actions import OPEN_STATUSES
from qa_app.models.cases import child_reference
from qa_app.models.users import UserRole
from qa_app.services.actions import chase_summary
from qa_app.services.platform import notifications
from qa_app.services.platform.calendar import add_working_days

OWNER_RUNGS = ("due_soon", "due_today", "overdue_owner")
RUNG_OFFSETS = {  # working days from the due date
    "due_soon": -5,
    "due_today": 0,
    "overdue_owner": 1,
    "overdue_manager": 1,
    "head_of_service": 10,
    "dcs_psw": 20,
}
BATCH_SIZE = 2000


@dataclass
class ChaseResult:
    today: date
    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RUNGS, 0))
    digests: int = 0  # notifications held for their recipient's daily digest
    summaries: int = 0  # people whose daily chase summary was written or changed
    skipped_already_sent: int = 0  # rungs reached that an earlier (or concurrent) run fired

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "sent": dict(self.sent),
            "digests": self.digests,
            "summaries": self.summaries,
            "skipped_already_sent": self.skipped_already_sent,
        }


@cache
def rung_dates(due_on: date) -> dict[str, date]:
    """The day each rung becomes due for an action due on *due_on*."""
    return {rung: add_working_days(due_on, days) for rung, days in RUNG_OFFSETS.items()}


@cache
def reached_rungs(due_on: date, today: date) -> tuple[str, ...]:
    """The rungs due by *today*, in ladder order."""
    return tuple(rung for rung, day in rung_dates(due_on).items() if day <= today)


@dataclass
class _People:
    """Who is told what, loaded once per run."""

    users: dict[int, User]
    absent: set[int]
    heads: dict[int, list[int]]  # locality id -> heads of service
    top: list[int]  # DCS and PSW

    def cover(self, owner_id: int, line_manager_id: int | None) -> tuple[int | None, bool]:
        """Who gets the owner's reminder today, and whether that is cover for an absence."""
        if owner_id in self.absent and line_manager_id in self.users:
            return line_manager_id, True
        return (owner_id if owner_id in self.users else None), False


def _people(today: date) -> _People:
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.active.is_(True), User.pending.is_(False))
        )
    }
    absent = set(
        db.session.scalars(
            select(Absence.user_id).where(
                Absence.kind == "absence", Absence.starts_on <= today, Absence.ends_on >= today
            )
        )
    )
    heads: dict[int, list[int]] = {}
    top: list[int] = []
    for user_id, role in db.session.execute(
        select(UserRole.user_id, UserRole.role).where(
            UserRole.role.in_(("head_of_service", "dcs", "psw"))
        )
    ):
        user = users.get(user_id)
        if user is None:
            continue
        if role == "head_of_service" and user.effective_locality_id is not None:
            heads.setdefault(user.effective_locality_id, []).append(user_id)
        elif role in ("dcs", "psw") and user_id not in top:
            top.append(user_id)
    return _People(users, absent, heads, sorted(top))


def _message(
    rung: str, action_id: int, la_child_id: str, due_on: date, cover: bool
) -> notifications.Message:
    due = f"{due_on:%-d %B %Y}"
    case = child_reference(la_child_id)
    subject = {
        "due_soon": f"Action {action_id} for {case} is due on {due}",
        "due_today": f"Action {action_id} for {case} is due today",
        "overdue_owner": f"Action {action_id} for {case} is overdue (due {due})",
        "overdue_manager": f"Action {action_id} for {case}, owned by someone you "
        f"manage, is overdue (due {due})",
        "head_of_service": f"Action {action_id} for {case} is 10 working days overdue",
        "dcs_psw": f"Action {action_id} for {case} is 20 working days overdue",
    }[rung]
    if cover:
        subject = f"Cover for an absent colleague: {subject}"
    body = f"{subject}. Open the action to see what is needed and record progress."
    return notifications.Message(
        kind=f"action_{rung}", subject=subject, body=body, link=f"/actions/{action_id}"
    )


def _insert_ignoring_taken(rows: list[dict]) -> set[tuple[int, str]]:
    """Insert reminder rows; return the (action_id, rung) keys this insert created."""
    if not rows:
        return set()
    dialect = db.session.connection().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        make(ActionReminder)
        .on_conflict_do_nothing(index_elements=["action_id", "due_on", "rung"])
        .returning(ActionReminder.action_id, ActionReminder.rung)
    )
    won = db.session.execute(statement, rows)
    return {(row.action_id, row.rung) for row in won}


def _candidates(today: date) -> list:
    # An action is due its first rung 5 working days before its due date; four calendar days
    # of slack cover due dates that fall on a weekend (checked exactly per action below).
    horizon = add_working_days(today, 5) + timedelta(days=4)
    # How many rungs already fired for the current due date: a run finds most actions fully
    # chased so far and skips them without reading their reminder rows.
    fired = (
        select(ActionReminder.action_id, func.count().label("n"))
        .join(
            Action,
            (Action.id == ActionReminder.action_id) & (Action.due_on == ActionReminder.due_on),
        )
        .where(Action.status.in_(OPEN_STATUSES), Action.due_on <= horizon)
        .group_by(ActionReminder.action_id)
        .subquery()
    )
    return db.session.execute(
        select(
            Action.id,
            Action.due_on,
            Action.owner_id,
            Action.case_id,
            Action.priority,
            Child.la_child_id,
            User.line_manager_id,
            Team.locality_id,
            func.coalesce(fired.c.n, 0).label("fired"),
        )
        .join(User, User.id == Action.owner_id)
        .outerjoin(fired, fired.c.action_id == Action.id)
        .join(Case, Case.id == Action.case_id)
        .join(Child, Child.id == Case.child_id)
        .outerjoin(Team, Team.id == Case.team_id)
        .where(Action.status.in_(OPEN_STATUSES), Action.due_on <= horizon)
        .order_by(Action.id)
    ).all()


def _already_fired(batch: list) -> set[tuple[int, str]]:
    if not batch:
        return set()
    ids = [a.id for a in batch]
    rows = db.session.execute(
        select(ActionReminder.action_id, ActionReminder.rung, ActionReminder.due_on).where(
            ActionReminder.action_id.in_(ids)
        )
    )
    due = {a.id: a.due_on for a in batch}
    return {(r.action_id, r.rung) for r in rows if due[r.action_id] == r.due_on}


def run_chase(
    today: date,
    *,
    now: datetime,
    base_url: str,
    on_batch: Callable[[], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ChaseResult:
    """Fire every rung due by *today* that has not fired yet; returns the counts.

    *on_batch* is called after each batch (the job and the command commit there, so a batch's
    reminders and notifications are kept or lost together). Without it everything stays in
    the caller's transaction.
    """
    result = ChaseResult(today=today)
    people = _people(today)
    candidates = []
    for action in _candidates(today):
        reached = len(reached_rungs(action.due_on, today))
        if action.fired >= reached:
            result.skipped_already_sent += reached
        elif reached:
            candidates.append(action)
    for start in range(0, len(candidates), batch_size):
        batch = candidates[start : start + batch_size]
        _chase_batch(batch, today, now, base_url, people, result)
        if on_batch is not None:
            on_batch()
    # Once, after every batch: each person's one summary for the day, counting all of it.
    result.summaries, held = chase_summary.summarise_day(today, now=now, base_url=base_url)
    result.digests += held
    if on_batch is not None:
        on_batch()
    return result


def _recipients(action, rung: str, people: _People) -> tuple[list[int], bool]:
    if rung in OWNER_RUNGS:
        who, cover = people.cover(action.owner_id, action.line_manager_id)
        return ([who] if who is not None else []), cover
    if rung == "overdue_manager":
        manager = action.line_manager_id
        return ([manager] if manager in people.users else []), False
    if rung == "head_of_service":
        return list(people.heads.get(action.locality_id, [])), False
    return list(people.top), False


def _chase_batch(batch, today, now, base_url, people: _People, result: ChaseResult) -> None:
    fired = _already_fired([a for a in batch if a.fired])
    rows: list[dict] = []
    plans: dict[tuple[int, str], tuple] = {}
    for action in batch:
        reached = reached_rungs(action.due_on, today)
        latest_owner = max((r for r in reached if r in OWNER_RUNGS), key=RUNGS.index)
        for rung in reached:
            if (action.id, rung) in fired:
                result.skipped_already_sent += 1
                continue
            if rung in OWNER_RUNGS and rung != latest_owner:
                recipients, cover, outcome = [], False, "superseded"
            else:
                recipients, cover = _recipients(action, rung, people)
                outcome = "sent" if recipients else "nobody"
            rows.append(
                {
                    "action_id": action.id,
                    "due_on": action.due_on,
                    "rung": rung,
                    "fired_on": today,
                    "fired_at": now,
                    "outcome": outcome,
                    "recipients": len(recipients),
                }
            )
            plans[(action.id, rung)] = (action, recipients, cover)
    won = _insert_ignoring_taken(rows)
    result.skipped_already_sent += len(rows) - len(won)
    entries: list[tuple[User, notifications.Message, str]] = []
    notices: list[dict] = []
    for key in sorted(won, key=lambda k: (k[0], RUNGS.index(k[1]))):
        action, recipients, cover = plans[key]
        rung = key[1]
        for user_id in recipients:
            result.sent[rung] += 1
            if action.priority != "safeguarding":
                notices.append(
                    {
                        "user_id": user_id,
                        "action_id": action.id,
                        "due_on": action.due_on,
                        "rung": rung,
                        "day": today,
                        "cover": cover,
                    }
                )
                continue
            # A safeguarding action's reminders stay one notification each: not routine.
            message = _message(rung, action.id, action.la_child_id, action.due_on, cover)
            dedupe = f"chase:{action.id}:{action.due_on.isoformat()}:{rung}:{user_id}"
            entries.append((people.users[user_id], message, dedupe))
    result.digests += notifications.notify_many(entries, now=now, base_url=base_url).for_digest
    chase_summary.record(notices)
    db.session.flush()


def reminders_for(action: Action) -> list[ActionReminder]:
    """The rungs fired for an action, oldest first (for its history page)."""
    return list(
        db.session.scalars(
            select(ActionReminder)
            .where(ActionReminder.action_id == action.id)
            .order_by(ActionReminder.fired_at, ActionReminder.id)
        )
    )
