"""The action lifecycle: who may do what, from which state, with which input; all in history."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import ActionEvent, EmailMessage, Notification
from qa_app.services.actions import lifecycle as life
from qa_app.services.actions.lifecycle import (
    ActionInputError,
    ActionPermissionError,
    StaleActionError,
)
from tests.support.factories import make_user
from tests.support.org import make_org, org_action, reload

NOW = datetime(2026, 12, 1, 9, 0)
URL = "http://qa.test"


def test_owner_starts_and_completes_and_the_auditor_verifies_with_effectiveness(app_ctx):
    org = make_org()
    action = org_action(org)
    life.start(action, by=org.worker, now=NOW, expected_version=1)
    life.complete(
        action,
        by=org.worker,
        now=NOW,
        evidence="Chronology brought up to date",
        evidence_link="https://cms.council.test/case/1",
        expected_version=2,
    )
    life.verify(action, by=org.auditor, now=NOW, effectiveness="partly", expected_version=3)
    db.session.commit()
    action = reload(action)
    assert (action.status, action.effectiveness, action.version) == ("verified", "partly", 4)
    assert action.verified_by_id == org.auditor.id
    assert action.evidence_link == "https://cms.council.test/case/1"
    kinds = [(e.kind, e.by_id) for e in action.events]
    assert kinds == [
        ("started", org.worker.id),
        ("completed", org.worker.id),
        ("verified", org.auditor.id),
    ]
    assert action.events[2].detail["effectiveness"] == "partly"


def test_completing_needs_evidence_and_a_real_link_and_changes_nothing_when_refused(app_ctx):
    org = make_org()
    action = org_action(org)
    with pytest.raises(ActionInputError, match="Enter the evidence") as err:
        life.complete(action, by=org.worker, now=NOW, evidence="  ", expected_version=1)
    assert err.value.field == "evidence"
    with pytest.raises(ActionInputError, match="full web address") as err:
        life.complete(
            action,
            by=org.worker,
            now=NOW,
            evidence="Done",
            evidence_link="javascript:alert(1)",
            expected_version=1,
        )
    assert err.value.field == "evidence_link"
    db.session.rollback()
    action = reload(action)
    assert (action.status, action.version, action.evidence, action.events) == (
        "open",
        1,
        None,
        [],
    )


def test_only_the_team_manager_or_auditor_verifies_and_never_their_own_completion(app_ctx):
    org = make_org()
    action = org_action(org)
    stranger = make_user("team_manager")
    life.complete(action, by=org.manager, now=NOW, evidence="Done", expected_version=1)
    with pytest.raises(ActionPermissionError, match="cannot verify"):
        life.verify(action, by=org.worker, now=NOW, effectiveness="yes", expected_version=2)
    with pytest.raises(ActionPermissionError):
        life.verify(action, by=stranger, now=NOW, effectiveness="yes", expected_version=2)
    # The manager completed it, so the manager cannot verify it: the auditor can.
    with pytest.raises(ActionPermissionError):
        life.verify(action, by=org.manager, now=NOW, effectiveness="yes", expected_version=2)
    with pytest.raises(ActionInputError, match="yes, partly or no") as err:
        life.verify(action, by=org.auditor, now=NOW, effectiveness="maybe", expected_version=2)
    assert err.value.field == "effectiveness"
    life.verify(action, by=org.auditor, now=NOW, effectiveness="no", expected_version=2)
    assert action.status == "verified"


def test_reopen_and_cancel_need_a_reason(app_ctx):
    org = make_org()
    action = org_action(org)
    life.complete(action, by=org.worker, now=NOW, evidence="Done", expected_version=1)
    with pytest.raises(ActionInputError, match="why the action is reopened"):
        life.reopen(action, by=org.manager, now=NOW, reason="", expected_version=2, base_url=URL)
    life.reopen(
        action, by=org.manager, now=NOW, reason="No plan on file", expected_version=2, base_url=URL
    )
    assert action.status == "reopened"
    told = db.session.scalar(
        select(Notification).where(
            Notification.user_id == org.worker.id, Notification.kind == "action_reopened"
        )
    )
    assert told is not None and told.link == f"/actions/{action.id}"
    with pytest.raises(ActionPermissionError):
        life.cancel(action, by=org.worker, now=NOW, reason="Not needed", expected_version=3)
    with pytest.raises(ActionInputError, match="why the action is cancelled") as err:
        life.cancel(action, by=org.psw, now=NOW, reason=" ", expected_version=3)
    assert err.value.field == "reason"
    life.cancel(action, by=org.psw, now=NOW, reason="Case closed", expected_version=3)
    assert (action.status, action.cancelled_reason) == ("cancelled", "Case closed")
    assert [e.kind for e in action.events][-2:] == ["reopened", "cancelled"]


def test_a_stale_version_is_refused_and_changes_nothing(app_ctx):
    org = make_org()
    action = org_action(org)
    life.start(action, by=org.worker, now=NOW, expected_version=1)
    db.session.commit()
    with pytest.raises(StaleActionError, match="Someone else changed"):
        life.complete(action, by=org.worker, now=NOW, evidence="Done", expected_version=1)
    db.session.rollback()
    action = reload(action)
    assert (action.status, action.version) == ("in_progress", 2)


def test_reassigning_tells_the_new_owner_and_withdraws_the_old_owners_pending_reminders(app_ctx):
    org = make_org()
    digest_worker = make_user("social_worker", team=org.team, notification_mode="digest")
    action = org_action(org, owner=org.worker)
    other = org_action(org, owner=org.worker)
    newcomer = make_user("social_worker", team=org.team)
    # Pending chase reminders for the old owner: an unsent email and a digest-waiting note.
    from qa_app.services.platform.notifications import Message, notify  # noqa: PLC0415

    for a in (action, other):
        notify(
            org.worker,
            Message(kind="action_chase", subject="Due soon", link=f"/actions/{a.id}"),
            dedupe_key=f"chase:{a.id}:2026-12-21:due_soon:{org.worker.id}",
            now=NOW,
            base_url=URL,
        )
    db.session.flush()  # queued, not yet sent: the email goes out after commit
    with pytest.raises(ActionInputError, match="already owns") as err:
        life.reassign(
            action,
            by=org.manager,
            now=NOW,
            owner_id=org.worker.id,
            expected_version=1,
            base_url=URL,
        )
    assert err.value.field == "owner"
    with pytest.raises(ActionPermissionError):
        life.reassign(
            action,
            by=digest_worker,
            now=NOW,
            owner_id=newcomer.id,
            expected_version=1,
            base_url=URL,
        )
    life.reassign(
        action, by=org.manager, now=NOW, owner_id=newcomer.id, expected_version=1, base_url=URL
    )
    db.session.flush()
    emails = {
        e.dedupe_key: e.status
        for e in db.session.scalars(
            select(EmailMessage).where(EmailMessage.user_id == org.worker.id)
        )
    }
    assert emails[f"n:chase:{action.id}:2026-12-21:due_soon:{org.worker.id}"] == "not_sent"
    assert emails[f"n:chase:{other.id}:2026-12-21:due_soon:{org.worker.id}"] == "queued"
    told = db.session.scalar(
        select(Notification).where(
            Notification.user_id == newcomer.id, Notification.kind == "action_reassigned"
        )
    )
    assert told is not None
    event = db.session.scalar(select(ActionEvent).where(ActionEvent.kind == "reassigned"))
    assert event.detail["from_owner_id"] == org.worker.id
    assert event.detail["to_owner_id"] == newcomer.id
    assert event.detail["withdrawn_reminders"] == 1


def test_due_date_changes_must_be_future_working_days(app_ctx):
    org = make_org()
    action = org_action(org, due_on=date(2026, 12, 21))
    today = date(2026, 12, 1)
    cases = [
        (None, "Enter the new due date"),
        (date(2026, 11, 30), "today or later"),
        (date(2026, 12, 25), "not a working day"),
        (date(2026, 12, 21), "same as the current"),
    ]
    for due_on, message in cases:
        with pytest.raises(ActionInputError, match=message) as err:
            life.change_due_date(
                action,
                by=org.manager,
                now=NOW,
                due_on=due_on,
                reason="Waiting for conference",
                expected_version=1,
                today=today,
            )
        assert err.value.field == "due_on"
    life.change_due_date(
        action,
        by=org.manager,
        now=NOW,
        due_on=date(2027, 1, 8),
        reason="Waiting for conference",
        expected_version=1,
        today=today,
    )
    assert action.due_on == date(2027, 1, 8)
    assert action.events[-1].detail == {
        "from": "2026-12-21",
        "to": "2027-01-08",
        "reason": "Waiting for conference",
    }


def test_overdue_is_derived_from_today(app_ctx):
    org = make_org()
    action = org_action(org, due_on=date(2026, 12, 21))
    assert life.display_status(action, date(2026, 12, 21)) == "open"
    assert life.display_status(action, date(2026, 12, 22)) == "overdue"
    life.complete(action, by=org.worker, now=NOW, evidence="Done", expected_version=1)
    assert life.display_status(action, date(2026, 12, 22)) == "completed"
