"""What the demo's events should show, month by month: the volumes and rates the generators aim
for, and the special causes planted in them (docs/indicators.md, "The demo's events").

Rates sit near the England figures in ``qa_app/performance/thresholds.yaml`` and vary a little
each month. Three series are given a deliberate special cause, so that a fresh demo shows the
XmR marks: a lasting improvement in assessment timeliness (a run above the mean), one month of
re-referrals far above the rest (a point above the upper limit), and one month in which CP
visits slipped (a point below the lower limit).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from random import Random

import numpy as np

from qa_app.services.platform import months as month_helpers
from qa_app.services.platform.calendar import working_day_flags

MONTHS = 12
LEAD_IN = 3  # months of journeys before the window, so its first months are complete
# (indicator, the months it affects as indexes into the 12 months, what the XmR chart shows)
SPECIAL_CAUSES = (
    ("assessments_within_45_working_days", tuple(range(4, 12)), "shift_high"),
    ("rereferrals_within_12_months", (8,), "outside_high"),
    ("cp_visits_in_timescale", (9,), "outside_low"),
)
# Referrals a month per open case, and the months they dip (school holidays).
REFERRALS_PER_CASE = 0.115
SEASON = {8: 0.86, 12: 0.9, 4: 0.95, 9: 1.08, 10: 1.06}


@dataclass(frozen=True)
class Rates:
    """One month's aims (shares between 0 and 1)."""

    referrals: int
    on_time_45: float
    rereferral: float
    icpc_15: float
    repeat_plan: float
    cp_visit_ok: float
    seen_alone: float
    late_review: float
    cla_visit_ok: float
    in_touch: float
    suitable: float
    eet: float


@dataclass
class Plan:
    """The window of the demo's events and each month's aims."""

    today: date
    months: list[str]  # the 12 complete months before today's, then today's own
    lead_in: list[str] = field(default_factory=list)  # earlier months whose journeys run on
    rates: dict[str, Rates] = field(default_factory=dict)

    @cached_property
    def start(self) -> date:
        return month_helpers.first_day(self.months[0])

    @cached_property
    def checkpoints(self) -> list[date]:
        """The as-of dates of the demo's monthly imports: each month's last day, then today."""
        return [month_helpers.last_day(m) for m in self.months[:-1]] + [self.today]

    def month_of(self, day: date) -> str | None:
        """The month of the window *day* falls in (None before or after the window)."""
        key = month_helpers.of(day)
        return key if key in self.months else None

    def rate(self, day: date, name: str) -> float:
        """*name*'s aim for the month of *day* (the nearest month of the window outside it)."""
        rates = self._by_month.get((day.year, day.month))
        if rates is None:
            rates = self.rates[self.lead_in[0] if day < self.start else self.months[-1]]
        return getattr(rates, name)

    @cached_property
    def _by_month(self) -> dict[tuple[int, int], Rates]:
        return {month_helpers.parse(key): rates for key, rates in self.rates.items()}


def plan_months(today: date, cases: int, rng: Random) -> Plan:
    """The aims for the 12 months before *today*'s month and for today's month so far."""
    latest = month_helpers.previous(today)
    plan = Plan(today, [*month_helpers.ending_with(latest, MONTHS), month_helpers.of(today)])
    plan.lead_in = month_helpers.ending_with(month_helpers.shift(plan.months[0], -1), LEAD_IN)
    for index, key in enumerate(plan.lead_in + plan.months, start=-LEAD_IN):
        index = min(max(index, 0), MONTHS - 1)  # today's month continues the last one
        month = month_helpers.parse(key)[1]

        def near(value: float, spread: float) -> float:
            return min(0.995, max(0.0, value + rng.uniform(-spread, spread)))

        plan.rates[key] = Rates(
            referrals=round(cases * REFERRALS_PER_CASE * SEASON.get(month, 1.0)),
            on_time_45=near(0.91 if index >= 4 else 0.78, 0.01),
            rereferral=0.345 if index == 8 else near(0.215, 0.015),
            icpc_15=near(0.82, 0.04),
            repeat_plan=near(0.16, 0.03),
            cp_visit_ok=0.8 if index == 9 else near(0.935, 0.006),
            seen_alone=near(0.84, 0.03),
            late_review=near(0.05, 0.02),
            cla_visit_ok=near(0.91, 0.015),
            in_touch=near(0.91, 0.015),
            suitable=near(0.88, 0.015),
            eet=near(0.55, 0.02),
        )
    return plan


class WorkingDays:
    """Working-day arithmetic over the demo's years, with the service's calendar (ordinals as in
    ``calendar_days``: a weekend day has the ordinal of the working day before it)."""

    def __init__(self, first: date, last: date) -> None:
        self.first = first
        flags = working_day_flags(first, last)
        self.ordinal = flags.cumsum().tolist()
        self.days = [first + timedelta(days=int(i)) for i in np.flatnonzero(flags)]

    def number(self, day: date) -> int:
        return self.ordinal[(day - self.first).days]

    def between(self, first: date, second: date) -> int:
        """Working days after *first* up to and including *second*."""
        return self.number(second) - self.number(first)

    def add(self, day: date, count: int) -> date:
        """The working day *count* working days after *day* (a non-working day counts from
        the working day before it)."""
        index = self.number(day) - 1 + count
        return self.days[max(0, min(index, len(self.days) - 1))]

    def earliest_within(self, as_of: date, count: int) -> date:
        """The earliest date with no more than *count* working days after it up to *as_of*."""
        day = self.add(as_of, -count)
        while self.between(day - timedelta(days=1), as_of) <= count:
            day -= timedelta(days=1)
        return day


@dataclass(eq=False)
class Kid:
    """A child the events are about: one of the open cases, or a child whose case closed in
    the year (``pk`` is set once their row is written)."""

    la_id: str
    dob: date | None
    team: int | None
    worker: int | None
    pk: int | None = None


@dataclass
class Context:
    """What the generators share: the aims, the random generator, the calendar, and the rows
    they produce (written in bulk at the end)."""

    plan: Plan
    rng: Random
    wd: WorkingDays
    teams: dict[str, list[tuple[int, list[int]]]]  # service -> [(team, its social workers)]
    used_ids: set[str]
    rows: dict[str, list[dict]] = field(default_factory=dict)
    closed_cases: list[dict] = field(default_factory=list)
    new_kids: list[Kid] = field(default_factory=list)
    referred: list[tuple[Kid, date]] = field(default_factory=list)

    @property
    def today(self) -> date:
        return self.plan.today

    def add(self, name: str, kid: Kid, /, **values) -> None:
        self.rows.setdefault(name, []).append({"child_id": kid, **values})

    def day(self, low: date, high: date) -> date:
        """A random day from *low* to *high* (both included; *low* if *high* is earlier)."""
        return low + timedelta(days=self.rng.randint(0, max(0, (high - low).days)))

    def new_kid(self, service: str, youngest: int = 0, oldest: int = 17) -> Kid:
        """A child whose case opened and closed within the year, in a team of *service*."""
        rng = self.rng
        while True:
            la_id = f"{rng.randrange(1_000_000, 99_999_999):08d}"
            if la_id not in self.used_ids:
                self.used_ids.add(la_id)
                break
        # A very small council may have no team of the service: any team will do.
        teams = self.teams.get(service) or [t for every in self.teams.values() for t in every]
        team, workers = rng.choice(teams)
        dob = self.today - timedelta(days=rng.randint(youngest * 365 + 1, oldest * 365 + 364))
        kid = Kid(la_id, dob, team, rng.choice(workers) if workers else None)
        self.new_kids.append(kid)
        return kid

    def close_case(self, kid: Kid, cohort: str, opened: date, closed: date) -> None:
        self.closed_cases.append({"kid": kid, "cohort": cohort, "opened_on": opened,
                                  "closed_on": closed, "unallocated": self.rng.random() < 0.01})  # fmt: skip
