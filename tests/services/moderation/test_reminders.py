"""Reminders for moderations due or overdue and overdue tier 3 reviews: each sent once."""

from datetime import date, datetime

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Moderation, Notification
from qa_app.services.moderation import escalation
from qa_app.services.moderation.rules import ModerationRules
from tests.support.factories import (
    CaseFactory,
    LocalityFactory,
    TeamFactory,
    make_submitted_audit,
    make_user,
)


def _told():
    return sorted(db.session.execute(select(Notification.user_id, Notification.kind)).all())


def test_reminders_go_once_to_the_right_people(app_ctx):
    from workers import jobs  # noqa: PLC0415

    north = LocalityFactory(name="North")
    hos = make_user("head_of_service", locality=north)
    dcs = make_user("dcs")
    admin = make_user("qa_admin")
    moderator = make_user("independent_auditor")
    due_today = make_submitted_audit(grade=3)
    late = make_submitted_audit(grade=3)
    for audit, due in ((due_today, date(2026, 12, 7)), (late, date(2026, 12, 4))):
        db.session.add(
            Moderation(audit_id=audit.id, moderator_id=moderator.id, reason="random", due_on=due)
        )
    bad = make_submitted_audit(grade=4, case=CaseFactory(team=TeamFactory(locality=north)))
    escalation.check_audit(
        bad, now=datetime(2026, 11, 23, 9), rules=ModerationRules(), base_url="http://x"
    )
    db.session.query(Notification).delete()
    db.session.commit()

    assert jobs.chase_moderation("2026-12-07") == 3
    first = _told()
    assert jobs.chase_moderation("2026-12-07") == 3
    assert _told() == first  # nothing sent twice
    assert first == sorted(
        [
            (moderator.id, "moderation_due"),
            (moderator.id, "moderation_overdue"),
            (admin.id, "moderation_overdue"),
            (hos.id, "tier3_overdue"),
            (dcs.id, "tier3_overdue"),
        ]
    )
