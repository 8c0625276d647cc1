"""The chase's daily summary: one notification per person per day, counting exactly what the
chased-actions list shows; reruns update it; safeguarding actions are still told one by one."""

from datetime import date, datetime

from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import ChaseNotice, EmailMessage, Notification
from qa_app.services.actions import lifecycle as life
from qa_app.services.actions.chase import run_chase
from qa_app.services.actions.chase_summary import chased_actions, counts, summary_key
from qa_app.services.platform import notifications
from tests.support.factories import make_user
from tests.support.org import make_org, org_action

URL = "http://qa.test"
DUE = date(2026, 12, 21)  # Monday
HEAD_DAY = date(2027, 1, 7)  # 10 working days after DUE (over Christmas)
PSW_DAY = date(2027, 1, 21)  # 20 working days after DUE


def chase(day, hour=7):
    result = run_chase(
        day, now=datetime.combine(day, datetime.min.time()).replace(hour=hour), base_url=URL
    )
    db.session.commit()
    return result


def notes(user, kind=None):
    query = select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_forty_overdue_actions_make_one_notification_for_the_psw(app_ctx):
    org = make_org()
    actions = [org_action(org, due_on=DUE, audited=False) for _ in range(40)]
    db.session.commit()
    result = chase(PSW_DAY)
    assert result.sent["dcs_psw"] == 80  # 40 actions, the DCS and the PSW each told of each
    (note,) = notes(org.psw)
    assert note.kind == "action_chase" and note.link == "/actions/chased"
    assert note.subject == "40 actions are overdue (40 new today)"
    assert note.dedupe_key == summary_key(org.psw.id, PSW_DAY)
    assert {a.id for a in chased_actions(org.psw)} == {a.id for a in actions}
    # The per-action record stays: each reminder is a ChaseNotice row (and an ActionReminder).
    assert (
        db.session.scalar(
            select(func.count(ChaseNotice.id)).where(ChaseNotice.user_id == org.psw.id)
        )
        == 40
    )
    # The owner, the line manager and the head of service: one notification each, too.
    for person in (org.worker, org.manager, org.head, org.dcs):
        assert [n.subject for n in notes(person)] == ["40 actions are overdue (40 new today)"]


def test_running_again_the_same_day_changes_nothing_and_a_later_run_updates_the_one_summary(
    app_ctx,
):
    org = make_org()
    first = [org_action(org, due_on=DUE, audited=False) for _ in range(3)]
    db.session.commit()
    chase(date(2026, 12, 22))
    (note,) = notes(org.worker)
    note_id, subject = note.id, note.subject
    assert subject == "3 actions are overdue (3 new today)"
    again = chase(date(2026, 12, 22), hour=9)
    assert sum(again.sent.values()) == 0 and again.summaries == 0
    assert [(n.id, n.subject) for n in notes(org.worker)] == [(note_id, subject)]
    # The worker reads it; an action raised later the same day comes due soon (a later run):
    # the same notification now counts it and is unread again. No second email that day.
    notifications.mark_read(org.worker, note_id, now=datetime(2026, 12, 22, 10))
    org_action(org, due_on=date(2026, 12, 23), audited=False)
    db.session.commit()
    emails_before = db.session.scalar(select(func.count(EmailMessage.id)))
    chase(date(2026, 12, 22), hour=13)
    (note,) = notes(org.worker)
    assert note.id == note_id and note.read_at is None
    assert note.subject == "3 actions are overdue and 1 is due soon (4 new today)"
    assert db.session.scalar(select(func.count(EmailMessage.id))) == emails_before
    assert len(chased_actions(org.worker)) == 4 == counts(org.worker, date(2026, 12, 22)).total
    assert len(chased_actions(org.worker, new_on=date(2026, 12, 22))) == 4
    assert {a.id for a in first} < {a.id for a in chased_actions(org.worker)}


def test_the_next_days_summary_replaces_yesterdays_and_counts_what_is_new(app_ctx):
    org = make_org()
    old = [org_action(org, due_on=DUE, audited=False) for _ in range(3)]
    db.session.commit()
    chase(HEAD_DAY)
    newer = org_action(org, due_on=date(2027, 1, 8), audited=False)
    life.complete(old[0], by=org.worker, now=datetime(2027, 1, 8, 8), evidence="Done",
                  expected_version=1)  # fmt: skip
    db.session.commit()
    chase(date(2027, 1, 11))  # newer is one working day overdue
    yesterday, today = notes(org.worker)
    assert yesterday.read_at is not None  # today's summary counts everything still open
    assert today.read_at is None
    assert today.subject == "3 actions are overdue (1 new today)"  # old[0] done, newer added
    assert [a.id for a in chased_actions(org.worker, new_on=date(2027, 1, 11))] == [newer.id]
    # The head heard only of the first three (10 working days overdue), on HEAD_DAY.
    assert [n.subject for n in notes(org.head)] == ["3 actions are overdue (3 new today)"]
    assert {a.id for a in chased_actions(org.head)} == {a.id for a in old[1:]}


def test_safeguarding_actions_are_still_told_one_by_one(app_ctx):
    org = make_org()
    urgent = org_action(org, due_on=DUE, priority="safeguarding", audited=False)
    routine = org_action(org, due_on=DUE, audited=False)
    db.session.commit()
    chase(date(2026, 12, 22))
    kinds = sorted(n.kind for n in notes(org.worker))
    assert kinds == ["action_chase", "action_overdue_owner"]
    (single,) = notes(org.worker, "action_overdue_owner")
    assert single.link == f"/actions/{urgent.id}"
    (summary,) = notes(org.worker, "action_chase")
    assert summary.subject == "1 action is overdue (1 new today)"
    assert [a.id for a in chased_actions(org.worker)] == [routine.id]


def test_a_reassigned_action_leaves_the_old_owners_list(app_ctx):
    org = make_org()
    spare = make_user("social_worker", team=org.team, line_manager=org.manager)
    action = org_action(org, due_on=DUE, audited=False)
    db.session.commit()
    chase(date(2026, 12, 22))
    life.reassign(action, by=org.manager, now=datetime(2026, 12, 22, 9), owner_id=spare.id,
                  expected_version=1, base_url=URL)  # fmt: skip
    db.session.commit()
    assert chased_actions(org.worker) == []
    assert [a.id for a in chased_actions(org.manager)] == [action.id]  # still their report's


def test_digest_users_get_the_summary_as_one_line_of_one_email(app_ctx):
    org = make_org()
    notifications.set_mode(org.worker, "digest")
    for _ in range(12):
        org_action(org, due_on=DUE, audited=False)
    db.session.commit()
    result = chase(date(2026, 12, 22))
    assert result.digests == 1
    assert (
        db.session.scalar(
            select(func.count(EmailMessage.id)).where(EmailMessage.user_id == org.worker.id)
        )
        == 0
    )
    notifications.build_digests(date(2026, 12, 22), now=datetime(2026, 12, 22, 18), base_url=URL)
    db.session.commit()
    (digest,) = db.session.scalars(
        select(EmailMessage).where(EmailMessage.user_id == org.worker.id)
    ).all()
    assert digest.subject == "Casefile QA: 1 notification"
    assert f"- 12 actions are overdue (12 new today): {URL}/actions/chased" in digest.body
