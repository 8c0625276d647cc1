"""The case list and case record; every view of a record is in the access log."""

from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import AccessLog
from tests.support.factories import (
    CaseFactory,
    ChildFactory,
    LocalityFactory,
    TeamFactory,
    make_user,
)


def test_case_list_filters_by_cohort_team_and_child_id(client, auth, app_ctx):
    team = TeamFactory(name="North CIN A", locality=LocalityFactory())
    CaseFactory(team=team, cohort="cin", child=ChildFactory(la_child_id="0012345"))
    CaseFactory(team=team, cohort="cp")
    auth.login(make_user("psw"))
    assert ">2 cases<" in client.get("/cases/").get_data(as_text=True)
    assert ">1 case<" in client.get("/cases/?cohort=cp").get_data(as_text=True)
    page = client.get("/cases/?child_id=0012345").get_data(as_text=True)
    assert ">1 case<" in page and "0012345" in page
    assert ">0 cases<" in client.get("/cases/?cohort=nonsense&team=abc&child_id=999").get_data(
        as_text=True
    )


def test_case_list_is_scoped_to_the_user(client, auth, app_ctx):
    mine, theirs = TeamFactory(), TeamFactory()
    worker = make_user("social_worker", team=mine)
    CaseFactory(team=mine, worker=worker, child=ChildFactory(la_child_id="MINE001"))
    CaseFactory(team=theirs, child=ChildFactory(la_child_id="THEIRS01"))
    auth.login(worker)
    page = client.get("/cases/").get_data(as_text=True)
    assert "MINE001" in page and "THEIRS01" not in page


def test_viewing_a_case_writes_the_access_log_without_content(client, auth, app_ctx):
    case = CaseFactory()
    viewer = make_user("dcs")
    auth.login(viewer)
    assert client.get(f"/cases/{case.id}").status_code == 200
    entry = db.session.scalar(select(AccessLog))
    assert (entry.user_id, entry.case_id, entry.child_id, entry.action) == (
        viewer.id,
        case.id,
        case.child_id,
        "view_case",
    )


def test_out_of_scope_case_is_not_found_and_not_logged(client, auth, app_ctx):
    case = CaseFactory()
    auth.login(make_user("social_worker"))
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert db.session.scalar(select(AccessLog)) is None


def test_access_log_page_lists_views_by_child(client, auth, app_ctx):
    case = CaseFactory(child=ChildFactory(la_child_id="7654321"))
    dcs = make_user("dcs", name="Dee Director")
    auth.login(dcs)
    client.get(f"/cases/{case.id}")
    page = client.get("/access-log/?child_id=7654321").get_data(as_text=True)
    assert "Dee Director" in page and "View case" in page and ">1 entry<" in page
