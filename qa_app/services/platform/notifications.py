"""Telling people things: in-app notifications, and email through an outbox.

``notify`` is the one door for every feature (sampling, actions, escalation...); ``notify_many``
is the same door for thousands at once (the daily chase). It writes a Notification and, for
people who want single emails, an EmailMessage row, both in the caller's transaction and both
keyed by a dedupe key, so calling it twice for the same event does nothing the second time. Emails are sent by a background job after commit (see
``qa_app.background``); people who chose a daily digest get one email a day listing what they
have not yet been emailed. Emails carry nothing more personal than the case's reference ("Child
02891558", ``Case.reference``, the one the case page shows): a subject, that reference and a link
into the service. Colleagues' names and typed notes go in ``Message.in_service``, shown in the
service only.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ARRAY, Text, any_, bindparam, cast, func, insert, select, update

from qa_app.bulk import insert_rows
from qa_app.extensions import db
from qa_app.models import EmailMessage, Notification, User

NOTIFICATION_MODES = {"immediate": "An email for each notification", "digest": "A daily digest"}
OUTBOX_SESSION_KEY = "qa_outbox_ids"
PRIVACY_LINE = "This email names a child only by their council id: sign in to read the case."
KEYS_PER_QUERY = 500  # dedupe keys looked up per IN (...) list (SQLite)


@dataclass(frozen=True)
class Message:
    """What to tell someone. *link* is a path in the service (e.g. ``/assignments/``).

    *subject* and *body* are emailed, so they name a case only by its reference; *in_service*
    is added to the notification in the service and never emailed (names, typed notes)."""

    kind: str
    subject: str
    body: str = ""
    link: str | None = None
    in_service: str = ""

    @property
    def shown_body(self) -> str:
        """The notification's text in the service: the body and what is never emailed."""
        return "\n".join(part for part in (self.body, self.in_service) if part)


def _absolute(base_url: str, link: str | None) -> str:
    if not link:
        return base_url.rstrip("/") + "/"
    return base_url.rstrip("/") + link if link.startswith("/") else link


def _emailed_alone(user: User, email: bool) -> bool:
    """Whether a notification gets an email of its own; with *email*, the rest wait for the
    recipient's daily digest."""
    return email and user.notification_mode != "digest"


def _email_text(user: User, message: Message, base_url: str) -> str:
    lines = [f"Dear {user.name},", "", message.body.strip(), ""]
    lines += [f"Open it in Casefile QA: {_absolute(base_url, message.link)}", ""]
    lines += [
        "You can choose single emails or a daily digest on your notifications page.",
        PRIVACY_LINE,
    ]
    return "\n".join(lines)


def queue_email(
    *,
    dedupe_key: str,
    to: User,
    subject: str,
    body: str,
    now: datetime,
    kind: str = "single",
) -> EmailMessage | None:
    """Put an email in the outbox once per dedupe key (None when already there or no address)."""
    if not to.email:
        return None
    existing = db.session.scalar(select(EmailMessage).where(EmailMessage.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    email = EmailMessage(
        dedupe_key=dedupe_key,
        user_id=to.id,
        to_address=to.email,
        subject=subject[:200],
        body=body,
        kind=kind,
        created_at=now,
    )
    # A concurrent writer of the same key makes this flush (or the commit) fail on the unique
    # key: that transaction is rolled back and retried, and then finds the row above.
    db.session.add(email)
    db.session.flush()
    db.session.info.setdefault(OUTBOX_SESSION_KEY, []).append(email.id)
    return email


def notify(
    user: User,
    message: Message,
    *,
    dedupe_key: str,
    now: datetime,
    base_url: str,
    email: bool = True,
) -> Notification:
    """Tell *user* about something, once per *dedupe_key*.

    The notification shows in the service at once. If *email* and the user wants single
    emails, an email is queued too (sent after the caller commits); digest users get it in
    their next daily digest.
    """
    existing = db.session.scalar(select(Notification).where(Notification.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    note = Notification(
        user_id=user.id,
        kind=message.kind,
        subject=message.subject[:200],
        body=message.shown_body,
        link=message.link,
        dedupe_key=dedupe_key,
        created_at=now,
        wants_email=email,
    )
    db.session.add(note)
    db.session.flush()
    if _emailed_alone(user, email):
        sent = queue_email(
            dedupe_key=f"n:{dedupe_key}",
            to=user,
            subject=message.subject,
            body=_email_text(user, message, base_url),
            now=now,
        )
        if sent is not None:
            note.email_id = sent.id
    db.session.flush()
    return note


@dataclass
class Told:
    """What ``notify_many`` wrote."""

    notified: int = 0  # new notifications
    emailed: int = 0  # emails queued, sent after the caller commits
    for_digest: int = 0  # new notifications held for their recipient's daily digest
    already: int = 0  # dedupe keys told before (or twice in the call): nothing written


def _taken(column, keys: list[str]) -> dict[str, int | None]:
    """Which of *keys* the unique *column* already holds (key -> the row's id)."""
    found: dict[str, int | None] = {}
    id_column = column.table.c.id
    if keys and db.session.connection().dialect.name == "postgresql":
        # One array parameter: binding thousands of IN (...) parameters costs ten times the
        # lookup itself (a chase batch looks up thousands of keys).
        wanted = cast(bindparam("keys", keys, type_=ARRAY(Text)), ARRAY(Text))
        return dict(
            db.session.execute(select(column, id_column).where(column == any_(wanted))).all()
        )
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        found.update(db.session.execute(select(column, id_column).where(column.in_(chunk))).all())
    return found


def notify_many(
    notices: Iterable[tuple[User, Message, str]],
    *,
    now: datetime,
    base_url: str,
    email: bool = True,
) -> Told:
    """``notify`` for many (user, message, dedupe key) at once, by the same rules: nothing twice
    per dedupe key, an email for people who want single emails (sent after the caller commits),
    the daily digest for the rest. Rows are written with grouped INSERTs, not a query per
    person, so a chase can tell thousands of people in a second."""
    db.session.flush()
    wanted: dict[str, tuple[User, Message]] = {}
    given = 0
    for user, message, key in notices:
        given += 1
        wanted.setdefault(key, (user, message))
    for key in _taken(Notification.dedupe_key, list(wanted)):
        del wanted[key]
    told = Told(notified=len(wanted), already=given - len(wanted))
    emails = {
        f"n:{key}": (user, message)
        for key, (user, message) in wanted.items()
        if _emailed_alone(user, email) and user.email
    }
    email_ids = _taken(EmailMessage.dedupe_key, list(emails))
    new_emails = [
        {
            "dedupe_key": key,
            "user_id": user.id,
            "to_address": user.email,
            "subject": message.subject[:200],
            "body": _email_text(user, message, base_url),
            "kind": "single",
            "status": "queued",
            "attempts": 0,
            "created_at": now,
        }
        for key, (user, message) in emails.items()
        if key not in email_ids
    ]
    if new_emails:
        rows = db.session.execute(
            insert(EmailMessage).returning(EmailMessage.id, EmailMessage.dedupe_key), new_emails
        ).all()
        email_ids.update({row.dedupe_key: row.id for row in rows})
        db.session.info.setdefault(OUTBOX_SESSION_KEY, []).extend(row.id for row in rows)
        told.emailed = len(rows)
    insert_rows(
        Notification.__table__,
        [
            {
                "user_id": user.id,
                "kind": message.kind,
                "subject": message.subject[:200],
                "body": message.shown_body,
                "link": message.link,
                "dedupe_key": key,
                "created_at": now,
                "wants_email": email,
                "email_id": email_ids.get(f"n:{key}"),
            }
            for key, (user, message) in wanted.items()
        ],
    )
    told.for_digest = sum(
        1 for user, _message in wanted.values() if email and not _emailed_alone(user, email)
    )
    return told


def unread_count(user: User) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def recent(user: User, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_read(user: User, notification_id: int | None, *, now: datetime) -> int:
    """Mark one of the user's notifications (or all, with None) as read; returns how many."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=now)).rowcount


def set_mode(user: User, mode: str) -> None:
    if mode not in NOTIFICATION_MODES:
        raise ValueError(f"Choose one of: {', '.join(NOTIFICATION_MODES)}")
    user.notification_mode = mode
    db.session.flush()


def build_digests(day: date, *, now: datetime, base_url: str) -> int:
    """One email per digest user listing notifications not yet emailed (idempotent per day)."""
    rows = db.session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(
            User.notification_mode == "digest",
            Notification.wants_email.is_(True),
            Notification.email_id.is_(None),
            Notification.created_at < now,
        )
        .order_by(User.id, Notification.created_at, Notification.id)
    ).all()
    by_user: dict[int, tuple[User, list[Notification]]] = {}
    for note, user in rows:
        by_user.setdefault(user.id, (user, []))[1].append(note)
    count = 0
    for user, notes in by_user.values():
        lines = [
            f"Dear {user.name},",
            "",
            f"Your Casefile QA notifications for {day:%-d %B %Y}:",
            "",
        ]
        for note in notes:
            lines.append(f"- {note.subject}: {_absolute(base_url, note.link)}")
        lines += ["", f"All notifications: {_absolute(base_url, '/notifications/')}"]
        email = queue_email(
            dedupe_key=f"digest:{user.id}:{day.isoformat()}",
            to=user,
            subject=f"Casefile QA: {len(notes)} notification{'s' if len(notes) != 1 else ''}",
            body="\n".join(lines),
            now=now,
            kind="digest",
        )
        if email is not None:
            for note in notes:
                note.email_id = email.id
            count += 1
    db.session.flush()
    return count
