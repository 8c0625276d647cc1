"""One daily summary per person instead of a notification per chased action.

The chase ladder tells owners, line managers, heads of service, the DCS and the PSW about
hundreds of routine due-soon and overdue actions. Each rung a person is told of is recorded as
a ``ChaseNotice`` row; the person gets ONE notification a day (dedupe key
``chase-summary:<user>:<day>``, unique) saying how many open actions the chase has reminded
them of are overdue and how many of them are new that day, linking to ``/actions/chased``,
which lists exactly the actions counted (``chased_actions``). A later run the same day updates
that one notification; earlier days' unread summaries are marked read, as today's counts
everything still open. Actions of safeguarding priority are still notified one by one (see
``chase``), as are allocation, moderation and safeguarding notices elsewhere.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from qa_app.extensions import db
from qa_app.models import Action, Case, ChaseNotice, Notification, User
from qa_app.models.actions import OPEN_STATUSES
from qa_app.services.actions.queries import action_scope
from qa_app.services.platform import notifications

KIND = "action_chase"
LINK = "/actions/chased"
OWNER_RUNGS = ("due_soon", "due_today", "overdue_owner")  # chase.OWNER_RUNGS (it imports us)
SUMMARY_LOCK = 7_215_015  # pg_advisory_xact_lock key: one run writes summaries at a time


def summary_key(user_id: int, day: date) -> str:
    return f"chase-summary:{user_id}:{day.isoformat()}"


def record(rows: list[dict]) -> set[int]:
    """Insert ChaseNotice rows (user_id, action_id, due_on, rung, day, cover), skipping any
    already there; returns the users whose rows this insert created."""
    if not rows:
        return set()
    dialect = db.session.connection().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        make(ChaseNotice)
        .on_conflict_do_nothing(index_elements=["user_id", "action_id", "due_on", "rung"])
        .returning(ChaseNotice.user_id)
    )
    return {row.user_id for row in db.session.execute(statement, rows)}


def _still_theirs():
    """A notice counts while the reason for it holds: an owner's while they own the action,
    a line manager's (or cover's) while its owner reports to them. (Reassigning an action
    takes it off the old owner's list without rewriting any notice.)"""
    reports = select(User.id).where(User.line_manager_id == ChaseNotice.user_id)
    return or_(
        ChaseNotice.rung.in_(("head_of_service", "dcs_psw")),
        and_(
            ChaseNotice.rung.in_(OWNER_RUNGS),
            ChaseNotice.cover.is_(False),
            Action.owner_id == ChaseNotice.user_id,
        ),
        and_(
            or_(ChaseNotice.rung == "overdue_manager", ChaseNotice.cover.is_(True)),
            Action.owner_id.in_(reports),
        ),
    )


def _notices(user: User, new_on: date | None = None):
    """The actions of *user*'s notices that still count, for the action's current due date."""
    query = (
        select(ChaseNotice.action_id)
        .join(
            Action,
            and_(Action.id == ChaseNotice.action_id, Action.due_on == ChaseNotice.due_on),
        )
        .where(ChaseNotice.user_id == user.id, _still_theirs())
    )
    return query if new_on is None else query.where(ChaseNotice.day == new_on)


def _chased(user: User, *, new_on: date | None = None):
    """Open actions the chase has reminded *user* of (for their current due date), in scope;
    with *new_on*, only those it reminded them of on that day (due soon, newly overdue or
    escalated). Driven from the user's notices, so it reads a few rows, not every action."""
    return (
        select(Action)
        .join(Case, Case.id == Action.case_id)
        .where(
            Action.id.in_(_notices(user, new_on)),
            Action.status.in_(OPEN_STATUSES),
            action_scope(user),
        )
    )


def chased_actions(user: User, *, new_on: date | None = None) -> list[Action]:
    """What the summary counts, most overdue first."""
    query = (
        _chased(user, new_on=new_on)
        .options(joinedload(Action.owner), joinedload(Action.case))
        .order_by(Action.due_on, Action.id)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class Counts:
    total: int
    overdue: int
    due_today: int
    new: int  # reminded of today


def counts(user: User, today: date) -> Counts:
    """What the summary says: the same rows as ``chased_actions``, counted."""
    new = case((Action.id.in_(_notices(user, today)), 1), else_=0)
    inner = _chased(user).with_only_columns(Action.due_on, new.label("new")).subquery()
    total, overdue, due_today, told_today = db.session.execute(
        select(
            func.count(),
            func.count().filter(inner.c.due_on < today),
            func.count().filter(inner.c.due_on == today),
            func.coalesce(func.sum(inner.c.new), 0),
        )
    ).one()
    return Counts(total, overdue, due_today, told_today)


SENIOR_RUNGS = ("head_of_service", "dcs_psw")


def counts_many(user_ids: Iterable[int], today: date) -> dict[int, Counts]:
    """``counts`` for each of *user_ids* (zeros for someone with nothing), in grouped queries.

    A notice of an owner's or line manager's rung counts only while the action is the person's
    own or their report's (``_still_theirs``), which ``action_scope`` always lets them open, so
    those are counted for everyone at once with no scope check. People holding a head of
    service's or the DCS/PSW's notice (a few) are counted by ``counts`` itself, whose scope
    check matters for them. tests/services/actions/test_chase_summary_many.py holds the two
    ways to the same answer."""
    ids = set(user_ids)
    senior = ids & set(
        db.session.scalars(
            select(ChaseNotice.user_id).where(ChaseNotice.rung.in_(SENIOR_RUNGS)).distinct()
        )
    )
    found = {uid: counts(db.session.get(User, uid), today) for uid in sorted(senior)}
    rest = sorted(ids - senior)
    if rest:
        new = case((ChaseNotice.day == today, 1), else_=0)
        per_action = (
            select(ChaseNotice.user_id, Action.due_on, func.max(new).label("new"))
            .join(
                Action,
                and_(Action.id == ChaseNotice.action_id, Action.due_on == ChaseNotice.due_on),
            )
            .where(
                ChaseNotice.user_id.in_(rest),
                _still_theirs(),
                Action.status.in_(OPEN_STATUSES),
            )
            .group_by(ChaseNotice.user_id, Action.id, Action.due_on)
            .subquery()
        )
        for uid, total, overdue, due_today, told in db.session.execute(
            select(
                per_action.c.user_id,
                func.count(),
                func.count().filter(per_action.c.due_on < today),
                func.count().filter(per_action.c.due_on == today),
                func.coalesce(func.sum(per_action.c.new), 0),
            ).group_by(per_action.c.user_id)
        ):
            found[uid] = Counts(int(total), int(overdue), int(due_today), int(told))
    return {uid: found.get(uid, Counts(0, 0, 0, 0)) for uid in ids}


def told_on(day: date) -> set[int]:
    """Everyone the chase reminded of something on *day*."""
    return set(
        db.session.scalars(select(ChaseNotice.user_id).where(ChaseNotice.day == day).distinct())
    )


def message(found: Counts) -> notifications.Message:
    """ "3 actions are overdue, 1 is due today and 2 are due soon (4 new today)"."""
    parts = [
        (n, label)
        for n, label in (
            (found.overdue, "overdue"),
            (found.due_today, "due today"),
            (found.total - found.overdue - found.due_today, "due soon"),
        )
        if n
    ]
    said = [f"{n} {'is' if n == 1 else 'are'} {label}" for n, label in parts]
    said[0] = f"{parts[0][0]} action{'' if parts[0][0] == 1 else 's'} {said[0].split(' ', 1)[1]}"
    subject = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"
    if found.new:
        subject += f" ({found.new} new today)"
    body = (
        "The daily chase has reminded you of these open actions. "
        "Open the list to see each one, most overdue first, and record progress on it."
    )
    return notifications.Message(kind=KIND, subject=subject, body=body, link=LINK)


def _lock() -> None:
    if db.session.connection().dialect.name == "postgresql":
        # Counting then writing is not atomic: a concurrent run waits here until this one
        # commits, then counts with this run's notices included.
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SUMMARY_LOCK})


def summarise_day(today: date, *, now: datetime, base_url: str) -> tuple[int, int]:
    """``summarise`` for everyone the chase reminded of something on *today* (a rerun also
    mends the summaries of a run killed before it wrote them)."""
    _lock()
    return summarise(told_on(today), today, now=now, base_url=base_url)


def summarise(
    user_ids: Iterable[int], today: date, *, now: datetime, base_url: str, email: bool = True
) -> tuple[int, int]:
    """Write or update today's summary for each user; returns (summaries written or changed,
    new ones held for a daily email digest). Emails (unless not *email*) follow the person's
    choice: one email a day (the first summary of the day) or a line in their daily digest.
    Counted, read and written in grouped queries (``counts_many``, ``notify_many``), so a
    council's thousands of people take seconds, not a query or five each."""
    _lock()
    found = {uid: c for uid, c in counts_many(user_ids, today).items() if c.total}
    if not found:
        return 0, 0
    keys = {uid: summary_key(uid, today) for uid in found}
    existing = {
        note.dedupe_key: note
        for note in db.session.scalars(
            select(Notification).where(Notification.dedupe_key.in_(list(keys.values())))
        )
    }
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(keys))))}
    fresh, written = [], []
    for uid in sorted(found):
        news, note = message(found[uid]), existing.get(keys[uid])
        if note is None:
            fresh.append((users[uid], news, keys[uid]))
        elif note.subject != news.subject[:200]:
            note.subject, note.body = news.subject[:200], news.body
            note.read_at = None  # it says something new
        else:
            continue
        written.append(uid)
    notifications.notify_many(fresh, now=now, base_url=base_url, email=email)
    held = sum(email and u.notification_mode == "digest" and bool(u.email) for u, _n, _k in fresh)
    if written:
        # Earlier days' unread summaries: today's counts everything still open.
        db.session.execute(
            update(Notification)
            .where(
                Notification.user_id.in_(written),
                Notification.kind == KIND,
                Notification.dedupe_key.not_in([keys[uid] for uid in written]),
                Notification.read_at.is_(None),
            )
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    return len(written), held
