"""The chase ladder: who is told what and when, once per rung, absences, digests, emails.
(The daily summary that replaces a notification per action: test_chase_summary.py.)"""

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Absence, ActionReminder, ChaseNotice, Notification
from qa_app.services.actions import lifecycle as life
from qa_app.services.actions.chase import run_chase, rung_dates
from qa_app.services.actions.chase_summary import summary_key
from qa_app.services.platform import notifications
from tests.support.org import make_org, org_action
from tests.support.smtp import SmtpServer

NOW = datetime(2026, 12, 1, 7, 0)
URL = "http://qa.test"
DUE = date(2026, 12, 21)  # Monday; Christmas and Boxing Day (substitute, 28th) follow


@pytest.fixture
def smtp(app):
    with SmtpServer() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_FROM="qa@c.test")
        yield server


def notes_for(user):
    query = select(Notification).where(Notification.user_id == user.id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def notices_for(user, rung=None):
    query = select(ChaseNotice).where(ChaseNotice.user_id == user.id)
    if rung:
        query = query.where(ChaseNotice.rung == rung)
    return list(db.session.scalars(query.order_by(ChaseNotice.id)))


def chase(day):
    result = run_chase(day, now=NOW, base_url=URL)
    db.session.commit()
    return result


def test_rung_dates_count_working_days_over_christmas():
    dates = rung_dates(DUE)
    assert dates["due_soon"] == date(2026, 12, 14)
    assert dates["overdue_owner"] == date(2026, 12, 22)
    # 10 working days after 21 December skips 25, 28 December (Boxing Day substitute), 1 January.
    assert dates["head_of_service"] == date(2027, 1, 7)
    assert dates["dcs_psw"] == date(2027, 1, 21)


def test_each_rung_goes_to_the_right_people_once(app_ctx):
    org = make_org()
    action = org_action(org, due_on=DUE)
    expected = [
        (date(2026, 12, 14), {"due_soon": [org.worker]}),
        (date(2026, 12, 21), {"due_today": [org.worker]}),
        (date(2026, 12, 22), {"overdue_owner": [org.worker], "overdue_manager": [org.manager]}),
        (date(2027, 1, 7), {"head_of_service": [org.head]}),
        (date(2027, 1, 21), {"dcs_psw": [org.dcs, org.psw]}),
    ]
    assert sum(chase(date(2026, 12, 11)).sent.values()) == 0
    for day, rungs in expected:
        result = chase(day)
        assert {r: n for r, n in result.sent.items() if n} == {
            r: len(people) for r, people in rungs.items()
        }
        for rung, people in rungs.items():
            for person in people:
                (notice,) = notices_for(person, rung)
                assert notice.action_id == action.id and notice.day == day
                # One summary notification for the person that day, linking to the list.
                key = summary_key(person.id, day)
                note = db.session.scalar(select(Notification).where(Notification.dedupe_key == key))
                assert note.kind == "action_chase" and note.link == "/actions/chased"
        again = chase(day)
        assert sum(again.sent.values()) == 0 and again.skipped_already_sent > 0


def test_a_missed_run_catches_up_telling_the_owner_only_the_latest(app_ctx):
    org = make_org()
    org_action(org, due_on=DUE)
    result = chase(date(2027, 1, 8))  # nothing ran before: 11 working days overdue
    assert result.sent == {
        "due_soon": 0,
        "due_today": 0,
        "overdue_owner": 1,
        "overdue_manager": 1,
        "head_of_service": 1,
        "dcs_psw": 0,
    }
    outcomes = dict(db.session.execute(select(ActionReminder.rung, ActionReminder.outcome)).all())
    assert outcomes == {
        "due_soon": "superseded",
        "due_today": "superseded",
        "overdue_owner": "sent",
        "overdue_manager": "sent",
        "head_of_service": "sent",
    }
    assert [n.rung for n in notices_for(org.worker)] == ["overdue_owner"]
    assert [n.subject for n in notes_for(org.worker)] == ["1 action is overdue (1 new today)"]


def test_an_absent_owners_reminders_go_to_their_line_manager(app_ctx):
    org = make_org()
    org_action(org, due_on=DUE)
    db.session.add(Absence(user_id=org.worker.id, starts_on=date(2026, 12, 10), ends_on=DUE))
    db.session.commit()
    chase(date(2026, 12, 14))
    assert notes_for(org.worker) == [] and notices_for(org.worker) == []
    (notice,) = notices_for(org.manager, "due_soon")
    assert notice.cover is True
    (note,) = notes_for(org.manager)
    assert note.subject == "1 action is due soon (1 new today)"


def test_changing_the_due_date_restarts_the_ladder_and_completed_actions_are_not_chased(app_ctx):
    org = make_org()
    action = org_action(org, due_on=DUE)
    chase(date(2026, 12, 14))
    life.change_due_date(
        action,
        by=org.manager,
        now=NOW,
        due_on=date(2027, 1, 15),
        reason="Conference moved",
        expected_version=1,
        today=date(2026, 12, 14),
    )
    db.session.commit()
    assert chase(date(2026, 12, 22)).sent["overdue_owner"] == 0
    assert chase(date(2027, 1, 8)).sent["due_soon"] == 1
    life.complete(action, by=org.worker, now=NOW, evidence="Done", expected_version=2)
    db.session.commit()
    assert sum(chase(date(2027, 1, 18)).sent.values()) == 0


def test_digest_users_get_one_digest_listing_their_reminders(app_ctx):
    org = make_org()
    notifications.set_mode(org.worker, "digest")
    first = org_action(org, due_on=DUE)
    second = org_action(org, due_on=DUE)
    db.session.commit()
    result = chase(date(2026, 12, 21))
    # Two reminders, one summary held for the digest.
    assert result.sent["due_today"] == 2 and result.digests == 1
    assert (
        notifications.build_digests(
            date(2026, 12, 21), now=datetime(2026, 12, 21, 7, 30), base_url=URL
        )
        >= 1
    )
    db.session.commit()
    from qa_app.models import EmailMessage  # noqa: PLC0415

    digest = db.session.scalar(
        select(EmailMessage).where(
            EmailMessage.user_id == org.worker.id, EmailMessage.kind == "digest"
        )
    )
    assert f"- 2 actions are due today (2 new today): {URL}/actions/chased" in digest.body
    assert f"/actions/{first.id}" not in digest.body and f"/actions/{second.id}" not in digest.body


def test_reminder_emails_carry_the_count_and_link_but_nothing_about_the_child(app_ctx, smtp):
    org = make_org()
    action = org_action(org, due_on=DUE, description="Chronology missing for Jayden's move")
    chase(date(2026, 12, 22))
    received = {m["To"]: m for m in smtp.messages}
    body = received[org.worker.email].get_payload()
    assert received[org.worker.email]["Subject"] == "1 action is overdue (1 new today)"
    assert f"{URL}/actions/chased" in body
    for message in smtp.messages:
        text = message["Subject"] + message.get_payload()
        assert action.case.child.la_child_id not in text and f"case {action.case_id}" not in text
        assert "Jayden" not in text and "Chronology" not in text
    assert set(received) == {org.worker.email, org.manager.email}


def test_a_chase_batch_is_emailed_when_it_commits_without_waiting_for_the_sweeper(app_ctx, smtp):
    from qa_app.models import EmailMessage  # noqa: PLC0415

    org = make_org()
    actions = [org_action(org, due_on=DUE) for _ in range(3)]
    db.session.commit()
    result = run_chase(date(2026, 12, 22), now=NOW, base_url=URL)
    assert smtp.messages == []  # nothing leaves before the batch commits
    db.session.commit()
    # One summary email each for the owner and the manager (not one per action), sent by the
    # job queued at commit: no sweep ran.
    assert result.sent["overdue_owner"] == result.sent["overdue_manager"] == len(actions) == 3
    assert sorted(m["To"] for m in smtp.messages) == sorted([org.worker.email, org.manager.email])
    assert {m["Subject"] for m in smtp.messages} == {"3 actions are overdue (3 new today)"}
    db.session.expire_all()
    assert set(db.session.scalars(select(EmailMessage.status))) == {"sent"}


def test_a_chase_run_committing_per_batch_sends_each_batch(app_ctx, smtp):
    org = make_org()
    for _ in range(5):
        org_action(org, due_on=DUE)
    db.session.commit()
    sizes = []

    def commit():
        db.session.commit()
        sizes.append(len(smtp.messages))

    run_chase(date(2026, 12, 22), now=NOW, base_url=URL, on_batch=commit, batch_size=2)
    # Three batches of reminders, then the owner's and the manager's one summary each (5
    # actions), emailed when that last step commits: two emails, not ten.
    assert sizes == [0, 0, 0, 2]
    assert {n.subject for n in notes_for(org.worker) + notes_for(org.manager)} == {
        "5 actions are overdue (5 new today)"
    }


def test_the_chase_command_prints_the_counts_as_json(app_ctx, runner):
    org = make_org()
    org_action(org, due_on=DUE)
    out = runner.invoke(args=["actions", "chase", "--today", "2026-12-22", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {
        "today": "2026-12-22",
        "sent": {
            "due_soon": 0,
            "due_today": 0,
            "overdue_owner": 1,
            "overdue_manager": 1,
            "head_of_service": 0,
            "dcs_psw": 0,
        },
        "digests": 0,
        "summaries": 2,
        "skipped_already_sent": 0,
    }
    again = runner.invoke(args=["actions", "chase", "--today", "2026-12-22", "--json"])
    assert json.loads(again.output)["skipped_already_sent"] == 4
    bad = runner.invoke(args=["actions", "chase", "--today", "22/12/2026"])
    assert bad.exit_code == 2 and "--today" in bad.output and "YYYY-MM-DD" in bad.output
    assert db.session.scalar(select(func.count(ActionReminder.id))) == 4
