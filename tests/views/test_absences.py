"""Absences and exemptions: recorded by the QA lead, exemptions approved by the DCS, and
allocation giving fewer audits only for what counts."""

from datetime import date

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Absence, AuditCycle
from qa_app.services.sampling.allocation import auditor_pool
from tests.support.factories import TeamFactory, make_user
from tests.support.pages import page_text

# Absence periods are judged against today: the tests live in late November 2026.
pytestmark = pytest.mark.clock("2026-11-25T10:00")


@pytest.fixture
def people(app_ctx):
    team = TeamFactory()
    return {
        "admin": make_user("qa_admin"),
        "dcs": make_user("dcs", name="Dana Director"),
        "ap": make_user("advanced_practitioner", name="Asha Patel", capacity=6),
        "worker": make_user("social_worker", name="Sam Worker", team=team),
    }


def _form(user, kind="absence", start=("1", "12", "2026"), end=("31", "12", "2026"), reason=""):
    return {
        "user_id": str(user.id),
        "kind": kind,
        "starts_on": list(start),
        "ends_on": list(end),
        "reason": reason,
    }


def _capacity(user) -> int:
    cycle = AuditCycle(month="2026-12", reference_date=date(2026, 12, 1), seed=1)
    db.session.add(cycle)
    db.session.flush()
    capacity = auditor_pool(cycle).capacity.get(user.id)
    db.session.rollback()
    return capacity


def test_absence_recorded_by_the_qa_lead_reduces_capacity(client, auth, people):
    auth.login(people["admin"])
    assert _capacity(people["ap"]) == 6
    response = client.post("/absences/new", data=_form(people["ap"], reason="Annual leave"))
    assert response.status_code == 302
    page = page_text(client.get("/absences/"))
    assert "Asha Patel" in page and "Annual leave" in page and "Recorded" in page
    assert _capacity(people["ap"]) == 0


def test_exemption_counts_only_once_the_dcs_approves_it(client, auth, people):
    auth.login(people["admin"])
    client.post(
        "/absences/new",
        data=_form(people["ap"], kind="exemption", reason="Leading the practice week"),
    )
    exemption = db.session.scalar(select(Absence))
    assert exemption.approved_by_id is None
    assert "Waiting for DCS approval" in page_text(client.get("/absences/"))
    assert _capacity(people["ap"]) == 6
    # The QA lead cannot approve it themselves.
    assert client.post(f"/absences/{exemption.id}/approve").status_code == 403

    auth.login(people["dcs"])
    client.post(f"/absences/{exemption.id}/approve")
    db.session.expire_all()
    assert db.session.get(Absence, exemption.id).approved_by_id == people["dcs"].id
    assert "Approved by Dana Director" in page_text(client.get("/absences/"))
    assert _capacity(people["ap"]) == 0
    # Approving twice says so and changes nothing.
    client.post(f"/absences/{exemption.id}/approve")
    assert "already approved" in page_text(client.get("/absences/"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": ("30", "11", "2026")}, "The end date must be the same as or after the start"),
        ({"kind": "exemption"}, "Enter why the exemption is needed"),
        ({"start": ("31", "2", "2026")}, "First day must be a real date"),
        ({"end": ("1", "12", "2028")}, "A period can be at most a year"),
    ],
)
def test_bad_periods_are_explained_and_nothing_is_stored(client, auth, people, changes, message):
    auth.login(people["admin"])
    response = client.post("/absences/new", data=_form(people["ap"], **changes))
    assert response.status_code == 400
    assert message in page_text(response)
    assert db.session.scalar(select(func.count(Absence.id))) == 0


def test_people_who_do_not_audit_cannot_be_given_an_absence(client, auth, people):
    auth.login(people["admin"])
    response = client.post("/absences/new", data=_form(people["worker"]))
    assert response.status_code == 400
    assert "Sam Worker does not audit" in page_text(response)
    assert db.session.scalar(select(func.count(Absence.id))) == 0


def test_removing_a_period_restores_capacity(client, auth, people):
    auth.login(people["admin"])
    client.post("/absences/new", data=_form(people["ap"]))
    absence_id = db.session.scalar(select(Absence.id))
    client.post(f"/absences/{absence_id}/remove")
    assert db.session.scalar(select(func.count(Absence.id))) == 0
    assert _capacity(people["ap"]) == 6


def test_a_dcs_exemption_recorded_by_the_dcs_is_approved_at_once(app_ctx, people):
    from qa_app.services.sampling import absences  # noqa: PLC0415

    period = absences.Period(
        user_id=people["ap"].id,
        starts_on=date(2026, 12, 1),
        ends_on=date(2026, 12, 31),
        kind="exemption",
        reason="Secondment",
    )
    assert absences.record(period, by=people["dcs"]).approved_by_id == people["dcs"].id
