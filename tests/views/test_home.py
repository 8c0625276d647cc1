"""Each role's home page shows that role's real figures."""

import re
from datetime import date

import pytest

from qa_app.clock import local_today
from tests.support.factories import (
    CaseFactory,
    LocalityFactory,
    TeamFactory,
    make_assignment,
    make_user,
)
from tests.support.pages import page_text


@pytest.fixture
def council(app_ctx):
    north, east = LocalityFactory(name="North"), LocalityFactory(name="East")
    team = TeamFactory(name="North Child Protection A", locality=north)
    other = TeamFactory(name="East Front Door A", locality=east)
    worker = make_user("social_worker", team=team, name="Sam Worker")
    iro = make_user("iro", name="Ira Reviewer")
    for _ in range(3):
        CaseFactory(team=team, worker=worker, cohort="cp", iro=iro)
    CaseFactory(team=other, cohort="assessment")
    return {"north": north, "team": team, "worker": worker, "iro": iro}


def home(client, auth, user):
    auth.login(user)
    return client.get("/").get_data(as_text=True)


def test_head_of_service_sees_open_cases_by_team_in_their_locality_only(client, auth, council):
    page = home(client, auth, make_user("head_of_service", locality=council["north"]))
    assert "North locality" in page
    assert "North Child Protection A" in page
    assert "East Front Door A" not in page


def test_dcs_sees_every_locality(client, auth, council):
    page = page_text(home(client, auth, make_user("dcs")))
    assert "Open cases across the council" in page
    assert "North 0 0 3 0 0 0 3 0" in page  # locality, the six cohorts, total, unallocated
    assert "East 1 0 0 0 0 0 1 0" in page


def test_team_manager_sees_caseload_by_worker(client, auth, council):
    page = home(client, auth, make_user("team_manager", team=council["team"]))
    assert "Sam Worker" in page
    assert "Open cases by social worker" in page


def test_social_worker_sees_their_own_cases(client, auth, council):
    page = home(client, auth, council["worker"])
    assert "3 open cases allocated to you" in page


def test_iro_sees_the_children_they_review(client, auth, council):
    page = home(client, auth, council["iro"])
    assert "3 children with you as independent reviewing officer" in page


def test_qa_admin_sees_counts_and_what_needs_attention(client, auth, council):
    TeamFactory(name="Unknown Team", pending=True)
    page = home(client, auth, make_user("qa_admin"))
    assert 'data-testid="open-cases">4<' in page
    assert "1 pending team" in page


def test_auditor_sees_capacity(client, auth, council):
    page = home(client, auth, make_user("advanced_practitioner"))
    assert "6 audits a month" in page


def test_home_counts_use_uk_local_date():
    assert isinstance(local_today(), date)


@pytest.mark.clock("2026-11-25T10:00")
def test_an_auditor_sees_overdue_audits_from_earlier_months_first(client, auth, council):
    auditor = make_user("advanced_practitioner")
    case = CaseFactory(team=council["team"])
    # October's audit, due Friday 30 October, still in progress on Wednesday 25 November:
    # 18 working days overdue (2 to 25 November).
    make_assignment(case=case, auditor=auditor, month="2026-10", status="in_progress")
    make_assignment(auditor=auditor, month="2026-11")  # due Monday 30 November
    make_assignment(auditor=auditor, month="2026-09", status="completed")
    page = page_text(home(client, auth, auditor))
    assert "None allocated to you this month yet" not in page
    assert "2 to do, 1 of them overdue." in page
    overdue = (
        f"Overdue Child {case.child.la_child_id} (Child in need, tier 2, October 2026), "
        "in progress: was due 30 October 2026, 18 working days overdue"
    )
    assert overdue in page
    assert page.index(overdue) < page.index("due 30 November 2026")

    mine = client.get("/assignments/").get_data(as_text=True)
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', mine, flags=re.S)
    rows = rows[1:]  # the heading row
    assert [page_text(r).split(" ")[0] for r in rows] == ["2026-10", "2026-11", "2026-09"]
    assert 'govuk-tag--red">Overdue</strong> 18 working days' in rows[0]
    assert "Overdue" not in rows[1] + rows[2]
    assert "1 overdue: they are listed first." in page_text(mine)


@pytest.mark.clock("2026-11-25T10:00")
def test_an_auditor_with_this_months_audits_done_is_told_so(client, auth, council):
    auditor = make_user("advanced_practitioner")
    make_assignment(auditor=auditor, month="2026-11", status="completed")
    page = page_text(home(client, auth, auditor))
    assert "You have completed all 1 audit allocated to you this month." in page
