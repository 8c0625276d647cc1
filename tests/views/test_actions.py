"""Action pages: scope, changes through forms, bad input, the dashboard's counts and exports."""

import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
from sqlalchemy import select

from qa_app.clock import local_today
from qa_app.extensions import db
from qa_app.models import Action, ActionEvent
from tests.support.factories import (
    CaseFactory,
    LocalityFactory,
    TeamFactory,
    make_action,
    make_user,
)
from tests.support.org import make_org, org_action, reload


def test_my_actions_lists_only_mine_overdue_first(client, auth, app_ctx):
    org = make_org()
    today = local_today()
    later = org_action(org, due_on=today + timedelta(days=30), description="Later work")
    late = org_action(org, due_on=today - timedelta(days=3), description="Late work")
    org_action(org, owner=org.manager, description="The manager's own")
    auth.login(org.worker)
    page = client.get("/actions/").get_data(as_text=True)
    assert page.index("Late work") < page.index("Later work")
    assert "The manager's own" not in page
    assert "Overdue" in page and f"/actions/{late.id}" in page and f"/actions/{later.id}" in page


def test_team_managers_see_only_their_teams_actions(client, auth, app_ctx):
    org = make_org()
    mine = org_action(org, description="Our team's action")
    other_team = TeamFactory(locality=org.locality)
    other_worker = make_user("social_worker", team=other_team)
    theirs = make_action(
        case=CaseFactory(team=other_team, worker=other_worker),
        owner=other_worker,
        description="Another team's action",
    )
    auth.login(org.manager)
    page = client.get("/actions/team").get_data(as_text=True)
    assert "Our team&#39;s action" in page or "Our team's action" in page
    assert "Another team" not in page
    assert client.get(f"/actions/{theirs.id}").status_code == 404
    assert client.get(f"/actions/{mine.id}").status_code == 200
    # A social worker cannot open another worker's action either.
    auth.login(other_worker)
    assert client.get(f"/actions/{mine.id}").status_code == 404


def test_complete_then_verify_through_the_pages(client, auth, app_ctx):
    org = make_org()
    action = org_action(org)
    auth.login(org.worker)
    bad = client.post(
        f"/actions/{action.id}/complete",
        data={"complete-version": "1", "complete-evidence": " "},
    )
    assert bad.status_code == 400
    assert "Enter the evidence of what was done" in bad.get_data(as_text=True)
    assert reload(action).status == "open"
    ok = client.post(
        f"/actions/{action.id}/complete",
        data={"complete-version": "1", "complete-evidence": "Chronology updated"},
    )
    assert ok.status_code == 302
    assert reload(action).status == "completed"
    # A second tab still showing version 1 is told, and changes nothing.
    stale = client.post(
        f"/actions/{action.id}/start", data={"start-version": "1"}, follow_redirects=True
    )
    assert "cannot start" in stale.get_data(as_text=True) or "Someone else" in stale.get_data(
        as_text=True
    )
    auth.login(org.manager)
    page = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Verify the action" in page and "Chronology updated" in page
    missing = client.post(f"/actions/{action.id}/verify", data={"verify-version": "2"})
    assert missing.status_code == 400
    assert "yes, partly or no" in missing.get_data(as_text=True)
    client.post(
        f"/actions/{action.id}/verify",
        data={"verify-version": "2", "verify-effectiveness": "yes"},
    )
    action = reload(action)
    assert (action.status, action.effectiveness) == ("verified", "yes")
    history = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "Verified: made a difference? Yes" in history


def test_reassign_and_redate_with_bad_input_name_the_field(client, auth, app_ctx):
    org = make_org()
    action = org_action(org)
    newcomer = make_user("social_worker", team=org.team)
    auth.login(org.manager)
    bad_date = client.post(
        f"/actions/{action.id}/due-date",
        data={"due-version": "1", "due-due_on": "31/12/2026", "due-reason": "x"},
    )
    assert bad_date.status_code == 400
    assert "Enter the new due date as YYYY-MM-DD" in bad_date.get_data(as_text=True)
    no_owner = client.post(f"/actions/{action.id}/reassign", data={"reassign-version": "1"})
    assert no_owner.status_code == 400
    assert "Choose the person who will own the action" in no_owner.get_data(as_text=True)
    assert reload(action).version == 1
    client.post(
        f"/actions/{action.id}/reassign",
        data={"reassign-version": "1", "reassign-owner": str(newcomer.id)},
    )
    assert reload(action).owner_id == newcomer.id
    kinds = [e.kind for e in db.session.scalars(select(ActionEvent))]
    assert kinds == ["reassigned"]


def _dashboard_world():
    north, east = LocalityFactory(name="North"), LocalityFactory(name="East")
    teams = [TeamFactory(locality=north, name="N1"), TeamFactory(locality=east, name="E1")]
    psw = make_user("psw")
    head = make_user("head_of_service", locality=north)
    today = local_today()
    spec = [
        (0, "safeguarding", -3, 5),
        (0, "normal", 10, 100),
        (0, "high", -30, 40),
        (1, "normal", -1, 200),
        (1, "normal", 5, 2),
    ]
    made = []
    for team_index, priority, due_offset, age in spec:
        worker = make_user("social_worker", team=teams[team_index])
        made.append(
            make_action(
                case=CaseFactory(team=teams[team_index], worker=worker),
                owner=worker,
                priority=priority,
                due_on=today + timedelta(days=due_offset),
                raised_at=datetime.combine(today - timedelta(days=age), datetime.min.time()),
            )
        )
    done = make_action(case=CaseFactory(team=teams[0]), status="completed")
    return psw, head, teams, made, done


def _counts(page: str, name: str) -> list[int]:
    start = page.index(f'data-testid="group-{name}"')
    block = page[start : page.index("</table>", start)]
    return [int(part.split('"')[0]) for part in block.split('data-count="')[1:]]


def test_dashboard_counts_match_the_lists_and_filters(client, auth, app_ctx):
    psw, head, teams, made, done = _dashboard_world()
    auth.login(psw)
    page = client.get("/actions/dashboard").get_data(as_text=True)
    assert "<strong>5</strong> not yet completed, of which <strong>3</strong> overdue" in page
    for name in ("locality", "team", "owner", "priority", "age", "source"):
        assert sum(_counts(page, name)) == 5, name
    # Overdue first: the list starts with the three overdue actions, safeguarding first.
    listed = page[page.index('data-testid="dashboard-list"') :]
    order = [listed.index(f"/actions/{a.id}") for a in (made[0], made[2], made[3], made[1])]
    assert order == sorted(order)
    assert f'/actions/{done.id}"' not in listed
    filtered = client.get(f"/actions/dashboard?team={teams[0].id}&overdue=1").get_data(as_text=True)
    assert "<strong>2</strong> not yet completed" in filtered
    assert sum(_counts(filtered, "priority")) == 2
    bad = client.get("/actions/dashboard?priority=urgent")
    assert bad.status_code == 400
    assert "The priority filter must be one of: safeguarding, high, normal" in bad.get_data(
        as_text=True
    )
    # The head of service sees only their locality.
    auth.login(head)
    theirs = client.get("/actions/dashboard").get_data(as_text=True)
    assert "<strong>3</strong> not yet completed" in theirs


def test_dashboard_counts_are_cached_but_follow_every_change(client, auth, app_ctx):
    from qa_app.extensions import redis_store  # noqa: PLC0415
    from qa_app.services.actions import lifecycle as action_lifecycle  # noqa: PLC0415

    psw, head, teams, made, _done = _dashboard_world()
    auth.login(psw)
    page = client.get("/actions/dashboard").get_data(as_text=True)
    assert "<strong>5</strong> not yet completed" in page
    assert redis_store.connection.keys("qa:actions-dashboard:*")  # the counts were cached
    # An action cancelled: the cached counts are not used again.
    action_lifecycle.cancel(
        made[1], by=psw, now=datetime(2026, 11, 23, 9), reason="Duplicate", expected_version=1
    )
    db.session.commit()
    page = client.get("/actions/dashboard").get_data(as_text=True)
    assert "<strong>4</strong> not yet completed, of which <strong>3</strong> overdue" in page
    assert sum(_counts(page, "priority")) == 4
    # A team moved to another locality: the head of service's counts follow it.
    auth.login(head)
    assert "<strong>2</strong> not yet completed" in client.get("/actions/dashboard").get_data(
        as_text=True
    )
    teams[1].locality_id = teams[0].locality_id
    db.session.commit()
    assert "<strong>4</strong> not yet completed" in client.get("/actions/dashboard").get_data(
        as_text=True
    )


def test_dashboard_exports_match_the_filtered_list(client, auth, app_ctx):
    psw, _head, teams, made, _done = _dashboard_world()
    auth.login(psw)
    text = client.get(f"/actions/dashboard.csv?team={teams[0].id}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(int(r["action_id"]) for r in rows) == sorted(a.id for a in made[:3])
    xlsx = client.get(f"/actions/dashboard.xlsx?team={teams[0].id}")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "action_id" and len(values) == 4


def test_export_command_columns_and_working_days_overdue(app_ctx, runner):
    org = make_org()
    overdue = org_action(org, due_on=date(2026, 12, 21))
    org_action(org, due_on=date(2027, 2, 1))
    finished = org_action(org, due_on=date(2026, 12, 1), status="completed")
    out = runner.invoke(args=["actions", "export", "--status", "overdue", "--today", "2027-01-07"])
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert list(rows[0]) == [
        "action_id",
        "audit_id",
        "child_id",
        "owner_email",
        "owner_team",
        "locality",
        "priority",
        "status",
        "raised_on",
        "due_on",
        "completed_on",
        "verified_on",
        "working_days_overdue",
    ]
    assert [int(r["action_id"]) for r in rows] == [overdue.id]
    # 22, 23, 24, 29, 30, 31 December, 4, 5, 6, 7 January: ten working days.
    assert rows[0]["working_days_overdue"] == "10"
    assert rows[0]["owner_email"] == org.worker.email and rows[0]["owner_team"] == org.team.name
    assert rows[0]["child_id"] == overdue.case.child.la_child_id
    everything = runner.invoke(
        args=["actions", "export", "--status", "all", "--today", "2027-01-07"]
    )
    by_id = {int(r["action_id"]): r for r in csv.DictReader(io.StringIO(everything.output))}
    assert len(by_id) == 3 and by_id[finished.id]["working_days_overdue"] == "0"
    bad = runner.invoke(args=["actions", "export", "--status", "late"])
    assert bad.exit_code == 2 and "--status" in bad.output
    assert db.session.scalar(select(Action.id).where(Action.status == "late")) is None
