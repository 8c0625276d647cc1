"""The qualification date in user admin: recorded, shown, cleared, and never in the future."""

from datetime import date

import pytest

from qa_app.extensions import db
from qa_app.models import User
from tests.support.factories import make_user
from tests.support.pages import page_text


def _form(user: User, **fields) -> dict:
    data = {
        "name": user.name,
        "email": user.email,
        "roles": ["social_worker"],
        "team_id": "",
        "locality_id": "",
        "active": "y",
    }
    return data | fields


@pytest.mark.clock("2026-11-25T10:00")
def test_admin_records_and_clears_a_qualification_date(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    worker = make_user("social_worker", qualified_on=date(2015, 7, 1))
    page = client.get(f"/users/{worker.id}").get_data(as_text=True)
    assert 'name="qualified_on"' in page and 'value="2015"' in page
    date_fields = {"qualified_on": ["29", "2", "2024"]}
    response = client.post(f"/users/{worker.id}", data=_form(worker, **date_fields))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, worker.id).qualified_on == date(2024, 2, 29)
    client.post(f"/users/{worker.id}", data=_form(worker, qualified_on=["", "", ""]))
    db.session.expire_all()
    assert db.session.get(User, worker.id).qualified_on is None


@pytest.mark.clock("2026-11-25T10:00")
def test_a_future_or_impossible_date_is_refused_beside_the_field(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    worker = make_user("social_worker", qualified_on=date(2015, 7, 1))
    future = client.post(
        f"/users/{worker.id}", data=_form(worker, qualified_on=["26", "11", "2026"])
    )
    assert "Date qualified must be today or in the past" in page_text(future)
    impossible = client.post(
        f"/users/{worker.id}", data=_form(worker, qualified_on=["30", "2", "2024"])
    )
    assert "Date qualified as a social worker must be a real date" in page_text(impossible)
    db.session.expire_all()
    assert db.session.get(User, worker.id).qualified_on == date(2015, 7, 1)
