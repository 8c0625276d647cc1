"""Scope: which cases each role sees; home-page figures and their query counts."""

from datetime import date

import pytest
from sqlalchemy import event, select

from qa_app.extensions import db
from qa_app.models import Case
from qa_app.permissions import case_scope, team_scope
from qa_app.services.reports import home as dashboards
from tests.support.factories import CaseFactory, LocalityFactory, TeamFactory, make_user

TODAY = date(2026, 11, 23)


@pytest.fixture
def council(app_ctx):
    north, east = LocalityFactory(name="North"), LocalityFactory(name="East")
    t1 = TeamFactory(name="N1", locality=north)
    t2 = TeamFactory(name="N2", locality=north)
    t3 = TeamFactory(name="E1", locality=east)
    sw1 = make_user("social_worker", team=t1)
    sw3 = make_user("social_worker", team=t3)
    iro = make_user("iro")
    cases = {
        "n1_cp": CaseFactory(team=t1, worker=sw1, cohort="cp", iro=iro),
        "n1_cin": CaseFactory(team=t1, worker=sw1, cohort="cin"),
        "n2_cla": CaseFactory(team=t2, cohort="cla", unallocated=True),
        "e1_cin": CaseFactory(team=t3, worker=sw3, cohort="cin"),
        "closed": CaseFactory(team=t1, worker=sw1, closed_on=date(2026, 1, 1)),
    }
    people = {
        "hos_north": make_user("head_of_service", locality=north),
        "tm_n1": make_user("team_manager", team=t1),
        "sw1": sw1,
        "iro": iro,
        "dcs": make_user("dcs"),
        "ap": make_user("advanced_practitioner"),
        "hos_and_tm": make_user("head_of_service", "team_manager", locality=east, team=t1),
    }
    return cases, people


def visible(user):
    ids = db.session.scalars(select(Case.id).where(case_scope(user), Case.open_on(TODAY))).all()
    return set(ids)


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("hos_north", {"n1_cp", "n1_cin", "n2_cla"}),
        ("tm_n1", {"n1_cp", "n1_cin"}),
        ("sw1", {"n1_cp", "n1_cin"}),
        ("iro", {"n1_cp"}),
        ("dcs", {"n1_cp", "n1_cin", "n2_cla", "e1_cin"}),
        ("ap", set()),
        ("hos_and_tm", {"n1_cp", "n1_cin", "e1_cin"}),  # several roles: the union of their scopes
    ],
)
def test_each_role_sees_exactly_its_cases(council, person, expected):
    cases, people = council
    assert visible(people[person]) == {cases[name].id for name in expected}


def test_team_scope_follows_the_same_rules(council):
    _, people = council
    from qa_app.models import Team  # noqa: PLC0415

    names = set(db.session.scalars(select(Team.name).where(team_scope(people["hos_north"]))))
    assert names == {"N1", "N2"}
    assert set(db.session.scalars(select(Team.name).where(team_scope(people["sw1"])))) == set()


def test_head_of_service_table_counts_open_cases_by_team_and_cohort(council):
    _, people = council
    hos = people["hos_north"]
    table = dashboards.open_cases_by_team(hos, TODAY, locality_id=hos.locality_id)
    rows = {row["label"]: row for row in table.rows}
    assert set(rows) == {"N1", "N2"}
    assert rows["N1"]["cohorts"]["cp"] == 1 and rows["N1"]["cohorts"]["cin"] == 1
    assert rows["N1"]["total"] == 2  # the closed case is not counted
    assert rows["N2"]["unallocated"] == 1
    assert table.total == 3 and table.totals["cla"] == 1


def count_queries(fn):
    statements = []

    def record(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_head_of_service_home_queries_do_not_grow_with_teams_or_cases(council):
    _, people = council
    hos_id, north = people["hos_north"].id, people["hos_north"].locality

    def home_queries():
        db.session.expire_all()
        hos = db.session.get(type(people["hos_north"]), hos_id)
        return count_queries(lambda: dashboards.home_panels(hos, today=TODAY, now=None))

    before = home_queries()
    for i in range(15):
        team = TeamFactory(name=f"Extra {i}", locality=north)
        for _ in range(3):
            CaseFactory(team=team)
    assert home_queries() == before


def test_team_manager_sees_caseload_per_worker(council):
    _, people = council
    workers = dashboards.caseload_by_worker(people["tm_n1"].team_id, TODAY)
    assert [(w["total"], dict(w["cohorts"])) for w in workers] == [(2, {"cp": 1, "cin": 1})]
