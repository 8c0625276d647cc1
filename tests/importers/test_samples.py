"""Every sample file in tests/fixtures/formats (see its SOURCES.md), with counts derived by hand
from the files (the derivation is in each test's comments)."""

from datetime import date

import pytest

from qa_app.importers import read_files
from tests.support.importing import do_import, open_cases, sample

COHORTS0 = {"assessment": 0, "cin": 0, "cp": 0, "cla": 0, "short_breaks": 0, "care_leaver": 0}


def cohorts(**counts) -> dict:
    return {**COHORTS0, **counts}


# Annex_A.xlsx, read by hand (openpyxl, every row of every sheet):
# - List 6: 5 children, CIN start dates 2006-2017, no closure dates, team and worker "#N/A".
# - List 7: 10721552 plan 2020-11-23..2021-02-16; 5358472 and 14953858 from 2021-02-08, no end
#   (Locality 4 Unit 1, Petra Wills); 16036763 and 9396243 2020-04-27..2021-01-04 (Stevie
#   Greenwood); 11811692 and 6913085 2019-06-25..2020-09-17 (Rose Cunningham).
# - List 8: four children looked after since 2009-2014, not ceased (C2/E1: not short breaks;
#   Children in Care Team 1: Eugene Swift x2, Wyatt Hammond; Team 2: Fatimah Davison);
#   3623204 ceased 2020-09-22 (Team 3, Isis Chandler).
# - List 9: 6 care leavers, all open, Care Leavers Team, six different advisers.
# - List 4: five assessments started 2019-05-16..2020-02-26, authorised 2020-11-11..2021-02-08
#   (CiC Team 1 Lexie Defore; CiC Team 3 Hallie Erwin x2; Locality 4 Unit 2 Marty Gonsalves x2).
# - No child is on two case lists. 54 child rows on Lists 1-10, 48 distinct children (6537810 on
#   Lists 3 and 5; five care leavers on List 10 too). List 11 lists adopters, not children.
ANNEX_A = {
    date(2021, 3, 31): {
        "open_cases": 17,
        "by_cohort": cohorts(cin=5, cp=2, cla=4, care_leaver=6),
        "teams": 4,
        "staff": 10,
    },
    date(2020, 10, 1): {
        "open_cases": 22,
        "by_cohort": cohorts(assessment=5, cin=5, cp=2, cla=4, care_leaver=6),
        "teams": 6,
        "staff": 13,
    },
    date(2020, 9, 20): {
        "open_cases": 23,
        "by_cohort": cohorts(assessment=5, cin=5, cp=2, cla=5, care_leaver=6),
        "teams": 6,  # 3623204's Children in Care Team 3 is also List 4's
        "staff": 14,
    },
}


@pytest.mark.parametrize("as_of", sorted(ANNEX_A))
def test_annex_a_sample(app_ctx, as_of):
    expected = ANNEX_A[as_of]
    summary = do_import([sample("Annex_A.xlsx")], as_of)
    assert summary["format"] == "annex-a"
    assert summary["children"] == 48
    assert summary["open_cases"] == expected["open_cases"]
    assert summary["by_cohort"] == expected["by_cohort"]
    assert summary["unallocated"] == 5  # List 6's "#N/A" allocations
    assert summary["teams_created"] == expected["teams"]
    assert summary["staff_created"] == expected["staff"]
    assert summary["rejected"] == [] and summary["closed"] == 0
    cases = open_cases()
    assert len(cases) == expected["open_cases"]
    assert cases["12598894"][:3] == ("cin", None, None) and cases["12598894"][4] is True
    assert cases["1761444"][:3] == ("cla", "Children in Care Team 1", "Eugene Swift")
    assert cases["1761444"][3] == date(2009, 8, 6)
    # The NBSP in "Lexie\xa0Defore" is cleaned before matching and storing.
    if as_of < date(2021, 2, 8):
        assert cases["10692868"][:3] == ("assessment", "Children in Care Team 1", "Lexie Defore")


def test_annex_a_later_import_updates_closes_and_never_duplicates(app_ctx):
    do_import([sample("Annex_A.xlsx")], date(2020, 10, 1))
    summary = do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    # 5 assessments authorised and 2 CP plans ended (16036763, 9396243): closed; 2 CP plans
    # started in February 2021: opened; the other 15 cases are the same.
    assert summary["closed"] == 7
    assert summary["changes"]["opened"] == 2
    assert summary["changes"]["unchanged"] == 15
    assert summary["open_cases"] == 17
    assert summary["teams_created"] == 0  # every team already exists (pending) from the first
    assert len(open_cases()) == 17


def test_annex_a_reimport_changes_nothing(app_ctx):
    first = do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    again = do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    assert again["open_cases"] == first["open_cases"] == 17
    assert again["changes"]["unchanged"] == 17
    changed = {k: v for k, v in again["changes"].items() if k != "unchanged"}
    assert set(changed.values()) == {0}
    assert again["teams_created"] == again["staff_created"] == 0


# cin-2022.xml: one child DfEX0000001 (born 1966-03-24, GenderCurrent 1, WBRI, disabilities
# HAND and HEAR), one episode: referral 1970-10-06, closure 1971-02-27; CP plan 1970-02-17 to
# 1971-03-14; assessment 1970-06-03 authorised 1971-07-18. Open in [1970-10-06, 1971-02-27):
# the plan is open inside it, so cp. The reference date 2022-03-31: closed, no open case.
@pytest.mark.parametrize(
    ("as_of", "open_count", "by_cohort"),
    [
        (date(2022, 3, 31), 0, cohorts()),
        (date(1970, 12, 1), 1, cohorts(cp=1)),
        (date(1970, 10, 6), 1, cohorts(cp=1)),
        (date(1971, 2, 27), 0, cohorts()),
        (date(1970, 10, 5), 0, cohorts()),
    ],
)
def test_cin_census_sample(app_ctx, as_of, open_count, by_cohort):
    summary = do_import([sample("cin-2022.xml")], as_of)
    assert summary["format"] == "cin-census"
    assert summary["children"] == 1
    assert summary["open_cases"] == open_count
    assert summary["by_cohort"] == by_cohort
    assert summary["unallocated"] == open_count  # the census names no worker
    assert summary["rejected"] == []
    if open_count:
        assert open_cases()["DfEX0000001"][:4] == ("cp", None, None, date(1970, 2, 17))


def test_cin_census_sample_child_details(app_ctx):
    snapshot = read_files([sample("cin-2022.xml")], date(1970, 12, 1))
    child = snapshot.children["DfEX0000001"]
    assert (child.dob, child.sex, child.ethnicity) == (date(1966, 3, 24), "M", "WBRI")
    assert child.has_disability is True and child.disability_codes == "HAND,HEAR"


SSDA903 = ["SSDA903_2020_header.csv", "SSDA903_2020_episodes.csv", "sw_episodes.csv"]


# Episodes: 689661 has 2018-12-11..2019-07-18 V4, 2018-12-02..2019-05-16 (LS blank) and
# 2019-05-16..2019-09-26 J2, overlapping: one period of care from 2018-12-02. 249901 has
# 2019-03-30..2019-04-10 J3 then 2019-04-10..2019-06-24 V3. On 2019-06-01: 689661 has V4 and J2
# open (not all V3/V4: cla); 249901 only V3 (short_breaks). The Header repeats 689661 three times
# with different SEX/DOB (a warning) and gives 249901 the invalid ethnicity UNKN on line 6 (a
# rejected row). sw_episodes.csv names CHILD10, who is not looked after: no worker, no staff.
@pytest.mark.parametrize(
    ("as_of", "by_cohort"),
    [
        (date(2019, 6, 1), cohorts(cla=1, short_breaks=1)),
        (date(2019, 4, 5), cohorts(cla=2)),
        (date(2019, 1, 1), cohorts(cla=1)),
        (date(2019, 7, 1), cohorts(cla=1)),
        (date(2020, 3, 31), cohorts()),
    ],
)
def test_ssda903_sample(app_ctx, as_of, by_cohort):
    summary = do_import([sample(n) for n in SSDA903], as_of)
    assert summary["format"] == "ssda903"
    assert summary["children"] == 2
    assert summary["by_cohort"] == by_cohort
    assert summary["open_cases"] == sum(by_cohort.values())
    assert summary["staff_created"] == 0 and summary["teams_created"] == 0
    assert summary["rejected"] == [
        {
            "file": "SSDA903_2020_header.csv",
            "sheet": "Header",
            "row": 6,
            "column": "ETHNIC",
            "value": "UNKN",
            "reason": "not a DfE ethnicity code (such as WBRI, MWBA, NOBT, REFU)",
        }
    ]
    warnings = " ".join(summary["warnings"])
    assert "child 689661 has another header row" in warnings
    assert "ignored column(s) TEST_COLUMN" in warnings


def test_ssda903_sample_period_of_care_and_first_header_row(app_ctx):
    do_import([sample(n) for n in SSDA903], date(2019, 6, 1))
    cases = open_cases()
    assert cases["689661"][0] == "cla" and cases["689661"][3] == date(2018, 12, 2)
    assert cases["249901"][0] == "short_breaks" and cases["249901"][3] == date(2019, 3, 30)
    snapshot = read_files([sample(n) for n in SSDA903], date(2019, 6, 1))
    first = snapshot.children["689661"]
    assert (first.sex, first.dob) == ("M", date(2015, 7, 11))


def test_ssda903_blank_legal_status_counts_as_looked_after_with_a_warning(app_ctx):
    summary = do_import([sample(n) for n in SSDA903], date(2019, 1, 1))
    assert summary["by_cohort"]["cla"] == 1
    assert any("legal status (LS) blank" in w for w in summary["warnings"])


def test_sw_episodes_sample_is_recognised_by_its_columns(app_ctx):
    # UTF-8 BOM and CRLF: still recognised; alone it is not enough (no Episodes table).
    from qa_app.importers import StructuralError  # noqa: PLC0415

    with pytest.raises(StructuralError, match="no Episodes table"):
        read_files([sample("sw_episodes.csv")], date(2020, 1, 2))
    snapshot = read_files(
        [sample("sw_episodes.csv"), sample("SSDA903_2020_episodes.csv")], date(2020, 1, 2)
    )
    assert snapshot.format == "ssda903" and snapshot.cases == {}
