"""The sampling page flags cases closed since the draw, replaces them, and publishes a sample that
holds closed cases only when asked to (issue 15, item 2); `qa sample` likewise."""

from datetime import date

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AuditCycle, Case, SampleItem, SampleReplacement
from tests.support.factories import CaseFactory, TeamFactory, make_user
from tests.support.pages import page_text

pytestmark = pytest.mark.clock("2026-11-25T10:00")


@pytest.fixture
def admin(app_ctx):
    team = TeamFactory(name="North 1")
    manager = make_user("team_manager", team=team, line_manager=make_user("psw"))
    worker = make_user("social_worker", team=team, line_manager=manager)
    make_user("advanced_practitioner", line_manager=manager, email="ap@council.test")
    for _ in range(20):
        CaseFactory(team=team, worker=worker, cohort="cin", opened_on=date(2026, 1, 5))
    return make_user("qa_admin")


def close_sampled(n: int) -> list[int]:
    ids = db.session.scalars(select(SampleItem.case_id).order_by(SampleItem.id).limit(n)).all()
    for case_id in ids:
        db.session.get(Case, case_id).closed_on = date(2026, 11, 20)
    db.session.commit()
    return list(ids)


def drawn_and_allocated(client):
    client.post("/cycles/draw", data={"month": "2026-11", "seed": "5", "rate": "20%"})
    client.post("/cycles/2026-11/allocate")


def test_closed_cases_are_flagged_and_replaced(client, auth, admin):
    auth.login(admin)
    drawn_and_allocated(client)
    assert "Closed since drawn" not in page_text(client.get("/cycles/2026-11"))
    closed = close_sampled(2)
    html = client.get("/cycles/2026-11").get_data(as_text=True)
    summary = page_text(html.split('data-testid="closed-since-drawn"')[1].split("</form>")[0])
    assert "2 cases closed since the draw" in summary and "Replace closed cases" in summary
    assert page_text(html.split('data-testid="sample"')[1]).count("Closed since drawn") == 2

    response = client.post("/cycles/2026-11/replace-closed")
    assert response.status_code == 302
    page = page_text(client.get("/cycles/2026-11"))
    assert "2 closed cases replaced by open cases of the same team and cohort" in page
    assert "Closed since drawn" not in page and "Closed cases replaced" in page
    assert "matches the stored frame and seed, with 2 recorded replacements" in page
    sampled = set(db.session.scalars(select(SampleItem.case_id)))
    assert not sampled & set(closed) and len(sampled) == 4
    records = db.session.scalars(select(SampleReplacement)).all()
    assert {r.closed_case_id for r in records} == set(closed)
    assert all(r.replaced_by_id == admin.id for r in records)
    # Nothing left to replace: refused, and said.
    client.post("/cycles/2026-11/replace-closed")
    assert "No case in the 2026-11 sample has been closed" in page_text(
        client.get("/cycles/2026-11")
    )


def test_publishing_with_closed_cases_asks_first(client, auth, admin):
    auth.login(admin)
    drawn_and_allocated(client)
    close_sampled(1)
    response = client.post("/cycles/2026-11/publish")
    assert response.status_code == 400
    page = page_text(response)
    assert "There is a problem" in page
    assert "holds 1 case closed since the draw" in page
    assert "Publish with 1 case closed since the draw" in page
    assert db.session.scalar(select(AuditCycle.status)) == "allocated"
    refused = client.post("/cycles/2026-11/publish", data={"confirm_closed": "abc"})
    assert refused.status_code == 400
    assert db.session.scalar(select(AuditCycle.status)) == "allocated"
    response = client.post("/cycles/2026-11/publish", data={"confirm_closed": "1"})
    assert response.status_code == 302
    assert db.session.scalar(select(AuditCycle.status)) == "published"


def test_a_sample_without_closed_cases_publishes_without_the_question(client, auth, admin):
    auth.login(admin)
    drawn_and_allocated(client)
    assert "confirm_closed" not in client.get("/cycles/2026-11").get_data(as_text=True)
    assert client.post("/cycles/2026-11/publish").status_code == 302
    assert db.session.scalar(select(AuditCycle.status)) == "published"


def test_qa_sample_publish_refuses_closed_cases_without_the_flag(runner, admin):
    runner.invoke(args=["sample", "draw", "--month", "2026-11", "--seed", "5", "--rate", "0.2"])
    runner.invoke(args=["sample", "allocate", "--month", "2026-11"])
    close_sampled(2)
    refused = runner.invoke(args=["sample", "publish", "--month", "2026-11"])
    assert refused.exit_code == 2
    assert "holds 2 cases closed since the draw" in refused.output
    assert "--confirm-closed 2" in refused.output
    wrong = runner.invoke(args=["sample", "publish", "--month", "2026-11", "--confirm-closed", "1"])
    assert wrong.exit_code == 2
    assert db.session.scalar(select(AuditCycle.status)) == "allocated"
    replaced = runner.invoke(args=["sample", "replace-closed", "--month", "2026-11"])
    assert replaced.exit_code == 0 and "2 closed cases replaced" in replaced.output
    assert runner.invoke(args=["sample", "publish", "--month", "2026-11"]).exit_code == 0
    assert db.session.scalar(select(AuditCycle.status)) == "published"
