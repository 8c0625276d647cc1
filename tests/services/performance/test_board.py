"""The Improvement Board table: bands, the last three months, the band of the latest, England
and the SPC marks, against the figures and thresholds they come from; ``qa kpi show``'s band and
England figure."""

import json
from datetime import date, datetime

import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Case, User
from qa_app.services.performance import board, figures, thresholds
from qa_app.services.performance.bands import parse_bands
from qa_app.services.performance.indicators import INDICATORS
from qa_app.services.reports.scope import parse_scope
from tests.services.performance.test_indicators import D2, council  # noqa: F401 - the fixture
from tests.support.importing import do_import, sample


def _bands(shape, *steps):
    return parse_bands({"shape": shape, "steps": list(steps)})


def test_the_good_band_is_the_spc_target():
    higher = _bands("higher", {"band": "inadequate", "below": 70},
                    {"band": "requires_improvement", "below": 80}, {"band": "good", "below": 90},
                    {"band": "outstanding"})  # fmt: skip
    lower = _bands("lower", {"band": "outstanding", "below": 16}, {"band": "good", "below": 20},
                   {"band": "requires_improvement", "up_to": 25}, {"band": "inadequate"})  # fmt: skip
    two = _bands("two_sided", {"band": "requires_improvement", "below": 10},
                 {"band": "good", "up_to": 15}, {"band": "requires_improvement", "up_to": 20},
                 {"band": "inadequate"})  # fmt: skip
    assert board.good_target(higher) == 80
    assert board.good_target(lower) == 20
    assert board.good_target(two) == (10, 15)
    assert board.good_target(None) is None


def _series(values):
    return [{"month": f"2025-{m:02d}", "value": v} for m, v in enumerate(values, start=1)]


def test_spc_marks_follow_the_direction_and_the_target():
    bands = _bands("higher", {"band": "inadequate", "below": 70},
                   {"band": "requires_improvement", "below": 80}, {"band": "good", "below": 90},
                   {"band": "outstanding"})  # fmt: skip
    flat = [50, 52, 49, 51, 50, 48, 52, 50, 49, 51, 50]
    high = board.spc_of(_series([*flat, 90]), "higher", bands)
    assert high.variation == "improvement_high" and high.points[-1].special_cause
    low = board.spc_of(_series([*flat, 90]), "lower", None)
    assert low.variation == "concern_high" and low.assurance is None
    # Limits around 50 lie wholly under the Good band's 80: consistently misses.
    assert board.spc_of(_series([*flat, 51]), "higher", bands).assurance == "never_meets"
    short = board.spc_of(_series(flat[:5]), "higher", bands)
    assert any("12" in w for w in short.warnings)


def test_the_board_rows_are_the_figures_rated_by_the_thresholds(council):  # noqa: F811
    month = "2024-04"
    table = board.board(month)
    assert table["months"] == ["2024-02", "2024-03", "2024-04"]
    rows = {r.key: r for r in table["rows"]}
    assert list(rows) == [i.key for i in INDICATORS]
    for f in figures.month_figures(month):
        row = rows[f.key]
        assert row.latest["numerator"] == f.numerator
        assert row.latest["denominator"] == f.denominator
        assert row.band == thresholds.rate(f.key, f.value, month)
        assert [r["month"] for r in row.recent] == table["months"]
    first = rows["assessments_within_45_working_days"]
    assert first.england["figure"] == 85.7 and first.england["year"] == 2025
    assert first.ranges["outstanding"] == "90% or more"
    assert first.spc["points"] >= 1 and first.spc["warnings"]  # fewer than 12 months
    assert any(r.band for r in rows.values())
    # A team's board is the team's figures.
    bravo = parse_scope("team:Bravo Team")
    team_rows = {r.key: r for r in board.board(month, bravo)["rows"]}
    want = figures.figure(figures.BY_KEY["cp_visits_in_timescale"], month, bravo)
    assert team_rows["cp_visits_in_timescale"].latest["denominator"] == want.denominator


def test_a_change_of_bands_shows_at_once_although_figures_are_cached(council, make_user):  # noqa: F811
    month = "2024-04"
    before = {r.key: r for r in board.board(month)["rows"]}["cp_visits_in_timescale"]
    assert before.latest["value"] is not None
    thresholds.change_bands(
        "cp_visits_in_timescale", None, effective_from=month,
        by=make_user("psw"), now=datetime(2024, 5, 1, 9), reason="Test",
    )  # fmt: skip
    after = {r.key: r for r in board.board(month)["rows"]}["cp_visits_in_timescale"]
    assert before.band is not None and before.ranges
    assert after.band is None and after.ranges == {}  # not rated from this month


@pytest.mark.clock("2021-04-10T10:00")
def test_kpi_show_json_has_band_and_england(app_ctx, runner):
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    result = runner.invoke(args=["kpi", "show", "--month", "2021-03", "--json"])
    assert result.exit_code == 0, result.output
    kpis = {k["key"]: k for k in json.loads(result.output)["kpis"]}
    leavers = kpis["care_leavers_in_touch"]
    assert leavers["band"] == thresholds.rate("care_leavers_in_touch", 100.0, "2021-03")
    assert leavers["band"] is not None
    assert kpis["cin_plan_average_weeks"]["band"] is None  # no value: not rated
    assert kpis["assessment_outcomes.nfa"]["band"] is None  # not rated
    england = kpis["assessments_within_45_working_days"]["england"]
    assert england["figure"] == 85.7 and england["year"] == 2025 and "DfE" in england["source"]
    assert kpis["cp_seen_alone"]["england"] is None  # not published


def test_the_cache_stamp_moves_with_an_import(app_ctx):
    first = board.data_stamp()
    assert {r.key: r for r in board.board("2021-03")["rows"]}["care_leavers_in_touch"].latest[
        "denominator"
    ] is None
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    second = board.data_stamp()
    assert second != first
    # The board after the import shows it, although an empty month was cached before.
    rows = {r.key: r for r in board.board("2021-03")["rows"]}
    assert rows["care_leavers_in_touch"].latest["denominator"] == 6


def test_the_cache_stamp_moves_with_a_qualification_date(app_ctx):
    do_import([sample("Annex_A.xlsx")], date(2021, 3, 31))
    worker = db.session.scalars(
        select(User).where(User.id.in_(select(Case.worker_id))).order_by(User.id)
    ).first()
    worker.qualified_on = None
    db.session.commit()
    rows = {r.key: r for r in board.board("2021-03")["rows"]}
    assert rows["average_caseload.asye"].latest["denominator"] == 0
    before = board.data_stamp()
    worker.qualified_on = date(2020, 9, 1)  # ASYE on 31 March 2021
    db.session.commit()
    assert board.data_stamp() != before
    # The board shows the worker in the ASYE row at once, although the board was cached.
    rows = {r.key: r for r in board.board("2021-03")["rows"]}
    assert rows["average_caseload.asye"].latest["denominator"] == 1
