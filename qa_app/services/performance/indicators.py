"""Every indicator, defined once: its key, name, definition, sources, direction, unit, whether it
is a period or a snapshot figure, and the SQL that gives its records (docs/indicators.md).

``records(window)`` returns one row per record the figure counts, with the columns
``child_id, team_id, worker_id, num, den, first_date, second_date, event_date``: the figure is
the grouped sum of ``num`` over the sum of ``den`` (``figures`` does the grouping by council,
locality or team, by month for a period series through ``event_date``, and lists the records as
the children behind the figure). A period figure counts the
records whose event falls in the month; a snapshot figure is taken at an import's as-of date D
in the month. One module on purpose: it is longer than the ~400 lines the style asks for because
every indicator is defined once, in one place, SQL included.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, case, exists, func, literal, not_, or_, select, union_all
from sqlalchemy.orm import aliased

from qa_app.models import (
    Assessment,
    CalendarDay,
    CareLeaver,
    Case,
    CinEpisode,
    CinPlan,
    ClaEpisode,
    ClaHealthCheck,
    ClaPeriod,
    ClaPlacement,
    ClaReview,
    ClaStatus,
    ClaVisit,
    CpPlan,
    CpReview,
    CpVisit,
    Referral,
    Section47,
    User,
)
from qa_app.services.performance import dates
from qa_app.services.performance.caseloads import THRESHOLD_KEYS, band_expression
from qa_app.services.performance.sql import (
    ONE,
    add_days,
    at_least_months_after,
    attributed,
    days,
    flag,
    more_than_months_after,
    open_on,
    year_before,
)

HIGHER, LOWER, NEITHER = "higher", "lower", "neither"
PERIOD, SNAPSHOT = "period", "snapshot"
SHORT_BREAKS = ("V3", "V4")
OUTCOME_DAYS = 30


@dataclass(frozen=True)
class Settings:
    """The council's own timescales (``KPI_CP_VISIT_WORKING_DAYS`` in the configuration)."""

    cp_visit_working_days: int = 10

    @classmethod
    def from_config(cls, config) -> "Settings":
        return cls(cp_visit_working_days=int(config.get("KPI_CP_VISIT_WORKING_DAYS", 10)))


@dataclass(frozen=True)
class Window:
    """What a figure is computed for: the month [start, end) and, for a snapshot, D."""

    start: date
    end: date
    as_of: date | None = None
    settings: Settings = field(default_factory=Settings)


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    definition: str
    sources: str
    kinds: tuple[str, ...]  # event kinds (or "cases") an import must hold for the figure
    direction: str
    unit: str  # percent | working_days | weeks | count | ratio
    timing: str
    records: object  # Callable[[Window], Select]
    distinct_workers: bool = False  # denominator: distinct workers (average caseload)
    parent: str | None = None
    split: object = None  # for a part: Callable[[Window], Select] of records with a ``part``

    def value(self, numerator: int, denominator: int) -> float | None:
        if self.unit == "count":
            return float(numerator)
        if not denominator:
            return None
        scale = {"percent": 100.0, "weeks": 1 / 7}.get(self.unit, 1.0)
        return numerator / denominator * scale


def _rows(row, day, num, den, first, second, *where):
    team, worker = attributed(row, day)
    return select(
        row.child_id.label("child_id"),
        team.label("team_id"),
        worker.label("worker_id"),
        num.label("num"),
        den.label("den"),
        first.label("first_date"),
        second.label("second_date"),
        day.label("event_date"),
    ).where(*where)


def _in_month(column, w: Window):
    return and_(column >= w.start, column < w.end)


# --- period indicators -----------------------------------------------------------------------


def _gap(row, first, second):
    """The working days after *first* up to and including *second* through two joins to the
    calendar, and the function that adds the joins to a query of *row* (a record with a date
    outside the calendar drops out). Joins, which the databases hash, rather than two lookups
    per record and per use."""
    start, end = aliased(CalendarDay), aliased(CalendarDay)

    def join(query):
        return query.join_from(row, start, start.day == first).join(end, end.day == second)

    return end.working_day - start.working_day, join


def _assessments(w: Window, num):
    a = Assessment
    gap, join = _gap(a, a.start_date, a.authorised_on)
    return join(_rows(a, a.authorised_on, num(gap), ONE, a.start_date, a.authorised_on,
                      _in_month(a.authorised_on, w), a.start_date <= a.authorised_on))  # fmt: skip


def assessments_within_45(w: Window):
    return _assessments(w, lambda gap: flag(gap <= 45))


def assessment_days(w: Window):
    return _assessments(w, lambda gap: gap)


def _materialized(query, name: str):
    """A CTE computed once: each occurrence of a scalar subquery is otherwise evaluated again
    where an outer expression repeats it."""
    return query.cte(name).prefix_with("MATERIALIZED")


OUTCOMES = ("nfa", "cin", "s47_icpc", "cp_plan", "looked_after")
OUTCOME_NAMES = {
    "nfa": "no further action",
    "cin": "child in need",
    "s47_icpc": "section 47 enquiry or ICPC",
    "cp_plan": "child protection plan",
    "looked_after": "looked after",
}


# What may follow an assessment, most intensive first (the rank breaks a tie on the same day).
FOLLOWERS = (
    ("looked_after", ClaPeriod, "start_date"),
    ("cp_plan", CpPlan, "start_date"),
    ("s47_icpc", Section47, "strategy_date"),
    ("s47_icpc", Section47, "icpc_date"),
    ("cin", CinPlan, "start_date"),
)
RANKS = {outcome: rank for rank, outcome in enumerate(dict.fromkeys(o for o, _m, _c in FOLLOWERS))}


def _first_followers(assessed):
    """Per assessment of *assessed* (a CTE of ``id, child_id, authorised_on``) with a record
    in the 30 days from its authorisation: the rank of the first (ties to the most intensive).
    Joins and one window, rather than a lookup per assessment and per kind of record."""
    candidates = []
    for outcome, model, name in FOLLOWERS:
        row = aliased(model)
        day = getattr(row, name)
        within = and_(
            row.child_id == assessed.c.child_id,
            day >= assessed.c.authorised_on,
            day <= add_days(assessed.c.authorised_on, OUTCOME_DAYS),
        )
        rank = literal(RANKS[outcome]).label("rank")
        candidates.append(select(assessed.c.id, day.label("day"), rank).join(row, within))
    every = union_all(*candidates).subquery()
    order = func.row_number().over(partition_by=every.c.id, order_by=(every.c.day, every.c.rank))
    ranked = select(every.c.id, every.c.rank, order.label("n")).subquery()
    return select(ranked.c.id, ranked.c.rank).where(ranked.c.n == 1).subquery()


def outcome_records(w: Window):
    """Assessments authorised in the month with their outcome (``part``): the child's first
    record in the 30 days from authorisation (ties to the most intensive), else child in need
    while a CIN episode stays open 30 days on, else no further action."""
    a = Assessment
    team, worker = attributed(a, a.authorised_on)
    episode = aliased(CinEpisode)
    open_cin = (
        select(ONE)
        .where(episode.child_id == a.child_id, episode.start_date <= a.authorised_on)
        .where(or_(episode.end_date.is_(None),
                   episode.end_date > add_days(a.authorised_on, OUTCOME_DAYS)))
        .correlate_except(episode)
        .exists()
    )  # fmt: skip
    base = _materialized(
        select(
            a.id.label("id"),
            a.child_id.label("child_id"),
            team.label("team_id"),
            worker.label("worker_id"),
            a.start_date.label("first_date"),
            a.authorised_on.label("second_date"),
            flag(open_cin).label("open_cin"),
        ).where(_in_month(a.authorised_on, w), a.start_date <= a.authorised_on),
        "outcomes",
    )
    assessed = select(base.c.id, base.c.child_id, base.c.second_date.label("authorised_on")).cte(
        "assessed"
    )
    first = _first_followers(assessed)
    part = case(
        *((first.c.rank == rank, outcome) for outcome, rank in RANKS.items()),
        (base.c.open_cin == 1, "cin"),
        else_="nfa",
    )
    return (
        select(base.c.child_id, base.c.team_id, base.c.worker_id, base.c.first_date,
               base.c.second_date, base.c.second_date.label("event_date"), part.label("part"))
        .select_from(base)
        .outerjoin(first, first.c.id == base.c.id)
    )  # fmt: skip


def _outcome(part: str):
    def records(w: Window):
        o = outcome_records(w).subquery()
        return select(o.c.child_id, o.c.team_id, o.c.worker_id, flag(o.c.part == part).label("num"),
                      ONE.label("den"), o.c.first_date, o.c.second_date, o.c.event_date)  # fmt: skip

    return records


def rereferrals(w: Window):
    r, earlier = Referral, Referral.__table__.alias("earlier")
    again = exists().where(
        earlier.c.child_id == r.child_id,
        earlier.c.referral_date < r.referral_date,
        earlier.c.referral_date >= year_before(r.referral_date),
    )
    return _rows(r, r.referral_date, flag(again), ONE, r.referral_date, r.referral_date,
                 _in_month(r.referral_date, w))  # fmt: skip


def icpc_within_15(w: Window):
    s = Section47
    gap, join = _gap(s, s.strategy_date, s.icpc_date)
    return join(_rows(s, s.icpc_date, flag(gap <= 15), ONE, s.strategy_date, s.icpc_date,
                      _in_month(s.icpc_date, w), s.strategy_date <= s.icpc_date))  # fmt: skip


def repeat_plans(w: Window):
    p, earlier = CpPlan, CpPlan.__table__.alias("earlier")
    held_before = (
        select(func.count())
        .where(earlier.c.child_id == p.child_id, earlier.c.start_date < p.start_date)
        .scalar_subquery()
    )
    previous = func.coalesce(p.previous_plans, held_before)
    return _rows(p, p.start_date, flag(previous >= 1), ONE, p.start_date, p.end_date,
                 _in_month(p.start_date, w))  # fmt: skip


def plans_two_years(w: Window):
    p = CpPlan
    lasted = at_least_months_after(p.start_date, p.end_date, 24)
    return _rows(p, p.end_date, flag(lasted), ONE, p.start_date, p.end_date,
                 _in_month(p.end_date, w), p.start_date <= p.end_date)  # fmt: skip


def cin_plan_days(w: Window):
    p = CinPlan
    length = days(p.start_date, p.end_date)
    return _rows(p, p.end_date, length, ONE, p.start_date, p.end_date,
                 _in_month(p.end_date, w), p.start_date <= p.end_date, length.is_not(None))  # fmt: skip


# --- snapshot indicators at D -------------------------------------------------------------


def _last(model, name: str, child_id, since, as_of, **equal):
    """The child's latest *name* date of *model* from *since* up to *as_of* (an alias, so that
    it never correlates with the same table in an enclosing query)."""
    row = aliased(model)
    column = getattr(row, name)
    return (
        select(func.max(column))
        .where(row.child_id == child_id, column >= since, column <= as_of)
        .where(*(getattr(row, k) == v for k, v in equal.items()))
        .correlate_except(row)
        .scalar_subquery()
    )


def _cp_open(w: Window):
    return open_on(CpPlan.start_date, CpPlan.end_date, w.as_of)


def _last_cp_visit(w: Window):
    return _last(CpVisit, "visit_date", CpPlan.child_id, CpPlan.start_date, w.as_of)


def cp_visits(w: Window):
    p, last = CpPlan, _last_cp_visit(w)
    since = dates.earliest_within_working_days(w.as_of, w.settings.cp_visit_working_days)
    ok = or_(last >= since, and_(last.is_(None), p.start_date >= since))
    return _rows(p, literal(w.as_of), flag(ok), ONE, p.start_date, last, _cp_open(w))


def cp_seen_alone(w: Window):
    p, last = CpPlan, _last_cp_visit(w)
    visit = aliased(CpVisit)
    alone = exists().where(
        visit.child_id == p.child_id, visit.visit_date == last, visit.seen_alone.is_(True)
    )
    return _rows(p, literal(w.as_of), flag(alone), ONE, p.start_date, last, _cp_open(w),
                 last.is_not(None))  # fmt: skip


def cp_reviews(w: Window):
    p = CpPlan
    last = _last(CpReview, "review_date", p.child_id, p.start_date, w.as_of)
    ok = or_(
        last >= dates.earliest_with_months(w.as_of, 6),
        and_(last.is_(None), p.start_date >= dates.earliest_with_months(w.as_of, 3)),
    )
    return _rows(p, literal(w.as_of), flag(ok), ONE, p.start_date, last, _cp_open(w))


def _looked_after(w: Window):
    c = ClaPeriod
    return and_(
        open_on(c.start_date, c.end_date, w.as_of),
        or_(c.legal_status.is_(None), c.legal_status.not_in(SHORT_BREAKS)),
    )


def _per_period(w: Window, name: str, **columns):
    """Children looked after at D with *columns* computed once each (a materialised CTE)."""
    c = ClaPeriod
    team, worker = attributed(c, literal(w.as_of))
    return _materialized(
        select(c.child_id.label("child_id"), team.label("team_id"), worker.label("worker_id"),
               c.start_date.label("start_date"),
               *(value.label(key) for key, value in columns.items())).where(_looked_after(w)),
        name,
    )  # fmt: skip


def _from_period(p, num, first, second):
    return select(p.c.child_id, p.c.team_id, p.c.worker_id, flag(num).label("num"),
                  ONE.label("den"), first.label("first_date"), second.label("second_date"))  # fmt: skip


def cla_visits(w: Window):
    c = ClaPeriod
    episode = aliased(ClaEpisode)
    moved = (
        select(func.max(episode.start_date))
        .where(episode.child_id == c.child_id, episode.start_date >= c.start_date)
        .where(episode.start_date <= w.as_of)
        .where(func.coalesce(episode.reason_new_episode, "") != "L")
        .correlate_except(episode)
        .scalar_subquery()
    )
    p = _per_period(
        w,
        "cla_visit_dates",
        visit=_last(ClaVisit, "visit_date", c.child_id, c.start_date, w.as_of, kind="social_worker"),
        placed=func.coalesce(
            _last(ClaPlacement, "start_date", c.child_id, c.start_date, w.as_of), moved,
            c.start_date,
        ),
    )  # fmt: skip
    visit, placed = p.c.visit, p.c.placed
    ok = case(
        (or_(visit.is_(None), visit < placed), placed >= w.as_of - timedelta(days=7)),
        (placed <= dates.latest_with_months(w.as_of, 12),
         visit >= dates.earliest_with_months(w.as_of, 3)),
        else_=visit >= w.as_of - timedelta(days=42),
    )  # fmt: skip
    return _from_period(p, ok, placed, visit)


def cla_reviews(w: Window):
    c = ClaPeriod
    review = aliased(ClaReview)
    in_period = (review.child_id == c.child_id, review.review_date >= c.start_date,
                 review.review_date <= w.as_of)  # fmt: skip
    p = _per_period(
        w,
        "cla_review_dates",
        reviews=select(func.count()).where(*in_period).correlate_except(review).scalar_subquery(),
        last=select(func.max(review.review_date)).where(*in_period).correlate_except(review)
        .scalar_subquery(),
    )  # fmt: skip
    first_review = and_(p.c.reviews == 1, not_(more_than_months_after(p.c.start_date, p.c.last, 3)))
    ok = case(
        (p.c.reviews == 0, p.c.start_date >= dates.earliest_within_working_days(w.as_of, 20)),
        (first_review, p.c.last >= dates.earliest_with_months(w.as_of, 3)),
        else_=p.c.last >= dates.earliest_with_months(w.as_of, 6),
    )
    return _from_period(p, ok, p.c.start_date, p.c.last)


def cla_health(w: Window):
    c = ClaPeriod
    last = _last(ClaHealthCheck, "check_date", c.child_id, date(1900, 1, 1), w.as_of,
                 kind="health")  # fmt: skip
    ok = last >= dates.earliest_with_months(w.as_of, 12)
    return _rows(c, literal(w.as_of), flag(ok), ONE, c.start_date, last, _looked_after(w),
                 c.start_date <= dates.latest_with_months(w.as_of, 12))  # fmt: skip


def cla_placements(w: Window):
    c, e = ClaPeriod, ClaEpisode
    low = dates.add_months(w.as_of, -12)
    reported = (
        select(func.max(ClaStatus.placements_last_12_months))
        .where(ClaStatus.child_id == c.child_id, ClaStatus.as_of == w.as_of)
        .scalar_subquery()
    )
    started = (
        select(func.count())
        .where(e.child_id == c.child_id, e.start_date > low, e.start_date <= w.as_of)
        .where(func.coalesce(e.reason_new_episode, "") != "L")
        .scalar_subquery()
    )
    already = exists().where(e.child_id == c.child_id, open_on(e.start_date, e.end_date, low))
    counted = func.coalesce(reported, started + flag(already))
    return _rows(c, literal(w.as_of), flag(counted >= 3), ONE, c.start_date, c.end_date,
                 _looked_after(w))  # fmt: skip


def _care_leavers(w: Window, num):
    c = CareLeaver
    return _rows(c, literal(w.as_of), flag(num), ONE, c.latest_contact, c.pathway_plan_review,
                 c.as_of == w.as_of, func.coalesce(c.in_touch, "") != "DIED")  # fmt: skip


def _cases(w: Window, num, *where):
    c = Case
    return select(
        c.child_id.label("child_id"),
        c.team_id.label("team_id"),
        c.worker_id.label("worker_id"),
        num.label("num"),
        ONE.label("den"),
        c.opened_on.label("first_date"),
        c.closed_on.label("second_date"),
    ).where(c.open_on(w.as_of), *where)


def _caseload_of(band: str):
    """Open cases at D of workers in an experience band at D (``caseloads``), per worker."""

    def records(w: Window):
        workers = select(User.id).where(band_expression(User.qualified_on, w.as_of) == band)
        return _cases(w, ONE, Case.worker_id.in_(workers))

    return records


# --- the registry --------------------------------------------------------------------------

_A4 = "Annex A List 4; CIN census assessments"
_CP = "Annex A List 7; CIN census child protection plans"
_LA = "Annex A List 8; SSDA903 episodes"
_L9 = "Annex A List 9"
_CASES = "the open cases of the import (any format)"


CASELOAD_NAMES = {
    "asye": ("Average caseload per ASYE (newly qualified)", "less than 1 year"),
    "1_3_years": ("Average caseload per SW (1-3 years)", "1 year to under 3"),
    "3_5_years": ("Average caseload per SW (3-5 years)", "3 years to under 5"),
    "5_plus_years": ("Average caseload per SW (5+ years)", "5 years or more"),
}


def _caseload_indicator(band: str) -> Indicator:
    name, years = CASELOAD_NAMES[band]
    return Indicator(
        THRESHOLD_KEYS[band], name,
        "Open cases at D allocated to social workers qualified for "
        f"{years} at D (whole years from the qualification date on their staff record), per "
        "such worker. Workers with no qualification date recorded are in the average caseload "
        "but in no band.", _CASES + "; staff qualification dates (user admin, staff CSV)",
        ("cases",), LOWER, "ratio", SNAPSHOT, _caseload_of(band), distinct_workers=True,
        parent="average_caseload",
    )  # fmt: skip


def _outcome_indicator(part: str) -> Indicator:
    return Indicator(
        f"assessment_outcomes.{part}",
        f"Assessment outcome: {OUTCOME_NAMES[part]}",
        "Of assessments authorised in the month, those whose outcome is "
        f"{OUTCOME_NAMES[part]}: the child's first record in the 30 days from authorisation (a "
        "period of care, a CP plan, a section 47 strategy discussion or ICPC, a CIN plan; on "
        "the same day the most intensive), else child in need if a CIN episode is still open "
        "30 days on, else no further action.",
        _A4 + "; Lists 5-8 and the census for what followed",
        ("assessments",), NEITHER, "percent", PERIOD, _outcome(part),
        parent="assessment_outcomes", split=outcome_records,
    )  # fmt: skip


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "assessments_within_45_working_days", "Assessments within 45 working days",
        "Of assessments authorised in the month, those authorised within 45 working days of "
        "their start.", _A4, ("assessments",), HIGHER, "percent", PERIOD, assessments_within_45,
    ),
    Indicator(
        "assessment_average_working_days", "Average assessment length (working days)",
        "The mean working days from start to authorisation of the assessments authorised in "
        "the month (numerator: the sum of the working days).",
        _A4, ("assessments",), LOWER, "working_days", PERIOD, assessment_days,
    ),
    *(_outcome_indicator(part) for part in OUTCOMES),
    Indicator(
        "rereferrals_within_12_months", "Re-referrals within 12 months",
        "Of referrals received in the month, those of a child with an earlier referral no more "
        "than 12 months before (an earlier day; the same day is not a re-referral).",
        "Annex A List 3; CIN census referrals", ("referrals",), LOWER, "percent", PERIOD,
        rereferrals,
    ),
    Indicator(
        "icpc_within_15_working_days", "ICPCs within 15 working days",
        "Of initial child protection conferences held in the month, those within 15 working "
        "days after the strategy discussion that began the section 47 enquiry.",
        "Annex A List 5; CIN census section 47 enquiries", ("section47s",), HIGHER, "percent",
        PERIOD, icpc_within_15,
    ),
    Indicator(
        "repeat_cp_plans", "Repeat child protection plans",
        "Of CP plans started in the month, those with one or more previous plans (the file's "
        "number of previous plans; where blank, earlier plans the service holds).",
        _CP, ("cp_plans",), LOWER, "percent", PERIOD, repeat_plans,
    ),
    Indicator(
        "cp_plans_lasting_2_years", "CP plans ending after 2 years or more",
        "Of CP plans ended in the month, those that lasted two years or more (ended on or "
        "after the second anniversary of their start).",
        _CP, ("cp_plans",), LOWER, "percent", PERIOD, plans_two_years,
    ),
    Indicator(
        "cin_plan_average_weeks", "Average CIN plan length (weeks)",
        "The mean length in weeks of the CIN plans ended in the month (numerator: the sum of "
        "their days).", "CIN census CIN plans", ("cin_plans",), NEITHER, "weeks", PERIOD,
        cin_plan_days,
    ),
    Indicator(
        "cp_visits_in_timescale", "CP visits in timescale",
        "Of CP plans open at D, those whose last statutory visit is no more than the council's "
        "timescale (default 10 working days) before D; a plan with no visit counts while it is "
        "no older than the timescale.", "Annex A List 7", ("cp_plans", "cp_visits"), HIGHER,
        "percent", SNAPSHOT, cp_visits,
    ),
    Indicator(
        "cp_seen_alone", "CP children seen alone at the last visit",
        "Of CP plans open at D with a visit, those whose child was seen alone at the last one.",
        "Annex A List 7", ("cp_plans", "cp_visits"), HIGHER, "percent", SNAPSHOT, cp_seen_alone,
    ),
    Indicator(
        "cp_reviews_in_timescale", "CP reviews in timescale",
        "Of CP plans open at D, those not overdue a review: the first within 3 months of the "
        "plan's start, then every 6 months.", _CP, ("cp_plans", "cp_reviews"), HIGHER,
        "percent", SNAPSHOT, cp_reviews,
    ),
    Indicator(
        "cla_visits_in_timescale", "Looked-after visits in timescale",
        "Of children looked after at D (short breaks excluded), those not overdue a social "
        "work visit: within a week of a placement, then every 6 weeks in its first year, then "
        "every 3 months.", "Annex A List 8", ("cla_periods", "cla_visits"), HIGHER, "percent",
        SNAPSHOT, cla_visits,
    ),
    Indicator(
        "cla_reviews_in_timescale", "Looked-after reviews in timescale",
        "Of children looked after at D (short breaks excluded), those not overdue a review "
        "(Care Planning Regulations: within 20 working days of the start, the second within 3 "
        "months of the first, then every 6 months).", "Annex A List 8; SSDA903 reviews",
        ("cla_periods", "cla_reviews"), HIGHER, "percent", SNAPSHOT, cla_reviews,
    ),
    Indicator(
        "cla_health_assessment_in_12_months", "Health assessment in the last 12 months",
        "Of children looked after at D for 12 months or more (short breaks excluded), those "
        "whose last health assessment is no more than 12 months before D.", "Annex A List 8",
        ("cla_periods", "cla_health_checks"), HIGHER, "percent", SNAPSHOT, cla_health,
    ),
    Indicator(
        "cla_3_plus_placements", "Three or more placements in 12 months",
        "Of children looked after at D (short breaks excluded), those with 3 or more placements "
        "in the 12 months up to D (List 8's count at D; else SSDA903 placements open in those "
        "12 months).", _LA, ("cla_periods",), LOWER, "percent", SNAPSHOT, cla_placements,
    ),
    Indicator(
        "care_leavers_in_touch", "Care leavers in touch",
        "Of care leavers at D (those who died excluded), those the council is in touch with.",
        _L9, ("care_leavers",), HIGHER, "percent", SNAPSHOT,
        lambda w: _care_leavers(w, CareLeaver.in_touch == "YES"),
    ),
    Indicator(
        "care_leavers_suitable_accommodation", "Care leavers in suitable accommodation",
        "Of care leavers at D (those who died excluded), those in accommodation recorded as "
        "suitable.", _L9, ("care_leavers",), HIGHER, "percent", SNAPSHOT,
        lambda w: _care_leavers(w, CareLeaver.accommodation_suitable.is_(True)),
    ),
    Indicator(
        "care_leavers_in_education_employment_training",
        "Care leavers in education, employment or training",
        "Of care leavers at D (those who died excluded), those whose activity is education, "
        "training or employment, full or part time (F1-F5, P1-P5).", _L9, ("care_leavers",),
        HIGHER, "percent", SNAPSHOT,
        lambda w: _care_leavers(
            w, or_(CareLeaver.activity.like("F%"), CareLeaver.activity.like("P%"))
        ),
    ),
    Indicator(
        "unallocated_cases", "Unallocated cases",
        "Open cases at D with no allocated worker (denominator: all open cases).", _CASES,
        ("cases",), LOWER, "count", SNAPSHOT,
        lambda w: _cases(w, flag(Case.worker_id.is_(None))),
    ),
    Indicator(
        "average_caseload", "Average caseload",
        "Open cases at D with an allocated worker, per such worker.", _CASES, ("cases",), LOWER,
        "ratio", SNAPSHOT, lambda w: _cases(w, ONE, Case.worker_id.is_not(None)),
        distinct_workers=True,
    ),
    *(_caseload_indicator(band) for band in CASELOAD_NAMES),
)  # fmt: skip
BY_KEY: dict[str, Indicator] = {i.key: i for i in INDICATORS}
GROUPS = {
    "assessment_outcomes": tuple(f"assessment_outcomes.{p}" for p in OUTCOMES),
    "average_caseload": tuple(THRESHOLD_KEYS[band] for band in CASELOAD_NAMES),
}
