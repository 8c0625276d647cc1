"""Daily reminders so moderations and tier 3 reviews are done in time.

A moderation due today: its moderator is reminded. Overdue: the moderator and qa_admin are told.
A tier 3 review overdue: its reviewer and the DCS are told. Each message is sent once per item
(dedupe keys), however often the job runs.
"""

from datetime import date, datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Moderation, Tier3Review, User, UserRole
from qa_app.services.moderation.escalation import directors
from qa_app.services.platform.notifications import Message, notify

OPEN = ("assigned", "compared")


def _admins() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "qa_admin", User.active.is_(True), User.pending.is_(False))
        )
    )


def chase(today: date, *, now: datetime, base_url: str) -> int:
    """Send today's reminders (flushes); returns how many items were chased."""
    chased = 0
    moderations = db.session.scalars(
        select(Moderation).where(Moderation.status.in_(OPEN), Moderation.due_on <= today)
    )
    for moderation in moderations:
        overdue = moderation.due_on < today
        link = f"/moderation/{moderation.id}"
        subject = (
            f"Moderation of audit {moderation.audit_id} is overdue"
            if overdue
            else f"Moderation of audit {moderation.audit_id} is due today"
        )
        stage = "overdue" if overdue else "due"
        people = [moderation.moderator] + (_admins() if overdue else [])
        for person in people:
            if person is None:
                continue
            notify(
                person,
                Message(kind=f"moderation_{stage}", subject=subject, link=link),
                dedupe_key=f"moderation-{stage}-{moderation.id}-{person.id}",
                now=now,
                base_url=base_url,
            )
        chased += 1
    reviews = db.session.scalars(
        select(Tier3Review).where(Tier3Review.status == "open", Tier3Review.due_on < today)
    )
    for review in reviews:
        people = {u.id: u for u in [review.reviewer, *directors()] if u is not None}
        for person in people.values():
            notify(
                person,
                Message(
                    kind="tier3_overdue",
                    subject=f"Tier 3 review {review.id} was due {review.due_on:%d %B %Y}",
                    link=f"/tier3/{review.id}",
                ),
                dedupe_key=f"tier3-overdue-{review.id}-{person.id}",
                now=now,
                base_url=base_url,
            )
        chased += 1
    db.session.flush()
    return chased
