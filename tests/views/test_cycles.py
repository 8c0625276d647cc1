"""The sampling pages, My audits, extension decisions, notifications and the qa sample command."""

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AccessLog, Assignment, AuditCycle, Case, Notification, SampleItem
from tests.support.factories import CaseFactory, LocalityFactory, TeamFactory, make_user
from tests.support.pages import page_text


@pytest.fixture
def council(app_ctx):
    north = LocalityFactory(name="North")
    teams = [TeamFactory(name=f"North {i}", locality=north) for i in range(2)]
    psw = make_user("psw")
    tms = [make_user("team_manager", team=t, line_manager=psw) for t in teams]
    workers = [
        make_user("social_worker", team=t, line_manager=m) for t, m in zip(teams, tms, strict=True)
    ]
    ap = make_user("advanced_practitioner", line_manager=tms[0], email="ap@council.test")
    for i in range(30):
        CaseFactory(
            team=teams[i % 2], worker=workers[i % 2], cohort="cin", opened_on=date(2026, 1, 5)
        )
    return {"admin": make_user("qa_admin"), "ap": ap, "tms": tms, "psw": psw, "workers": workers}


def test_qa_admin_draws_reviews_allocates_and_publishes(client, auth, council):
    auth.login(council["admin"])
    response = client.post("/cycles/draw", data={"month": "2026-11", "seed": "5", "rate": "20%"})
    assert response.status_code == 302 and response.headers["Location"] == "/cycles/2026-11"
    page = page_text(client.get("/cycles/2026-11"))
    assert "30 cases open on the reference date" in page and "6 cases: 6 random" in page
    assert "The random sample matches the stored frame and seed" in page
    client.post("/cycles/2026-11/allocate")
    page = page_text(client.get("/cycles/2026-11"))
    assert "6 allocated" in page
    client.post("/cycles/2026-11/publish")
    assert db.session.scalar(select(AuditCycle.status)) == "published"
    assert client.post("/cycles/2026-11/redraw").status_code == 302
    assert "cannot be redrawn" in page_text(client.get("/cycles/2026-11"))
    export = list(
        csv.DictReader(io.StringIO(client.get("/cycles/2026-11/export.csv").get_data(as_text=True)))
    )
    assert len(export) == 6 and all(
        row["auditor_email"] and row["due_date"] == "2026-11-30" for row in export
    )


def test_bad_draw_input_is_explained_and_changes_nothing(client, auth, council):
    auth.login(council["admin"])
    for data, message in [
        ({"month": "November"}, "Enter the month in the form YYYY-MM"),
        ({"month": "2026-11", "rate": "2"}, "must be above 0 and at most 1"),
        ({"month": "2026-11", "reference_date": "2026-10-01"}, "is not in 2026-11"),
    ]:
        response = client.post("/cycles/draw", data=data)
        assert response.status_code == 400 and message in page_text(response)
    assert db.session.scalar(select(AuditCycle.id)) is None


def test_thematic_case_and_reassignment_with_explained_refusal(client, auth, council):
    auth.login(council["admin"])
    client.post("/cycles/draw", data={"month": "2026-11", "seed": "5"})
    client.post("/cycles/2026-11/allocate")
    response = client.post(
        "/cycles/2026-11/cases", data={"child_id": "nope", "selection": "thematic"}
    )
    assert response.status_code == 400 and "No case of child nope is open" in page_text(response)
    sampled = set(db.session.scalars(select(SampleItem.case_id)))
    case = db.session.scalar(select(Case).where(Case.id.not_in(sampled)).limit(1))
    response = client.post(
        "/cycles/2026-11/cases",
        data={"child_id": case.child.la_child_id, "selection": "thematic", "note": "Neglect"},
    )
    assert response.status_code == 302
    item = db.session.scalar(select(SampleItem).where(SampleItem.case_id == case.id))
    assert item.selection == "thematic" and item.assignment is not None
    page = page_text(client.get(f"/cycles/2026-11/items/{item.id}"))
    assert "No: the case is in their own team" in page
    assert (
        db.session.scalar(select(AccessLog.purpose).where(AccessLog.case_id == case.id))
        == "allocation review"
    )
    own_tm = next(tm for tm in council["tms"] if tm.team_id == case.team_id)
    response = client.post(
        f"/cycles/2026-11/items/{item.id}/reassign", data={"auditor_id": str(own_tm.id)}
    )
    assert response.status_code == 400
    assert "cannot audit this case: the case is in their own team" in page_text(response)
    db.session.expire_all()
    assert item.assignment.auditor_id != own_tm.id


def test_auditor_sees_my_audits_and_asks_for_time_decided_by_line_manager(client, auth, council):
    auth.login(council["admin"])
    client.post("/cycles/draw", data={"month": "2026-11", "seed": "5", "rate": "100%"})
    client.post("/cycles/2026-11/allocate")
    client.post("/cycles/2026-11/publish")
    ap = council["ap"]
    assignment = db.session.scalar(
        select(Assignment).where(Assignment.auditor_id == ap.id).limit(1)
    )
    auth.login(ap)
    page = page_text(client.get("/assignments/"))
    assert assignment.item.case.child.la_child_id in page and "30 November 2026" in page
    assert client.get(f"/cases/{assignment.item.case_id}").status_code == 200  # now in scope
    assert "Notifications 1 unread" in page_text(client.get("/"))
    response = client.post(
        f"/assignments/{assignment.id}/extension", data={"working_days": "9", "reason": ""}
    )
    assert response.status_code == 400 and "Say why you need more time" in page_text(response)
    client.post(
        f"/assignments/{assignment.id}/extension",
        data={"working_days": "2", "reason": "Court week"},
    )
    auth.login(council["tms"][0])
    page = page_text(client.get("/assignments/extensions"))
    assert "Court week" in page
    db.session.expire_all()
    request_id = db.session.get(Assignment, assignment.id).extension_requests[0].id
    client.post(f"/assignments/extensions/{request_id}", data={"decision": "approve"})
    db.session.expire_all()
    assert db.session.get(Assignment, assignment.id).extended_to == date(2026, 12, 2)
    auth.login(council["psw"])  # not theirs to decide
    assert (
        client.post(
            f"/assignments/extensions/{request_id}", data={"decision": "refuse"}
        ).status_code
        == 404
    )


def test_notifications_page_marks_read(client, auth, council):
    user = council["ap"]
    db.session.add(
        Notification(user_id=user.id, kind="t", subject="Hello there", dedupe_key="x", body="Body")
    )
    db.session.commit()
    auth.login(user)
    assert "Hello there" in page_text(client.get("/notifications/"))
    client.post("/notifications/read-all")
    assert db.session.scalar(select(Notification.read_at)) is not None
    client.post("/notifications/mode", data={"mode": "digest"})
    db.session.expire_all()
    assert user.notification_mode == "digest"


def test_qa_sample_commands(runner, council):
    result = runner.invoke(args=["sample", "draw", "--month", "2026-11", "--seed", "9", "--json"])
    body = json.loads(result.output)
    assert set(body) == {
        "month",
        "reference_date",
        "seed",
        "frame",
        "eligible",
        "excluded",
        "sample",
        "already_drawn",
        "strata",
    }
    assert body["sample"] == 3 and body["already_drawn"] is False
    assert set(body["excluded"]) == {"audited_last_12_months", "already_in_cycle"}
    assert {tuple(sorted(s)) for s in body["strata"]} == {("cohort", "eligible", "sample", "team")}
    again = json.loads(
        runner.invoke(args=["sample", "draw", "--month", "2026-11", "--json"]).output
    )
    assert again["already_drawn"] is True and again["seed"] == 9
    allocated = json.loads(
        runner.invoke(args=["sample", "allocate", "--month", "2026-11", "--json"]).output
    )
    assert set(allocated) == {"month", "allocated", "unallocated", "by_tier", "auditors"}
    assert allocated["allocated"] + len(allocated["unallocated"]) == 3
    assert set(allocated["by_tier"]) == {"2", "3"}
    assert set(allocated["auditors"][0]) == {"email", "roles", "capacity", "assigned"}
    assert runner.invoke(args=["sample", "publish", "--month", "2026-11"]).exit_code == 0
    export = runner.invoke(args=["sample", "export", "--month", "2026-11"]).output
    header = export.splitlines()[0]
    assert header == (
        "child_id,cohort,case_team,case_worker_email,case_worker_line_manager_email,"
        "case_iro_email,selection,tier,auditor_email,auditor_team,due_date"
    )
    refused = runner.invoke(args=["sample", "draw", "--month", "2026-11", "--redraw"])
    assert refused.exit_code == 2 and "cannot be redrawn" in refused.output


def test_a_sample_that_fails_its_check_is_a_warning_that_says_what_to_do(client, auth, council):
    auth.login(council["admin"])
    client.post("/cycles/draw", data={"month": "2026-11", "seed": "5", "rate": "20%"})
    page = client.get("/cycles/2026-11").get_data(as_text=True)
    assert 'data-testid="verification-failed"' not in page
    # Someone swaps a sampled case for another behind the service's back.
    item = db.session.scalars(select(SampleItem).order_by(SampleItem.case_id)).first()
    sampled = set(db.session.scalars(select(SampleItem.case_id)))
    item.case_id = next(c for c in db.session.scalars(select(Case.id)) if c not in sampled)
    db.session.commit()
    page = client.get("/cycles/2026-11").get_data(as_text=True)
    warning = page.split('data-testid="verification-failed"')[1].split("</div>")[0]
    assert 'class="govuk-warning-text"' in warning
    assert "Do not publish it: redraw it with a new seed" in page_text(warning)
    client.post("/cycles/2026-11/redraw")
    page = client.get("/cycles/2026-11").get_data(as_text=True)
    assert 'data-testid="verification-failed"' not in page
    assert "The random sample matches the stored frame and seed" in page_text(page)
