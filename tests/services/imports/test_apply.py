"""Applying snapshots: upserts, closing, precedence across files and imports, matching staff."""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.importers import StructuralError
from qa_app.models import Case, Child, ImportRejectedRow, Team, User
from tests.support.factories import CaseFactory, ChildFactory, TeamFactory, make_user
from tests.support.importing import database_state, do_import, open_cases, sample, source

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "cases.csv"
HEADER = "child_id,dob,sex,ethnicity,disability,cohort,opened_on,team,worker,worker_email,iro\n"


def csv_file(*rows: str, name: str = "cases.csv"):
    return source(name, HEADER + "".join(r + "\n" for r in rows))


def test_the_readme_example_csv(app_ctx):
    # 4 rows, all opened before 31/03/2026: one case each of cin, cp, cla, care_leaver; the cla
    # row names no worker (unallocated); Jo Reviewer is an IRO nobody knows yet.
    summary = do_import([source("cases.csv", EXAMPLE.read_bytes())], date(2026, 3, 31))
    assert summary["format"] == "csv"
    assert summary["by_cohort"] == {
        "assessment": 0, "cin": 1, "cp": 1, "cla": 1, "short_breaks": 0, "care_leaver": 1,
    }  # fmt: skip
    assert summary["unallocated"] == 1
    assert summary["teams_created"] == 4
    assert summary["new_staff"] == ["Alex Jones", "Jo Reviewer", "Priya Shah", "Sam Patel"]
    assert summary["covers"] == ["cin", "cp", "cla", "care_leaver"]
    reviewer = db.session.scalar(select(User).where(User.name == "Jo Reviewer"))
    assert reviewer.pending and reviewer.email is None and reviewer.roles == {"iro"}
    child = db.session.scalar(select(Child).where(Child.la_child_id == "0012346"))
    assert child.has_disability and child.disability_codes == "HAND,HEAR"
    case = db.session.scalar(select(Case).where(Case.child_id == child.id))
    assert case.iro_id == reviewer.id and case.worker.name == "Alex Jones"


def test_teams_and_staff_are_matched_by_normalised_name_email_and_swe(app_ctx):
    team = TeamFactory(name="St. John's Team")
    worker = make_user("social_worker", name="Ann  O'Neill", team=team)
    by_email = make_user("social_worker", name="Someone Else", email="b.smith@council.test")
    by_swe = make_user("social_worker", name="Cara Diaz", swe_number="SW12345")
    summary = do_import(
        [
            csv_file(
                "1,,,,,cin,,st johns team,ann o\u2019neill,,",
                "2,,,,,cin,,ST JOHN'S TEAM,Bob Smith,B.Smith@council.test,",
                "3,,,,,cin,,St Johns Team,sw12345,,",
            )
        ],
        date(2026, 3, 31),
    )
    assert summary["teams_created"] == 0 and summary["staff_created"] == 0
    cases = {c.child.la_child_id: c for c in db.session.scalars(select(Case))}
    assert {c.team_id for c in cases.values()} == {team.id}
    assert cases["1"].worker_id == worker.id
    assert cases["2"].worker_id == by_email.id
    assert cases["3"].worker_id == by_swe.id


def test_combined_census_and_ssda903_cla_takes_precedence(app_ctx):
    # 689661 is on a CIN plan in the census and looked after in SSDA903 on 2019-06-01.
    census = source(
        "census.xml",
        "<Message><Children><Child><ChildIdentifiers><LAchildID>689661</LAchildID>"
        "</ChildIdentifiers><CINdetails><CINreferralDate>2018-01-01</CINreferralDate>"
        "</CINdetails></Child><Child><ChildIdentifiers><LAchildID>555</LAchildID>"
        "</ChildIdentifiers><CINdetails><CINreferralDate>2018-01-01</CINreferralDate>"
        "<ChildProtectionPlans><CPPstartDate>2019-02-01</CPPstartDate></ChildProtectionPlans>"
        "</CINdetails></Child><Child><ChildIdentifiers><LAchildID>249901</LAchildID>"
        "</ChildIdentifiers><CINdetails><CINreferralDate>2018-01-01</CINreferralDate>"
        "</CINdetails></Child></Children></Message>",
    )
    files = [census, sample("SSDA903_2020_episodes.csv"), sample("SSDA903_2020_header.csv")]
    summary = do_import(files, date(2019, 6, 1))
    assert summary["format"] == "ssda903+cin-census"
    # 689661: cla beats cin. 249901: only short breaks in SSDA903, so the census's cin wins
    # (precedence cin > short_breaks). 555: cp.
    assert {k: v[0] for k, v in open_cases().items()} == {
        "689661": "cla", "249901": "cin", "555": "cp",
    }  # fmt: skip
    assert set(summary["covers"]) == {"assessment", "cin", "cp", "cla", "short_breaks"}


def test_an_import_closes_only_the_cohorts_it_covers(app_ctx):
    team = TeamFactory()
    cla = CaseFactory(cohort="cla", team=team, opened_on=date(2020, 1, 1))
    cin = CaseFactory(cohort="cin", team=team, opened_on=date(2020, 1, 1))
    summary = do_import([csv_file("777,,,,,cp,2026-01-05,Team X,,,")], date(2026, 3, 31))
    # The CSV covers cp only: the cla and cin cases are not in it but stay open.
    assert summary["closed"] == 0 and summary["open_cases"] == 3
    census = source(
        "c.xml",
        "<Message><Children><Child><ChildIdentifiers><LAchildID>777</LAchildID>"
        "</ChildIdentifiers><CINdetails><CINreferralDate>2026-01-01</CINreferralDate>"
        "</CINdetails></Child></Children></Message>",
    )
    summary = do_import([census], date(2026, 4, 30))
    # The census covers cin and cp: the cin case (absent) closes at D; 777 moves cp -> cin; the
    # cla case stays.
    db.session.expire_all()
    assert db.session.get(Case, cin.id).closed_on == date(2026, 4, 30)
    assert db.session.get(Case, cla.id).closed_on is None
    assert summary["closed"] == 1 and summary["changes"]["cohort_changed"] == 1
    cases = open_cases()
    assert cases["777"][0] == "cin" and len(cases) == 2


def test_census_keeps_the_team_and_worker_an_earlier_import_gave(app_ctx):
    do_import([csv_file("42,,,,,cin,2025-01-01,North CIN,Dee Worker,,")], date(2025, 6, 1))
    census = source(
        "c.xml",
        "<Message><Children><Child><ChildIdentifiers><LAchildID>42</LAchildID>"
        "</ChildIdentifiers><CINdetails><CINreferralDate>2025-01-01</CINreferralDate>"
        "</CINdetails></Child></Children></Message>",
    )
    summary = do_import([census], date(2025, 7, 1))
    assert open_cases()["42"][:3] == ("cin", "North CIN", "Dee Worker")
    assert summary["unallocated"] == 0 and summary["changes"]["unchanged"] == 1


def test_a_higher_cohort_from_an_uncovered_import_is_kept(app_ctx):
    ssda = source(
        "episodes.csv",
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
        "PL_POST,URN\n42,01/01/2025,S,C2,N1,U1,PR1,,,,,,\n",
    )
    do_import([ssda], date(2025, 6, 1))
    summary = do_import([csv_file("42,,,,,cin,2025-01-01,North CIN,Dee,,")], date(2025, 7, 1))
    assert open_cases()["42"][0] == "cla"
    assert summary["changes"]["kept_existing"] == 1 and summary["open_cases"] == 1


def test_a_child_whose_row_is_rejected_keeps_their_case(app_ctx):
    do_import(
        [csv_file("42,,,,,cin,2025-01-01,T,W,,", "43,,,,,cin,2025-01-01,T,W,,")], date(2025, 6, 1)
    )
    # No row is accepted, so the closure has to be confirmed (test_closures.py).
    summary = do_import(
        [csv_file("42,31/02/2025,,,,cin,2025-01-01,T,W,,")], date(2025, 7, 1), confirm_closures=1
    )
    # 42's row is rejected (no 31 February): the file says nothing reliable about 42, so the
    # case stays open; 43 is absent, so it closes.
    assert summary["rejected"][0]["column"] == "dob"
    assert summary["rejected"][0]["reason"] == "not a real date"
    assert set(open_cases()) == {"42"} and summary["closed"] == 1
    assert db.session.scalar(select(ImportRejectedRow.value)) == "31/02/2025"


def test_an_older_snapshot_is_refused_and_changes_nothing(app_ctx):
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    before = database_state()
    with pytest.raises(StructuralError, match="already covers these cohorts"):
        do_import([sample("Annex_A.xlsx")], date(2020, 10, 1))
    db.session.rollback()
    assert database_state() == before


def test_dry_run_writes_nothing_and_reports_the_same_summary(app_ctx):
    ChildFactory(la_child_id="unrelated")
    before = database_state()
    dry = do_import([sample("Annex_A.xlsx")], date(2021, 3, 31), dry_run=True)
    assert database_state() == before
    real = do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    assert dry["dry_run"] is True and real["dry_run"] is False
    assert {k: v for k, v in dry.items() if k != "dry_run"} == {
        k: v for k, v in real.items() if k != "dry_run"
    }


def test_cohort_change_closes_the_old_case_when_the_new_one_began(app_ctx):
    do_import([csv_file("42,,,,,cin,2025-01-01,T,W,,")], date(2025, 6, 1))
    do_import([csv_file("42,,,,,cp,2025-06-20,T,W,,")], date(2025, 7, 1))
    cases = db.session.scalars(select(Case).order_by(Case.id)).all()
    assert [(c.cohort, c.opened_on, c.closed_on) for c in cases] == [
        ("cin", date(2025, 1, 1), date(2025, 6, 20)),
        ("cp", date(2025, 6, 20), None),
    ]


def test_duplicate_child_rows_use_precedence_and_warn(app_ctx):
    summary = do_import(
        [csv_file("42,,,,,cin,,T,A,,", "42,,,,,cla,,T,B,,", "42,,,,,cla,,T,C,,")],
        date(2025, 7, 1),
    )
    assert open_cases()["42"][:3] == ("cla", "T", "B")
    assert any("second open cla row" in w for w in summary["warnings"])


def test_pending_records_are_reused_not_duplicated(app_ctx):
    do_import([csv_file("1,,,,,cin,,New Team,New Person,,")], date(2025, 6, 1))
    summary = do_import(
        [csv_file("1,,,,,cin,,new  team,NEW PERSON,,", "2,,,,,cin,,New Team,,,")], date(2025, 7, 1)
    )
    assert summary["teams_created"] == 0 and summary["staff_created"] == 0
    assert db.session.scalars(select(Team.name)).all() == ["New Team"]
    assert db.session.scalar(select(Team.pending)) is True
