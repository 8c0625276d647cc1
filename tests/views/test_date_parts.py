"""Day, month and year boxes: whatever is sent, a field error that names the date and the part,
the boxes shown back as typed, and nothing saved (never a 500)."""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Absence, ImportUpload
from tests.support.factories import make_user
from tests.support.pages import page_text

pytestmark = pytest.mark.clock("2026-11-25T10:00")

CASES = [
    (["", "12", "2026"], "First day must include a day"),
    (["7", "", ""], "First day must include a month and a year"),
    (["7", "12"], "First day must be a real date"),  # a box left out of the request
    (["7", "12", "2026", "1"], "First day must be a real date"),
    (["31", "2", "2027"], "First day must be a real date"),
    (["seven", "12", "2026"], "written in numbers"),
    (["7", "12", "26"], "the year must have 4 numbers"),
    (["7", "12", "9" * 100_000], "the year must have 4 numbers"),
    (["\ufffd\x00", "12", "2026"], "written in numbers"),
    (["", "", ""], "Enter the first day"),
]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("parts", "message"), CASES)
def test_a_malformed_absence_date_is_a_form_error(client, auth, app_ctx, parts, message):
    auth.login(make_user("qa_admin"))
    person = make_user("advanced_practitioner")
    response = client.post(
        "/absences/new",
        data={"user_id": person.id, "kind": "absence", "starts_on": parts,
              "ends_on": ["31", "12", "2026"]},
    )  # fmt: skip
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text and message in text
    assert _count(Absence) == 0


def test_the_boxes_show_back_what_was_typed(client, auth, app_ctx):
    auth.login(make_user("qa_admin"))
    response = client.post("/absences/new", data={"starts_on": ["7", "", "2026"]})
    html = response.get_data(as_text=True)
    assert 'id="starts_on-day"' in html and 'value="7"' in html and 'value="2026"' in html


@pytest.mark.parametrize(("parts", "message"), CASES)
def test_a_malformed_as_of_date_on_an_import_is_a_form_error(client, auth, app_ctx, parts, message):
    auth.login(make_user("qa_admin"))
    response = client.post(
        "/imports/new",
        data={"files": [(io.BytesIO(b"child_id\n1\n"), "cases.csv")], "as_of": parts},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200  # the upload page's own convention for a refused form
    text = page_text(response)
    expected = message.replace("First day", "As-of date").replace("first day", "as-of date")
    assert expected in text
    assert _count(ImportUpload) == 0


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=st.lists(st.text(max_size=8), max_size=5))
def test_any_boxes_give_a_date_or_an_error_never_a_crash(client, auth, app_ctx, parts):
    auth.login(make_user("qa_admin"))
    response = client.post("/absences/new", data={"kind": "absence", "starts_on": parts})
    assert response.status_code == 400
    assert "There is a problem" in page_text(response)
