"""Each role's home page shows that role's real figures."""

from datetime import date

import pytest

from qa_app.clock import local_today
from tests.support.factories import CaseFactory, LocalityFactory, TeamFactory, make_user
from tests.support.pages import nav_labels, page_text


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


def test_navigation_shows_only_what_the_role_may_use(client, auth, council):
    assert nav_labels(home(client, auth, make_user("qa_admin"))) == [
        "Home",
        "My actions",
        "Actions dashboard",
        "Cases",
        "Grade trends",
        "Reports",
        "Thresholds",
        "Sampling",
        "Absences",
        "Agreement",
        "All moderations",
        "Imports",
        "Toolkits",
        "Users",
        "Organisation",
        "Background tasks",
        "Access log",
    ]
    auth.logout()
    assert nav_labels(home(client, auth, make_user("dcs"))) == [
        "Home",
        "My audits",
        "My actions",
        "Actions dashboard",
        "Cases",
        "Grade trends",
        "Reports",
        "Absences",
        "Tier 3 reviews",
        "Moderation disputes",
        "Extension requests",
        "Toolkits",
        "Access log",
    ]
    auth.logout()
    assert nav_labels(home(client, auth, council["worker"])) == [
        "Home",
        "My actions",
        "Cases",
        "Toolkits",
    ]


def test_home_counts_use_uk_local_date():
    assert isinstance(local_today(), date)
