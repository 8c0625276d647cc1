"""The read-only JSON API: personal tokens (hashed), the pages' scoping, typed rows."""

import re

import pytest
from sqlalchemy import select

from qa_app.clock import local_today
from qa_app.extensions import db
from qa_app.models import ApiToken
from qa_app.services.reports.scope import parse_scope
from qa_app.services.reports.tables import report_data, report_tables
from tests.support.factories import make_toolkit_version, make_user
from tests.support.report_world import Spec, load, make_world

MONTH = "2026-10"


@pytest.fixture
def world(app_ctx):
    world = make_world(make_toolkit_version())
    load(
        world,
        [
            Spec(MONTH, i % 3, "cin", "random", True, False, 1 + i % 4, None, (2, 3, None),
                 ("yes", "no", "yes", "na"))
            for i in range(12)
        ],
    )  # fmt: skip
    return world


def _new_token(client, auth, user) -> str:
    auth.login(user)
    page = client.post("/reports/tokens", data={"name": "Power BI"}).get_data(as_text=True)
    auth.logout()
    return re.search(r'class="report-token">(cqa_[^<]+)<', page).group(1)


def test_a_token_reads_the_tables_within_its_users_scope(client, auth, world):
    hos = make_user("head_of_service", locality=world.teams[0].locality)
    token = _new_token(client, auth, hos)
    stored = db.session.scalar(select(ApiToken))
    assert token not in (stored.token_hash, stored.prefix) and stored.token_hash != token
    headers = {"Authorization": f"Bearer {token}"}

    listing = client.get(f"/api/v1/reports/{MONTH}", headers=headers).get_json()
    assert listing["scope"] == "locality:North" and "compliance" in listing["tables"]
    body = client.get(f"/api/v1/reports/{MONTH}/grades_by_team", headers=headers).get_json()
    want = next(
        t
        for t in report_tables(
            report_data(MONTH, parse_scope("locality:North"), as_of=local_today())
        )
        if t.key == "grades_by_team"
    )
    keys = [c["key"] for c in body["columns"]]
    assert keys == [c.key for c in want.columns]
    assert [[r[k] for k in keys] for r in body["rows"]] == [list(r) for r in want.rows]
    assert all(isinstance(r["n"], int) for r in body["rows"])
    assert {r["label"] for r in body["rows"]} == {"North A", "North B"}

    assert (
        client.get(f"/api/v1/reports/{MONTH}/audits?scope=council", headers=headers).status_code
        == 404
    )
    audits = client.get(f"/api/v1/reports/{MONTH}/audits", headers=headers).get_json()
    assert len(audits["rows"]) == 8 and audits["columns"][2] == "child_id"
    # A case is its child's council id, as its page shows: the internal number is not served.
    assert "case_id" not in audits["columns"] and "case_id" not in audits["rows"][0]
    assert "case_ids" not in audits
    assert client.get(f"/api/v1/reports/{MONTH}/nope", headers=headers).status_code == 404
    assert client.get("/api/v1/reports/2026-13/audits", headers=headers).status_code == 400
    db.session.expire_all()
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_revoked_or_wrong_tokens_are_refused(client, auth, world):
    psw = make_user("psw")
    token = _new_token(client, auth, psw)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/reports/{MONTH}/compliance", headers=headers).status_code == 200
    wrong = {"Authorization": "Bearer cqa_not-a-token"}
    assert client.get(f"/api/v1/reports/{MONTH}/compliance", headers=wrong).status_code == 401
    auth.login(psw)
    token_id = db.session.scalar(select(ApiToken.id))
    client.post(f"/reports/tokens/{token_id}/revoke")
    auth.logout()
    response = client.get(f"/api/v1/reports/{MONTH}/compliance", headers=headers)
    assert response.status_code == 401 and "not valid" in response.get_json()["error"]


def test_a_social_workers_token_gets_no_report_data(client, auth, world):
    from qa_app.clock import utcnow  # noqa: PLC0415
    from qa_app.services.people.api_tokens import create_token  # noqa: PLC0415

    worker = make_user("social_worker")
    # Today: tokens expire, so one made on a fixed date would stop working in a few months.
    _row, plain = create_token(worker, "Mine", now=utcnow())
    db.session.commit()
    response = client.get(
        f"/api/v1/reports/{MONTH}/compliance", headers={"Authorization": f"Bearer {plain}"}
    )
    assert response.status_code == 403


def test_a_token_needs_a_name(client, auth, world):
    auth.login(make_user("psw"))
    page = client.post("/reports/tokens", data={"name": ""}).get_data(as_text=True)
    assert "Enter a name for the token" in page
    assert db.session.scalars(select(ApiToken)).all() == []


def test_the_practice_performance_tables_are_in_the_api(client, auth, app_ctx):
    from datetime import date  # noqa: PLC0415

    from tests.support.extracts import World, annex_a  # noqa: PLC0415
    from tests.support.importing import do_import, source  # noqa: PLC0415

    world = World(seed=20240229)
    for as_of in (date(2024, 3, 28), date(2024, 4, 30)):
        do_import([source("annex_a.xlsx", annex_a(world, as_of))], as_of)
    headers = {"Authorization": f"Bearer {_new_token(client, auth, make_user('psw'))}"}
    listing = client.get("/api/v1/reports/2024-04", headers=headers).get_json()
    assert {"performance", "performance_series"} <= set(listing["tables"])
    body = client.get("/api/v1/reports/2024-04/performance", headers=headers).get_json()
    assert [c["key"] for c in body["columns"]][8:11] == ["previous_2", "previous_1", "latest"]
    rows = {r["key"]: r for r in body["rows"]}
    row = rows["assessments_within_45_working_days"]
    assert (row["numerator"], row["denominator"], row["latest"]) == (4, 5, 80)
    assert row["band"] == "Good" and row["england"] == 85.7 and row["england_year"] == 2025
    assert row["good"] == "80% to under 90%" and row["bands_from"] == "Defaults"
    assert rows["cin_plan_average_weeks"]["latest"] is None
    assert "No import holds" in rows["cin_plan_average_weeks"]["reason"]
    series = client.get("/api/v1/reports/2024-04/performance_series", headers=headers).get_json()
    months = [r for r in series["rows"] if r["key"] == "assessments_within_45_working_days"]
    assert len(months) == 12 and months[-1]["value"] == 80 and months[-1]["month"] == "2024-04"
