"""The Imports pages: upload, preview, confirm, history, rejected rows, pending teams and staff."""

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Case, Import, ImportUpload, StaffAlias, Team, TeamAlias, User
from qa_app.services.performance import board
from tests.support.factories import CaseFactory, TeamFactory, make_user
from tests.support.importing import FIXTURES, database_state, do_import, source
from tests.support.pages import page_text
from tests.support.queries import statements
from tests.support.zips import forge_size, with_part


@pytest.fixture
def admin(app_ctx, auth, tmp_path):
    app_ctx.config["IMPORT_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    user = make_user("qa_admin", name="Quinn Admin")
    auth.login(user)
    return user


def upload(client, *names, as_of=("31", "3", "2021"), fmt="", files=None):
    files = files or [((FIXTURES / n).read_bytes(), n) for n in names]
    return client.post(
        "/imports/new",
        data={
            "files": [(io.BytesIO(data), name) for data, name in files],
            "as_of": list(as_of),
            "format": fmt,
        },
        content_type="multipart/form-data",
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_upload_preview_then_confirm(client, admin, app_ctx, tmp_path):
    response = upload(client, "Annex_A.xlsx")
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    text = page_text(preview)
    assert "Check the import" in text and "This is a preview: nothing has been changed yet." in text
    assert "Children with an open case 17" in text and "Teams created (pending) 4" in text
    assert count(Case) == 0 and count(Import) == 0  # the preview wrote nothing
    # The records kept for the indicators: List 3's six referrals, List 7's seven plans.
    assert "Referrals 6 6 0 0 2020-04-01 to 2021-03-31" in text
    assert "CP plans 7 7 0 0" in text
    stored = list((tmp_path / "uploads").iterdir())
    assert len(stored) == 1 and len(stored[0].name) == 64

    upload_row = db.session.scalar(select(ImportUpload))
    confirmed = client.post(f"/imports/uploads/{upload_row.id}/confirm")
    assert confirmed.status_code == 302
    record = db.session.scalar(select(Import))
    assert confirmed.headers["Location"] == f"/imports/{record.id}"
    assert (record.open_cases, record.created_by.name) == (17, "Quinn Admin")
    assert count(Case) == 17
    assert list((tmp_path / "uploads").iterdir()) == []  # files removed once imported
    detail = page_text(client.get(f"/imports/{record.id}"))
    assert record.files[0]["sha256"] in detail and "by Quinn Admin" in detail
    history = page_text(client.get("/imports/"))
    assert "Quinn Admin" in history and "annex-a" in history
    # Confirming twice does not import twice.
    again = client.post(f"/imports/uploads/{upload_row.id}/confirm")
    assert again.status_code == 302 and count(Import) == 1


def test_a_wrong_file_is_explained_and_changes_nothing(client, admin, app_ctx):
    CaseFactory()
    response = upload(client, "SSDA903_2020_episodes.csv", fmt="annex-a")
    page = page_text(client.get(response.headers["Location"]))
    assert "The files cannot be imported" in page
    assert "this looks like an SSDA903 Episodes table, not an Ofsted Annex A workbook" in page
    assert count(Case) == 1 and count(Import) == 0


def test_the_form_needs_files_and_a_date(client, admin, app_ctx):
    response = client.post("/imports/new", data={"as_of": ["", "", ""]})
    text = page_text(response)
    assert "Choose at least one file" in text and "Enter the as-of date" in text
    assert count(ImportUpload) == 0


@pytest.mark.app_config(IMPORT_INLINE_MAX_BYTES=0)
def test_large_uploads_are_previewed_and_imported_by_background_tasks(client, admin, app_ctx):
    files = [(FIXTURES / n).read_bytes() for n in ("SSDA903_2020_episodes.csv",)]
    response = upload(client, files=[(files[0], "episodes.csv")], as_of=("1", "6", "2019"))
    upload_row = db.session.scalar(select(ImportUpload))
    # RQ runs synchronously in tests: the preview task has already run.
    assert upload_row.task.kind == "import_preview" and upload_row.task.status == "complete"
    assert upload_row.status == "previewed" and upload_row.preview["open_cases"] == 2
    client.post(f"/imports/uploads/{upload_row.id}/confirm")
    db.session.expire_all()
    upload_row = db.session.get(ImportUpload, upload_row.id)
    assert upload_row.task.kind == "import_cases" and upload_row.task.status == "complete"
    assert upload_row.status == "imported" and upload_row.result.open_cases == 2
    page = page_text(client.get(response.headers["Location"]))
    assert "Imported" in page and "See the import" in page


def test_discard_deletes_the_files(client, admin, app_ctx, tmp_path):
    upload(client, "Annex_A.xlsx")
    upload_row = db.session.scalar(select(ImportUpload))
    client.post(f"/imports/uploads/{upload_row.id}/discard")
    db.session.expire_all()
    assert db.session.get(ImportUpload, upload_row.id).status == "discarded"
    assert list((tmp_path / "uploads").iterdir()) == []
    refused = client.post(f"/imports/uploads/{upload_row.id}/confirm")
    assert refused.status_code == 302 and count(Import) == 0


def test_rejected_rows_download(client, admin, app_ctx):
    rows = (
        "child_id,dob,sex,ethnicity,disability,cohort,opened_on,team,worker,worker_email,iro\n"
        "1,,,,,cin,,T,W,,\n"
        "2,,,XXXX,,cin,,T,W,,\n"
        "3,=cmd(),,,,cin,,T,W,,\n"
    )
    summary = do_import([source("cases.csv", rows)], date(2026, 3, 31))
    record = db.session.scalar(select(Import))
    assert len(summary["rejected"]) == 2
    response = client.get(f"/imports/{record.id}/rejected.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert table[0] == ["file", "sheet", "row", "column", "value", "reason"]
    assert table[1][2:5] == ["3", "ethnicity", "XXXX"]
    assert table[2][2:5] == ["4", "dob", "'=cmd()"]  # never a live formula in Excel
    detail = page_text(client.get(f"/imports/{record.id}"))
    assert "Download all 2 rejected rows (CSV)" in detail


def csv_import(*rows: str, as_of=date(2026, 3, 31)):
    header = "child_id,dob,sex,ethnicity,disability,cohort,opened_on,team,worker,worker_email,iro\n"
    return do_import([source("cases.csv", header + "\n".join(rows) + "\n")], as_of)


def test_merge_a_pending_team_moves_its_cases_and_is_remembered(client, admin, app_ctx):
    real = TeamFactory(name="North Child in Need")
    csv_import("1,,,,,cin,,N. CIN team,,,", "2,,,,,cin,,N. CIN team,,,")
    pending_id = db.session.scalar(select(Team.id).where(Team.pending.is_(True)))
    page = page_text(client.get("/imports/pending"))
    assert "N. CIN team (2 open cases)" in page
    client.post(f"/imports/pending/teams/{pending_id}/merge", data={"team-into": real.id})
    db.session.expire_all()
    assert db.session.get(Team, pending_id) is None
    assert set(db.session.scalars(select(Case.team_id))) == {real.id}
    assert db.session.scalar(select(TeamAlias.team_id)) == real.id
    summary = csv_import("1,,,,,cin,,N. CIN team,,,", as_of=date(2026, 4, 30))
    assert summary["teams_created"] == 0
    assert set(db.session.scalars(select(Case.team_id).where(Case.closed_on.is_(None)))) == {
        real.id
    }


def test_confirm_a_pending_team(client, admin, app_ctx):
    csv_import("1,,,,,cin,,Brand New Team,,,")
    team = db.session.scalar(select(Team))
    client.post(f"/imports/pending/teams/{team.id}/confirm")
    db.session.expire_all()
    assert db.session.get(Team, team.id).pending is False
    assert "No pending teams." in page_text(client.get("/imports/pending"))


def test_confirm_and_merge_pending_staff(client, admin, app_ctx):
    existing = make_user("social_worker", name="Dana Scully", email="dana@council.test")
    csv_import("1,,,,,cin,,T,D. Scully,,", "2,,,,,cin,,T,Fox Mulder,,")
    existing_id = existing.id
    scully = db.session.scalar(select(User.id).where(User.name == "D. Scully"))
    mulder = db.session.scalar(select(User.id).where(User.name == "Fox Mulder"))
    # A bad email is refused and nothing changes.
    client.post(f"/imports/pending/staff/{mulder}/confirm", data={"email": "not-an-email"})
    db.session.expire_all()
    assert db.session.get(User, mulder).pending is True
    client.post(f"/imports/pending/staff/{mulder}/confirm", data={"email": "Fox@Council.test"})
    client.post(f"/imports/pending/staff/{scully}/merge", data={"into_email": "dana@council.test"})
    db.session.expire_all()
    confirmed = db.session.get(User, mulder)
    assert (confirmed.pending, confirmed.email) == (False, "fox@council.test")
    assert db.session.get(User, scully) is None
    workers = dict(db.session.execute(select(Case.child_id, Case.worker_id)).all())
    assert sorted(workers.values()) == sorted([existing_id, mulder])
    assert db.session.scalar(select(StaffAlias.user_id)) == existing_id
    # The next import that says "D. Scully" means Dana Scully: nobody new is created.
    summary = csv_import("1,,,,,cin,,T,d scully,,", as_of=date(2026, 4, 30))
    assert summary["staff_created"] == 0
    open_workers = db.session.scalars(select(Case.worker_id).where(Case.closed_on.is_(None)))
    assert set(open_workers) == {existing_id}


@pytest.mark.app_config(IMPORT_INLINE_MAX_BYTES=0)
def test_a_failed_background_import_is_explained_and_can_be_discarded(
    client, admin, app_ctx, tmp_path
):
    example = (FIXTURES.parents[1].parent / "docs" / "examples" / "cases.csv").read_bytes()
    response = upload(client, files=[(example, "cases.csv")], as_of=("31", "3", "2026"))
    upload_id = db.session.scalar(select(ImportUpload.id))
    # Meanwhile someone imports a later snapshot of the same cohorts.
    csv_import("9,,,,,cin,,T,W,,", as_of=date(2026, 4, 30))
    client.post(f"/imports/uploads/{upload_id}/confirm")
    db.session.expire_all()
    row = db.session.get(ImportUpload, upload_id)
    assert row.task.status == "failed" and count(Import) == 1
    page = page_text(client.get(response.headers["Location"]))
    assert "The files cannot be imported" in page and "already covers these cohorts" in page
    client.post(f"/imports/uploads/{upload_id}/discard")
    db.session.expire_all()
    assert db.session.get(ImportUpload, upload_id).status == "discarded"
    assert list((tmp_path / "uploads").iterdir()) == []


def test_stale_uploads_are_discarded_by_the_daily_job(client, admin, app_ctx, tmp_path):
    from datetime import datetime  # noqa: PLC0415

    from workers import jobs  # noqa: PLC0415

    upload(client, "Annex_A.xlsx")
    row = db.session.scalar(select(ImportUpload))
    row.created_at = datetime(2020, 1, 1)
    db.session.commit()
    assert jobs.purge_import_uploads("2026-11-23") == 1
    db.session.expire_all()
    assert db.session.get(ImportUpload, row.id).status == "discarded"
    assert list((tmp_path / "uploads").iterdir()) == []


ANNEX_A = FIXTURES / "Annex_A.xlsx"  # 27 KB uploaded, 86 KB inflated


@pytest.mark.app_config(IMPORT_MAX_INFLATED_BYTES=200_000)
def test_an_uploaded_zip_bomb_is_a_form_error_and_nothing_is_stored(
    client, admin, app_ctx, tmp_path
):
    CaseFactory()
    before = database_state()
    bomb = with_part(ANNEX_A.read_bytes(), "docProps/padding.xml", b"\0" * 300_000)
    response = upload(client, files=[(bomb, "bomb.xlsx")])
    assert response.status_code == 200  # the form again, refused by the ZIP directory alone
    text = page_text(response)
    assert "There is a problem" in text
    assert "bomb.xlsx: the workbook would expand to" in text
    assert "over the limit of 200,000 bytes (IMPORT_MAX_INFLATED_BYTES)" in text
    assert count(ImportUpload) == 0 and database_state() == before
    folder = tmp_path / "uploads"
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.parametrize("inline_max", [2 * 1024 * 1024, 0], ids=["in the request", "by a task"])
def test_a_forged_workbook_is_refused_while_inflating_and_the_page_says_so(
    client, admin, app_ctx, inline_max
):
    app_ctx.config["IMPORT_INLINE_MAX_BYTES"] = inline_max
    CaseFactory()
    before = database_state()
    forged = forge_size(ANNEX_A.read_bytes(), "xl/worksheets/sheet7.xml", 100)
    response = upload(client, files=[(forged, "forged.xlsx")])
    page = page_text(client.get(response.headers["Location"]))
    assert "The files cannot be imported" in page and "There is a problem" in page
    assert "xl/worksheets/sheet7.xml inflates to more than the 100 bytes the ZIP directory" in page
    assert "Nothing has been changed" in page
    assert count(Import) == 0 and database_state() == before


@pytest.mark.app_config(IMPORT_INLINE_MAX_BYTES=30_000)
def test_a_workbook_goes_to_a_background_task_by_its_inflated_size(client, admin, app_ctx):
    upload(client, "Annex_A.xlsx")  # 27 KB as uploaded, under the limit; 86 KB to read
    upload_row = db.session.scalar(select(ImportUpload))
    assert upload_row.task is not None and upload_row.task.kind == "import_preview"
    assert upload_row.files[0]["work"] > 30_000 > upload_row.files[0]["size"]
    assert upload_row.status == "previewed"


ROW_WITH_THREE_PROBLEMS = (
    b"child_id,cohort,opened_on,team,worker,dob,sex,ethnicity\n"
    b"61,cin,01/01/2021,T,W,31/02/2010,X,ZZZZ\n"
    b"62,cin,01/01/2021,T,W,,F,WBRI\n"
)


def test_the_preview_lists_every_problem_of_a_rejected_row(client, admin, app_ctx):
    response = upload(client, files=[(ROW_WITH_THREE_PROBLEMS, "cases.csv")])
    text = page_text(client.get(response.headers["Location"]))
    assert "Rows rejected 1 (3 problems)" in text
    assert "Rejected rows: every problem, one line each" in text
    for line in (
        "cases.csv 2 dob 31/02/2010 not a real date",
        "cases.csv 2 sex X not a sex or gender code (male, female or not known)",
        "cases.csv 2 ethnicity ZZZZ not a DfE ethnicity code (such as WBRI, MWBA, NOBT, REFU)",
    ):
        assert line in text
    client.post(f"/imports/uploads/{db.session.scalar(select(ImportUpload)).id}/confirm")
    record = db.session.scalar(select(Import))
    assert record.rejected_rows == 1
    body = client.get(f"/imports/{record.id}/rejected.csv").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert [r[2:4] for r in table[1:]] == [["2", "dob"], ["2", "sex"], ["2", "ethnicity"]]
    detail = page_text(client.get(f"/imports/{record.id}"))
    assert "Download all 1 rejected rows (CSV)" in detail
    assert "one line for each problem, so a row with several problems has several lines" in detail


@pytest.mark.clock("2021-04-12T09:00")
@pytest.mark.app_config(PERFORMANCE_WARM_AFTER_IMPORT=True)
def test_an_import_confirmed_on_the_page_leaves_the_performance_board_computed(
    client, admin, app_ctx
):
    upload(client, "Annex_A.xlsx")
    client.post(f"/imports/uploads/{db.session.scalar(select(ImportUpload.id))}/confirm")
    assert count(Import) == 1
    # RQ runs jobs inline in tests: the warming job has run; the board is read, not computed.
    assert len(statements(lambda: board.monthly_figures("2021-03"))) == 1
