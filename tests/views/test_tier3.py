"""The tier 3 queue and form: the reviewer records the review and raises actions."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Action, Tier3Review
from qa_app.services.moderation import escalation
from qa_app.services.moderation.rules import ModerationRules
from tests.support.factories import (
    CaseFactory,
    LocalityFactory,
    TeamFactory,
    make_submitted_audit,
    make_user,
)

# The re-audit date must lie ahead of today: the tests live in late November 2026.
pytestmark = pytest.mark.clock("2026-11-25T10:00")


@pytest.fixture
def review(app_ctx):
    north = LocalityFactory(name="North")
    team = TeamFactory(locality=north)
    hos = make_user("head_of_service", locality=north)
    worker = make_user("social_worker", team=team)
    audit = make_submitted_audit(grade=4, case=CaseFactory(team=team, worker=worker))
    (row,) = escalation.check_audit(
        audit, now=datetime(2026, 11, 23, 9), rules=ModerationRules(), base_url="http://x"
    )
    db.session.commit()
    return {"review": row, "hos": hos, "worker": worker, "audit": audit}


FORM = {
    "agrees_grade": "yes",
    "actions": "See the child alone this week\nConvene a strategy discussion",
    "reaudit_by": ["15", "1", "2027"],
}


def test_reviewer_records_the_review_and_raises_actions(review, client, auth):
    auth.login(review["hos"])
    listing = client.get("/tier3/").get_data(as_text=True)
    assert "Audit graded Inadequate" in listing
    url = f"/tier3/{review['review'].id}"
    form = FORM | {"overseen_by": str(review["hos"].id)}
    bad = client.post(url, data=form | {"reaudit_by": ["15", "13", "2027"]})
    assert bad.status_code == 400
    assert "Re-audit the case by must be a real date" in bad.get_data(as_text=True)
    no_overseer = client.post(url, data=FORM)
    assert "Choose who oversees the actions" in no_overseer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0
    assert client.post(url, data=form).status_code == 302
    db.session.expire_all()
    row = db.session.get(Tier3Review, review["review"].id)
    assert row.status == "completed" and row.agrees_grade is True
    actions = list(db.session.scalars(select(Action).order_by(Action.id)))
    assert [a.source for a in actions] == ["tier3", "tier3"]
    assert {a.owner_id for a in actions} == {review["worker"].id}
    assert actions[0].audit_id == review["audit"].id


def test_other_heads_of_service_cannot_open_it(review, client, auth):
    auth.login(make_user("head_of_service", locality=LocalityFactory(name="East")))
    assert client.get(f"/tier3/{review['review'].id}").status_code == 404
    auth.login(make_user("dcs"))
    page = client.get(f"/tier3/{review['review'].id}").get_data(as_text=True)
    assert "Tier 3 review" in page and "tier3-form" not in page
