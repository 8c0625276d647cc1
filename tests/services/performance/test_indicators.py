"""Every indicator against a computation in plain Python over the same generated council
(tests/support/extracts.py): two overlapping Annex A imports, then a re-import.

The plain computation reads the definitions in docs/indicators.md literally: it walks days for
working days (weekends and the England and Wales bank holidays of the ``holidays`` package) and
counts records one by one.
"""

import calendar
from datetime import date, timedelta

import holidays
import pytest
from sqlalchemy import select

from qa_app.extensions import db
from qa_app.models import Case, Team, User
from qa_app.services.performance import figures
from qa_app.services.reports.scope import COUNCIL, parse_scope
from tests.support.extracts import World, annex_a, held, observed
from tests.support.importing import do_import, source

D1, D2 = date(2024, 3, 28), date(2024, 4, 30)
BANK = holidays.UnitedKingdom(subdiv="ENG", years=range(2020, 2026))
MONTHS = [f"{y}-{m:02d}" for y, m in [(2023, m) for m in range(3, 13)] + [(2024, 1), (2024, 2),
                                                                         (2024, 3), (2024, 4)]]  # fmt: skip


def wd(first: date, second: date) -> int:
    """Working days after *first* up to and including *second*, by walking the days."""
    if second < first:
        return -wd(second, first)
    count, day = 0, first
    while day < second:
        day += timedelta(days=1)
        count += day.weekday() < 5 and day not in BANK
    return count


def plus_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def in_month(day, month: str) -> bool:
    return day is not None and f"{day:%Y-%m}" == month


class Oracle:
    def __init__(self, world: World, imports: list[date]):
        self.world, self.records = world, held(world, imports)
        self.visits = observed(world, "visits", imports)
        self.cp_reviews = observed(world, "cp_reviews", imports)
        self.la_visits = observed(world, "la_visits", imports)
        self.la_reviews = observed(world, "la_reviews", imports)
        self.health = observed(world, "health", imports)
        self.placements = observed(world, "placements", imports)
        self.imports = imports

    def of(self, kind, child=None):
        return [r for r in self.records if r.kind == kind and (child is None or r.child == child)]

    def period(self, key: str, month: str, team: str | None) -> tuple[int, int] | None:
        rows = []  # (num, team)
        for a in self.of("assessments"):
            if in_month(a.end, month) and a.start <= a.end:
                days = wd(a.start, a.end)
                rows.append(("assessment", a, days))
        if key.startswith("assessment"):
            if key == "assessments_within_45_working_days":
                counted = [(r[2] <= 45, r[1].team) for r in rows]
            elif key == "assessment_average_working_days":
                counted = [(r[2], r[1].team) for r in rows]
            else:
                part = key.split(".")[1]
                counted = [(self.outcome(r[1]) == part, r[1].team) for r in rows]
        elif key == "rereferrals_within_12_months":
            counted = [
                (any(p.start < r.start <= plus_months(p.start, 12)
                     for p in self.of("referrals", r.child)), r.team)
                for r in self.of("referrals") if in_month(r.start, month)
            ]  # fmt: skip
        elif key == "icpc_within_15_working_days":
            counted = [(wd(s.start, s.end) <= 15, s.team) for s in self.of("section47s")
                       if in_month(s.end, month) and s.start <= s.end]  # fmt: skip
        elif key == "repeat_cp_plans":
            counted = []
            for p in self.of("cp_plans"):
                if in_month(p.start, month):
                    before = len([q for q in self.of("cp_plans", p.child) if q.start < p.start])
                    previous = p.values["previous"]
                    counted.append(((before if previous is None else previous) >= 1, p.team))
        elif key == "cp_plans_lasting_2_years":
            counted = [(p.end >= plus_months(p.start, 24), p.team) for p in self.of("cp_plans")
                       if in_month(p.end, month) and p.start <= p.end]  # fmt: skip
        else:
            return None
        counted = [c for c in counted if team is None or c[1] == team]
        return sum(int(c[0]) for c in counted), len(counted)

    def outcome(self, a) -> str:
        candidates = []
        for kind, rank in (("cla_periods", 0), ("cp_plans", 1), ("section47s", 2)):
            for r in self.of(kind, a.child):
                dates = [r.start, r.end] if kind == "section47s" else [r.start]
                candidates += [(d, rank) for d in dates
                               if d is not None and a.end <= d <= a.end + timedelta(days=30)]  # fmt: skip
        if candidates:
            rank = min(candidates)[1]
            return ("looked_after", "cp_plan", "s47_icpc")[rank]
        for e in self.of("cin_episodes", a.child):
            if e.start <= a.end and (e.end is None or e.end > a.end + timedelta(days=30)):
                return "cin"
        return "nfa"

    def snapshot(self, key: str, as_of: date, team: str | None) -> tuple[int, int] | None:
        open_on = lambda r: r.start <= as_of and (r.end is None or r.end > as_of)  # noqa: E731
        counted = []
        if key.startswith("cp_"):
            for p in filter(open_on, self.of("cp_plans")):
                visits = [v for v in self.visits.get(p.child, ()) if p.start <= v[0] <= as_of]
                last = max(visits) if visits else None
                reviews = [r for r in self.cp_reviews.get(p.child, ()) if p.start <= r <= as_of]
                if key == "cp_visits_in_timescale":
                    since = last[0] if last else p.start
                    counted.append((wd(since, as_of) <= 10, p.team))
                elif key == "cp_seen_alone" and last:
                    counted.append((last[1], p.team))
                elif key == "cp_reviews_in_timescale":
                    due = (plus_months(max(reviews), 6) if reviews
                           else plus_months(p.start, 3))  # fmt: skip
                    counted.append((as_of <= due, p.team))
        elif key.startswith("cla_"):
            for c in filter(open_on, self.of("cla_periods")):
                if c.values["legal_status"] in ("V3", "V4"):
                    continue
                counted += self._looked_after(key, c, as_of)
        elif key.startswith("care_leavers"):
            for status in self.world.leavers.values():
                if status["in_touch"] == "c) Died":
                    continue
                ok = {
                    "care_leavers_in_touch": status["in_touch"] == "a) Yes",
                    "care_leavers_suitable_accommodation": status["suitable"] == "a) Suitable",
                    "care_leavers_in_education_employment_training":
                        (status["activity"] or "G")[0] in "FP",
                }[key]  # fmt: skip
                counted.append((ok, "Alpha Team"))
        else:
            return None
        counted = [c for c in counted if team is None or c[1] == team]
        return sum(int(c[0]) for c in counted), len(counted)

    def _looked_after(self, key, c, as_of) -> list:
        def held_in(store, low=c.start):
            return sorted(d for d in store.get(c.child, ()) if low <= d <= as_of)

        if key == "cla_visits_in_timescale":
            visits, placed = held_in(self.la_visits), held_in(self.placements)
            placed = placed[-1] if placed else c.start
            visit = visits[-1] if visits else None
            if visit is None or visit < placed:
                ok = as_of <= placed + timedelta(days=7)
            elif plus_months(placed, 12) <= as_of:
                ok = as_of <= plus_months(visit, 3)
            else:
                ok = as_of <= visit + timedelta(days=42)
            return [(ok, c.team)]
        if key == "cla_reviews_in_timescale":
            reviews = held_in(self.la_reviews)
            if not reviews:
                ok = wd(c.start, as_of) <= 20
            elif len(reviews) == 1 and reviews[0] <= plus_months(c.start, 3):
                ok = as_of <= plus_months(reviews[0], 3)
            else:
                ok = as_of <= plus_months(reviews[-1], 6)
            return [(ok, c.team)]
        if key == "cla_health_assessment_in_12_months":
            if plus_months(c.start, 12) > as_of:
                return []
            checks = held_in(self.health, date(1900, 1, 1))
            return [(bool(checks) and as_of <= plus_months(checks[-1], 12), c.team)]
        if key == "cla_3_plus_placements":
            return [((self.world.reported.get((c.child, as_of)) or 0) >= 3, c.team)]
        return []


# Qualification dates given to the workers in turn: bands change between D1 and D2 for some
# (a first anniversary on 15 April; qualified after D1), and one worker has none recorded.
QUALIFIED = [date(2023, 4, 15), date(2021, 4, 10), date(2019, 4, 20), date(2010, 1, 1), None,
             date(2024, 4, 10), date(2021, 3, 28)]  # fmt: skip
EXPERIENCE = {"asye": (0, 1), "1_3_years": (1, 3), "3_5_years": (3, 5), "5_plus_years": (5, 99)}


def whole_years(qualified: date, at: date) -> int:
    return at.year - qualified.year - ((at.month, at.day) < (qualified.month, qualified.day))


def expected_cases(key: str, as_of: date, team_id: int | None) -> tuple[int, int]:
    cases = [c for c in db.session.scalars(select(Case)) if c.is_open_on(as_of)]
    cases = [c for c in cases if team_id is None or c.team_id == team_id]
    if key == "unallocated_cases":
        return sum(c.worker_id is None for c in cases), len(cases)
    allocated = [c for c in cases if c.worker_id is not None]
    if key.startswith("average_caseload."):
        low, high = EXPERIENCE[key.partition(".")[2]]
        qualified = {c.worker_id: db.session.get(User, c.worker_id).qualified_on for c in allocated}
        allocated = [
            c for c in allocated
            if qualified[c.worker_id] is not None and qualified[c.worker_id] <= as_of
            and low <= whole_years(qualified[c.worker_id], as_of) < high
        ]  # fmt: skip
    return len(allocated), len({c.worker_id for c in allocated})


@pytest.fixture
def council(app_ctx):
    world = World(seed=20240229)
    do_import([source("annex_a_d1.xlsx", annex_a(world, D1))], D1)
    do_import([source("annex_a_d2.xlsx", annex_a(world, D2))], D2)
    workers = db.session.scalars(
        select(User).where(User.id.in_(select(Case.worker_id))).order_by(User.id)
    )
    for i, worker in enumerate(workers):
        worker.qualified_on = QUALIFIED[i % len(QUALIFIED)]
    db.session.commit()
    return world


def compare(world: World, scope_text: str) -> tuple[dict, dict]:
    oracle = Oracle(world, [D1, D2])
    scope = parse_scope(scope_text)
    team = None if scope is COUNCIL else scope.name
    team_id = None if team is None else db.session.scalar(select(Team.id).where(Team.name == team))
    got, want = {}, {}
    for month in MONTHS:
        for f in figures.month_figures(month, scope):
            if f.key == "cin_plan_average_weeks":
                continue  # the CIN census's: tests/services/performance/test_sources.py
            as_of = {"2024-03": D1, "2024-04": D2}.get(month)
            if f.timing == "snapshot":
                if as_of is None:
                    expected = None
                elif f.key.startswith(("unallocated_cases", "average_caseload")):
                    expected = expected_cases(f.key, as_of, team_id)
                else:
                    expected = oracle.snapshot(f.key, as_of, team)
            else:
                expected = oracle.period(f.key, month, team)
            got[(month, f.key)] = None if f.numerator is None else (f.numerator, f.denominator)
            want[(month, f.key)] = expected
    return got, want


@pytest.mark.parametrize("scope_text", ["council", "team:Bravo Team"])
def test_every_indicator_matches_a_plain_computation(council, scope_text):
    got, want = compare(council, scope_text)
    differ = {k: (got[k], want[k]) for k in got if got[k] != want[k]}
    assert differ == {}
    # The generated council gives every indicator something to count.
    counted = {key for (_month, key), v in want.items() if v and v[1]}
    missing = {k for _m, k in want} - counted
    assert missing == (set() if scope_text == "council" else {k for k in missing if "leaver" in k})


def test_a_reimport_changes_no_row_and_no_figure(council):
    before = compare(council, "council")[0]
    summary = do_import([source("annex_a_d2.xlsx", annex_a(council, D2))], D2)
    kinds = summary["events"]["kinds"]
    assert {k: (v["added"], v["removed"]) for k, v in kinds.items()} == dict.fromkeys(kinds, (0, 0))
    assert sum(v["unchanged"] for v in kinds.values()) == sum(v["rows"] for v in kinds.values())
    assert compare(council, "council")[0] == before


def test_breakdown_series_and_children_agree_with_the_figure(council):
    key, month = "assessments_within_45_working_days", "2024-03"
    whole = figures.figure(figures.BY_KEY[key], month)
    parts = figures.breakdown(key, month)
    assert sum(t["denominator"] for t in parts["teams"]) == whole.denominator
    assert sum(t["numerator"] for t in parts["teams"]) == whole.numerator
    assert [t["name"] for t in parts["teams"]] == sorted(t["name"] for t in parts["teams"])
    rows = figures.children(key, month)
    assert len(rows) == whole.denominator and sum(r["counted"] for r in rows) == whole.numerator
    bravo = figures.children(key, month, parse_scope("team:Bravo Team"))
    assert {r["team"] for r in bravo} <= {"Bravo Team"}
    series = figures.series("cp_visits_in_timescale", "2024-04", months=3)
    assert [f.as_of for f in series] == [None, D1, D2]
    assert series[0].reason.startswith("No import with an as-of date in 2024-02")
