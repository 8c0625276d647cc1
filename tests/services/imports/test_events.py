"""Imports keep the events their files hold: bad event values rejected row by row, a later
import replacing the period it covers, latest dates that contradict earlier ones, the census and
SSDA903 events, dry runs and structural errors writing nothing, merges moving events."""

from datetime import date, datetime
from io import BytesIO

import openpyxl
import pytest
from sqlalchemy import func, select

from qa_app.extensions import db
from qa_app.importers import StructuralError
from qa_app.models import (
    ClaEpisode,
    ClaPeriod,
    ClaReview,
    CpPlan,
    CpVisit,
    EventCoverage,
    MissingEpisode,
    Referral,
    Team,
)
from qa_app.services.imports.pending import merge_team
from tests.support.extracts import HEADERS
from tests.support.importing import do_import, sample, source


def workbook(rows: dict[int, list[dict]], drop: tuple = ()) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for number in (3, 4, 5, 6, 7, 8, 9):
        sheet = book.create_sheet(f"List {number}")
        header = [h for h in HEADERS[number] if (number, h) not in drop]
        sheet.append(header)
        for row in rows.get(number, []):
            sheet.append([row.get(h) for h in header])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def referral(child, day, team="Front Door"):
    return {"Child Unique ID": child, "Date of Referral": day, "Allocated Team": team,
            "Allocated Worker": "Ann Able", "Referral NFA?": "No"}  # fmt: skip


def plan(child, start, visit=None, alone="a) Yes"):
    return {"Child Unique ID": child, "Child Protection Plan Start Date": start,
            "Date of the Last Statutory Visit": visit, "Was the Child Seen Alone?": alone,
            "Allocated Team": "CP Team", "Allocated Worker": "Ben Best"}  # fmt: skip


def held(model, column):
    return sorted(db.session.scalars(select(column)).all())


def test_a_bad_event_date_rejects_that_rows_events_only(app_ctx):
    data = workbook({7: [plan("A1", datetime(2024, 1, 10), "31/02/2024"),
                         plan("A2", datetime(2024, 1, 10), datetime(2024, 3, 1))]})  # fmt: skip
    summary = do_import([source("annex.xlsx", data)], date(2024, 3, 31))
    assert summary["rejected"] == [{
        "file": "annex.xlsx", "sheet": "List 7", "row": 2,
        "column": "Date of the Last Statutory Visit", "value": "31/02/2024",
        "reason": "not a real date; the row's cp_plans, cp_visits, cp_reviews not kept",
    }]  # fmt: skip
    assert summary["open_cases"] == 2  # the case itself is read as before
    assert held(CpVisit, CpVisit.visit_date) == [date(2024, 3, 1)]
    assert summary["events"]["kinds"]["cp_plans"]["added"] == 1


def test_a_later_import_replaces_the_period_it_covers(app_ctx):
    early, inside, gone = datetime(2023, 1, 5), datetime(2023, 6, 1), datetime(2023, 9, 1)
    first = workbook({3: [referral("R1", early), referral("R2", inside), referral("R3", gone)]})
    do_import([source("a.xlsx", first)], date(2023, 9, 30))
    later = workbook({3: [referral("R2", inside), referral("R4", datetime(2024, 2, 1))]})
    summary = do_import([source("b.xlsx", later)], date(2024, 2, 29))
    # The 12 months up to 29/02/2024 start on 01/03/2023: R1's referral is before them and
    # stays; R3's is inside and no longer in the file.
    assert held(Referral, Referral.referral_date) == [
        date(2023, 1, 5), date(2023, 6, 1), date(2024, 2, 1)
    ]  # fmt: skip
    kinds = summary["events"]["kinds"]["referrals"]
    assert (kinds["added"], kinds["removed"], kinds["unchanged"]) == (1, 1, 1)
    assert kinds["period"] == ["2023-03-01", "2024-02-29"]
    coverage = db.session.scalars(select(EventCoverage).where(EventCoverage.kind == "referrals"))
    assert [(c.rows, c.added, c.removed) for c in coverage] == [(3, 3, 0), (2, 1, 1)]


def test_a_latest_date_removes_later_ones_it_contradicts(app_ctx):
    start = datetime(2024, 1, 2)
    do_import([source("a.xlsx", workbook({7: [plan("C1", start, datetime(2024, 3, 20))]}))],
              date(2024, 3, 31))  # fmt: skip
    do_import([source("b.xlsx", workbook({7: [plan("C1", start, datetime(2024, 4, 20))]}))],
              date(2024, 4, 30))  # fmt: skip
    assert held(CpVisit, CpVisit.visit_date) == [date(2024, 3, 20), date(2024, 4, 20)]
    # Corrected at source: the last visit was 10/03; 20/03 and 20/04 never happened.
    do_import([source("c.xlsx", workbook({7: [plan("C1", start, datetime(2024, 3, 10))]}))],
              date(2024, 5, 31))  # fmt: skip
    assert held(CpVisit, CpVisit.visit_date) == [date(2024, 3, 10)]


def test_reimport_and_dry_run_write_nothing(app_ctx):
    data = workbook({3: [referral("R1", datetime(2024, 1, 5))],
                     7: [plan("C1", datetime(2024, 1, 2), datetime(2024, 3, 1))]})  # fmt: skip
    dry = do_import([source("a.xlsx", data)], date(2024, 3, 31), dry_run=True)
    assert dry["events"]["kinds"]["referrals"]["added"] == 1
    assert db.session.scalar(select(func.count(Referral.id))) == 0
    do_import([source("a.xlsx", data)], date(2024, 3, 31))
    ids = held(CpPlan, CpPlan.id), held(Referral, Referral.id)
    again = do_import([source("a.xlsx", data)], date(2024, 3, 31))
    assert all(k["added"] == k["removed"] == 0 for k in again["events"]["kinds"].values())
    assert (held(CpPlan, CpPlan.id), held(Referral, Referral.id)) == ids


def test_a_structural_error_keeps_no_event(app_ctx):
    data = workbook({3: [referral("R1", datetime(2024, 1, 5))]},
                    drop=((7, "Child Protection Plan End Date"),))  # fmt: skip
    with pytest.raises(StructuralError, match="Child Protection Plan End Date"):
        do_import([source("a.xlsx", data)], date(2024, 3, 31))
    db.session.rollback()
    assert db.session.scalar(select(func.count(Referral.id))) == 0


def test_list_without_its_key_column_holds_no_events(app_ctx):
    data = workbook({3: [referral("R1", datetime(2024, 1, 5))]},
                    drop=((3, "Date of Referral"),))  # fmt: skip
    summary = do_import([source("a.xlsx", data)], date(2024, 3, 31))
    assert "referrals" not in summary["events"]["kinds"]
    assert any("no 'Date of Referral' column" in w for w in summary["warnings"])


def test_census_and_ssda903_events(app_ctx):
    summary = do_import([sample("cin-2022.xml")], date(1971, 3, 31))
    kinds = {k: v["rows"] for k, v in summary["events"]["kinds"].items()}
    assert kinds == {"referrals": 1, "assessments": 1, "section47s": 1, "cin_episodes": 1,
                     "cin_plans": 1, "cp_plans": 1, "cp_reviews": 1}  # fmt: skip
    reviews = (
        "CHILD,DOB,REVIEW,REVIEW_CODE\n689661,11/07/2015,01/03/2019,PN1\n689661,,32/13/2019,\n"
    )
    missing = "CHILD,DOB,MISSING,MIS_START,MIS_END\n689661,,A,02/02/2019,03/02/2019\n"
    files = [sample(n) for n in ("SSDA903_2020_header.csv", "SSDA903_2020_episodes.csv")]
    summary = do_import(
        [*files, source("reviews.csv", reviews), source("missing.csv", missing)],
        date(2019, 6, 1),
    )
    assert summary["rejected"][-1]["sheet"] == "Reviews"
    assert summary["rejected"][-1]["column"] == "REVIEW"
    assert db.session.scalar(select(func.count(ClaEpisode.id))) == 5
    # The sample's "*DUMMY" reason for a new episode is cut to the column's two characters.
    assert max(len(r or "") for r in db.session.scalars(select(ClaEpisode.reason_new_episode))) == 2
    periods = db.session.execute(select(ClaPeriod.start_date, ClaPeriod.end_date)).all()
    assert sorted(periods) == [(date(2018, 12, 2), date(2019, 9, 26)),
                               (date(2019, 3, 30), date(2019, 6, 24))]  # fmt: skip
    assert held(ClaReview, ClaReview.review_date) == [date(2019, 3, 1)]
    assert db.session.scalar(select(MissingEpisode.kind)) == "absent"


def test_merging_a_pending_team_moves_its_events(app_ctx):
    do_import([source("a.xlsx", workbook({7: [plan("C1", datetime(2024, 1, 2))]}))],
              date(2024, 3, 31))  # fmt: skip
    pending = db.session.scalar(select(Team).where(Team.name == "CP Team"))
    target = Team(name="Child Protection")
    db.session.add(target)
    db.session.flush()
    merge_team(pending, target)
    assert db.session.scalar(select(CpPlan.team_id)) == target.id
