"""Loading staff from CSV: created, updated, rejected rows, structural errors."""

from datetime import date

import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.models import Team, User
from qa_app.services.imports.staff import StaffFileError, import_staff
from tests.support.factories import TeamFactory, make_user

HEADER = "name,email,roles,team,line_manager_email,capacity\n"
TODAY = date(2026, 11, 25)


def test_staff_are_created_with_roles_team_manager_and_capacity(app_ctx):
    TeamFactory(name="North Child Protection A")
    data = (
        HEADER
        + "Ann Boss,ann@council.test,head_of_service,,,\n"
        + "Ben Lead,ben@council.test,team_manager;iro,North Child Protection A,ann@council.test,3\n"
        + "Cat Worker,cat@council.test,social_worker,north child  protection a,ben@council.test,\n"
    ).encode()
    summary = import_staff(data, "staff.csv", today=TODAY)
    db.session.commit()
    assert (summary.created, summary.updated, summary.rejected) == (3, 0, [])
    ben = db.session.scalar(select(User).where(User.email == "ben@council.test"))
    cat = db.session.scalar(select(User).where(User.email == "cat@council.test"))
    assert ben.roles == {"team_manager", "iro"}
    assert ben.capacity == 3 and ben.line_manager.email == "ann@council.test"
    assert cat.team.name == "North Child Protection A"  # matched by normalised name
    assert cat.line_manager == ben


def test_a_line_manager_may_appear_later_in_the_file(app_ctx):
    data = (
        HEADER
        + "Cat,cat@council.test,social_worker,,ben@council.test,\nBen,ben@council.test,team_manager,,,\n"
    ).encode()
    summary = import_staff(data, "staff.csv", today=TODAY)
    assert summary.rejected == []
    cat = db.session.scalar(select(User).where(User.email == "cat@council.test"))
    assert cat.line_manager.email == "ben@council.test"


def test_existing_staff_are_updated_not_duplicated(app_ctx):
    make_user("social_worker", email="dee@council.test", name="Dee Old")
    summary = import_staff(
        (HEADER + "Dee New,DEE@council.test,team_manager,,,\n").encode(), "s.csv", today=TODAY
    )
    assert (summary.created, summary.updated) == (0, 1)
    assert (
        db.session.scalar(select(func.count(User.id)).where(User.email == "dee@council.test")) == 1
    )
    dee = db.session.scalar(select(User).where(User.email == "dee@council.test"))
    assert dee.name == "Dee New" and dee.roles == {"team_manager"}


def test_bad_rows_are_rejected_with_row_column_and_reason_and_the_rest_import(app_ctx):
    data = (
        HEADER
        + "Good,good@council.test,psw,,,\n"
        + "No Email,not-an-email,psw,,,\n"
        + "Bad Role,bad@council.test,wizard,,,\n"
        + "Bad Cap,cap@council.test,iro,,,lots\n"
        + "No Manager,nm@council.test,iro,,ghost@council.test,\n"
    ).encode()
    summary = import_staff(data, "staff.csv", today=TODAY)
    rejected = {(r["row"], r["column"]) for r in summary.rejected}
    assert rejected == {(3, "email"), (4, "roles"), (5, "capacity"), (6, "line_manager_email")}
    assert all(r["file"] == "staff.csv" and r["reason"] for r in summary.rejected)
    assert summary.created == 1
    assert "Unknown role wizard" in next(
        r["reason"] for r in summary.rejected if r["column"] == "roles"
    )


def test_unknown_teams_are_created_pending(app_ctx):
    summary = import_staff(
        (HEADER + "Eve,eve@council.test,social_worker,Brand New Team,,\n").encode(),
        "s.csv",
        today=TODAY,
    )
    assert summary.teams_created == ["Brand New Team"]
    assert db.session.scalar(select(Team).where(Team.name == "Brand New Team")).pending is True


def test_a_circle_of_line_managers_is_not_recorded(app_ctx):
    data = (
        HEADER + "A,a@council.test,psw,,b@council.test,\nB,b@council.test,psw,,a@council.test,\n"
    ).encode()
    summary = import_staff(data, "s.csv", today=TODAY)
    a = db.session.scalar(select(User).where(User.email == "a@council.test"))
    b = db.session.scalar(select(User).where(User.email == "b@council.test"))
    assert not (a.line_manager == b and b.line_manager == a)
    assert any("line manager not set" in w for w in summary.warnings)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"name,email\nx,y\n", "missing column(s) roles, team, line_manager_email, capacity"),
        (b"\xff\x00\xfe", "not UTF-8"),
    ],
)
def test_structural_errors_reject_the_file_and_change_nothing(app_ctx, data, message):
    before = db.session.scalar(select(func.count(User.id)))
    with pytest.raises(StaffFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_staff(data, "staff.csv", today=TODAY)
    db.session.rollback()
    assert db.session.scalar(select(func.count(User.id))) == before


def test_utf16_and_bom_files_are_read(app_ctx):
    text = HEADER + "Zoë Ng,zoe@council.test,psw,,,\n"
    for data in (text.encode("utf-16"), b"\xef\xbb\xbf" + text.encode()):
        import_staff(data, "s.csv", today=TODAY)
    assert db.session.scalar(select(User).where(User.email == "zoe@council.test")).name == "Zoë Ng"


def test_qualification_dates_are_read_as_the_case_importers_read_dates(app_ctx):
    make_user("social_worker", email="kept@council.test", qualified_on=date(2015, 7, 1))
    data = (
        HEADER.strip()
        + ",qualified_on\n"
        + "Iso,iso@council.test,social_worker,,,,2024-02-29\n"
        + "Uk,uk@council.test,social_worker,,,,01/09/2023\n"
        + "Serial,serial@council.test,social_worker,,,,45292\n"
        + "Kept,kept@council.test,social_worker,,,,\n"
        + "Future,future@council.test,social_worker,,,,26/11/2026\n"
        + "Nonsense,nonsense@council.test,social_worker,,,,last spring\n"
        + "NoDay,noday@council.test,social_worker,,,,31/02/2024\n"
    ).encode()
    summary = import_staff(data, "staff.csv", today=TODAY)
    dates = dict(db.session.execute(select(User.email, User.qualified_on)).all())
    assert dates["iso@council.test"] == date(2024, 2, 29)
    assert dates["uk@council.test"] == date(2023, 9, 1)
    assert dates["serial@council.test"] == date(2024, 1, 1)
    assert dates["kept@council.test"] == date(2015, 7, 1)  # a blank cell keeps the date
    rejected = {r["row"]: (r["column"], r["value"], r["reason"]) for r in summary.rejected}
    assert rejected == {
        6: ("qualified_on", "26/11/2026", "the date must be today or in the past"),
        7: ("qualified_on", "last spring", "not a date: use dd/mm/yyyy or yyyy-mm-dd"),
        8: ("qualified_on", "31/02/2024", "not a real date"),
    }
    assert "future@council.test" not in dates and "nonsense@council.test" not in dates


def test_a_staff_row_with_three_problems_lists_three(app_ctx):
    data = (
        b"name,email,roles,team,line_manager_email,capacity,qualified_on\n"
        b",not-an-email,psw,,,lots,31/02/2020\n"
        b"Ok Person,ok@council.test,psw,,,,\n"
    )
    summary = import_staff(data, "staff.csv", today=TODAY)
    assert summary.rejected == [
        {"file": "staff.csv", "row": 2, "column": "email", "value": "not-an-email",
         "reason": "not an email address"},
        {"file": "staff.csv", "row": 2, "column": "name", "value": "", "reason": "a name is required"},
        {"file": "staff.csv", "row": 2, "column": "capacity", "value": "lots",
         "reason": "a whole number of audits a month, 0 to 50"},
        {"file": "staff.csv", "row": 2, "column": "qualified_on", "value": "31/02/2020",
         "reason": "not a real date"},
    ]  # fmt: skip
    assert summary.rejected_rows == 1 and summary.created == 1
