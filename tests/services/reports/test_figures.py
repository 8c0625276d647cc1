"""Every report figure against an independent pure-Python computation on generated data."""

import math
from collections import Counter
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_app.extensions import db
from qa_app.services.platform.spc import xmr
from qa_app.services.reports import figures
from qa_app.services.reports.scope import COUNCIL, ReportScope, parse_scope
from qa_app.services.reports.tables import report_data, report_tables
from qa_app.services.reports.trends import wilson
from tests.support.factories import make_toolkit_version
from tests.support.report_world import (
    MONTHS,
    QUESTIONS,
    SECTIONS,
    Spec,
    clear,
    due_of,
    load,
    make_world,
    spec_strategy,
)

AS_OF = date(2026, 11, 2)
MONTH = "2026-10"


@pytest.fixture
def world(app_ctx):
    return make_world(make_toolkit_version())


def in_scope(spec: Spec, scope: ReportScope, world) -> bool:
    team = world.teams[spec.team]
    if scope.kind == "council":
        return True
    if scope.kind == "team":
        return team.id == scope.id
    return team.locality_id == scope.id


def oracle_pct(part, whole):
    return None if whole < 5 else round(100 * part / whole, 1)


def expected_grades(specs):
    reported = Counter(s.moderated or s.grade for s in specs if s.completed)
    n = sum(reported.values())
    return {
        "n": n,
        **{str(g): reported[g] for g in (1, 2, 3, 4)},
        "good_or_better_pct": oracle_pct(reported[1] + reported[2], n),
        "inadequate_pct": oracle_pct(reported[4], n),
    }


def check_month(world, specs, scope):
    mine = [s for s in specs if s.month == MONTH and in_scope(s, scope, world)]
    done = [s for s in mine if s.completed]
    data = report_data(MONTH, scope, as_of=AS_OF)
    head = data["headline"]
    assert head["audits_expected"] == len(mine)
    assert head["audits_completed"] == len(done)
    assert head["late"] == sum(s.late for s in done)
    assert head["outstanding"] == len(mine) - len(done)
    assert head["overdue"] == (len(mine) - len(done) if due_of(MONTH) < AS_OF else 0)
    want = expected_grades(mine)
    assert head["grades"] == {g: want[g] for g in ("1", "2", "3", "4")}
    assert head["good_or_better_pct"] == want["good_or_better_pct"]
    assert head["inadequate_pct"] == want["inadequate_pct"]
    assert head["above_target"] == (
        want["inadequate_pct"] is not None and want["inadequate_pct"] > 10
    )
    # By team, cohort and selection: the same computation per group.
    for by, key in (("team", lambda s: world.teams[s.team].name), ("cohort", lambda s: s.cohort)):
        rows = {r["label"]: r for r in data["grades"][f"by_{by}"]}
        groups = {}
        for s in done:
            groups.setdefault(key(s), []).append(s)
        labels = {"cin": "Child in need", "cp": "Child protection"}
        assert {labels.get(k, k) for k in groups} == set(rows)
        for label, members in groups.items():
            row = rows[labels.get(label, label)]
            assert {k: row[k] for k in want} == expected_grades(members)
    selection = {r["label"]: r["n"] for r in data["grades"]["by_selection"]}
    assert selection.get("Thematic", 0) == sum(s.selection == "thematic" for s in done)
    # Sections: graded counts and not applicable.
    sections = {r["key"]: r for r in data["sections"]}
    for index, key in enumerate(SECTIONS):
        grades = [s.sections[index] for s in done]
        graded = Counter(g for g in grades if g is not None)
        if not done:
            assert key not in sections
            continue
        row = sections[key]
        assert row["n"] == sum(graded.values())
        assert row["not_applicable"] == grades.count(None)
        assert row["good_or_better_pct"] == oracle_pct(graded[1] + graded[2], row["n"])
    # Compliance: % yes of yes + no.
    for item in data["compliance"]:
        answers = [s.answers[QUESTIONS.index(item["key"])] for s in done]
        yes, no = answers.count("yes"), answers.count("no")
        assert (item["yes"], item["no"], item["not_applicable"]) == (yes, no, answers.count("na"))
        assert item["yes_pct"] == oracle_pct(yes, yes + no)
    # Moderation and actions (one action per completed audit; grade 2 ones verified, effective).
    assert data["moderation"]["moderated"] == sum(s.moderated is not None for s in done)
    assert data["moderation"]["changed"] == sum(
        s.moderated is not None and s.moderated != s.grade for s in done
    )
    raised_in_month = [s for s in done if (due_of(s.month) + _shift(s)).strftime("%Y-%m") == MONTH]
    assert data["actions"]["raised"] == len(raised_in_month)
    # Trends: per month good or better with Wilson intervals, suppressed below 5.
    trend = data["trends"][0]
    for point in trend["points"]:
        month_specs = [
            s
            for s in specs
            if s.month == point["month"] and s.completed and in_scope(s, scope, world)
        ]
        want_month = expected_grades(month_specs)
        assert point["n"] == want_month["n"]
        assert point["pct"] == want_month["good_or_better_pct"]
        if point["pct"] is not None:
            lo, hi = _wilson_oracle(point["successes"], point["n"])
            assert point["low"] == pytest.approx(lo, abs=0.051)
            assert point["high"] == pytest.approx(hi, abs=0.051)
            assert point["low"] <= point["pct"] <= point["high"]
        else:
            assert point["low"] is None and (point["n"] < 5)
    # Each grade trend is the XmR series of its shown percentages, its direction and target.
    for trend, direction, target in zip(
        data["trends"], ("higher_is_better", "lower_is_better"), (None, 10.0), strict=True
    ):
        assert (trend["direction"], trend["target"]) == (direction, target)
        shown = [(p["month"], p["pct"]) for p in trend["points"]]
        assert trend["xmr"] == xmr(shown, direction=direction, target=target).as_dict()
    # Compliance over the months: % yes of yes and no, per item, higher is better.
    assert [t["key"] for t in data["compliance_trends"]] == list(QUESTIONS)
    for trend in data["compliance_trends"]:
        index = QUESTIONS.index(trend["key"])
        for point in trend["points"]:
            answers = [
                s.answers[index]
                for s in specs
                if s.month == point["month"] and s.completed and in_scope(s, scope, world)
            ]
            yes, no = answers.count("yes"), answers.count("no")
            assert (point["successes"], point["n"]) == (yes, yes + no)
            assert point["pct"] == oracle_pct(yes, yes + no)
        assert trend["xmr"]["direction"] == "higher_is_better" and trend["target"] is None
    return data


def _shift(spec):
    from datetime import timedelta  # noqa: PLC0415

    return timedelta(days=2) if spec.late else timedelta(days=-3)


def _wilson_oracle(k, n, z=1.959963984540054):
    """The Wilson score interval written out (Wilson 1927), to check the library's use."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(spec_strategy(), max_size=30), scope_kind=st.sampled_from(("c", "l", "t")))
def test_report_figures_equal_an_independent_computation(world, specs, scope_kind):
    clear()
    load(world, specs)
    scope = {
        "c": COUNCIL,
        "l": parse_scope("locality:North"),
        "t": parse_scope("team:South A"),
    }[scope_kind]
    check_month(world, specs, scope)


def test_a_month_with_no_audits_reports_zeros_and_no_percentages(world):
    data = check_month(world, [], COUNCIL)
    assert data["headline"]["good_or_better_pct"] is None
    assert all(p["n"] == 0 and p["pct"] is None for p in data["trends"][0]["points"])
    assert data["sections"] == [] and data["strongest"] == []
    # Every table still renders with its columns.
    assert all(len(t.columns) > 1 for t in report_tables(data))


def test_a_team_with_one_audit_is_counted_but_its_percentages_are_suppressed(world):
    one = Spec(MONTH, 2, "cin", "random", True, False, 4, None, (4, 3, None), ("yes",) * 4)
    many = [Spec(MONTH, 0, "cp", "random", True, False, 3, None, (3, 3, 3), ("no",) * 4)] * 6
    load(world, [one, *many])
    data = check_month(world, [one, *many], COUNCIL)
    south = next(r for r in data["grades"]["by_team"] if r["label"] == "South A")
    assert south["n"] == 1 and south["4"] == 1
    assert south["inadequate_pct"] is None and south["suppressed"]
    north = next(r for r in data["grades"]["by_team"] if r["label"] == "North A")
    assert north["good_or_better_pct"] == 0.0 and not north["suppressed"]


def test_all_grades_equal(world):
    specs = [
        Spec(m, 1, "cin", "random", True, False, 2, None, (2, 2, 2), ("yes",) * 4) for m in MONTHS
    ] * 5
    load(world, specs)
    data = check_month(world, specs, COUNCIL)
    assert data["headline"]["good_or_better_pct"] == 100.0
    assert data["headline"]["inadequate_pct"] == 0.0
    points = [p for p in data["trends"][0]["points"] if p["n"]]
    assert [p["pct"] for p in points] == [100.0] * 3
    assert points[0]["high"] == 100.0 and points[0]["low"] < 100.0
    # A constant 100%: no special cause, limits on the mean, and a warning that says so.
    spc = data["trends"][0]["xmr"]
    assert not any(p["rules"] for p in spc["points"]) and spc["variation"] == "common_cause"
    assert spc["periods"][0]["lower"] == spc["periods"][0]["upper"] == 100.0
    assert any("same" in w for w in spc["warnings"])


def test_moderated_grade_replaces_the_auditors_in_every_figure(world):
    specs = [Spec(MONTH, 0, "cin", "random", True, False, 2, 4, (2, 2, 2), ("yes",) * 4)] * 5
    load(world, specs)
    data = report_data(MONTH, COUNCIL, as_of=AS_OF)
    assert data["headline"]["grades"]["4"] == 5 and data["headline"]["inadequate_pct"] == 100.0
    assert data["moderation"] == {
        "audits": 5,
        "moderated": 5,
        "changed": 5,
        "moderation_rate_pct": 100.0,
    }
    # Moderated grades set without moderation records: no blind pairs, no escalations.
    assert data["agreement"]["pairs"] == 0 and data["escalations"]["triggers"] == 0


@settings(max_examples=50)
@given(st.integers(0, 400), st.integers(1, 400))
def test_wilson_matches_the_library(k, n):
    from scipy.stats import binomtest  # noqa: PLC0415

    k = min(k, n)
    lo, hi = wilson(k, n)
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert lo == pytest.approx(100 * ci.low, abs=0.051)
    assert hi == pytest.approx(100 * ci.high, abs=0.051)


def test_completion_by_auditor_and_role(world):
    specs = [
        Spec(MONTH, 0, "cin", "random", i % 2 == 0, False, 3, None, (3, 3, 3), ("yes",) * 4)
        for i in range(4)
    ]
    load(world, specs)
    by_role = figures.completion(MONTH, COUNCIL, as_of=AS_OF, by="role")
    assert by_role == [
        {"label": "Advanced practitioner", "expected": 4, "completed": 2, "late": 0}
        | {"outstanding": 2, "overdue": 2, "completed_pct": None}
    ]
    (by_auditor,) = figures.completion(MONTH, COUNCIL, as_of=AS_OF, by="auditor")
    assert by_auditor["label"] == "Ann Auditor" and by_auditor["expected"] == 4
    db.session.rollback()
