"""Caseloads by experience: the band edges (exactly a year, leap days) and the grouped SQL
against a computation done case by case in Python."""

import random
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_app.extensions import db
from qa_app.models import Case, Child
from qa_app.services.performance.caseloads import (
    EXPERIENCE_BANDS,
    caseload_by_experience,
    experience_band,
)
from qa_app.services.reports.scope import COUNCIL, ReportScope
from tests.support.factories import LocalityFactory, TeamFactory, make_user


def whole_years(qualified_on: date, at: date) -> int:
    """Whole years as an age is counted: the birthday has come when (month, day) is reached."""
    return (
        at.year - qualified_on.year - ((at.month, at.day) < (qualified_on.month, qualified_on.day))
    )


def expected_band(qualified_on: date | None, at: date) -> str:
    if qualified_on is None:
        return "not_recorded"
    if qualified_on > at:
        return "not_yet_qualified"
    years = whole_years(qualified_on, at)
    return (
        "asye"
        if years < 1
        else "1_3_years"
        if years < 3
        else "3_5_years"
        if years < 5
        else "5_plus_years"
    )


@pytest.mark.parametrize(
    ("qualified_on", "at", "band"),
    [
        (date(2025, 9, 1), date(2026, 8, 31), "asye"),
        (date(2025, 9, 1), date(2026, 9, 1), "1_3_years"),  # exactly one year
        (date(2023, 9, 1), date(2026, 8, 31), "1_3_years"),
        (date(2023, 9, 1), date(2026, 9, 1), "3_5_years"),  # exactly three years
        (date(2021, 9, 1), date(2026, 8, 31), "3_5_years"),
        (date(2021, 9, 1), date(2026, 9, 1), "5_plus_years"),  # exactly five years
        (date(2026, 9, 1), date(2026, 9, 1), "asye"),  # qualified that day
        (date(2026, 9, 2), date(2026, 9, 1), "not_yet_qualified"),
        (None, date(2026, 9, 1), "not_recorded"),
        # 29 February: the anniversary in a year without one is 1 March.
        (date(2024, 2, 29), date(2025, 2, 28), "asye"),
        (date(2024, 2, 29), date(2025, 3, 1), "1_3_years"),
        (date(2024, 2, 29), date(2029, 2, 28), "3_5_years"),
        (date(2024, 2, 29), date(2029, 3, 1), "5_plus_years"),
        (date(2023, 2, 28), date(2024, 2, 28), "1_3_years"),
        (date(2023, 3, 1), date(2024, 2, 29), "asye"),
        (date(2023, 2, 28), date(2024, 2, 29), "1_3_years"),
        (date(2021, 3, 1), date(2024, 2, 29), "1_3_years"),
        (date(2021, 2, 28), date(2024, 2, 29), "3_5_years"),
        (date(2020, 2, 29), date(2021, 2, 28), "asye"),
    ],
)
def test_band_edges(qualified_on, at, band):
    assert experience_band(qualified_on, at) == band
    assert expected_band(qualified_on, at) == band


days = st.dates(min_value=date(1980, 1, 1), max_value=date(2040, 12, 31))
leap_days = st.sampled_from([date(y, 2, 29) for y in range(1980, 2041, 4)])
near_leap = st.builds(lambda d, shift: d + timedelta(days=shift), leap_days, st.integers(-2, 2))


@given(st.one_of(days, leap_days, near_leap) | st.none(), st.one_of(days, leap_days, near_leap))
def test_band_matches_whole_years_counted_like_an_age(qualified_on, at):
    assert experience_band(qualified_on, at) == expected_band(qualified_on, at)


@given(st.one_of(days, leap_days, near_leap), st.integers(0, 6), st.integers(-3, 3))
def test_band_matches_whole_years_around_each_anniversary(at, years, shift):
    try:
        anniversary = at.replace(year=at.year - years)
    except ValueError:
        anniversary = date(at.year - years, 2, 28)
    qualified_on = anniversary + timedelta(days=shift)
    assert experience_band(qualified_on, at) == expected_band(qualified_on, at)


def _world(seed: int, at: date):
    """Two localities, three teams, workers of every experience, open and closed cases."""
    rng = random.Random(seed)
    north, east = LocalityFactory(name="North"), LocalityFactory(name="East")
    teams = [TeamFactory(locality=north), TeamFactory(locality=north), TeamFactory(locality=east)]
    # Not recorded, not yet qualified, qualified that day, exactly one year (28 Feb 2027 for a
    # 29 February), and a 29 February qualification four years back.
    choices = [None, at + timedelta(days=30), at, date(2027, 2, 28), date(2024, 2, 29)]
    workers = []
    for i in range(14):
        random_date = at - timedelta(days=rng.randint(0, 9 * 366))
        qualified = choices[i] if i < len(choices) else random_date
        workers.append(make_user("social_worker", qualified_on=qualified))
    workers.append(make_user("social_worker", qualified_on=date(2020, 2, 29)))
    idle = make_user("social_worker", qualified_on=date(2010, 5, 5))  # holds no open case
    rows = []
    for n in range(260):
        opened = at - timedelta(days=rng.randint(-20, 400))
        closed = rng.choice([None, None, None, at, at + timedelta(days=3), at - timedelta(days=9)])
        if closed is not None and closed < opened:
            closed = None
        worker = None if rng.random() < 0.08 else rng.choice(workers)
        if n == 0:
            worker, closed, opened = idle, at, at - timedelta(days=50)  # closed on the day
        team = rng.choice(teams)
        child = Child(la_child_id=f"C{seed}-{n:04d}")
        rows.append(Case(child=child, cohort="cin", team_id=team.id, worker=worker,
                         opened_on=opened, closed_on=closed))  # fmt: skip
    db.session.add_all(rows)
    db.session.commit()
    return rows, teams, north


def _expected(rows, at, keep) -> dict[str, tuple[int, int]]:
    per_worker: dict = {}
    for case in rows:
        if case.worker is not None and case.is_open_on(at) and keep(case):
            per_worker[case.worker] = per_worker.get(case.worker, 0) + 1
    out: dict[str, list[int]] = {band: [0, 0] for band in EXPERIENCE_BANDS}
    for worker, cases in per_worker.items():
        band = expected_band(worker.qualified_on, at)
        out[band][0] += 1
        out[band][1] += cases
    return {band: tuple(v) for band, v in out.items()}


@pytest.mark.parametrize("seed", [1, 2])
def test_grouped_sql_matches_a_case_by_case_count(app_ctx, seed):
    at = date(2028, 2, 29)
    rows, teams, north = _world(seed, at)
    scopes = [
        (COUNCIL, lambda c: True),
        (ReportScope("locality", north.id, "North"), lambda c: c.team_id in (teams[0].id, teams[1].id)),
        (ReportScope("team", teams[2].id, teams[2].name), lambda c: c.team_id == teams[2].id),
    ]  # fmt: skip
    for scope, keep in scopes:
        result = caseload_by_experience(at, scope)
        got = {b.band: (b.workers, b.cases) for b in result.bands}
        assert got == _expected(rows, at, keep), scope.key
        assert [b.band for b in result.bands] == list(EXPERIENCE_BANDS)
        workers = sum(w for w, _ in got.values())
        cases = sum(c for _, c in got.values())
        assert result.average == pytest.approx(cases / workers)
    council = caseload_by_experience(at)
    # Every band is there, "not recorded" too, and the figures add up to the whole.
    assert council.bands[4].band == "not_recorded" and council.bands[4].workers == 1
    assert council.cases == sum(1 for c in rows if c.worker and c.is_open_on(at))


def test_an_empty_band_has_no_average_and_names_its_thresholds(app_ctx):
    result = caseload_by_experience(date(2026, 11, 1))
    assert result.average is None
    assert [b.threshold_key for b in result.bands] == [
        "average_caseload.asye",
        "average_caseload.1_3_years",
        "average_caseload.3_5_years",
        "average_caseload.5_plus_years",
        None,
        None,
    ]
    assert all(b.average is None for b in result.bands)
