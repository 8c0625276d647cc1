"""/performance: the board, an indicator's chart, breakdown and children, the CSV export; each
role sees only its scope; listing and exporting children writes the access log."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import AccessLog, Team
from tests.support.factories import LocalityFactory, make_user
from tests.support.importing import do_import, sample

LEAVERS = "care_leavers_in_touch"


@pytest.fixture
def council(app_ctx):
    """The sample Annex A at 31 March 2021, its teams confirmed in two localities: North holds
    the children in care teams, East the care leavers team (all six care leavers)."""
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    north, east = LocalityFactory(name="North"), LocalityFactory(name="East")
    for team in db.session.scalars(select(Team)):
        team.pending = False
        team.locality = east if team.name == "Care Leavers Team" else north
    db.session.commit()
    leavers = db.session.scalar(select(Team).where(Team.name == "Care Leavers Team"))
    care = db.session.scalar(select(Team).where(Team.name == "Children in Care Team 1"))
    return {
        "psw": make_user("psw"),
        "senior_manager": make_user("senior_manager", locality=north),
        "hos_north": make_user("head_of_service", locality=north),
        "hos_east": make_user("head_of_service", locality=east),
        "tm_leavers": make_user("team_manager", team=leavers),
        "tm_care": make_user("team_manager", team=care),
        "social_worker": make_user("social_worker", team=care),
    }


def _log_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(AccessLog.id)))


@pytest.mark.clock("2021-04-12T10:00")
def test_the_board_shows_every_indicator_with_band_england_and_spc(client, auth, council):
    auth.login(council["psw"])
    response = client.get("/performance/?month=2021-03")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Performance: March 2021" in text
    assert "Care leavers in touch" in text and "Assessments within 45 working days" in text
    assert "85.7% (2025)" in text  # England
    assert "Jan 21" in text and "Feb 21" in text and "Mar 21" in text
    assert "govuk-tag" in text  # a band, as a tag with its name
    assert 'id="teams"' in text and "Care Leavers Team" in text
    assert "1 of 12 months" in text  # one import: trial limits
    # Last month by default (the clock is in April 2021).
    assert "Performance: March 2021" in client.get("/performance/").get_data(as_text=True)


@pytest.mark.clock("2021-04-12T10:00")
def test_a_bad_month_is_named_and_the_default_shown(client, auth, council):
    auth.login(council["psw"])
    text = client.get("/performance/?month=2021-13").get_data(as_text=True)
    assert "There is a problem with the month" in text and "2021-13" in text
    assert "Performance: March 2021" in text


@pytest.mark.parametrize(
    ("user", "allowed", "refused"),
    [
        ("psw", ["council", "locality:East", "team:Care Leavers Team"], []),
        ("senior_manager", ["council", "locality:North", "team:Care Leavers Team"], []),
        ("hos_north", ["locality:North", "team:Children in Care Team 1"],
         ["council", "locality:East", "team:Care Leavers Team"]),
        ("tm_leavers", ["team:Care Leavers Team"],
         ["council", "locality:East", "team:Children in Care Team 1"]),
    ],
)  # fmt: skip
@pytest.mark.clock("2021-04-12T10:00")
def test_each_role_sees_only_its_scope(client, auth, council, user, allowed, refused):
    auth.login(council[user])
    for scope in allowed:
        for url in (
            "/performance/",
            f"/performance/{LEAVERS}",
            f"/performance/{LEAVERS}/children.csv",
        ):
            response = client.get(url, query_string={"month": "2021-03", "scope": scope})
            assert response.status_code == 200, (user, scope, url)
    for scope in [*refused, "team:Nowhere"]:
        for url in (
            "/performance/",
            f"/performance/{LEAVERS}",
            f"/performance/{LEAVERS}/children.csv",
        ):
            response = client.get(url, query_string={"month": "2021-03", "scope": scope})
            assert response.status_code == 404, (user, scope, url)


@pytest.mark.clock("2021-04-12T10:00")
def test_the_default_scope_is_the_users_own(client, auth, council):
    auth.login(council["tm_care"])
    text = client.get(f"/performance/{LEAVERS}?month=2021-03").get_data(as_text=True)
    assert "Team: Children in Care Team 1" in text
    assert "0 records" in text  # the care leavers are another team's
    assert "7961370" not in text
    auth.login(council["social_worker"])
    assert client.get("/performance/").status_code == 403


@pytest.mark.clock("2021-04-12T10:00")
def test_an_indicator_page_has_chart_table_breakdown_and_children_logged(client, auth, council):
    auth.login(council["hos_east"])
    before = _log_count()
    response = client.get(f"/performance/{LEAVERS}?month=2021-03")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ("<svg" in text and "The chart&#39;s data" in text) or "The chart's data" in text
    assert 'data-testid="breakdown-team"' in text and "Care Leavers Team" in text
    assert "7961370" in text and "6 records" in text
    assert _log_count() == before + 1
    entry = db.session.scalars(select(AccessLog).order_by(AccessLog.id.desc())).first()
    assert entry.record_count == 6 and entry.endpoint == "performance.indicator"
    assert "7961370" not in (entry.purpose or "")
    assert client.get("/performance/no_such_indicator").status_code == 404


@pytest.mark.clock("2021-04-12T10:00")
def test_the_children_export_is_csv_and_logged(client, auth, council):
    auth.login(council["psw"])
    before = _log_count()
    response = client.get(f"/performance/{LEAVERS}/children.csv?month=2021-03")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 6 and {r["team"] for r in rows} == {"Care Leavers Team"}
    assert "7961370" in {r["child_id"] for r in rows}
    assert sum(r["counted"] == "True" for r in rows) == 6
    assert _log_count() == before + 1
