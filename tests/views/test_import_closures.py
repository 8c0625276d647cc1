"""The Imports pages' closure warning, typed confirmation and undo (issue 15)."""

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Case, Import, ImportUpload
from tests.support.factories import make_assignment, make_user
from tests.support.importing import do_import, source
from tests.support.pages import page_text

HEADER = "child_id,cohort,opened_on,team,worker\n"


@pytest.fixture
def admin(app_ctx, auth, tmp_path):
    app_ctx.config["IMPORT_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    user = make_user("qa_admin", name="Quinn Admin")
    auth.login(user)
    return user


def twenty_open():
    rows = [f"{i},cin,2025-01-01,North,Ann Lee" for i in range(12)]
    rows += [f"{i},cp,2025-01-01,South,Bo Kim" for i in range(12, 20)]
    do_import([source("cases.csv", HEADER + "\n".join(rows))], date(2025, 6, 1))


def upload(client, rows: list[str], as_of=("1", "7", "2025")) -> ImportUpload:
    data = (HEADER + "\n".join(rows) + "\n").encode()
    client.post(
        "/imports/new",
        data={"files": [(io.BytesIO(data), "cases.csv")], "as_of": list(as_of), "format": ""},
        content_type="multipart/form-data",
    )
    return db.session.scalar(select(ImportUpload).order_by(ImportUpload.id.desc()))


def open_count() -> int:
    return db.session.scalar(select(func.count(Case.id)).where(Case.closed_on.is_(None)))


def test_the_preview_leads_with_what_closes_and_asks_for_the_number(client, admin):
    twenty_open()
    row = upload(client, ["0,cin,2025-01-01,North,Ann Lee", "12,cp,2025-01-01,South,Bo Kim"])
    page = client.get(f"/imports/uploads/{row.id}").get_data(as_text=True)
    text = page_text(page)
    # The warning comes before the preview's other figures.
    warning = "This import will close 18 cases of the 20 open cases of the cohorts it covers"
    assert warning in text and text.index(warning) < text.index("Children in the files")
    assert "govuk-warning-text" in page
    assert "Child in need 11" in text and "Child protection 7" in text
    assert "North 11" in text and "South 7" in text
    assert "Import and close 18 cases" in text and "Import these cases" not in text

    for typed, status in (("", 400), ("17", 400), ("eighteen", 400)):
        response = client.post(f"/imports/uploads/{row.id}/confirm", data={"closures": typed})
        assert response.status_code == status
        assert "Type 18, the number of cases this import will close, to import it" in page_text(
            response
        )
        assert open_count() == 20 and db.session.scalar(select(func.count(Import.id))) == 1

    response = client.post(f"/imports/uploads/{row.id}/confirm", data={"closures": "18"})
    assert response.status_code == 302
    assert open_count() == 2
    assert "2 children with an open case; 18 cases closed" in page_text(
        client.get(response.headers["Location"])
    )


def test_a_file_with_no_accepted_row_offers_no_plain_import_button(client, admin):
    twenty_open()
    row = upload(client, ["=1+1,cin,2025-01-01,North,Ann Lee"])
    text = page_text(client.get(f"/imports/uploads/{row.id}"))
    assert "No row in the files was accepted" in text
    # The rejected row still names its cohort, so the file covers child in need: all 12 close.
    assert "Import these cases" not in text and "Import and close 12 cases" in text
    refused = client.post(f"/imports/uploads/{row.id}/confirm", data={})
    assert refused.status_code == 400 and open_count() == 20


def test_a_small_closure_imports_on_one_click(client, admin):
    twenty_open()
    rows = [f"{i},cin,2025-01-01,North,Ann Lee" for i in range(1, 12)]
    row = upload(client, rows)  # closes 1 of the 12 CIN cases: under 10%
    text = page_text(client.get(f"/imports/uploads/{row.id}"))
    assert "This import will close 1 case of the 12 open cases" in text
    assert "Import these cases" in text and "Type the number" not in text
    assert client.post(f"/imports/uploads/{row.id}/confirm").status_code == 302
    assert open_count() == 19


def test_undo_the_latest_import_from_its_page(client, admin):
    twenty_open()
    row = upload(client, ["0,cin,2025-01-01,North,Ann Lee", "12,cp,2025-01-01,South,Bo Kim"])
    client.post(f"/imports/uploads/{row.id}/confirm", data={"closures": "18"})
    record = db.session.scalar(select(Import).order_by(Import.id.desc()))
    first = record.id - 1
    assert "Undo this import" not in page_text(client.get(f"/imports/{first}"))
    detail = page_text(client.get(f"/imports/{record.id}"))
    assert "the 18 cases it closed will be open again" in detail

    response = client.post(f"/imports/{record.id}/undo")
    assert response.status_code == 302 and open_count() == 20
    text = page_text(client.get(response.headers["Location"]))
    assert "has been undone: 18 cases are as they were before it" in text
    assert "Undone" in text and "by Quinn Admin" in text
    assert "Undone" in page_text(client.get("/imports/"))


def test_undo_is_refused_naming_the_work_that_depends_on_it(client, admin):
    do_import([source("cases.csv", HEADER + "1,cin,2025-01-01,North,Ann Lee\n")], date(2025, 6, 1))
    make_assignment(case=db.session.scalar(select(Case)))
    record = db.session.scalar(select(Import))
    detail = page_text(client.get(f"/imports/{record.id}"))
    assert "This import cannot be undone, because:" in detail
    assert "1 sampled cases on cases or children it added" in detail
    response = client.post(f"/imports/{record.id}/undo")
    assert response.status_code == 302 and open_count() == 1
    assert "cannot be undone: 1 sampled cases" in page_text(client.get(f"/imports/{record.id}"))


def test_only_the_qa_lead_may_undo(client, auth, app_ctx):
    do_import([source("cases.csv", HEADER + "1,cin,2025-01-01,North,Ann Lee\n")], date(2025, 6, 1))
    auth.login(make_user("psw"))
    record = db.session.scalar(select(Import))
    assert client.post(f"/imports/{record.id}/undo").status_code == 403
    assert open_count() == 1


@pytest.mark.app_config(IMPORT_INLINE_MAX_BYTES=0)
def test_a_background_import_carries_the_typed_number_to_its_task(client, admin):
    twenty_open()
    row = upload(client, ["0,cin,2025-01-01,North,Ann Lee", "12,cp,2025-01-01,South,Bo Kim"])
    assert row.status == "previewed" and row.preview["confirmation"]["needed"]
    assert client.post(f"/imports/uploads/{row.id}/confirm").status_code == 400
    assert row.task.kind == "import_preview"  # no import task was started
    client.post(f"/imports/uploads/{row.id}/confirm", data={"closures": "18"})
    db.session.expire_all()
    row = db.session.get(ImportUpload, row.id)
    assert row.task.kind == "import_cases" and row.task.params["confirm_closures"] == 18
    assert row.status == "imported" and open_count() == 2


def test_cases_changed_since_the_preview_refuse_the_typed_number(client, admin):
    twenty_open()
    row = upload(client, ["0,cin,2025-01-01,North,Ann Lee", "12,cp,2025-01-01,South,Bo Kim"])
    db.session.execute(
        Case.__table__.update().where(Case.id == 2).values(closed_on=date(2025, 6, 2))
    )
    db.session.commit()  # one case closed elsewhere: the import now closes 17, not 18
    response = client.post(f"/imports/uploads/{row.id}/confirm", data={"closures": "18"})
    assert response.status_code == 302 and open_count() == 19
    assert (
        "The cases held have changed since the preview: this import would close 17 cases, not 18. "
        "Nothing was changed" in page_text(client.get(response.headers["Location"]))
    )
