"""Localities and teams."""

from qa_app.extensions import db
from qa_app.models import Team
from tests.support.factories import CaseFactory, LocalityFactory, TeamFactory, make_user
from tests.support.pages import page_text


def test_teams_are_listed_by_locality_with_staff_and_case_counts(client, auth, app_ctx):
    north = LocalityFactory(name="North")
    team = TeamFactory(name="North CP A", locality=north, service="child_protection")
    make_user("social_worker", team=team)
    CaseFactory(team=team)
    CaseFactory(team=team)
    auth.login(make_user("qa_admin"))
    text = page_text(client.get("/organisation/"))
    assert "North CP A Child protection 1 2 Active" in text


def test_confirming_a_pending_team_places_it(client, auth, app_ctx):
    north = LocalityFactory(name="North")
    pending = TeamFactory(name="north cp  b", locality=None, service=None, pending=True)
    auth.login(make_user("qa_admin"))
    response = client.post(
        f"/organisation/teams/{pending.id}",
        data={
            "name": "North CP B",
            "locality_id": str(north.id),
            "service": "child_protection",
            "active": "y",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    team = db.session.get(Team, pending.id)
    assert (team.name, team.locality_id, team.service, team.pending) == (
        "North CP B",
        north.id,
        "child_protection",
        False,
    )


def test_a_team_cannot_take_another_teams_name(client, auth, app_ctx):
    TeamFactory(name="East FD A")
    other = TeamFactory(name="East FD B")
    auth.login(make_user("qa_admin"))
    response = client.post(
        f"/organisation/teams/{other.id}",
        data={"name": "east fd a", "locality_id": "", "service": ""},
    )
    assert "There is already a team called East FD A" in page_text(response)
    db.session.expire_all()
    assert db.session.get(Team, other.id).name == "East FD B"
