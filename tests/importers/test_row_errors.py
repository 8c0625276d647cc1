"""Every problem of a rejected row is listed, not only the first (issue 15 item 3): per importer,
a row with a bad date, sex X and ethnicity ZZZZ lists three problems, each naming its file,
sheet, row and column, with the reasons worded as for a single problem."""

from datetime import date

from qa_app.importers import read_files
from tests.importers.test_hostile import minimal_lists, workbook
from tests.support.importing import source

D = date(2021, 3, 31)
BAD_DATE = "not a date: use dd/mm/yyyy or yyyy-mm-dd"
BAD_SEX = "not a sex or gender code (male, female or not known)"
BAD_ETHNICITY = "not a DfE ethnicity code (such as WBRI, MWBA, NOBT, REFU)"


def problems(snapshot) -> list[tuple]:
    return [(r.file, r.sheet, r.row, r.column, r.value, r.reason) for r in snapshot.rejected]


def test_annex_a_case_list_row_lists_its_three_problems_and_is_rejected():
    header = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "CIN Start Date",
              "CIN Closure Date", "Allocated Team", "Allocated Worker"]  # fmt: skip
    sheets = minimal_lists(
        **{"List 6": [header, [7, "X", "ZZZZ", "31/02/2010", "01/01/2021", None, "T", "W"],
                      [8, "F", "WBRI", "01/02/2010", "01/01/2021", None, "T", "W"]]}
    )  # fmt: skip
    snapshot = read_files([source("annex.xlsx", workbook(sheets))], D)
    assert problems(snapshot) == [
        ("annex.xlsx", "List 6", 2, "Gender", "X", BAD_SEX),
        ("annex.xlsx", "List 6", 2, "Ethnicity", "ZZZZ", BAD_ETHNICITY),
        ("annex.xlsx", "List 6", 2, "Date of Birth", "31/02/2010", "not a real date"),
    ]
    assert snapshot.rejected_rows() == 1
    assert set(snapshot.cases) == {"8"} and "7" in snapshot.unreadable


def test_annex_a_lists_event_column_problems_beside_the_case_columns_each_cell_once():
    header = ["Child Unique ID", "Date Started to be Looked After", "Date Ceased to be Looked After",
              "Child's Legal Status", "Allocated Team", "Allocated Worker",
              "Date of Last Dental Check", "Number of Placements in the Last 12 months"]  # fmt: skip
    sheets = minimal_lists(
        **{"List 8": [header, [5, "someday", None, "C2", "T", "W", "yesterday", "two"]]}
    )
    snapshot = read_files([source("annex.xlsx", workbook(sheets))], D)
    kinds = "cla_periods, cla_placements, cla_statuses, cla_reviews, cla_visits, cla_health_checks"
    assert [(r.column, r.reason) for r in snapshot.rejected] == [
        ("Date Started to be Looked After", BAD_DATE),  # listed once, not again for the events
        ("Date of Last Dental Check", f"{BAD_DATE}; the row's {kinds} not kept"),
        ("Number of Placements in the Last 12 months", f"not a whole number; the row's {kinds} not kept"),
    ]  # fmt: skip
    assert "5" not in snapshot.cases and not snapshot.events.rows["cla_periods"]


def test_annex_a_event_only_problems_keep_the_case():
    header = ["Child Unique ID", "Date Started to be Looked After", "Date Ceased to be Looked After",
              "Child's Legal Status", "Allocated Team", "Allocated Worker",
              "Date of Last Dental Check", "Date of Last Health Assessment"]  # fmt: skip
    sheets = minimal_lists(
        **{"List 8": [header, [5, "01/01/2020", None, "C2", "T", "W", "yesterday", "32/01/2021"]]}
    )
    snapshot = read_files([source("annex.xlsx", workbook(sheets))], D)
    assert [r.column for r in snapshot.rejected] == [
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
    ]
    assert snapshot.cases["5"].cohort == "cla"  # as before: events dropped, the case kept


CENSUS = (
    "<Message><Children><Child><ChildIdentifiers><LAchildID>41</LAchildID>"
    "<PersonBirthDate>2010-13-01</PersonBirthDate><Sex>X</Sex></ChildIdentifiers>"
    "<ChildCharacteristics><Ethnicity>ZZZZ</Ethnicity></ChildCharacteristics>"
    "<CINdetails><CINreferralDate>2020-01-01</CINreferralDate>"
    "<CINPlanDates><CINPlanStartDate>soon</CINPlanStartDate></CINPlanDates></CINdetails>"
    "</Child><Child><ChildIdentifiers><LAchildID>42</LAchildID></ChildIdentifiers>"
    "<CINdetails><CINreferralDate>2020-01-01</CINreferralDate></CINdetails></Child>"
    "</Children></Message>"
)


def test_cin_census_child_lists_every_problem_including_its_events():
    snapshot = read_files([source("census.xml", CENSUS)], D)
    assert problems(snapshot) == [
        ("census.xml", "Child", 1, "ChildIdentifiers/PersonBirthDate", "2010-13-01",
         "not a real date"),
        ("census.xml", "Child", 1, "ChildIdentifiers/Sex", "X", BAD_SEX),
        ("census.xml", "Child", 1, "ChildCharacteristics/Ethnicity", "ZZZZ", BAD_ETHNICITY),
        ("census.xml", "Child", 1, "CINPlanDates/CINPlanStartDate", "soon",
         f"{BAD_DATE}; this event is not kept"),
    ]  # fmt: skip
    assert snapshot.rejected_rows() == 1
    assert set(snapshot.cases) == {"42"} and snapshot.unreadable == {"41"}
    assert [r[0] for r in snapshot.events.rows["referrals"]] == ["42"]


def test_ssda903_header_row_lists_its_three_problems():
    header = source(
        "header.csv",
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n51,X,2010-02-30,ZZZZ,,,\n52,1,01/01/2010,WBRI,,,\n",
    )
    episodes = source(
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "51,01/01/2020,S,C2,N1,U1,PR1,,,,,,\n"
        "52,never,S,ZZ,N1,U1,PR1,later,,,,,\n",
    )
    snapshot = read_files([header, episodes], D)
    assert problems(snapshot) == [
        ("header.csv", "Header", 2, "SEX", "X", BAD_SEX),
        ("header.csv", "Header", 2, "DOB", "2010-02-30", "not a real date"),
        ("header.csv", "Header", 2, "ETHNIC", "ZZZZ", BAD_ETHNICITY),
        ("episodes.csv", "Episodes", 3, "DECOM", "never", BAD_DATE),
        ("episodes.csv", "Episodes", 3, "DEC", "later", BAD_DATE),
        ("episodes.csv", "Episodes", 3, "LS", "ZZ",
         "not an SSDA903 legal status code (such as C2, E1, V3)"),
    ]  # fmt: skip
    assert snapshot.rejected_rows() == 2 and set(snapshot.cases) == {"51"}


CSV_HEADER = "child_id,cohort,opened_on,team,worker,dob,sex,ethnicity\n"


def test_own_csv_row_lists_its_three_problems_and_is_rejected():
    rows = CSV_HEADER + "61,cin,01/01/2021,T,W,31/02/2010,X,ZZZZ\n62,cin,01/01/2021,T,W,,F,WBRI\n"
    snapshot = read_files([source("cases.csv", rows)], D)
    assert problems(snapshot) == [
        ("cases.csv", "", 2, "dob", "31/02/2010", "not a real date"),
        ("cases.csv", "", 2, "sex", "X", BAD_SEX),
        ("cases.csv", "", 2, "ethnicity", "ZZZZ", BAD_ETHNICITY),
    ]
    assert set(snapshot.cases) == {"62"} and snapshot.unreadable == {"61"}


def test_own_csv_a_bad_child_id_does_not_hide_the_rest():
    rows = CSV_HEADER + "=1+1,kittens,01/04/2021,T,W,,,\n"
    snapshot = read_files([source("cases.csv", rows)], D)
    assert [(r.column, r.reason) for r in snapshot.rejected] == [
        ("child_id", "a child id cannot begin with '=': spreadsheets read it as a formula"),
        ("cohort", "not a cohort; use one of assessment, cin, cp, cla, short_breaks, care_leaver"),
        ("opened_on", "after the as-of date 31/03/2021: not open on that date"),
    ]
    assert snapshot.unreadable == set()
