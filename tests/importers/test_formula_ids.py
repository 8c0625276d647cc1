"""Child ids a spreadsheet would run as a formula are refused, row by row, in every format."""

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.importers.common import BadValue, parse_child_id
from qa_app.models import Child
from tests.importers.test_hostile import minimal_lists, workbook
from tests.support.importing import FIXTURES, do_import, sample, source

HOSTILE_IDS = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\uff1d1+1"]
REASON = "spreadsheets read it as a formula"


@pytest.mark.parametrize("value", [*HOSTILE_IDS, "\t=1", " -5", -5])
def test_the_shared_cleaning_refuses_formula_ids(value):
    with pytest.raises(BadValue, match=REASON):
        parse_child_id(value)


@given(st.text(min_size=1, max_size=30))
def test_no_cleaned_child_id_starts_like_a_formula(value):
    try:
        cleaned = parse_child_id(value)
    except BadValue:
        return
    assert cleaned[0] not in "=+-@\t\r"


def test_ordinary_ids_still_pass():
    assert parse_child_id(" 0012345 ") == "0012345"
    assert parse_child_id("DfEX0000001") == "DfEX0000001"
    assert parse_child_id("A-12") == "A-12"  # a dash inside is fine


def rejected_for(summary, value) -> dict:
    found = [r for r in summary["rejected"] if r["value"] == value]
    assert len(found) == 1, summary["rejected"]
    assert REASON in found[0]["reason"]
    return found[0]


def imported_ids() -> set[str]:
    return set(db.session.scalars(select(Child.la_child_id)))


def test_own_csv(app_ctx):
    header = "child_id,dob,sex,ethnicity,disability,cohort,opened_on,team,worker,worker_email,iro\n"
    rows = [
        "0012345,14/02/2012,F,WBRI,no,cin,2025-09-01,North CIN,Sam Patel,,",
        '"=HYPERLINK(""http://evil"")",14/02/2012,F,WBRI,no,cin,2025-09-01,North CIN,Sam Patel,,',
    ]
    summary = do_import([source("cases.csv", header + "\n".join(rows) + "\n")], date(2026, 3, 31))
    row = rejected_for(summary, '=HYPERLINK("http://evil")')
    assert (row["file"], row["row"], row["column"]) == ("cases.csv", 3, "child_id")
    assert imported_ids() == {"0012345"}


def test_annex_a(app_ctx):
    lists = minimal_lists()
    lists["List 6"] = [*lists["List 6"], ["+1+1", "01/01/2021", None, "T", "W"]]
    summary = do_import([source("annex.xlsx", workbook(lists))], date(2021, 3, 31))
    row = rejected_for(summary, "+1+1")
    assert (row["file"], row["sheet"], row["row"]) == ("annex.xlsx", "List 6", 3)
    assert row["column"] == "Child Unique ID"
    assert imported_ids() == {"1"}


def test_cin_census(app_ctx):
    xml = (FIXTURES / "cin-2022.xml").read_text()
    child = re.search(r"<Child>.*?</Child>", xml, re.S).group(0)
    xml = xml.replace(child, child + child.replace("DfEX0000001", "@SUM(A1)"), 1)
    summary = do_import([source("census.xml", xml)], date(1970, 12, 1))
    row = rejected_for(summary, "@SUM(A1)")
    assert (row["file"], row["row"], row["column"]) == (
        "census.xml",
        2,
        "ChildIdentifiers/LAchildID",
    )
    assert imported_ids() == {"DfEX0000001"}


def test_ssda903(app_ctx):
    header = sample("SSDA903_2020_header.csv")
    episodes = (FIXTURES / "SSDA903_2020_episodes.csv").read_text()
    first = episodes.splitlines()[1]
    hostile = episodes + first.replace("689661", "-2+3", 1) + "\n"
    summary = do_import([header, source("SSDA903_2020_episodes.csv", hostile)], date(2019, 6, 1))
    row = rejected_for(summary, "-2+3")
    assert (row["file"], row["sheet"], row["column"]) == (
        "SSDA903_2020_episodes.csv",
        "Episodes",
        "CHILD",
    )
    assert row["row"] == len(hostile.splitlines())
    assert "-2+3" not in imported_ids() and "689661" in imported_ids()
