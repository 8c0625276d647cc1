"""The demo's 12 months of events: every indicator has a figure, the planned special causes show
on the XmR charts, the records are consistent with each child's case and with what the importers
accept, and a seed always gives the same events."""

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from qa_app.demo import seed_demo, wipe_all_data
from qa_app.demo.events_plan import SPECIAL_CAUSES
from qa_app.extensions import db
from qa_app.importers.events import KINDS
from qa_app.importers.events import values as parse
from qa_app.models import Case, Child, EventCoverage, Import
from qa_app.services.imports.events import fingerprint
from qa_app.services.performance import figures
from qa_app.services.performance.indicators import BY_KEY, INDICATORS
from qa_app.services.performance.tables import EVENT_TABLES
from qa_app.services.platform import months, spc

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9)
LATEST = "2026-10"  # the last complete month: the one the board paper reports
DIRECTIONS = {"higher": "higher_is_better", "lower": "lower_is_better", "neither": "neither"}


def _seed(cases: int, seed: int = 2026) -> dict:
    summary = seed_demo(cases=cases, seed=seed, today=TODAY, now=NOW, history_months=0, events=True)
    db.session.commit()
    return summary.events


def test_every_indicator_has_a_believable_figure_and_the_planned_special_causes_show(app_ctx):
    _seed(3000)
    for month in (LATEST, months.of(TODAY)):
        kpis = {k["key"]: k for k in figures.kpi_show(month)["kpis"]}
        assert set(kpis) == {i.key for i in INDICATORS}
        missing = {k: v["reason"] for k, v in kpis.items() if v["value"] is None}
        assert missing == {}, month
    latest = {k["key"]: k["value"] for k in figures.kpi_show(LATEST)["kpis"]}
    believable = {
        "assessments_within_45_working_days": (80, 97),
        "assessment_average_working_days": (20, 40),
        "rereferrals_within_12_months": (15, 30),
        "icpc_within_15_working_days": (65, 97),
        "cp_visits_in_timescale": (85, 99),
        "cla_3_plus_placements": (4, 15),
        "care_leavers_in_touch": (85, 97),
        "care_leavers_in_education_employment_training": (45, 65),
        "average_caseload": (10, 22),
        "cin_plan_average_weeks": (12, 35),
    }
    assert {k: low <= latest[k] <= high for k, (low, high) in believable.items()} == dict.fromkeys(
        believable, True
    )
    outcomes = [latest[f"assessment_outcomes.{p}"] for p in ("nfa", "cin", "s47_icpc")]
    assert all(5 < share < 60 for share in outcomes)

    for key, indexes, shows in SPECIAL_CAUSES:
        series = figures.series(key, LATEST, 12)
        points = list(zip(months.ending_with(LATEST, 12), [f.value for f in series], strict=True))
        chart = spc.xmr(points, direction=DIRECTIONS[BY_KEY[key].direction])
        rule, side = {"shift_high": ("shift", "high"), "outside_high": ("outside_limits", "high"),
                      "outside_low": ("outside_limits", "low")}[shows]  # fmt: skip
        flagged = [i for i, p in enumerate(chart.points) if rule in p.rules and p.side == side]
        if rule == "shift":
            assert set(flagged) >= set(indexes[-7:]), (key, points)
        else:
            assert flagged == list(indexes), (key, points)
        # A lasting improvement, a month of concern: the marks say which.
        kind = "improvement" if shows == "shift_high" else "concern"
        assert {chart.points[i].kind for i in indexes[-7:]} == {kind}, key
    # Figures vary month to month rather than sitting still.
    for key in ("rereferrals_within_12_months", "cp_seen_alone", "care_leavers_in_touch"):
        assert len({round(f.value, 1) for f in figures.series(key, LATEST, 12)}) >= 8


def test_events_fit_the_cases_and_pass_the_importers_checks(app_ctx):
    counts = _seed(900)
    assert all(counts[kind] > 0 for kind in KINDS), counts
    assert counts["children_added"] > 0 and counts["closed_cases"] > 0
    held = db.session.scalar(select(func.count()).select_from(EventCoverage))
    imports = db.session.scalars(select(Import).order_by(Import.as_of)).all()
    assert [i.as_of for i in imports[:-1]] == [months.last_day(m) for m in
                                                 months.ending_with(LATEST, 12)]  # fmt: skip
    assert imports[-1].as_of == TODAY and held == 13 * len(KINDS)
    ids = dict(db.session.execute(select(Child.id, Child.la_child_id)).all())
    born = dict(db.session.execute(select(Child.id, Child.dob)).all())
    first_case = dict(
        db.session.execute(
            select(Case.child_id, func.min(Case.opened_on)).group_by(Case.child_id)
        ).all()
    )
    for name, table in EVENT_TABLES.items():
        kind = KINDS[name]
        for row in db.session.execute(select(table)).mappings():
            key = row[kind.key]
            assert date(2000, 1, 1) <= key <= TODAY, (name, row)
            assert born[row["child_id"]] < key, (name, row)
            # Nothing happens to a child before their first case opened.
            assert first_case[row["child_id"]] <= key, (name, row)
            if kind.end and row[kind.end] is not None:
                assert row[kind.end] >= key, (name, row)
            for field in kind.fields:
                value = row[field]
                if isinstance(value, int) and not isinstance(value, bool):
                    assert parse.as_count(value) == value
            values = tuple(row[f] for f in kind.fields)
            team, worker = (row["team_id"], row["worker_id"]) if kind.allocated else (None, None)
            assert row["fingerprint"] == fingerprint(
                (ids[row["child_id"]], row["source"], team, worker, *values)
            )
    checks = {
        ("cla_periods", "legal_status"): parse.as_legal_status,
        ("care_leavers", "in_touch"): parse.as_in_touch,
        ("care_leavers", "accommodation"): parse.as_accommodation,
        ("care_leavers", "activity"): parse.as_activity,
        ("cla_episodes", "placement_type"): parse.as_short_code,
        ("cla_episodes", "reason_place_change"): parse.as_short_code,
    }
    for (name, column), parser in checks.items():
        table = EVENT_TABLES[name]
        for value in db.session.scalars(select(table.c[column]).distinct()):
            assert value is None or parser(value) == value, (name, column, value)
    # Closed cases close after they open and after the child's records in them.
    for opened, closed in db.session.execute(
        select(Case.opened_on, Case.closed_on).where(Case.closed_on.is_not(None))
    ):
        assert opened < closed <= TODAY


@pytest.mark.parametrize("other", [2027])
def test_the_same_seed_gives_the_same_events(app_ctx, other):
    def events() -> dict:
        names = dict(db.session.execute(select(Child.id, Child.la_child_id)).all())
        out = {}
        for name, table in EVENT_TABLES.items():
            columns = [c for c in table.c if c.name not in ("id", "import_id", "child_id")]
            rows = db.session.execute(select(table.c.child_id, *columns)).all()
            out[name] = sorted((names[r[0]], *map(str, r[1:])) for r in rows)
        return out

    _seed(600)
    first = events()
    wipe_all_data()
    db.session.commit()
    _seed(600)
    assert events() == first
    wipe_all_data()
    db.session.commit()
    _seed(600, seed=other)
    assert events() != first


def test_qa_demo_seed_says_what_events_it_loaded(runner, app_ctx):
    args = ["demo", "seed", "--cases", "300", "--today", "2026-11-23", "--history-months", "0"]
    result = runner.invoke(args=[*args, "--events"])
    assert result.exit_code == 0, result.output
    assert "12 months of events:" in result.output
    assert "(qa kpi show --month 2026-10)" in result.output
    shown = runner.invoke(args=["kpi", "show", "--month", "2026-10", "--json"])
    kpis = {k["key"]: k for k in json.loads(shown.output)["kpis"]}
    assert kpis["assessments_within_45_working_days"]["denominator"] > 0
    assert kpis["care_leavers_in_touch"]["as_of"] == "2026-10-31"
    # Without history, or when asked, there are none.
    again = runner.invoke(args=[*args, "--reset", "--yes", "--no-events", "--json"])
    assert json.loads(again.output.splitlines()[-1])["events"] is None
