"""The case CSV with only its required columns: recognised, and a left-out optional column
changes nothing the service already holds (docs/formats.md#the-services-own-case-csv)."""

from datetime import date

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.importers import Limits, StructuralError
from qa_app.importers.detect import detect
from qa_app.models import Case, Child
from tests.support.importing import database_state, do_import, source

FULL = (
    "child_id,dob,sex,ethnicity,disability,cohort,opened_on,team,worker,worker_email,iro\n"
    "0012345,14/02/2012,F,WBRI,HAND,cin,2025-09-01,North CIN,Sam Patel,sam@council.example,"
    "Jo Reviewer\n"
)
MINIMAL = "child_id,cohort,opened_on,team,worker\n0012345,cin,2025-09-01,North CIN,Sam Patel\n"


@pytest.mark.parametrize(
    "header",
    [
        "child_id,cohort,opened_on,team,worker",
        "Child ID,Cohort,Opened On,Team,Worker",  # headers match as everywhere else
        "worker,team,opened_on,cohort,child_id,notes",  # any order; an extra column is ignored
        "child_id,cohort,opened_on,team,worker,dob",
    ],
)
def test_a_file_with_the_required_columns_is_the_case_csv(header):
    assert detect(source("any-name.txt", header + "\n1,cin,,,\n"), Limits()).format == "csv"


def test_a_case_csv_short_of_a_required_column_names_it(app_ctx):
    before = database_state()
    with pytest.raises(StructuralError, match=r"cases.csv: missing column\(s\) worker"):
        do_import(
            [source("cases.csv", "child_id,dob,sex,cohort,opened_on,team\n1,,,cin,,\n")],
            date(2026, 3, 31),
        )
    assert database_state() == before


def test_a_new_child_from_the_minimal_file_has_no_details_and_the_case_no_iro(app_ctx):
    summary = do_import([source("cases.csv", MINIMAL)], date(2026, 3, 31))
    assert (summary["format"], summary["open_cases"], summary["rejected"]) == ("csv", 1, [])
    child = db.session.scalar(select(Child))
    assert (child.dob, child.sex, child.ethnicity, child.has_disability) == (None,) * 4
    case = db.session.scalar(select(Case))
    assert case.iro_id is None and case.worker.name == "Sam Patel"


def test_left_out_columns_keep_what_an_earlier_import_gave(app_ctx):
    do_import([source("cases.csv", FULL)], date(2026, 2, 28))
    case = db.session.scalar(select(Case))
    iro, worker = case.iro_id, case.worker_id
    assert iro is not None

    summary = do_import([source("cases.csv", MINIMAL)], date(2026, 3, 31))
    assert summary["changes"]["closed"] == 0 and summary["changes"]["children_updated"] == 0
    db.session.expire_all()
    child = db.session.scalar(select(Child))
    assert (child.dob, child.sex, child.ethnicity, child.disability_codes) == (
        date(2012, 2, 14), "F", "WBRI", "HAND",
    )  # fmt: skip
    case = db.session.scalar(select(Case))
    assert (case.iro_id, case.worker_id, case.closed_on) == (iro, worker, None)

    # An iro column that is there but blank does clear it: "left out" and "blank" differ.
    do_import([source("cases.csv", MINIMAL.replace("worker\n", "worker,iro\n", 1)
                      .replace("Patel\n", "Patel,\n"))], date(2026, 4, 30))  # fmt: skip
    db.session.expire_all()
    assert db.session.scalar(select(Case)).iro_id is None
