"""Raising an action: owner, due date in working days, history, the owner told."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Notification
from qa_app.services.actions.raising import ActionError, raise_action
from tests.support.factories import CaseFactory, TeamFactory, make_user

NOW = datetime(2026, 12, 23, 10, 0)  # Wednesday before Christmas


def test_owner_defaults_to_the_worker_and_due_date_skips_bank_holidays(app_ctx):
    worker = make_user("social_worker")
    case = CaseFactory(worker=worker)
    action = raise_action(
        case, description="Update the chronology", by=None, now=NOW, base_url="http://x"
    )
    db.session.commit()
    assert action.owner_id == worker.id
    # 20 working days from 23 December 2026, skipping Christmas, Boxing Day (substitute) and New Year.
    assert action.due_on == date(2027, 1, 25)
    assert [e.kind for e in action.events] == ["raised"]
    note = db.session.scalar(select(Notification).where(Notification.user_id == worker.id))
    assert note.link == f"/actions/{action.id}"


def test_safeguarding_actions_are_due_next_working_day_and_owned_by_management(app_ctx):
    team = TeamFactory()
    manager = make_user("team_manager", team=team)
    worker = make_user("social_worker", team=team, line_manager=manager)
    case = CaseFactory(team=team, worker=worker)
    action = raise_action(
        case,
        description="Visit today",
        by=None,
        now=NOW,
        base_url="http://x",
        source="safeguarding",
        priority="safeguarding",
        management=True,
    )
    assert action.owner_id == manager.id
    assert action.due_on == date(2026, 12, 24)


def test_an_action_needs_a_description_and_an_owner(app_ctx):
    case = CaseFactory(worker=None, team=None)
    with pytest.raises(ActionError, match="Describe the action"):
        raise_action(case, description="  ", by=None, now=NOW, base_url="http://x")
    with pytest.raises(ActionError, match="choose who owns"):
        raise_action(case, description="Do it", by=None, now=NOW, base_url="http://x")
